"""Every read of a list of personal records is audited (one event per page, with the ids); lists carry only
what a list needs; audit events hold ids and field names, never personal values; the request id is the
server's."""

import json
from datetime import date

import pytest

from safepassage.audit.models import AuditEvent
from safepassage.audit.services import MASK, mask_changes
from safepassage.cases import services as cases
from safepassage.migration import services as migration
from safepassage.registry import services as registry
from safepassage.testing import api_client, directory_entry, open_case, web_client

pytestmark = pytest.mark.django_db

MARKER = "Zq Marker Ploy"  # a name, a place, a story: whatever a person typed


def list_events(object_type: str) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(action=f"{object_type}.list").order_by("id"))


# ------------------------------------------------------------------------------------------ list reads


def test_the_case_list_api_writes_one_event_per_page_with_the_ids(world):
    first, second = open_case(world, given_name="Mya"), open_case(world, given_name="Aye")
    api = api_client(world.caseworker_a)
    body = api.get("/api/v1/cases").json()
    shown = sorted(item["id"] for item in body["items"])
    assert shown == sorted([first.pk, second.pk])
    [event] = list_events("cases.case")
    assert sorted(event.changes["ids"]) == shown
    assert event.actor == world.caseworker_a
    assert event.agency == world.agency_a
    api.get("/api/v1/cases", {"page_size": 1})
    api.get("/api/v1/cases", {"page_size": 1, "page": 2})
    events = list_events("cases.case")
    assert [len(e.changes["ids"]) for e in events] == [2, 1, 1]
    assert events[1].changes["ids"] != events[2].changes["ids"]


def test_the_case_list_carries_no_health_address_or_documentation_status(world):
    case = open_case(world)
    cases.case_update(
        actor=world.caseworker_a,
        case=case,
        address="12 Moo 3, Mae Sai",
        health="pregnant, malaria",
        immigration_status="undocumented",
    )
    api = api_client(world.caseworker_a)
    [item] = api.get("/api/v1/cases").json()["items"]
    text = json.dumps(item)
    for value in ("Mae Sai", "malaria", "undocumented"):
        assert value not in text
    for name in ("address", "health", "immigration_status"):
        assert name not in item
    detail = api.get(f"/api/v1/cases/{case.pk}").json()
    assert detail["health"] == "pregnant, malaria"


def test_the_people_list_api_and_pages_are_audited(world):
    person = registry.person_create(
        actor=world.caseworker_a,
        given_name="Nang",
        village_code=world.village_1.code,
        national_id="1234567890121",
    )
    body = api_client(world.caseworker_a).get("/api/v1/people").json()
    assert "1234567890121" not in json.dumps(body)
    assert all("national_id" not in item and "notes" not in item for item in body["items"])
    [event] = list_events("registry.person")
    assert event.changes["ids"] == [person.pk]
    assert web_client(world.caseworker_a).get("/risk/people/").status_code == 200
    assert web_client(world.caseworker_a).get(f"/risk/villages/{world.village_1.code}/").status_code == 200
    events = list_events("registry.person")
    assert len(events) == 3
    assert all(e.changes["ids"] == [person.pk] for e in events)


def test_the_case_list_page_is_audited(world):
    case = open_case(world)
    assert web_client(world.caseworker_a).get("/cases/").status_code == 200
    [event] = list_events("cases.case")
    assert event.changes["ids"] == [case.pk]
    assert event.channel == "web"


def a_registration(world):
    channel = migration.channel_create(
        actor=world.coordinator_a,
        name="Mae Ai to Bangkok",
        origin_area_code=world.district_1.code,
        destination_country="TH",
        destination_place="Bangkok",
        destination_organisation_id=directory_entry(world, world.agency_b).pk,
    )
    return migration.registration_create(
        actor=world.caseworker_a,
        channel=channel,
        purpose="work",
        travel_date=date.today(),
        consent="person",
        person_fields={"given_name": "Lin", "birth_year": 1998, "village_code": world.village_1.code},
        phone="0812345678",
        documents=[{"kind": "ID card", "number": "1-2345-67890-12-1"}],
        orientation={"rights": True, "hotlines": True, "fees": True},
    )


def test_the_registration_list_api_is_audited_and_carries_no_contacts(world):
    registration = a_registration(world)
    api = api_client(world.caseworker_a)
    body = api.get("/api/v1/migration/registrations").json()
    [item] = body["items"]
    assert item["id"] == registration.pk
    for name in ("phone", "messaging", "family_contact", "documents"):
        assert name not in item
    assert "0812345678" not in json.dumps(body)
    [event] = list_events("migration.registration")
    assert event.changes["ids"] == [registration.pk]
    assert api.get(f"/api/v1/migration/registrations/{registration.pk}").json()["phone"] == "0812345678"


