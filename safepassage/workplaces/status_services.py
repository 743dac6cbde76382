"""Writes for employers' standing (docs/prevention.md, "Employers earn their status"): the good-employer
status granted from evidence, withdrawn by a finding notified to the employer, lapsing at its review date;
commitments checked; findings recorded; periodic returns scheduled and reminded.

A tip never reaches any of this: nothing here reads a tip, and the only dates the employer is shown are the
grant, the review date fixed at the grant, and the day a finding was notified to it (PRODUCT.md invariant 3).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from safepassage.accounts.models import Membership, User
from safepassage.audit.services import audit_record
from safepassage.core.access import viewer_for
from safepassage.core.notices import Notice, NoticeKind, NoticeUrgency, notice_emit
from safepassage.core.roles import Role
from safepassage.core.validation import not_in_future
from safepassage.workplaces import standing
from safepassage.workplaces.models import (
    Employer,
    EmployerCommitment,
    EmployerStatus,
    EmployerStatusDecision,
    EmployerSubmission,
    EmployerViolation,
    Observation,
    ReturnReminder,
    ReturnSchedule,
    Workplace,
)

# Findings of these kinds, once notified to the employer, withdraw a good-employer status.
WITHDRAWING = (
    EmployerViolation.Kind.INSPECTION,
    EmployerViolation.Kind.LABOUR_CASE,
    EmployerViolation.Kind.COMPLAINT,
)


def _require_coordinator(actor: User | None, employer: Employer) -> None:
    if actor is not None and not viewer_for(actor).has_role(
        Role.COORDINATOR, Role.ADMIN, agency_id=employer.agency_id
    ):
        raise PermissionDenied(_("Only the agency's coordinators decide an employer's status."))


def _require_staff(actor: User | None, employer: Employer) -> None:
    if actor is not None and not viewer_for(actor).has_role(
        Role.COORDINATOR, Role.ADMIN, Role.CASEWORKER, agency_id=employer.agency_id
    ):
        raise PermissionDenied(_("Only the agency that keeps this employer can change it."))


def employer_evidence(employer: Employer) -> standing.Evidence:
    """What the good-employer criteria are checked against. Inspections only: a tip is not evidence here."""
    inspections = Observation.objects.filter(
        workplace__employer=employer, source=Observation.Source.INSPECTION
    ).values_list("observed_on", "indicators")
    returns = EmployerSubmission.objects.filter(workplace__employer=employer).values_list(
        "submitted_at", "people_trained"
    )
    return standing.Evidence(
        registered=employer.registered,
        commitments=list(employer.commitments.values_list("signed_on", "kept")),
        inspections=[(day, len(found or [])) for day, found in inspections],
        findings=list(employer.violations.values_list("found_on", flat=True)),
        training=[(timezone.localdate(at), people) for at, people in returns],
    )


def employer_criteria(employer: Employer, today: date | None = None) -> list[standing.Criterion]:
    """The good-employer criteria, each met or not with its evidence (staff only)."""
    return standing.criteria(employer_evidence(employer), today or timezone.localdate())


def _decide(
    employer: Employer,
    *,
    status: str,
    cause: str,
    effective_on: date,
    review_on: date | None,
    actor: User | None = None,
    evidence: dict[str, Any] | None = None,
    finding: EmployerViolation | None = None,
    note: str = "",
) -> EmployerStatusDecision:
    before = employer.status
    employer.status, employer.status_from, employer.status_review_on = status, effective_on, review_on
    employer.save(update_fields=["status", "status_from", "status_review_on"])
    decision = EmployerStatusDecision.objects.create(
        employer=employer,
        status=status,
        cause=cause,
        effective_on=effective_on,
        review_on=review_on,
        evidence=evidence or {},
        finding=finding,
        note=note,
        decided_by=actor,
    )
    audit_record(
        actor=actor,
        action=(
            "workplaces.employer.status_grant"
            if cause == EmployerStatusDecision.Cause.GRANTED
            else "workplaces.employer.status_withdraw"
            if cause == EmployerStatusDecision.Cause.FINDING
            else "workplaces.employer.status_lapse"
        ),
        obj=employer,
        changes={
            "status": [before, status],
            "effective_on": effective_on,
            "review_on": review_on,
            "finding": finding.pk if finding else None,
            "note": note,
        },
    )
    return decision


@transaction.atomic
def employer_status_grant(
    *, actor: User | None, employer: Employer, note: str = ""
) -> EmployerStatusDecision:
    """Grant (or renew) the good-employer status when every criterion is met, with a review date a year on."""
    _require_coordinator(actor, employer)
    today = timezone.localdate()
    checked = employer_criteria(employer, today)
    unmet = [c.label for c in checked if not c.met]
    if unmet:
        raise ValidationError({"status": [_("Not met: %(list)s.") % {"list": "; ".join(unmet)}]})
    return _decide(
        employer,
        status=EmployerStatus.GOOD,
        cause=EmployerStatusDecision.Cause.GRANTED,
        effective_on=today,
        review_on=standing.review_date(today),
        actor=actor,
        evidence={c.code: c.evidence for c in checked},
        note=note.strip(),
    )


def _withdraw_if_notified(employer: Employer, finding: EmployerViolation, actor: User | None) -> None:
    """A good status ends with a finding the employer has been told of, from the day it was told."""
    if (
        employer.status == EmployerStatus.GOOD
        and finding.kind in WITHDRAWING
        and finding.notified_on is not None
    ):
        effective = max(finding.notified_on, employer.status_from or finding.notified_on)
        _decide(
            employer,
            status=EmployerStatus.WITHDRAWN,
            cause=EmployerStatusDecision.Cause.FINDING,
            effective_on=effective,
            review_on=None,
            actor=actor,
            finding=finding,
        )


def _check_notified(found_on: date, notified_on: date | None, how: str) -> None:
    not_in_future(notified_on, "notified_on")
    if notified_on is not None and notified_on < found_on:
        raise ValidationError({"notified_on": _("The employer cannot be told before the finding was made.")})
    if notified_on is not None and not how.strip():
        raise ValidationError(
            {"notified_how": _("Say how the employer was told (letter, inspection report).")}
        )


@transaction.atomic
def employer_violation_add(
    *,
    actor: User | None,
    employer: Employer,
    found_on: date,
    law: str,
    outcome: str = "",
    kind: str = EmployerViolation.Kind.OTHER,
    case_reference: str = "",
    notified_on: date | None = None,
    notified_how: str = "",
) -> EmployerViolation:
    """Record a finding against an employer; notified to it, it withdraws a good-employer status."""
    _require_staff(actor, employer)
    not_in_future(found_on, "found_on")
    if kind not in EmployerViolation.Kind.values:
        raise ValidationError({"kind": _("Unknown kind %(kind)s.") % {"kind": kind}})
    if not law.strip():
        raise ValidationError({"law": _("Name the law or rule that was broken.")})
    _check_notified(found_on, notified_on, notified_how)
    violation = employer.violations.create(
        found_on=found_on,
        law=law.strip(),
        outcome=outcome,
        kind=kind,
        case_reference=case_reference.strip(),
        notified_on=notified_on,
        notified_how=notified_how.strip(),
    )
    audit_record(
        actor=actor,
        action="workplaces.employer.violation",
        obj=employer,
        changes={
            "finding": violation.pk,
            "found_on": found_on,
            "kind": kind,
            "law": law,
            "outcome": outcome,
            "notified_on": notified_on,
        },
    )
    _withdraw_if_notified(employer, violation, actor)
    return violation


@transaction.atomic
def employer_finding_notified(
    *, actor: User | None, finding: EmployerViolation, notified_on: date, notified_how: str
) -> EmployerViolation:
    """Record the day a finding was notified to the employer through the normal channel."""
    employer = Employer.objects.select_for_update().get(pk=finding.employer_id)
    _require_staff(actor, employer)
    if finding.notified_on is not None:
        raise ValidationError({"notified_on": _("This finding was already notified.")})
    _check_notified(finding.found_on, notified_on, notified_how)
    finding.notified_on, finding.notified_how = notified_on, notified_how.strip()
    finding.save(update_fields=["notified_on", "notified_how"])
    audit_record(
        actor=actor,
        action="workplaces.employer.finding_notified",
        obj=employer,
        changes={"finding": finding.pk, "notified_on": notified_on},
    )
    _withdraw_if_notified(employer, finding, actor)
    return finding


@transaction.atomic
def commitment_check(
    *, actor: User | None, commitment: EmployerCommitment, kept: bool, checked_on: date
) -> EmployerCommitment:
    """Record whether a signed commitment was kept, as checked on a day."""
    _require_staff(actor, commitment.employer)
    not_in_future(checked_on, "checked_on")
    if checked_on < commitment.signed_on:
        raise ValidationError({"checked_on": _("A commitment is checked after it is signed.")})
    commitment.kept, commitment.checked_on = kept, checked_on
    commitment.save(update_fields=["kept", "checked_on"])
    audit_record(
        actor=actor,
        action="workplaces.employer.commitment_check",
        obj=commitment.employer,
        changes={"commitment": commitment.pk, "kept": kept, "checked_on": checked_on},
    )
    return commitment


@transaction.atomic
def employer_statuses_review(*, today: date | None = None) -> int:
    """Good statuses past their review date end (run nightly); the date was fixed at the grant."""
    today = today or timezone.localdate()
    ended = 0
    for employer in Employer.objects.select_for_update().filter(
        status=EmployerStatus.GOOD, status_review_on__lt=today
    ):
        _decide(
            employer,
            status=EmployerStatus.LAPSED,
            cause=EmployerStatusDecision.Cause.REVIEW,
            effective_on=employer.status_review_on or today,
            review_on=None,
        )
        ended += 1
    return ended


# ----------------------------------------------------------------------------------------- periodic returns


@transaction.atomic
def return_schedule_set(
    *,
    actor: User | None,
    employer: Employer,
    every_months: int,
    starts_on: date,
    due_days: int = 15,
    remind_days: int = 7,
    active: bool = True,
) -> ReturnSchedule:
    """Set how often the employer returns wages, training and conditions, and when it is reminded."""
    _require_staff(actor, employer)
    errors: dict[str, list[str]] = {}
    if every_months not in ReturnSchedule.Every.values:
        errors["every_months"] = [_("Every 1, 3, 6 or 12 months.")]
    if not 0 <= due_days <= 90:
        errors["due_days"] = [_("Between 0 and 90 days.")]
    if not 0 <= remind_days <= 60:
        errors["remind_days"] = [_("Between 0 and 60 days.")]
    if employer.partner_agency_id is None:
        errors["employer"] = [_("The employer has no account of its own to send returns from.")]
    if errors:
        raise ValidationError(errors)
    schedule, _created = ReturnSchedule.objects.update_or_create(
        employer=employer,
        defaults={
            "every_months": every_months,
            "starts_on": starts_on.replace(day=1),
            "due_days": due_days,
            "remind_days": remind_days,
            "active": active,
        },
    )
    audit_record(
        actor=actor,
        action="workplaces.employer.return_schedule",
        obj=employer,
        changes={
            "every_months": every_months,
            "starts_on": schedule.starts_on,
            "due_days": due_days,
            "remind_days": remind_days,
            "active": active,
        },
    )
    return schedule


@dataclass(frozen=True)
class ReturnRow:
    """One workplace's return for one period: sent (with the submission), due, or overdue."""

    period: standing.Period
    workplace: Workplace
    submission: EmployerSubmission | None
    state: str  # "received", "open" (period not over, or due date not passed) or "overdue"


