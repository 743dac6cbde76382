"""The audit page for a person: an administrator types a name or a case reference and sees what was done to
those records of their own agency (events hold ids, so the name is resolved to records first)."""

import json

import pytest
from django.db import transaction

from safepassage.audit.models import AuditEvent
from safepassage.audit.services import _label, audit_record
from safepassage.registry import services as registry
from safepassage.testing import api_client, open_case, web_client

pytestmark = pytest.mark.django_db


def rows_of(page: str) -> str:
    return page.split("<tbody>", 1)[1].split("</tbody>", 1)[0]


def test_an_administrator_finds_a_persons_events_by_name(world):
    case = open_case(world, given_name="Nang Kham")
    other = open_case(world, given_name="Ploy")
    api_client(world.caseworker_a).get(f"/api/v1/cases/{case.pk}")
    api_client(world.caseworker_a).get(f"/api/v1/cases/{other.pk}")
    api_client(world.caseworker_a).get("/api/v1/cases", {"page_size": 1, "page": 2})  # a page showing one
    shown = AuditEvent.objects.filter(action="cases.case.list").get().changes["ids"]

    page = web_client(world.admin_a).get("/audit/", {"who": "nang kham"}).content.decode()
    body = rows_of(page)
    assert f"Case {case.pk}" in body and f"Person {case.person_id}" in body
    assert f"Case {other.pk}" not in body and f"Person {other.person_id}" not in body
    assert ("Case: list read" in body) == (shown == [case.pk])
    assert "1 record" not in page and "records of your agency match" in page
    # the search is in the trail as the records it showed, never the words typed
    search = AuditEvent.objects.filter(action="registry.person.list", actor=world.admin_a).get()
    assert search.changes == {"read": "page:audit", "ids": [case.person_id]}
    assert "nang" not in json.dumps(list(AuditEvent.objects.values("changes", "object_repr"))).lower()


def test_a_case_reference_finds_that_cases_events_and_a_list_page_that_showed_it(world):
    case = open_case(world)
    web_client(world.caseworker_a).get("/cases/")
    page = web_client(world.admin_a).get("/audit/", {"who": case.reference.lower()}).content.decode()
    body = rows_of(page)
    assert f"Case {case.pk}" in body and "Case: list read" in body


def test_another_agencys_people_are_not_found(world):
    open_case(world, given_name="Nang Kham")
    page = web_client(world.admin_b).get("/audit/", {"who": "Nang Kham"}).content.decode()
    assert "0 records of your agency match" in page
    assert "No events match." in page


def test_a_list_page_that_showed_a_person_among_many_is_found_and_one_that_did_not_is_not(world):
    people = [
        registry.person_create(actor=world.caseworker_a, given_name=name, village_code=world.village_1.code)
        for name in ("Aye", "Bo", "Chit")
    ]
    with transaction.atomic():
        from safepassage.audit.services import audit_list

        audit_list(
            actor=world.caseworker_a, object_type="registry.person", rows=[{"id": people[0].pk * 10 + 1}]
        )
        audit_list(
            actor=world.caseworker_a, object_type="registry.person", rows=[{"id": p.pk} for p in people]
        )
    page = web_client(world.admin_a).get("/audit/", {"who": "Bo", "action": "registry.person.list"}).content
    body = rows_of(page.decode())
    all_three = ", ".join(str(p.pk) for p in people)
    assert f"<dd>{all_three}</dd>" in body
    assert f"<dd>{people[0].pk * 10 + 1}</dd>" not in body  # (an id that merely starts with Bo's digits)
    # the other one is the administrator's own search, which showed Bo
    assert body.count("Person: list read") == 2 and f"<dd>{people[1].pk}</dd>" in body


def test_long_labels_end_at_a_whole_word():
    class Long:
        def audit_label(self) -> str:
            return "word " * 60

    label = _label(Long())  # type: ignore[arg-type]
    assert len(label) <= 200 and label.endswith("word …")


def test_the_page_shows_labels_and_whole_values(world):
    with transaction.atomic():
        audit_record(
            actor=world.admin_a,
            action="cases.alert.resolved",
            agency=world.agency_a,
            changes={"status": "resolved"},
        )
    page = web_client(world.admin_a).get("/audit/").content.decode()
    assert "Case alert: resolved" in page
