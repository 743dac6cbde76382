"""Retention: what has been kept long enough loses its names, contacts and identifiers (`safepassage
retention apply`, nightly). What "expired" means for each kind of record, and why, is in docs/retention.md.

Rows are anonymised, never deleted: the record keys and codes stay, so the protected report figures and
the lessons learned do not move. Every step picks only rows not anonymised yet, so a second run on the
same day finds nothing, and each batch is its own transaction with its own erasure log.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from safepassage.audit.services import audit_record
from safepassage.cases.models import Case, IntakeReport
from safepassage.imports.models import ImportJob
from safepassage.linkage.models import Merge
from safepassage.migration.models import Registration
from safepassage.privacy import stores
from safepassage.privacy.backup.erasures import log_keep
from safepassage.privacy.models import ErasureLog, ErasureReason
from safepassage.registry.models import Person

BATCH = 500
KINDS = ("person", "case", "intake", "registration", "merge", "import")


def years_before(day: date, years: int) -> date:
    """The same day `years` earlier (28 February for a 29 February in a year without one)."""
    try:
        return day.replace(year=day.year - years)
    except ValueError:
        return day.replace(year=day.year - years, day=28)


def _start_of(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def setting(name: str) -> int:
    return int(settings.RETENTION[name])


def adult_long_enough(today: date, years: int, prefix: str = "") -> Q:
    """A child's record is kept at least until they are 18 plus the period: the birth date 18 + N years
    ago, or (with the year only) a year of birth that leaves no doubt; no birth data, no wait."""
    p = prefix
    cutoff = years_before(today, 18 + years)
    return (
        Q(**{f"{p}birth_date__isnull": False, f"{p}birth_date__lte": cutoff})
        | Q(**{f"{p}birth_date__isnull": True, f"{p}birth_year__lt": cutoff.year})
        | Q(**{f"{p}birth_date__isnull": True, f"{p}birth_year__isnull": True})
    )


# ----------------------------------------------------------------------------------------- what expired


def expired_cases(today: date) -> QuerySet[Case]:
    """Closed N years ago (and the person 18 + N), details not yet removed."""
    years = setting("case_years")
    return Case.objects.filter(
        adult_long_enough(today, years, "person__"),
        erased_at__isnull=True,
        closed_on__isnull=False,
        closed_on__lte=years_before(today, years),
    )


def _open_cases(today: date) -> QuerySet[Case]:
    years = setting("case_years")
    return Case.objects.filter(Q(closed_on__isnull=True) | Q(closed_on__gt=years_before(today, years)))


def expired_registrations(today: date) -> QuerySet[Registration]:
    """No arrival, contact or change for N years (and the person 18 + N), contacts not yet removed."""
    years = setting("registration_years")
    cutoff = years_before(today, years)
    return Registration.objects.filter(
        adult_long_enough(today, years, "person__"),
        erased_at__isnull=True,
        expected_arrival__lte=cutoff,
        updated_at__lt=_start_of(cutoff),
    ).filter(Q(last_contact_on__isnull=True) | Q(last_contact_on__lte=cutoff))


def expired_people(today: date) -> QuerySet[Person]:
    """No change and no assessment for N years, 18 + N for a child, and nothing of theirs kept longer:
    no case still open or closed within its own period, no registration still within its own."""
    years = setting("person_years")
    cutoff = years_before(today, years)
    live_cases = _open_cases(today).filter(person=OuterRef("pk"))
    live_registrations = (
        Registration.objects.filter(person=OuterRef("pk"))
        .exclude(pk__in=expired_registrations(today).values("pk"))
        .filter(erased_at__isnull=True)
    )
    return Person.objects.filter(
        adult_long_enough(today, years),
        erased_at__isnull=True,
        updated_at__lt=_start_of(cutoff),
    ).filter(
        Q(current_assessed_on__isnull=True) | Q(current_assessed_on__lte=cutoff),
        ~Exists(live_cases),
        ~Exists(live_registrations),
    )


def expired_intakes(today: date) -> QuerySet[IntakeReport]:
    """A report that never became a case, received N years ago, its words not yet removed."""
    cutoff = years_before(today, setting("intake_years"))
    return (
        IntakeReport.objects.filter(case__isnull=True, received_at__lt=_start_of(cutoff))
        .exclude(status=IntakeReport.Status.OPEN)
        .exclude(summary="", notifier_name="", notifier_contact="")
    )


def expired_merges(today: date) -> list[int]:
    """Merges older than N days whose undo copies still hold identity: the undo is no longer offered."""
    cutoff = _start_of(today) - timedelta(days=setting("merge_days"))
    old = Merge.objects.filter(merged_at__lt=cutoff)
    return [
        m.pk
        for m in old.only("pk", "merged_row", "survivor_before")
        if stores._blanked(m.merged_row) != m.merged_row
        or stores._blanked(m.survivor_before) != m.survivor_before
    ]


def expired_imports(today: date) -> QuerySet[ImportJob]:
    """Import jobs older than N days that still keep a preview, problems or the uploaded file."""
    cutoff = _start_of(today) - timedelta(days=setting("import_days"))
    return (
        ImportJob.objects.filter(created_at__lt=cutoff)
        .filter(~Q(preview=[]) | ~Q(stored_as="") | Q(problems__isnull=False))
        .distinct()
    )


# ------------------------------------------------------------------------------------------------- apply


@dataclass
class Summary:
    """How many records of each kind were (or, in a dry run, would be) anonymised."""

    dry_run: bool
    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(KINDS, 0))


def _log(records: dict[str, list[int]], person: Person | None = None) -> None:
    log = ErasureLog.objects.create(
        kind=ErasureLog.Kind.RETENTION,
        reason=ErasureReason.RETENTION,
        agency_id=person.agency_id if person else None,
        person_id=person.pk if person else None,
        records=records,
    )
    log_keep(log)


def _batched(ids: list[int], do: Callable[[list[int]], Any]) -> None:
    for start in range(0, len(ids), BATCH):
        with transaction.atomic():
            do(ids[start : start + BATCH])


def apply(*, today: date | None = None, dry_run: bool = False) -> Summary:
    """Anonymise everything expired on `today`: people (through every store, as an erasure), then cases,
    reports, registrations, merge copies and import files of people who are kept."""
    today = today or timezone.localdate()
    summary = Summary(dry_run=dry_run)
    people = list(expired_people(today).order_by("pk").values_list("pk", flat=True))
    found = {
        "person": people,
        "case": list(expired_cases(today).order_by("pk").values_list("pk", flat=True)),
        "intake": list(expired_intakes(today).order_by("pk").values_list("pk", flat=True)),
        "registration": list(expired_registrations(today).order_by("pk").values_list("pk", flat=True)),
        "merge": expired_merges(today),
        "import": list(expired_imports(today).order_by("pk").values_list("pk", flat=True)),
    }
    summary.counts = {kind: len(ids) for kind, ids in found.items()}
    if dry_run:
        return summary

    def people_batch(ids: list[int]) -> None:
        for person in Person.objects.select_for_update().filter(pk__in=ids, erased_at__isnull=True):
            records = stores.find_all(person)
            stores.scrub_all(records)
            _log(records, person)

    _batched(people, people_batch)
    for kind, label in (
        ("case", "cases.case"),
        ("intake", "cases.intakereport"),
        ("registration", "migration.registration"),
        ("merge", "linkage.merge"),
        ("import", "imports.importjob"),
    ):

        def batch(ids: list[int], label: str = label) -> None:
            stores.scrub_all({label: ids})
            _log({label: ids})

        _batched(found[kind], batch)
    with transaction.atomic():
        audit_record(
            actor=None,
            action="privacy.retention.apply",
            object_type="privacy.retention",
            object_id=today.isoformat(),
            changes=dict(summary.counts),
        )
    return summary
