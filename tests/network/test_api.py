"""The directory through the API: the ranked search, contacts only for those allowed and audited, errors."""

import pytest

from safepassage.audit.models import AuditEvent
from safepassage.testing import api_client

pytestmark = pytest.mark.django_db


def test_the_ranked_search_explains_each_result(world, directory):
    body = (
        api_client(world.volunteer_a)
        .get(
            "/api/v1/responders",
            {"village_code": "50010101", "language": "my", "expertise": "child_protection"},
        )
        .json()
    )
    assert body["count"] == 7
    first, last = body["items"][0], body["items"][-1]
    assert (first["name"], first["coverage"], first["coverage_area"]) == (
        "Vee Village",
        "village",
        "50010101",
    )
    assert first["why"] == [
        "Covers the village, Area 50010101",
        "Speaks Burmese",
        "Expertise: Child protection",
    ]
    assert (last["name"], last["coverage"], last["coverage_area"]) == ("Ann Anywhere", "anywhere", None)
    assert "phone" not in first  # lists never carry personal contacts


def test_the_list_without_a_village_is_alphabetical_and_paginated(world, directory):
    body = api_client(world.caseworker_b).get("/api/v1/responders", {"page_size": 3}).json()
    assert body["count"] == 10
    assert [r["name"] for r in body["items"]] == ["Amy Away", "Ann Anywhere", "Bee Busy"]
    assert body["items"][0]["coverage"] is None and body["items"][0]["why"] == []


def test_bad_search_parameters_name_the_field(world, directory):
    client = api_client(world.coordinator_a)
    bad = client.get("/api/v1/responders", {"village_code": "nowhere"})
    assert bad.status_code == 400 and bad.json()["errors"][0]["field"] == "village_code"
    bad = client.get("/api/v1/responders", {"expertise": "magic"})
    assert bad.status_code == 400 and bad.json()["errors"][0]["field"] == "expertise"


def test_contacts_are_shown_only_to_those_allowed_and_every_look_is_audited(world, directory):
    url = f"/api/v1/responders/{directory.village.pk}"
    for persona in ("caseworker_a", "coordinator_b", "volunteer_a"):
        body = api_client(world.users[persona]).get(url).json()
        assert (body["phone"], body["contacts_shown"]) == ("081 111 2222", True), persona
        assert AuditEvent.objects.filter(
            action="network.responder.view", actor=world.users[persona], object_id=str(directory.village.pk)
        ).exists()
    # volunteer_b covers village 3, not this responder's village 1.
    body = api_client(world.volunteer_b).get(url).json()
    assert (body["phone"], body["email"], body["messaging"], body["contacts_shown"]) == ("", "", "", False)
    assert not AuditEvent.objects.filter(action="network.responder.view", actor=world.volunteer_b).exists()
    for persona in ("analyst_a", "partner_a", "outsider"):
        assert api_client(world.users[persona]).get(url).status_code == 404


def test_responders_are_created_and_patched_through_the_api(world, directory):
    client = api_client(world.coordinator_a)
    created = client.post(
        "/api/v1/responders",
        {
            "organisation_id": directory.centre.pk,
            "name": "Khun Noi",
            "role_type": "health",
            "languages": ["th", "km"],
            "expertise": ["health"],
            "area_codes": ["5001"],
            "phone": "081 000 0000",
        },
    )
    assert created.status_code == 201, created.json()
    rid = created.json()["id"]
    assert created.json()["area_codes"] == ["5001"] and created.json()["phone"] == "081 000 0000"
    patched = client.request("PATCH", f"/api/v1/responders/{rid}", {"availability": "on_call"})
    assert patched.status_code == 200 and patched.json()["availability"] == "on_call"
    assert patched.json()["languages"] == ["th", "km"]
    bad = client.request("PATCH", f"/api/v1/responders/{rid}", {"role_type": "sheriff", "area_codes": ["x"]})
    assert bad.status_code == 400
    assert {e["field"] for e in bad.json()["errors"]} == {"role_type", "area_codes"}
    # Another agency reads it but cannot change it: not theirs to change looks like not there.
    other = api_client(world.coordinator_b)
    assert other.get(f"/api/v1/responders/{rid}").status_code == 200
    assert other.request("PATCH", f"/api/v1/responders/{rid}", {"name": "x"}).status_code == 404
    training = client.post(
        f"/api/v1/responders/{rid}/trainings", {"course": "First aid", "completed_on": "2025-01-10"}
    )
    assert training.status_code == 201
    assert client.get(f"/api/v1/responders/{rid}").json()["trainings"][0]["course"] == "First aid"


