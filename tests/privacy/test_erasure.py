"""Erasure on request: the person's identity leaves every store (pages, API, files), the record keys and
codes stay, the log names rows and never values, and only a coordinator of the holding agency may do it."""

from __future__ import annotations

import io
import json
from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from safepassage.audit.models import AuditEvent
from safepassage.cases.models import Case, IntakeReport
from safepassage.cases.services import case_open, note_add
from safepassage.exports import services as exports
from safepassage.exports.models import Export
from safepassage.imports import services as imports
from safepassage.imports.models import ImportJob
from safepassage.linkage import services as linkage
from safepassage.linkage.models import MatchCandidate, Merge
from safepassage.privacy.models import ErasureLog
from safepassage.privacy.services import erase_person
from safepassage.registry.models import Person
from safepassage.testing import api_client, assert_matrix, web_client
from tests.privacy.conftest import FAMILY, NAME, NATIONAL_ID, NOTE, make_person, traces

pytestmark = pytest.mark.django_db


def erase(world, person, capture, reason="person_asked"):
    with capture(execute=True):
        return erase_person(actor=world.coordinator_a, person=person, reason=reason)


def test_the_person_loses_their_identity_on_pages_and_in_the_api_but_keeps_key_and_codes(
    world, django_capture_on_commit_callbacks
):
    person = make_person(world)
    before = Person.objects.get(pk=person.pk)
    coordinator = web_client(world.coordinator_a)
    assert traces(coordinator.get(reverse("registry:person_detail", args=[person.pk])).content)

    log = erase(world, person, django_capture_on_commit_callbacks)

    after = Person.objects.get(pk=person.pk)
    page = coordinator.get(reverse("registry:person_detail", args=[person.pk]))
    api = api_client(world.coordinator_a).get(f"/api/v1/people/{person.pk}")
    assert page.status_code == 200 and traces(page.content) == []
    assert api.status_code == 200 and traces(api.content) == [] and api.json()["identity_removed"]
    village = coordinator.get(reverse("registry:village_detail", args=[world.village_1.code]))
    assert traces(village.content) == []
    # What the protected figures count stays exactly as it was.
    for field in ("record_key", "sex", "birth_year", "village_id", "agency_id", "current_band"):
        assert getattr(after, field) == getattr(before, field)
    assert after.erased_at is not None and after.birth_date is None
    # The log and the audit trail say which rows and why, never what was removed.
    assert log.records["registry.person"] == [person.pk] and log.reason == "person_asked"
    event = AuditEvent.objects.get(action="privacy.person.erase")
    assert traces(json.dumps(log.records)) == [] and traces(json.dumps(event.changes, default=str)) == []


def test_cases_lose_address_health_notes_and_what_was_reported(world, django_capture_on_commit_callbacks):
    person = make_person(world)
    case = case_open(
        actor=world.caseworker_a,
        opened_on=date(2026, 1, 5),
        person=person,
        address="Room 4, Soi Wat Phra Singh",
        health="Asthma, needs an inhaler",
        exploitation_types=["ForcedLabour"],
    )
    note_add(actor=world.caseworker_a, case=case, text=f"{NAME} told us her uncle took her ID card")
    intake = IntakeReport.objects.create(
        agency=world.agency_a,
        reference="IN-1",
        channel="call",
        received_at="2026-01-04T10:00:00+07:00",
        notifier_name="Her neighbour Pim",
        summary=f"{NAME} {FAMILY} seen working at night",
    )
    Case.objects.filter(pk=case.pk).update(intake=intake)
    client = web_client(world.caseworker_a)
    assert traces(client.get(reverse("cases:case_detail", args=[case.pk])).content)

    erase(world, person, django_capture_on_commit_callbacks)

    page = client.get(reverse("cases:case_detail", args=[case.pk]))
    api = api_client(world.caseworker_a).get(f"/api/v1/cases/{case.pk}")
    assert page.status_code == 200 and api.status_code == 200
    for text in (page.content, api.content):
        assert traces(text) == [] and b"Soi Wat" not in text and b"inhaler" not in text
    case.refresh_from_db()
    intake.refresh_from_db()
    assert case.exploitation_types == ["ForcedLabour"] and case.erased_at is not None
    assert intake.notifier_name == "" and intake.summary == ""