def returns_of(employer: Employer, today: date | None = None, limit: int = 8) -> list[ReturnRow]:
    """The employer's returns of the latest periods, newest first (empty without an active schedule)."""
    schedule = ReturnSchedule.objects.filter(employer=employer, active=True).first()
    if schedule is None:
        return []
    today = today or timezone.localdate()
    found = standing.periods(schedule.starts_on, schedule.every_months, schedule.due_days, today, limit)
    workplaces = list(employer.workplaces.exclude(status=Workplace.Status.CLOSED).order_by("name", "pk"))
    sent = {
        (s.workplace_id, s.period): s
        for s in EmployerSubmission.objects.filter(
            workplace__in=workplaces, period__in=[p.label for p in found]
        ).order_by("submitted_at")
    }
    rows = []
    for period in reversed(found):
        for workplace in workplaces:
            submission = sent.get((workplace.pk, period.label))
            state = "received" if submission else ("overdue" if today > period.due else "open")
            rows.append(ReturnRow(period, workplace, submission, state))
    return rows


def _partner_users(employer: Employer) -> tuple[int, ...]:
    if employer.partner_agency_id is None:
        return ()
    return tuple(
        Membership.objects.filter(
            agency_id=employer.partner_agency_id, role=Role.PARTNER, active=True, user__is_active=True
        ).values_list("user_id", flat=True)
    )