def test_a_shelters_address_is_for_staff_only_and_reading_it_is_audited(world, directory):
    url = f"/api/v1/organisations/{directory.shelter.pk}"
    listed = api_client(world.caseworker_b).get("/api/v1/organisations", {"kind": "shelter"}).json()["items"]
    assert [o["address"] for o in listed] == [""]
    assert api_client(world.caseworker_b).get(url).json()["address"] == "99 Hidden Lane"
    assert (
        AuditEvent.objects.filter(action="network.organisation.view", actor=world.caseworker_b).count() == 1
    )
    assert api_client(world.volunteer_a).get(url).json()["address"] == ""
    assert not AuditEvent.objects.filter(action="network.organisation.view", actor=world.volunteer_a).exists()


def test_committees_and_seats_through_the_api(world, directory):
    client = api_client(world.admin_a)
    created = client.post(
        "/api/v1/committees", {"name": "Village 1 committee", "kind": "village", "area_code": "50010101"}
    )
    assert created.status_code == 201
    cid = created.json()["id"]
    url = f"/api/v1/committees/{cid}/members"
    first = client.post(url, {"responder_id": directory.village.pk, "seat": "chair"})
    again = client.post(url, {"responder_id": directory.village.pk, "seat": "secretary"})
    assert (first.status_code, again.status_code) == (201, 200)
    client.post(url, {"responder_id": directory.district.pk})
    members = api_client(world.volunteer_b).get(f"/api/v1/committees/{cid}").json()["members"]
    assert [(m["name"], m["seat"]) for m in members] == [
        ("Vee Village", "secretary"),
        ("Dao District", "member"),
    ]
    listed = client.get("/api/v1/committees").json()["items"]
    assert listed[0]["member_count"] == 2
    bad = client.post(url, {"responder_id": 999999, "seat": "king"})
    assert bad.status_code == 400 and {e["field"] for e in bad.json()["errors"]} == {"responder_id", "seat"}


def test_hotlines_agreements_and_focal_points(world, directory):
    numbers = [h["number"] for h in api_client(world.analyst_a).get("/api/v1/hotlines").json()["items"]]
    assert {"1300", "1506", "191"} <= set(numbers)
    codes = [a["code"] for a in api_client(world.partner_a).get("/api/v1/agreements").json()["items"]]
    assert "th-mm-2009" in codes
    created = api_client(world.coordinator_a).post(
        "/api/v1/focal-points",
        {
            "country": "MM",
            "purpose": "repatriation",
            "responder_id": directory.anywhere.pk,
            "agreement_code": "th-mm-2009",
        },
    )
    assert created.status_code == 201, created.json()
    found = api_client(world.volunteer_b).get("/api/v1/focal-points", {"country": "mm"}).json()["items"]
    assert [(f["responder"], f["agreement_code"]) for f in found] == [("Ann Anywhere", "th-mm-2009")]
    assert api_client(world.analyst_a).get("/api/v1/focal-points").json()["items"] == []
    # the coordination centre keeps the hotlines (a government agency's coordinators), not an NGO's
    for user in (world.caseworker_a, world.coordinator_b):
        denied = api_client(user).post("/api/v1/hotlines", {"country": "TH", "number": "1111", "name": "x"})
        assert denied.status_code == 403


def test_the_lists_take_the_same_queries_however_long(world, directory):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from safepassage.network import services

    from .conftest import add_responder

    client = api_client(world.caseworker_a)
    urls = [
        "/api/v1/responders",
        "/api/v1/responders?village_code=50010101&language=my",
        "/api/v1/organisations",
        "/api/v1/committees",
    ]

    def counts() -> list[int]:
        result = []
        for url in urls:
            with CaptureQueriesContext(connection) as queries:
                assert client.get(url).status_code == 200
            result.append(len(queries))
        return result

    counts()  # the first request also records when the token was last used
    before = counts()
    for n in range(12):
        add_responder(world, directory.centre, f"Extra {n}", area_codes=["50010101", "5002"])
        services.organisation_create(
            actor=world.coordinator_b, name=f"Office {n}", kind="ngo", area_code="5002"
        )
        services.committee_create(actor=world.coordinator_b, name=f"Committee {n}", kind="village")
    assert counts() == before
