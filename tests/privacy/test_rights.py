"""The person's rights: what the agencies hold about them as a file, corrections recorded and answered,
a guardian's consent asked when registering a child, and the review when a child turns 18."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from safepassage.audit.models import AuditEvent
from safepassage.cases.models import Case, IntakeReport
from safepassage.cases.services import case_open, note_add
from safepassage.privacy import selectors, services
from safepassage.privacy.models import CorrectionRequest
from safepassage.registry.models import Person
from safepassage.registry.services import person_create
from safepassage.testing import api_client, assert_matrix, web_client
from tests.privacy.conftest import NAME, NATIONAL_ID, make_person

pytestmark = pytest.mark.django_db
TODAY = date.today()


def test_the_subject_access_file_holds_what_we_hold_but_not_who_reported_them(world):
    person = make_person(world)
    case = case_open(actor=world.caseworker_a, opened_on=date(2026, 1, 5), person=person, health="Asthma")
    note_add(actor=world.caseworker_a, case=case, text="She wants to go back to school")
    intake = IntakeReport.objects.create(
        agency=world.agency_a,
        reference="IN-1",
        channel="call",
        received_at=timezone.now(),
        notifier_name="Neighbour Pim",
        summary="seen at night",
    )
    Case.objects.filter(pk=case.pk).update(intake=intake)
    url = f"/api/v1/people/{person.pk}/access-export"

    answer = api_client(world.coordinator_a).get(url)

    text = answer.content.decode()
    assert answer.status_code == 200 and answer["Content-Type"].startswith("text/plain")
    for held in (NAME, NATIONAL_ID, case.reference, "Asthma", "back to school"):
        assert held in text
    assert "Neighbour Pim" not in text
    assert AuditEvent.objects.filter(action="privacy.person.access_export", object_id=str(person.pk)).exists()
    assert_matrix(
        lambda persona: api_client(getattr(world, persona)).get(url),
        {"coordinator_a": 200, "caseworker_a": 403, "coordinator_b": 404, "analyst_a": 404, "outsider": 404},
    )
    page = web_client(world.coordinator_a).post(reverse("privacy:access_export", args=[person.pk]))
    assert page.status_code == 200 and NAME in page.content.decode()


def test_a_correction_request_is_shown_to_the_owning_agency_and_resolved_with_a_note(world):
    person = make_person(world)
    asked = api_client(world.volunteer_a).post(
        f"/api/v1/people/{person.pk}/corrections",
        {"fields": ["birth_date"], "details": "Born in 2003, not 2004"},
    )
    assert asked.status_code == 201, asked.content
    bad = api_client(world.volunteer_a).post(
        f"/api/v1/people/{person.pk}/corrections", {"fields": ["shoe_size"], "details": "x"}
    )
    assert bad.status_code == 400 and "fields" in bad.content.decode()
    request_id = asked.json()["id"]
    listed = web_client(world.coordinator_a).get(reverse("privacy:corrections"))
    assert "Born in 2003" in listed.content.decode()
    assert (
        "Born in 2003"
        not in web_client(world.coordinator_b).get(reverse("privacy:corrections")).content.decode()
    )
    resolve = f"/api/v1/privacy/corrections/{request_id}/resolve"
    assert api_client(world.coordinator_b).post(resolve, {"corrected": True, "note": "x"}).status_code == 404
    no_note = api_client(world.coordinator_a).post(resolve, {"corrected": True, "note": " "})
    assert no_note.status_code == 400 and "note" in no_note.content.decode()
    done = api_client(world.caseworker_a).post(resolve, {"corrected": True, "note": "Year fixed to 2003"})
    assert done.status_code == 200 and done.json()["status"] == "corrected"
    assert CorrectionRequest.objects.get().resolved_by == world.caseworker_a


def test_registering_a_child_asks_for_a_guardians_consent(world):
    child = {
        "given_name": "Ploy",
        "birth_year": TODAY.year - 10,
        "village_code": world.village_1.code,
    }
    api = api_client(world.volunteer_a)
    refused = api.post("/api/v1/people", child)
    assert refused.status_code == 400 and "guardian_consent_by" in refused.content.decode()
    partial = api.post("/api/v1/people", child | {"guardian_consent_by": "Mother, Noi"})
    assert partial.status_code == 400 and "guardian_relation" in partial.content.decode()
    made = api.post(
        "/api/v1/people",
        child
        | {
            "guardian_consent_by": "Noi",
            "guardian_relation": "mother",
            "guardian_consent_on": TODAY.isoformat(),
        },
    )
    assert made.status_code == 201, made.content
    person = Person.objects.get(pk=made.json()["id"])
    assert (person.guardian_relation, person.guardian_consent_on) == ("mother", TODAY)
    # The page asks too; an adult needs no guardian.
    page = web_client(world.volunteer_a).post(
        reverse("registry:person_create") + f"?village={world.village_1.code}",
        {"given_name": "Fah", "sex": "female", "birth_year": TODAY.year - 12},
    )
    assert page.status_code == 200 and not Person.objects.filter(given_name="Fah").exists()
    assert "guardian" in page.content.decode()
    assert api.post("/api/v1/people", child | {"given_name": "Adult", "birth_year": 1990}).status_code == 201


def test_children_turning_18_are_listed_for_their_coordinator_to_confirm_or_erase(world):
    today = date(2030, 6, 1)

    def recorded_child(name: str, born: date) -> Person:
        person = person_create(
            actor=world.coordinator_a,
            village_code=world.village_1.code,
            given_name=name,
            birth_date=born,
            guardian_consent_by="Parent",
            guardian_relation="mother",
            guardian_consent_on=TODAY,
        )
        return person

    soon = recorded_child("Soon", date(2012, 6, 20))  # 18 on 2030-06-20: within 30 days
    turned = recorded_child("Turned", date(2012, 1, 10))  # 18 already
    later = recorded_child("Later", date(2012, 9, 1))  # 18 in three months
    confirmed = recorded_child("Confirmed", date(2012, 2, 1))
    Person.objects.filter(pk=confirmed.pk).update(own_consent_on=date(2030, 2, 2))
    adult = person_create(
        actor=world.coordinator_a, village_code=world.village_1.code, given_name="Adult", birth_year=1990
    )

    listed = {p.pk for p in selectors.turning_18(viewer=world.coordinator_a, today=today)}

    assert listed == {soon.pk, turned.pk}
    assert later.pk not in listed and adult.pk not in listed
    assert selectors.turning_18(viewer=world.coordinator_b, today=today) == []
    assert selectors.turning_18(viewer=world.caseworker_a, today=today) == []
    # Confirming needs them to be 18 (by today's clock these children are still 14).
    with pytest.raises(ValidationError) as error:
        services.own_consent_record(actor=world.coordinator_a, person=soon)
    assert "on" in error.value.message_dict
    grown = person_create(
        actor=world.coordinator_a,
        village_code=world.village_1.code,
        given_name="Grown",
        birth_date=TODAY - timedelta(days=365 * 18 + 10),
        guardian_consent_by="Parent",
        guardian_relation="father",
        guardian_consent_on=TODAY - timedelta(days=400),
    )
    Person.objects.filter(pk=grown.pk).update(created_at=timezone.now() - timedelta(days=400))
    assert grown.pk in {p.pk for p in selectors.turning_18(viewer=world.coordinator_a)}
    api = api_client(world.coordinator_a)
    assert grown.pk in [p["id"] for p in api.get("/api/v1/privacy/turning-18").json()]
    assert api_client(world.caseworker_a).get("/api/v1/privacy/turning-18").status_code == 404
    assert api.post(f"/api/v1/people/{grown.pk}/own-consent", {}).status_code == 200
    assert grown.pk not in {p.pk for p in selectors.turning_18(viewer=world.coordinator_a)}
    page = web_client(world.coordinator_a).get(reverse("privacy:turning_18"))
    assert page.status_code == 200