@transaction.atomic
def return_reminders_send(*, today: date | None = None) -> int:
    """Remind employers of returns due soon and of returns overdue (run nightly): each once per period.
    The notice says only that a return is due, with the employer's page (notify's fixed sentence)."""
    today = today or timezone.localdate()
    sent = 0
    notices: list[Notice] = []
    for schedule in ReturnSchedule.objects.filter(
        active=True, employer__partner_agency__isnull=False
    ).select_related("employer"):
        employer = schedule.employer
        missing: dict[str, standing.Period] = {}
        for row in returns_of(employer, today, limit=2):
            period = row.period
            from_day = max(period.end + timedelta(days=1), period.due - timedelta(days=schedule.remind_days))
            if row.submission is None and today >= from_day:
                missing[period.label] = period
        for label, period in missing.items():
            kind = ReturnReminder.Kind.OVERDUE if today > period.due else ReturnReminder.Kind.DUE
            _reminder, created = ReturnReminder.objects.get_or_create(
                schedule=schedule, period=label, kind=kind, defaults={"sent_on": today}
            )
            if not created:
                continue
            notices.append(
                Notice(
                    kind=NoticeKind.RETURN_DUE,
                    recipients=_partner_users(employer),
                    reference=f"R-{employer.pk}-{label}",
                    link=reverse("workplaces:employer", args=[employer.pk]),
                    urgency=NoticeUrgency.DIGEST,
                )
            )
            sent += 1
    notice_emit(notices)
    if sent:
        audit_record(
            actor=None,
            action="workplaces.employer.return_reminders",
            object_type="workplaces.returnschedule",
            changes={"sent": sent},
        )
    return sent