def test_a_merge_keeps_no_copy_of_the_name_for_its_undo(world, django_capture_on_commit_callbacks):
    person = make_person(world)
    twin = Person.objects.create(
        agency=world.agency_a, village=world.village_1, given_name=NAME, family_name="Kaewmani", sex="female"
    )
    a, b = sorted((person, twin), key=lambda p: p.pk)
    candidate = MatchCandidate.objects.create(
        agency=world.agency_a,
        other_agency=world.agency_a,
        person_a_id=a.pk,
        person_b_id=b.pk,
        match_weight=12.0,
        probability=0.99,
    )
    merge = linkage.merge(actor=world.coordinator_a, candidate=candidate)
    kept = Person.objects.get(pk=merge.survivor_id)
    assert traces(json.dumps(merge.merged_row, default=str))

    erase(world, kept, django_capture_on_commit_callbacks)

    merge = Merge.objects.get(pk=merge.pk)
    assert traces(json.dumps(merge.merged_row, default=str)) == []
    assert "Kaewmani" not in json.dumps(merge.merged_row) + json.dumps(merge.survivor_before)
    # Undoing the merge brings back a record, but not the name.
    linkage.undo(actor=world.coordinator_a, merge_record=merge)
    assert not Person.objects.filter(given_name=NAME).exists()


def test_an_import_file_naming_the_person_loses_its_preview_problems_and_upload(
    world, django_capture_on_commit_callbacks
):
    person = make_person(world)
    rows = [
        "given_name,family_name,national_id,village_code,sex",
        f"{NAME},{FAMILY},{NATIONAL_ID},{world.village_1.code},female",
        f"Other,Person,,{world.village_1.code},alien",
    ]
    job = imports.job_create(
        actor=world.coordinator_a,
        kind="people",
        file_name="list.csv",
        content=io.BytesIO("\n".join(rows).encode()),
    )
    job = imports.job_check(job)
    stored = imports.imports_dir() / job.stored_as
    api = api_client(world.coordinator_a)
    assert stored.exists() and traces(api.get(f"/api/v1/imports/{job.pk}").content)

    log = erase(world, person, django_capture_on_commit_callbacks)

    job.refresh_from_db()
    assert log.records["imports.importjob"] == [job.pk]
    assert not stored.exists() and job.status == ImportJob.Status.CANCELLED
    for url in (f"/api/v1/imports/{job.pk}", f"/api/v1/imports/{job.pk}/problems.csv"):
        response = api.get(url)
        assert response.status_code == 200 and traces(response.content) == []
    page = web_client(world.coordinator_a).get(reverse("imports:detail", args=[job.pk]))
    assert traces(page.content) == []


def test_an_unexpired_export_holding_their_case_is_deleted(world, django_capture_on_commit_callbacks):
    person = make_person(world)
    case_open(actor=world.caseworker_a, opened_on=date(2026, 1, 5), person=person)
    export, _password = exports.export_create(
        actor=world.coordinator_a, kind="htcds", purpose="Quarterly report to the province"
    )
    path = exports.exports_dir() / export.stored_as
    assert path.exists()

    erase(world, person, django_capture_on_commit_callbacks)

    export.refresh_from_db()
    assert not path.exists() and export.stored_as == ""
    assert api_client(world.coordinator_a).get(f"/api/v1/exports/{export.pk}/download").status_code == 404
    # Another agency's export has nothing of the person: it stays.
    assert Export.objects.filter(agency=world.agency_b).count() == 0


