"""Every store that can hold a person's identity: how to find the person's rows in it, and how to remove the
identity from those rows (names, contacts, identifiers, free text about them, files naming them).

Removing keeps each row, its record key and its codes (sex, year of birth, village, risk band, case codes),
so the protected report figures and the lessons learned do not move. Every `scrub` takes row ids only and
can run again on the same ids (after a restore from a backup) with the same result.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

from django.db import transaction
from django.db.models import F, Q
from django.db.models.functions import Coalesce
from django.utils import timezone

from safepassage.cases import models as cases
from safepassage.exports.models import Export
from safepassage.exports.services import exports_dir
from safepassage.imports.models import ImportJob, Provenance, RowProblem
from safepassage.imports.services import imports_dir, stored_rows
from safepassage.linkage.models import Merge
from safepassage.migration import models as migration
from safepassage.prevention.models import Delivery
from safepassage.registry.models import Alert, CivilProblem, Household, Person, PersonDocument
from safepassage.workplaces.models import Attachment, Observation

# A person's fields that say who they are. A merge snapshot keeps a copy of them, so it loses them too.
IDENTITY_FIELDS = (
    "given_name",
    "family_name",
    "given_name_latin",
    "family_name_latin",
    "given_name_roman",
    "family_name_roman",
    "other_names",
    "birth_date",
    "national_id",
    "father_name",
    "mother_name",
    "languages",
    "notes",
    "consent_basis",
    "guardian_consent_by",
)
BLANK: dict[str, Any] = {
    **dict.fromkeys(IDENTITY_FIELDS, ""),
    "birth_date": None,
    "languages": [],
}

# Free text under a case, by model: what was said about the person, never a code the figures count.
CASE_TEXT: dict[type[Any], tuple[str, ...]] = {
    cases.CaseNote: ("text",),
    cases.Screening: ("notes",),
    cases.Perpetrator: ("notes",),
    cases.JourneyEvent: ("notes", "place"),
    cases.Step: ("notes",),
    cases.LegalEvent: ("notes",),
    cases.ShelterStay: ("notes",),
    cases.BestInterestsAssessment: ("views", "risks"),
    cases.Repatriation: ("translated_summary",),
    cases.FollowUp: ("summary",),
    cases.Conference: ("learned", "decisions", "other_attendees"),
    cases.SupportService: ("notes",),
    cases.Referral: ("details", "override_reason", "response_note", "close_note"),
    # an emergency reader's words about why, and the owner's review of it, may name the person
    cases.BreakGlass: ("reason", "review_note"),
}


@dataclass(frozen=True)
class Store:
    """One store: `find(person)` gives the ids of its rows about the person; `scrub(ids)` removes them."""

    label: str
    find: Callable[[Person], list[int]]
    scrub: Callable[[list[int]], int]


def _ids(queryset: Any) -> list[int]:
    return sorted(set(queryset.values_list("pk", flat=True)))


# ------------------------------------------------------------------------------------------------ people


def _people(person: Person) -> list[int]:
    return [person.pk]


def scrub_people(ids: list[int]) -> int:
    """Names, contacts, identifiers, notes and the guardian's name; sex, year of birth, village, risk and the
    record key stay. The house label goes too where the person heads the household (it may carry the
    family name); their alerts lose the notes written on resolving them."""
    if not ids:
        return 0
    Household.objects.filter(head_id__in=ids).update(label="")
    Alert.objects.filter(person_id__in=ids).update(resolution_note="")
    from safepassage.privacy.models import CorrectionRequest

    CorrectionRequest.objects.filter(person_id__in=ids).update(details="", note="")
    # their documents keep kind, state and date (the documentation figures); the words about them go
    PersonDocument.objects.filter(person_id__in=ids).update(note="")
    CivilProblem.objects.filter(person_id__in=ids).update(description="", next_step="", outcome="")
    # help they received keeps what, when and from whom (the impact figures); the note goes
    Delivery.objects.filter(person_id__in=ids).update(note="")
    return Person.objects.filter(pk__in=ids).update(
        **BLANK, household=None, erased_at=Coalesce(F("erased_at"), timezone.now())
    )


# ------------------------------------------------------------------------------------------------- cases


def _cases(person: Person) -> list[int]:
    return _ids(cases.Case.objects.filter(person=person))


def scrub_cases(ids: list[int]) -> int:
    """The address, health notes and every free text under the case, and the intake report it came from
    (what was reported, and who reported it). Codes, dates, stages and the record key stay."""
    if not ids:
        return 0
    done = cases.Case.objects.filter(pk__in=ids).update(
        address="",
        health="",
        closure_reason="",
        track_override_reason="",
        erased_at=Coalesce(F("erased_at"), timezone.now()),
    )
    for model, fields in CASE_TEXT.items():
        model.objects.filter(case_id__in=ids).update(**dict.fromkeys(fields, ""))
    cases.Repatriation.objects.filter(case_id__in=ids).update(packet={})
    return done


def _intakes(person: Person) -> list[int]:
    return _ids(cases.IntakeReport.objects.filter(case__person=person))


def scrub_intakes(ids: list[int]) -> int:
    """What was reported and who reported it (the reporter's identity goes with the report's subject)."""
    return cases.IntakeReport.objects.filter(pk__in=ids).update(
        notifier_name="", notifier_contact="", notifier_relation="", summary="", action_taken=""
    )


# ---------------------------------------------------------------------------------------- registrations


def _registrations(person: Person) -> list[int]:
    return _ids(migration.Registration.objects.filter(person=person))


def scrub_registrations(ids: list[int]) -> int:
    """Phone, messaging, family contact, documents and the exact place; the advice given, the notes of
    check-ins, a returned worker's words, reintegration notes and what dispute steps said. The worker's
    words kept apart on workplace evidence made from a check-in go, and the files attached to that
    evidence."""
    if not ids:
        return 0
    done = migration.Registration.objects.filter(pk__in=ids).update(
        phone="",
        messaging="",
        family_contact="",
        documents=[],
        destination_place="",
        erased_at=Coalesce(F("erased_at"), timezone.now()),
    )
    migration.Counselling.objects.filter(registration_id__in=ids).update(advice="", outcome="")
    migration.CheckIn.objects.filter(registration_id__in=ids).update(notes="")
    migration.MigrationAlert.objects.filter(registration_id__in=ids).update(resolution_note="")
    # Issue 22 part 8: the returned worker's words, reintegration notes and what dispute steps said.
    migration.ReturnInterview.objects.filter(registration_id__in=ids).update(
        experience="", advice_for_others=""
    )
    migration.ReintegrationStep.objects.filter(registration_id__in=ids).update(note="")
    migration.DisputeStep.objects.filter(dispute__registration_id__in=ids).update(handled_by="", result="")
    observations = migration.CheckIn.objects.filter(
        registration_id__in=ids, observation__isnull=False
    ).values("observation_id")
    Observation.objects.filter(pk__in=observations).update(informant="")
    _delete_attachments(Attachment.objects.filter(observation__in=observations))
    return done


def _delete_attachments(attachments: Iterable[Attachment]) -> None:
    for attachment in list(attachments):
        storage, name = attachment.file.storage, attachment.file.name
        attachment.delete()
        if name:
            transaction.on_commit(partial(storage.delete, name))


def _remove_file(path: Path) -> None:
    """Files go once the rows saying they are gone are committed (a failed erasure keeps both)."""
    transaction.on_commit(partial(path.unlink, missing_ok=True))


def _site_registrations(person: Person) -> list[int]:
    return _ids(migration.SiteRegistration.objects.filter(person=person))


def scrub_site_registrations(ids: list[int]) -> int:
    """Family contact, home place and what was done to trace the family."""
    if not ids:
        return 0
    migration.TracingStep.objects.filter(site_registration_id__in=ids).update(action="", result="")
    return migration.SiteRegistration.objects.filter(pk__in=ids).update(family_contact="", origin_place="")


# ----------------------------------------------------------------------------------------------- merges


def _merges(person: Person) -> list[int]:
    return _ids(Merge.objects.filter(Q(survivor_id=person.pk) | Q(merged_id=person.pk)))


def scrub_merges(ids: list[int]) -> int:
    """The copies a merge keeps for its undo: the record folded in, and the kept record's fields before."""
    done = 0
    for merge in Merge.objects.filter(pk__in=ids):
        merge.merged_row = _blanked(merge.merged_row)
        merge.survivor_before = _blanked(merge.survivor_before)
        merge.save(update_fields=["merged_row", "survivor_before"])
        done += 1
    return done


