"""The case API: created with 201, bad input answered 400 naming the field with nothing stored."""

import pytest

from safepassage.cases.models import Case, Referral, Step
from safepassage.testing import api_client, directory_entry

pytestmark = pytest.mark.django_db

PERSON = {"given_name": "Aye", "sex": "female", "birth_year": 2011, "village_code": "50010101"}


def _fields(response):
    return {e["field"] for e in response.json()["errors"]}


def test_create_and_read_a_case_with_its_journey(world):
    client = api_client(world.caseworker_a)
    created = client.post(
        "/api/v1/cases",
        {
            "opened_on": "2026-01-05",
            "person": PERSON,
            "nationality": "MM",
            "control_methods": ["DebtBondage"],
        },
    )
    assert created.status_code == 201, created.json()
    case_id = created.json()["id"]
    assert created.json()["stage"] == "report_received" and created.json()["child"] is True
    event = client.post(
        f"/api/v1/cases/{case_id}/events",
        {"kind": "recruitment", "occurred_on": "2025-12-01", "area_code": "50010101"},
    )
    assert event.status_code == 201
    screening = client.post(
        f"/api/v1/cases/{case_id}/screenings",
        {"screened_on": "2026-01-06", "acts": ["recruitment"], "purposes": ["forced_labour"]},
    )
    assert screening.status_code == 201
    assert screening.json()["outcome"] == "trafficking" and screening.json()["age_at_exploitation"] == 14
    body = client.get(f"/api/v1/cases/{case_id}").json()
    assert body["events"][0]["area_code"] == "50010101"
    assert body["person"]["given_name"] == "Aye" and body["track"] == "trafficking"


@pytest.mark.parametrize(
    ("tail", "payload", "field"),
    [
        ("/steps", {"stage": "report_received", "started_on": "2026-01-06"}, "stage"),
        ("/steps", {"stage": "return", "started_on": "2026-01-06"}, "stage"),
        ("/steps", {"stage": "shelter", "started_on": "2099-01-01"}, "started_on"),
        ("/events", {"kind": "transit", "occurred_on": "2001-01-01", "country": "TH"}, "occurred_on"),
        ("/perpetrators", {"roles": ["Pirate"]}, "roles"),
        ("/legal-events", {"kind": "verdict", "happened_on": "2026-01-06"}, "outcome"),
    ],
)
def test_bad_input_names_the_field_and_stores_nothing(world, tail, payload, field):
    client = api_client(world.caseworker_a)
    case_id = client.post("/api/v1/cases", {"opened_on": "2026-01-05", "person": PERSON}).json()["id"]
    steps = Step.objects.count()
    response = client.post(f"/api/v1/cases/{case_id}{tail}", payload)
    assert response.status_code == 400
    assert field in _fields(response)
    assert Step.objects.count() == steps
    case = Case.objects.get(pk=case_id)
    assert not case.events.exists() and not case.perpetrators.exists() and not case.legal_events.exists()


def test_unknown_htcds_code_and_missing_consent_are_refused(world):
    client = api_client(world.caseworker_a)
    response = client.post(
        "/api/v1/cases", {"opened_on": "2026-01-05", "person": PERSON, "exploitation_types": ["Smuggling"]}
    )
    assert response.status_code == 400 and _fields(response) == {"exploitation_types"}
    assert not Case.objects.exists()
    case_id = client.post("/api/v1/cases", {"opened_on": "2026-01-05", "person": PERSON}).json()["id"]
    response = client.post(
        "/api/v1/referrals",
        {
            "case_id": case_id,
            "to_organisation_id": directory_entry(world, world.agency_b).pk,
            "reason": "Other",
            "consent": "person",
        },
    )
    assert response.status_code == 400 and _fields(response) == {"consent_on"}
    assert not Referral.objects.exists()