def test_registrations_lose_contacts_and_the_workers_words_on_evidence(
    world, django_capture_on_commit_callbacks
):
    from django.core.files.base import ContentFile

    from safepassage.migration import services as migration
    from safepassage.testing import directory_entry
    from safepassage.workplaces.models import Attachment

    person = make_person(world)
    channel = migration.channel_create(
        actor=world.coordinator_a,
        name="Mae Ai – Bangkok",
        origin_area_code=world.district_1.code,
        destination_country="TH",
        destination_place="Bangkok",
        destination_organisation_id=directory_entry(world, world.agency_b).pk,
    )
    registration = migration.registration_create(
        actor=world.caseworker_a,
        channel=channel,
        person=person,
        purpose="work",
        travel_date=date.today() - timedelta(days=20),
        consent="person",
        phone="089 000 1111",
        family_contact="Mother, 081 222 3333",
        destination_place="Factory dormitory 3",
    )
    checkin = migration.checkin_record(
        actor=world.caseworker_a,
        registration=registration,
        done_on=date.today(),
        reached=True,
        problems=["withholding_of_wages"],
        notes=f"{NAME} says the boss keeps her pay",
    )
    from safepassage.workplaces.services import workplace_create

    workplace = workplace_create(
        actor=world.coordinator_a, name="Sea Star", sector="seafood", village_code=world.village_1.code
    )
    observation = migration.problem_to_observation(
        actor=world.caseworker_a, checkin=checkin, workplace_id=workplace.pk
    )
    attachment = Attachment.objects.create(
        observation=observation, name="payslip.jpg", content_type="image/jpeg", size=3
    )
    attachment.file.save("payslip.jpg", ContentFile(b"jpg"))
    file_path = attachment.file.path

    erase(world, person, django_capture_on_commit_callbacks)

    registration.refresh_from_db()
    observation.refresh_from_db()
    assert registration.phone == registration.family_contact == registration.destination_place == ""
    assert registration.checkins.get(pk=checkin.pk).notes == ""
    assert observation.informant == "" and not observation.attachments.exists()
    import os

    assert not os.path.exists(file_path)
    page = web_client(world.caseworker_a).get(reverse("migration:registration", args=[registration.pk]))
    assert page.status_code == 200 and traces(page.content) == [] and b"081 222" not in page.content


def test_only_a_coordinator_of_the_holding_agency_may_erase_and_with_a_reason(world):
    person = make_person(world)
    with pytest.raises(PermissionDenied):
        erase_person(actor=world.caseworker_a, person=person, reason="person_asked")
    with pytest.raises(ValidationError) as error:
        erase_person(actor=world.coordinator_a, person=person, reason="retention")
    assert "reason" in error.value.message_dict

    def call(persona):
        return api_client(getattr(world, persona)).post(
            f"/api/v1/people/{person.pk}/erase", {"reason": "person_asked", "confirm": persona != "admin_a"}
        )

    assert_matrix(
        call,
        {
            "coordinator_b": 404,
            "caseworker_b": 404,
            "volunteer_b": 404,
            "outsider": 404,
            "caseworker_a": 403,
            "volunteer_a": 403,
            "admin_a": (403, 404),
        },
    )
    assert Person.objects.get(pk=person.pk).given_name == NAME
    # Without the confirmation: refused, naming the field; with it, erased.
    coordinator = api_client(world.coordinator_a)
    refused = coordinator.post(f"/api/v1/people/{person.pk}/erase", {"reason": "person_asked"})
    assert refused.status_code == 400 and "confirm" in refused.content.decode()
    done = coordinator.post(f"/api/v1/people/{person.pk}/erase", {"reason": "person_asked", "confirm": True})
    assert done.status_code == 200 and traces(done.content) == []
    assert ErasureLog.objects.get().erased_by == world.coordinator_a


def test_the_erase_page_asks_for_a_reason_and_a_confirmation(world):
    person = make_person(world)
    client = web_client(world.coordinator_a)
    url = reverse("privacy:erase", args=[person.pk])
    assert client.get(url).status_code == 200
    unconfirmed = client.post(url, {"reason": "person_asked"})
    assert unconfirmed.status_code == 200 and Person.objects.get(pk=person.pk).erased_at is None
    confirmed = client.post(url, {"reason": "person_asked", "confirm": "on"})
    assert confirmed.status_code == 302 and Person.objects.get(pk=person.pk).given_name == ""
    assert web_client(world.caseworker_a).get(url).status_code == 403
    assert NOTE not in client.get(reverse("privacy:person", args=[person.pk])).content.decode()


def test_an_emergency_readers_reason_and_its_review_lose_the_person(
    world, django_capture_on_commit_callbacks
):
    from safepassage.cases import break_glass
    from safepassage.cases.models import BreakGlass

    person = make_person(world)
    case = case_open(actor=world.caseworker_a, opened_on=date(2026, 1, 5), person=person)
    grant = break_glass.break_glass_open(
        actor=world.caseworker_b,
        national_id=NATIONAL_ID,
        reason=f"{NAME} {FAMILY} is at our shelter tonight, hurt, and we need her history",
    )
    BreakGlass.objects.filter(pk=grant.pk).update(review_note=f"{NAME} was indeed there")
    assert grant.case_id == case.pk

    erase(world, person, django_capture_on_commit_callbacks)

    grant.refresh_from_db()
    assert traces(grant.reason) == [] and traces(grant.review_note) == []