def _blanked(row: dict[str, Any]) -> dict[str, Any]:
    return {key: BLANK.get(key, value) for key, value in (row or {}).items()}


# ---------------------------------------------------------------------------------------------- imports


def _identity_matcher(person: Person) -> Callable[[Iterable[Any]], bool]:
    """Whether a file row names the person: their ID number, or their given name with their family name
    (or a parent's name). A given name alone names too many people to count."""
    national_id = person.national_id.strip()
    given = person.given_name.strip().casefold()
    others = {v.strip().casefold() for v in (person.family_name, person.father_name, person.mother_name)}
    others.discard("")

    def matches(values: Iterable[Any]) -> bool:
        cells = {str(v).strip().casefold() for v in values if v not in (None, "")}
        if national_id and national_id.casefold() in cells:
            return True
        return bool(given) and given in cells and bool(others & cells)

    return matches


def _imports(person: Person) -> list[int]:
    """Jobs that made the person's record, and jobs whose preview or stored file names them."""
    made = Provenance.objects.filter(object_type="registry.person", object_id=person.pk).values("job_id")
    found = set(ImportJob.objects.filter(pk__in=made).values_list("pk", flat=True))
    matches = _identity_matcher(person)
    pending = ImportJob.objects.exclude(pk__in=found).filter(~Q(preview=[]) | ~Q(stored_as=""))
    for job in pending.iterator():
        if any(matches((row.get("values") or {}).values()) for row in job.preview or []):
            found.add(job.pk)
            continue
        if any(matches(values.values()) for _, values in stored_rows(job)):
            found.add(job.pk)
    return sorted(found)


