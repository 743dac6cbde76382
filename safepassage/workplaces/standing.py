"""Pure rules for an employer's standing: the good-employer criteria checked against the evidence, and the
periods of its returns. No database here: services gather the evidence and call these."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from django.utils.translation import gettext_lazy as _

REVIEW_DAYS = 365  # a good-employer status is reviewed a year after it is granted
INSPECTION_DAYS = 365  # an inspection counts for a year
TRAINING_DAYS = 365  # training reported in a return counts for a year
FINDING_DAYS = 730  # a finding against the employer bars the status for two years


@dataclass(frozen=True)
class Criterion:
    """One good-employer criterion: met or not, and the evidence in words (for staff)."""

    code: str
    label: str
    met: bool
    evidence: str


@dataclass(frozen=True)
class Evidence:
    """What the criteria are checked against, gathered by the service."""

    registered: bool
    commitments: Sequence[tuple[date, bool | None]]  # (signed on, kept: None until checked)
    inspections: Sequence[tuple[date, int]]  # (inspected on, how many indicators it found)
    findings: Sequence[date]  # found on
    training: Sequence[tuple[date, int]]  # (return submitted on, workers trained)


def criteria(evidence: Evidence, today: date) -> list[Criterion]:
    """The seeds' good employer (R-058: abides by labour law, registered, trains its workers) as evidence."""
    kept = [signed for signed, was_kept in evidence.commitments if was_kept is True]
    broken = [signed for signed, was_kept in evidence.commitments if was_kept is False]
    recent = sorted(
        (day, found) for day, found in evidence.inspections if (today - day).days <= INSPECTION_DAYS
    )
    trained = [day for day, people in evidence.training if people > 0 and (today - day).days <= TRAINING_DAYS]
    findings = [day for day in evidence.findings if (today - day).days <= FINDING_DAYS]
    return [
        Criterion(
            "registered",
            str(_("Registered with the authorities")),
            evidence.registered,
            str(_("registered")) if evidence.registered else str(_("not registered")),
        ),
        Criterion(
            "commitments",
            str(_("Commitments signed and kept")),
            bool(kept) and not broken,
            str(_("%(kept)d kept, %(broken)d broken, %(open)d not checked yet"))
            % {
                "kept": len(kept),
                "broken": len(broken),
                "open": len(evidence.commitments) - len(kept) - len(broken),
            },
        ),
        Criterion(
            "inspection",
            str(_("Inspected in the last year, and the last inspection found nothing")),
            bool(recent) and recent[-1][1] == 0,
            (
                str(_("last inspection %(day)s: %(found)d indicators found"))
                % {"day": recent[-1][0], "found": recent[-1][1]}
            )
            if recent
            else str(_("no inspection in the last year")),
        ),
        Criterion(
            "training",
            str(_("Trains its workers (training in a return of the last year)")),
            bool(trained),
            str(_("%(count)d returns with training")) % {"count": len(trained)},
        ),
        Criterion(
            "no_finding",
            str(_("No finding or upheld complaint in the last two years")),
            not findings,
            str(_("%(count)d findings")) % {"count": len(findings)},
        ),
    ]


def review_date(granted_on: date) -> date:
    """The review date fixed when the status is granted (never moved afterwards)."""
    return granted_on + timedelta(days=REVIEW_DAYS)


@dataclass(frozen=True)
class Period:
    """One period a return covers: its label, first and last day, and the day the return is due."""

    label: str
    start: date
    end: date
    due: date


def _add_months(day: date, months: int) -> date:
    month = day.month - 1 + months
    return date(day.year + month // 12, month % 12 + 1, 1)


def period_label(start: date, months: int) -> str:
    """2026-07 (a month), 2026-Q3, 2026-H2, 2026 (a calendar year), else 2026-07..2026-12."""
    if months == 1:
        return f"{start:%Y-%m}"
    if months == 3 and start.month in (1, 4, 7, 10):
        return f"{start.year}-Q{(start.month + 2) // 3}"
    if months == 6 and start.month in (1, 7):
        return f"{start.year}-H{1 if start.month == 1 else 2}"
    if months == 12 and start.month == 1:
        return str(start.year)
    last = _add_months(start, months) - timedelta(days=1)
    return f"{start:%Y-%m}..{last:%Y-%m}"


def periods(starts_on: date, months: int, due_days: int, today: date, limit: int = 24) -> list[Period]:
    """The periods that have begun by `today` (the latest `limit` of them), oldest first."""
    first = starts_on.replace(day=1)
    found: list[Period] = []
    start = first
    while start <= today:
        following = _add_months(start, months)
        end = following - timedelta(days=1)
        found.append(Period(period_label(start, months), start, end, end + timedelta(days=due_days)))
        start = following
    return found[-limit:]
