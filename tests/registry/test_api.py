"""The risk-index API as a program would use it."""

from datetime import date, timedelta

import pytest

from safepassage.audit.models import AuditEvent
from safepassage.registry.models import Assessment, Person
from safepassage.testing import api_client

from .conftest import all_answers

pytestmark = pytest.mark.django_db


def test_create_a_person_assess_them_and_read_it_back(world):
    client = api_client(world.volunteer_a)
    response = client.post(
        "/api/v1/people",
        {
            "given_name": "ပြည့်",
            "family_name": "မောင်",
            "given_name_latin": "Pyae",
            "family_name_latin": "Maung",
            "sex": "female",
            "birth_date": "2012-05-04",
            "village_code": "50010101",
            "guardian_consent_by": "Daw Hla",
            "guardian_relation": "grandparent",
            "guardian_consent_on": "2026-01-05",
        },
    )
    assert response.status_code == 201, response.json()
    person = response.json()
    assert person["given_name"] == "ပြည့်"
    assert (person["village_code"], person["index"], person["band"]) == ("50010101", None, None)

    answers = all_answers(1, HLT_ILL=3)
    response = client.post(
        f"/api/v1/people/{person['id']}/assessments", {"assessed_on": "2025-06-01", "scores": answers}
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["index"] == 4.0  # one 3 among 25 answers: 2 / 50 × 100
    assert body["band"] == "low"
    assert body["completeness"] == 1.0
    assert set(body["domain_scores"]) == {"health", "education", "basic_needs", "social_welfare", "migration"}
    assert body["alerts"] == []

    listed = client.get("/api/v1/people", {"village_code": "50010101"}).json()
    assert [(p["id"], p["index"], p["band"], p["assessed_on"]) for p in listed["items"]] == [
        (person["id"], 4.0, "low", "2025-06-01")
    ]
    history = client.get(f"/api/v1/people/{person['id']}/assessments").json()
    assert [a["assessed_on"] for a in history] == ["2025-06-01"]


def test_a_trigger_at_3_comes_back_as_an_alert_and_can_be_acknowledged(world, child_a):
    client = api_client(world.volunteer_a)
    url = f"/api/v1/people/{child_a.pk}/assessments"
    client.post(url, {"assessed_on": str(date.today() - timedelta(days=40)), "scores": all_answers(1)})
    response = client.post(url, {"assessed_on": str(date.today()), "scores": all_answers(1, MIG_RECRUIT=3)})
    assert response.status_code == 201
    alerts = response.json()["alerts"]
    assert len(alerts) == 1 and alerts[0]["reasons"][0]["rule"] == "trigger_newly_3"
    again = client.post(url, {"assessed_on": str(date.today()), "scores": all_answers(1, MIG_RECRUIT=3)})
    assert again.status_code == 200
    assert again.json()["id"] == response.json()["id"]
    inbox = client.get("/api/v1/alerts", {"status": "open"}).json()["items"]
    assert [a["id"] for a in inbox] == [alerts[0]["id"]]
    acked = client.post(f"/api/v1/alerts/{alerts[0]['id']}/acknowledge")
    assert acked.status_code == 200 and acked.json()["status"] == "acknowledged"
    # volunteer_b neither sees nor can act on it.
    assert api_client(world.volunteer_b).get("/api/v1/alerts").json()["items"] == []
    assert (
        api_client(world.volunteer_b)
        .post(f"/api/v1/alerts/{alerts[0]['id']}/resolve", {"note": "x"})
        .status_code
        == 404
    )


@pytest.mark.parametrize(
    ("payload", "field", "status"),
    [
        ({"assessed_on": "2025-01-01", "scores": {"NOPE": 1}}, "scores.NOPE", 400),
        ({"assessed_on": "2025-01-01", "scores": {"HLT-ILL": 5}}, "scores.HLT-ILL", 400),
        ({"assessed_on": "2999-01-01", "scores": {"HLT-ILL": 1}}, "assessed_on", 400),
        ({"assessed_on": "01/02/2025", "scores": {"HLT-ILL": 1}}, "assessed_on", 422),
        ({"scores": {"HLT-ILL": 1}}, "assessed_on", 422),
    ],
)
def test_bad_assessments_name_the_field_and_store_nothing(world, child_a, payload, field, status):
    response = api_client(world.volunteer_a).post(f"/api/v1/people/{child_a.pk}/assessments", payload)
    assert response.status_code == status
    assert field in [e["field"] for e in response.json()["errors"]]
    assert Assessment.objects.count() == 0


def test_a_person_in_an_unknown_village_is_refused(world):
    response = api_client(world.coordinator_a).post(
        "/api/v1/people", {"given_name": "A", "village_code": "999"}
    )
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "village_code"
    assert Person.objects.count() == 0


def test_reading_a_person_is_audited_without_their_name(world, child_a):
    api_client(world.caseworker_a).get(f"/api/v1/people/{child_a.pk}")
    event = AuditEvent.objects.get(action="registry.person.view")
    assert event.actor == world.caseworker_a
    assert child_a.given_name not in event.object_repr


def test_villages_are_assessed_on_village_indicators(world):
    client = api_client(world.volunteer_a)
    response = client.post(
        "/api/v1/villages/50010101/assessments",
        {"assessed_on": "2025-03-01", "scores": {"MIG-BORDER": 3, "MIG-BROKERS": 3, "BMN-SERVICES": 2}},
    )
    assert response.status_code == 201
    assert response.json()["index"] == pytest.approx(83.33, abs=0.01)
    refused = client.post(
        "/api/v1/villages/50010102/assessments", {"assessed_on": "2025-03-01", "scores": {"MIG-BORDER": 3}}
    )
    assert refused.status_code == 400  # not a village volunteer_a covers


def test_the_active_catalogue_lists_the_28_indicators(world):
    body = api_client(world.analyst_a).get("/api/v1/catalogues/active").json()
    assert body["version"] == 1
    assert len(body["indicators"]) == 28
    first = body["indicators"][0]
    assert first["code"] == "HLT-ILL" and set(first["rubric"]) == {"1", "2", "3"}


def test_analysts_see_no_people(world, child_a):
    client = api_client(world.analyst_a)
    assert client.get("/api/v1/people").json()["items"] == []
    assert client.get(f"/api/v1/people/{child_a.pk}").status_code == 404