def scrub_imports(ids: list[int]) -> int:
    """The preview, the problems (and so the problem file made from them) and the uploaded file. A job not
    applied yet is cancelled: its file is gone."""
    done = 0
    for job in ImportJob.objects.filter(pk__in=ids):
        if job.stored_as:
            _remove_file(imports_dir() / job.stored_as)
        RowProblem.objects.filter(job=job).delete()
        finished = (ImportJob.Status.APPLIED, ImportJob.Status.FAILED, ImportJob.Status.REFUSED)
        status = job.status if job.status in finished else ImportJob.Status.CANCELLED
        ImportJob.objects.filter(pk=job.pk).update(preview=[], status=status, stored_as="")
        done += 1
    return done


# ---------------------------------------------------------------------------------------------- exports


def _exports(person: Person) -> list[int]:
    """Export files still kept that may hold the person's cases: those of every agency that holds or received
    one of their cases, made since the first was opened. The password is never stored, so a file cannot be
    opened to check or remade without them: it is deleted (purged early)."""
    person_cases = cases.Case.objects.filter(person=person)
    first = person_cases.order_by("opened_on").values_list("opened_on", flat=True).first()
    if first is None:
        return []
    agencies = set(person_cases.values_list("agency_id", flat=True))
    agencies |= set(
        cases.Referral.objects.filter(case__in=person_cases, to_agency__isnull=False).values_list(
            "to_agency_id", flat=True
        )
    )
    return _ids(
        Export.objects.filter(agency_id__in=agencies, expires_at__gt=timezone.now()).exclude(stored_as="")
    )


def scrub_exports(ids: list[int]) -> int:
    """Delete the files; the record that an export was made stays (purged, as when it expires)."""
    done = 0
    for export in Export.objects.filter(pk__in=ids):
        if export.stored_as:
            _remove_file(exports_dir() / export.stored_as)
        done += Export.objects.filter(pk=export.pk).update(stored_as="")
    return done


STORES: tuple[Store, ...] = (
    Store("registry.person", _people, scrub_people),
    Store("cases.case", _cases, scrub_cases),
    Store("cases.intakereport", _intakes, scrub_intakes),
    Store("migration.registration", _registrations, scrub_registrations),
    Store("migration.siteregistration", _site_registrations, scrub_site_registrations),
    Store("linkage.merge", _merges, scrub_merges),
    Store("imports.importjob", _imports, scrub_imports),
    Store("exports.export", _exports, scrub_exports),
)
BY_LABEL = {store.label: store for store in STORES}


def find_all(person: Person) -> dict[str, list[int]]:
    """Every store's rows about the person, found while the identity is still there to match files on."""
    return {store.label: ids for store in STORES if (ids := store.find(person))}


def scrub_all(records: dict[str, list[int]]) -> int:
    """Remove the identity from the rows found (or logged): the same each time it runs."""
    return sum(BY_LABEL[label].scrub(list(ids)) for label, ids in records.items() if label in BY_LABEL)
