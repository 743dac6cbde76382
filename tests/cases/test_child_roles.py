"""A child's procedural role in a case with the protections each needs, shown as a checklist on the case;
children in detention homes with their languages and interpreter (docs/prevention.md, R-027, R-096)."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError

from safepassage.audit.models import AuditEvent
from safepassage.cases import services
from safepassage.testing import api_client, open_case, web_client

pytestmark = pytest.mark.django_db
TODAY = date.today()


@pytest.fixture
def child_case(world):
    return open_case(world, birth_year=TODAY.year - 15)


def test_each_role_brings_its_checklist_shown_on_the_case(world, child_case):
    api = api_client(world.caseworker_a)
    response = api.post(
        f"/api/v1/cases/{child_case.pk}/child/roles", {"role": "witness", "since": TODAY.isoformat()}
    )
    assert response.status_code == 201
    role = response.json()
    codes = [p["code"] for p in role["protections"]]
    assert "no_contact" in codes and "lawyer" not in codes
    conflict = api.post(
        f"/api/v1/cases/{child_case.pk}/child/roles", {"role": "in_conflict", "since": TODAY.isoformat()}
    ).json()
    assert {"lawyer", "victim_screening", "separate_from_adults"} <= {
        p["code"] for p in conflict["protections"]
    }
    ticked = api.post(
        f"/api/v1/child-roles/{role['id']}/protections", {"code": "no_contact", "done_on": TODAY.isoformat()}
    )
    assert {p["code"]: p["done_on"] for p in ticked.json()["protections"]}["no_contact"] == TODAY.isoformat()
    bad = api.post(
        f"/api/v1/child-roles/{role['id']}/protections", {"code": "lawyer", "done_on": TODAY.isoformat()}
    )
    assert bad.status_code == 400
    page = web_client(world.caseworker_a).get(f"/cases/{child_case.pk}/").content.decode()
    assert "The child's role: Witness" in page and "✓ No contact with the accused" in page
    assert "☐ A lawyer from the start" in page
    assert AuditEvent.objects.filter(action="cases.childrole.protection").count() == 1


def test_an_adult_has_no_childs_role(world):
    adult = open_case(world, birth_year=TODAY.year - 30)
    with pytest.raises(ValidationError):
        services.child_role_set(actor=world.caseworker_a, case=adult, role="victim", since=TODAY)


def test_a_child_in_detention_is_followed_for_an_interpreter(world, child_case):
    api = api_client(world.caseworker_a)
    stay = api.post(
        f"/api/v1/cases/{child_case.pk}/detention",
        {
            "facility": "Juvenile Observation and Protection Centre",
            "admitted_on": (TODAY - timedelta(days=3)).isoformat(),
            "languages": ["my", "shn"],
            "next_visit_on": (TODAY - timedelta(days=1)).isoformat(),
        },
    ).json()
    assert stay["needs_interpreter"] is True and stay["interpreter_arranged_on"] is None
    listing = web_client(world.coordinator_a).get("/cases/detention/").content.decode()
    assert "needed, none arranged" in listing and "overdue" in listing
    assert [s["id"] for s in api.get("/api/v1/detention").json()] == [stay["id"]]
    patched = api.request(
        "PATCH", f"/api/v1/detention/{stay['id']}", {"interpreter_arranged_on": TODAY.isoformat()}
    )
    assert patched.status_code == 200 and patched.json()["interpreter_arranged_on"] == TODAY.isoformat()
    assert (
        "needed, none arranged"
        not in web_client(world.coordinator_a).get("/cases/detention/").content.decode()
    )
    bad = api.post(
        f"/api/v1/cases/{child_case.pk}/detention",
        {"facility": "X", "admitted_on": TODAY.isoformat(), "languages": ["not a code!"]},
    )
    assert bad.status_code == 400 and bad.json()["errors"][0]["field"] == "languages"


def test_other_agencies_and_other_roles_see_nothing(world, child_case):
    services.child_role_set(actor=world.caseworker_a, case=child_case, role="victim", since=TODAY)
    for user in (world.caseworker_b, world.volunteer_a, world.analyst_a, world.partner_a):
        assert api_client(user).get(f"/api/v1/cases/{child_case.pk}/child").status_code == 404
        assert (
            api_client(user)
            .post(
                f"/api/v1/cases/{child_case.pk}/child/roles", {"role": "witness", "since": TODAY.isoformat()}
            )
            .status_code
            == 404
        )
        assert web_client(user).get(f"/cases/{child_case.pk}/child/").status_code == 404
    assert api_client(world.caseworker_b).get("/api/v1/detention").json() == []
    mine = api_client(world.coordinator_a).get(f"/api/v1/cases/{child_case.pk}/child")
    assert mine.status_code == 200 and mine.json()["roles"][0]["role"] == "victim"