# ------------------------------------------------------------------------------ no values in the trail


def test_free_text_and_personal_fields_are_kept_as_names_only():
    masked = mask_changes(
        {
            "summary": "Her daughter Ploy was taken to Mae Sai",
            "action_taken": ["", "called"],
            "status": ["open", "closed"],
            "birth_year": 2011,
            "village": "v-001",
            "notes": [4, 5],
            "reference": "C-2026-00042",
        }
    )
    assert masked == {
        "summary": MASK,
        "action_taken": ["", MASK],
        "status": ["open", "closed"],
        "birth_year": MASK,
        "village": MASK,
        "notes": [4, 5],
        "reference": "C-2026-00042",
    }


def test_a_marker_written_through_every_main_write_path_never_reaches_the_trail(world):
    api = api_client(world.caseworker_a)
    created = api.post(
        "/api/v1/people",
        {
            "given_name": MARKER,
            "family_name": MARKER,
            "village_code": world.village_1.code,
            "birth_year": 2011,
            "national_id": MARKER,
            "father_name": MARKER,
            "notes": MARKER,
            "guardian_consent_by": MARKER,
            "guardian_relation": "mother",
            "guardian_consent_on": "2026-01-05",
        },
    )
    assert created.status_code == 201, created.content
    person = registry.Person.objects.get(pk=created.json()["id"])
    registry.person_update(
        actor=world.caseworker_a, person=person, notes=f"{MARKER} again", family_name=MARKER + "x"
    )
    report = api.post(
        "/api/v1/intake",
        {
            "channel": "call",
            "summary": f"{MARKER} was taken from {MARKER}",
            "notifier_name": MARKER,
            "notifier_contact": MARKER,
            "workplace_name": MARKER,
            "area_code": world.village_1.code,
            "action_taken": MARKER,
        },
    )
    assert report.status_code == 201, report.content
    closed = api.post(
        f"/api/v1/intake/{report.json()['id']}/close",
        {"status": "closed", "action_taken": f"{MARKER} called"},
    )
    assert closed.status_code == 200, closed.content
    case = open_case(world)
    note = api.post(f"/api/v1/cases/{case.pk}/notes", {"text": MARKER})
    assert note.status_code == 201, note.content
    written = list(AuditEvent.objects.values_list("action", "changes"))
    assert {
        "registry.person.create",
        "registry.person.update",
        "cases.intake.create",
        "cases.intake.close",
    } <= {action for action, _ in written}
    leaks = [(action, changes) for action, changes in written if "marker" in json.dumps(changes).lower()]
    assert leaks == []
    # what changed is still there, by name
    update = AuditEvent.objects.get(action="registry.person.update")
    assert set(update.changes) == {"notes", "family_name"}
    intake = AuditEvent.objects.get(action="cases.intake.create")
    assert intake.changes["summary"] == MASK


# ------------------------------------------------------------------------------------------ request id


def test_a_clients_request_id_is_kept_beside_the_servers_never_as_it(world):
    response = api_client(world.caseworker_a).client.get(
        "/api/v1/people",
        headers={"Authorization": "Bearer x", "X-Request-ID": "forged-0000-id"},
    )
    assert response["X-Request-ID"] != "forged-0000-id"
    open_case(world)
    api = api_client(world.caseworker_a)
    api.headers["X-Request-ID"] = "client-chosen-id"
    response = api.get("/api/v1/cases")
    [event] = list_events("cases.case")
    assert event.request_id == response["X-Request-ID"] != "client-chosen-id"
    assert event.client_request_id == "client-chosen-id"


# ----------------------------------------------------------------------------------------- audit page


def test_the_audit_page_shows_labels_and_whole_values(world):
    from safepassage.accounts import services as accounts

    membership = world.caseworker_a.memberships.get()
    accounts.membership_update(actor=world.admin_a, membership=membership, role="coordinator")
    page = web_client(world.admin_a).get("/audit/").content.decode()
    assert "Membership: changed" in page
    assert "caseworker → coordinator" in page
    assert "{&#x27;" not in page and "{'" not in page


def test_a_name_typed_as_one_lowercase_word_is_masked_but_codes_and_choices_are_kept():
    masked = mask_changes(
        {
            "law": "somchai",
            "aliases": ["somchai", "dao"],
            "status": ["open", "closed"],
            "sector": "construction",
            "area": "th-50-01",
            "read": "page:cases",
        }
    )
    assert masked == {
        "law": MASK,
        "aliases": [MASK, MASK],
        "status": ["open", "closed"],
        "sector": "construction",
        "area": "th-50-01",
        "read": "page:cases",
    }
