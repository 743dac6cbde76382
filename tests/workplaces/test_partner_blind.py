"""Employers never see surveillance (PRODUCT.md invariant 3): nothing a partner employer can read about its
workplaces moves when a tip is recorded, the workplace is watched or its rating is overridden."""

import re
from datetime import date

import pytest

from safepassage.testing import api_client, web_client
from safepassage.workplaces import services

pytestmark = pytest.mark.django_db
TODAY = date.today()
# A masked CSRF token differs on every render, whatever happened in between.
CSRF = re.compile(rb'(csrfmiddlewaretoken" value="|"X-CSRFToken": ")[A-Za-z0-9]+')
SURVEILLANCE = ("risk_score", "risk_band", "band", "watch_listed", "watch_reason", "last_verified")


def _everything_the_partner_reads(world, mine) -> dict[str, tuple[int, bytes]]:
    """Every page and API answer about the employer's workplaces, as the partner employer gets them."""
    api = api_client(world.users["employer_user"])
    web = web_client(world.users["employer_user"])
    seen: dict[str, tuple[int, bytes]] = {}
    for path in (
        "/api/v1/workplaces",
        "/api/v1/workplaces?band=high",
        "/api/v1/workplaces?band=medium",
        "/api/v1/workplaces?band=low",
        "/api/v1/workplaces?band=none",
        "/api/v1/workplaces?watch_listed=true",
        "/api/v1/workplaces?watch_listed=false",
        f"/api/v1/workplaces/{mine.pk}",
        f"/api/v1/workplaces/{mine.pk}/observations",
        f"/api/v1/workplaces/{mine.pk}/interventions",
        f"/api/v1/workplaces/{mine.pk}/submissions",
        "/api/v1/workplaces.geojson",
        "/api/v1/workplaces.geojson?band=high",
        "/api/v1/workplaces.geojson?watch_listed=true",
        "/api/v1/employers",
        f"/api/v1/employers/{mine.employer_id}",
    ):
        response = api.get(path)
        seen[path] = (response.status_code, response.content)
    for path in (
        "/",
        "/workplaces/",
        "/workplaces/?band=high",
        "/workplaces/?band=low",
        "/workplaces/?watch=1",
        "/workplaces/map/",
        "/workplaces/map/data/",
        "/workplaces/map/data/?band=high",
        "/workplaces/map/data/?watch=1",
        "/workplaces/export.geojson",
        "/workplaces/watch/",
        "/workplaces/watch/?print=1",
        "/workplaces/employers/",
        "/workplaces/recruiters/",
        f"/workplaces/{mine.pk}/",
        f"/workplaces/{mine.pk}/report/",
    ):
        response = web.get(path)
        seen[path] = (response.status_code, CSRF.sub(rb"\1-", response.content))
    return seen


def test_a_tip_changes_nothing_a_partner_employer_reads(employer_world):
    world, mine, _ = employer_world
    before = _everything_the_partner_reads(world, mine)
    assert before[f"/workplaces/{mine.pk}/"][0] == 200 and before["/api/v1/workplaces"][0] == 200
    services.observation_record(
        actor=world.caseworker_a,
        workplace=mine,
        observed_on=TODAY,
        source="tip",
        reliability="A",
        indicators=["debt_bondage", "child_workers", "retention_of_documents"],
        text="Children on the night shift; passports kept in the office.",
        informant="A cook at the canteen",
    )
    mine.refresh_from_db()
    assert mine.band == "high"  # the tip moved the rating the staff see
    after = _everything_the_partner_reads(world, mine)
    changed = [path for path in before if before[path] != after[path]]
    assert changed == []


def test_watching_or_overriding_changes_nothing_a_partner_employer_reads(employer_world):
    world, mine, _ = employer_world
    before = _everything_the_partner_reads(world, mine)
    services.workplace_update(
        actor=world.coordinator_a, workplace=mine, watch_listed=True, watch_reason="tips"
    )
    services.rating_override(actor=world.coordinator_a, workplace=mine, band="high", reason="two visits")
    services.observation_record(
        actor=world.caseworker_a,
        workplace=mine,
        observed_on=TODAY,
        source="inspection",
        reliability="A",
        indicators=["excessive_overtime"],
    )
    after = _everything_the_partner_reads(world, mine)
    assert [path for path in before if before[path] != after[path]] == []


def test_the_partner_form_of_a_workplace_holds_no_rating_and_no_watch_list(employer_world):
    world, mine, _ = employer_world
    services.workplace_update(
        actor=world.coordinator_a, workplace=mine, watch_listed=True, watch_reason="tips"
    )
    api = api_client(world.users["employer_user"])
    for body in (
        api.get(f"/api/v1/workplaces/{mine.pk}").json(),
        api.get("/api/v1/workplaces").json()["items"][0],
    ):
        assert body["name"] == "Pier 4 processing"
        assert (
            not set(SURVEILLANCE) & set(body)
            and "risk_breakdown" not in body
            and "override_reason" not in body
        )
    feature = api.get("/api/v1/workplaces.geojson").json()["features"][0]
    assert set(feature["properties"]) == {"id", "name", "sector"}
    page = web_client(world.users["employer_user"]).get(f"/workplaces/{mine.pk}/").content.decode()
    assert "★" not in page and "Risk rating" not in page and "points" not in page
    listing = web_client(world.users["employer_user"]).get("/workplaces/").content.decode()
    assert "★" not in listing and "band-" not in listing and "Last verified" not in listing
    # The owning agency's staff still read all of it.
    staff = api_client(world.coordinator_a).get(f"/api/v1/workplaces/{mine.pk}").json()
    assert staff["watch_listed"] is True and staff["band"] == "low" and staff["risk_breakdown"]
    staff_map = api_client(world.coordinator_a).get("/api/v1/workplaces.geojson").json()["features"]
    assert {f["properties"]["band"] for f in staff_map if f["properties"]["id"] == mine.pk} == {"low"}


def test_the_openapi_document_gives_partners_their_own_workplace_form(client):
    schemas = client.get("/api/v1/openapi.json").json()["components"]["schemas"]
    partner = set(schemas["WorkplacePartnerOut"]["properties"])
    assert not set(SURVEILLANCE) & partner and {"id", "name", "sector"} <= partner
    assert "risk_score" in schemas["WorkplaceOut"]["properties"]
