"""Lessons learned in a real browser on a phone: the tables, the routes map without tiles, filters."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest

from safepassage.cases import stages
from safepassage.cases.models import Case, LegalEvent, Stage
from safepassage.core.disclosure import shown_count
from safepassage.geo.models import Area
from safepassage.testing import PASSWORD, World, build_world
from safepassage.workplaces.models import Workplace
from tests.cases.test_lessons import case, event, person, steps

pytestmark = pytest.mark.django_db(transaction=True)

PHONE_WIDTH = 390
METHODS = ["ThroughFriendsOrSocialEvents", "ThroughAnOnlineAdvertisement", "ThroughFamilyOrFamilyEvents"]


def lessons_world() -> World:
    """The personas' world and the lifecycle (a transactional test's flush removes the migration's copy)."""
    if not Stage.objects.exists():
        stages.load()
    return build_world()


def square(west: float, south: float, size: float = 0.2) -> dict[str, Any]:
    ring = [
        [west, south],
        [west + size, south],
        [west + size, south + size],
        [west, south + size],
        [west, south],
    ]
    return {"type": "Polygon", "coordinates": [ring]}


def demo_cases(world: World) -> None:
    """24 cases of agency A, like the demo's: recruited in district 5001, exploited in 5002 (16) or at
    home (8), with steps through the legal process and a few verdicts."""
    Area.objects.filter(code="5001").update(
        centroid_lat=18.79, centroid_lon=98.98, boundary=square(98.8, 18.7)
    )
    Area.objects.filter(code="5002").update(
        centroid_lat=18.58, centroid_lon=99.01, boundary=square(98.9, 18.5)
    )
    Area.objects.filter(code="50").update(
        centroid_lat=18.7, centroid_lon=99.0, boundary=square(98.7, 18.4, 0.6)
    )
    pier = Workplace.objects.create(agency=world.agency_a, name="Pier", sector="fishing")
    start = date(2024, 1, 8)
    for n in range(24):
        opened = start + timedelta(days=9 * n)
        c = case(
            world,
            n + 1,
            person(world, f"Demo{n}", sex="male" if n % 3 == 0 else "female", birth_year=2000 + n % 10),
            current="prosecution" if n % 2 else "investigation",
            since=opened + timedelta(days=40),
            area=world.village_1,
            opened_on=opened,
            nationality="MM" if n % 2 else "TH",
            recruitment_methods=[METHODS[n % 3]],
            relationship_to_trafficker="Acquainted",
            control_methods=["DebtBondage"],
            exploitation_types=["ForcedLabour"],
            labour_industry="A_AgricultureForestryAndFishing",
        )
        steps(c, ("screening", opened), ("investigation", opened + timedelta(days=5 + n % 4)))
        if n % 2:
            steps(c, ("prosecution", opened + timedelta(days=40)))
        away = n % 3 != 0
        event(c, "recruitment", opened - timedelta(days=90), world.village_1)
        event(
            c,
            "exploitation",
            opened - timedelta(days=60),
            world.village_3 if away else world.village_2,
            workplace=pier if away else None,
        )
        if n % 4 == 1:
            LegalEvent.objects.create(
                case=c, kind="verdict", happened_on=opened + timedelta(days=200), outcome="convicted"
            )


def fits_the_phone(phone: Any) -> bool:
    return phone.page.evaluate("document.documentElement.scrollWidth") <= PHONE_WIDTH


def test_the_lessons_page_renders_its_tables_and_routes_map_for_a_coordinator(phone, settings):
    world = lessons_world()
    demo_cases(world)
    assert settings.MAP_TILE_URL == ""
    page = phone.page
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    phone.sign_in("coordinator_a", PASSWORD)

    # One figure at a time, with the contents: figure 1's tables only, and figure 3 (the map) a tap away.
    response = phone.goto("/cases/lessons/")
    assert response.status == 200
    assert page.locator("table#lessons-recruitment_methods").count() == 1
    assert page.locator("table#lessons-stages").count() == 0
    with page.expect_navigation():
        page.click("nav.toc >> text=Where they were taken")
    assert "section=3" in page.url
    page.wait_for_selector("#routes-map[data-features]", state="attached", timeout=10_000)
    assert fits_the_phone(phone)

    # Every figure on one page (for printing).
    response = phone.goto("/cases/lessons/?section=all")
    assert response.status == 200
    assert page.locator("#lessons-total").inner_text() == "Cases counted: 24"
    for table in ("recruitment_methods", "recruiters", "routes", "workplace_sectors", "stages", "verdicts"):
        assert page.locator(f"table#lessons-{table} tbody tr").count() >= 1, table
    # A coordinator of the owning agency sees exact numbers.
    assert "<11" not in page.locator("main").inner_text()
    assert page.locator("table#lessons-stages tr.stalls-most .badge.overdue").count() == 1
    assert page.locator("table#lessons-stages .badge.overdue").inner_text() == "stalls most"

    # Two routes (5001 → 5002 and within 5001), drawn as a line and a circle, with no tile server.
    page.wait_for_selector("#routes-map[data-features]", state="attached", timeout=10_000)
    assert page.get_attribute("#routes-map", "data-features") == "2"
    assert page.locator("#routes-map path.leaflet-interactive").count() == 2
    assert page.locator("#routes-map .leaflet-tile").count() == 0
    assert all(url.startswith(phone.base_url) for url in requested), "the page fetched from elsewhere"
    page.locator("#routes-map path.leaflet-interactive").first.click(force=True)
    popup = page.locator(".leaflet-popup-content")
    popup.wait_for(timeout=5_000)
    assert "cases" in popup.inner_text()
    assert fits_the_phone(phone)

    # Filters: men only (every third case: 8), through the form.
    page.select_option("#sex", "male")
    with page.expect_navigation():
        page.click("#lessons-filters button[type=submit]")
    assert "sex=male" in page.url
    assert page.locator("#lessons-total").inner_text() == "Cases counted: 8"
    page.wait_for_selector("#routes-map[data-features]", state="attached", timeout=10_000)
    assert page.get_attribute("#routes-map", "data-features") == "1"  # the men all stayed in 5001
    assert phone.errors == []


def test_an_analyst_sees_perturbed_counts_and_fewer_routes(phone):
    world = lessons_world()
    demo_cases(world)
    phone.sign_in("analyst_a", PASSWORD)
    page = phone.page

    assert phone.goto("/cases/lessons/?section=all").status == 200
    main = page.locator("main").inner_text()
    assert "Numbers under 11 are hidden" in main and "moved a little" in main
    keys = list(Case.objects.values_list("record_key", flat=True))
    expected = shown_count(len(keys), sum(keys))
    assert page.locator("#lessons-total").inner_text() == f"Cases counted: {expected}"
    # Routes: 16 and 8 cases between districts of one province; an analyst's map joins provinces, so they
    # are one route of 24 (moved a little), drawn as a circle over the province's boundaries, no tiles.
    page.wait_for_selector("#routes-map[data-features]", state="attached", timeout=10_000)
    assert page.get_attribute("#routes-map", "data-features") == "1"
    assert page.locator("#routes-map path.leaflet-interactive").count() == 1
    assert page.locator("#routes-map path.boundary").count() == 3  # province 50, districts 5001 and 5002
    assert "Routes not drawn" not in page.locator("#routes-map-note").inner_text()
    legend = page.locator("#routes-legend").inner_text()
    assert (
        "between the provinces" in legend and "fewer than 11" in page.locator("#routes-map-note").inner_text()
    )
    assert "Demo1" not in page.content()
    assert fits_the_phone(phone)
    assert phone.errors == []

    # A day-level period is refused with a message naming what to write, and no figures (the browser
    # reports the 400 status itself, and nothing else).
    assert phone.goto("/cases/lessons/?opened_from=2024-01-10").status == 400
    assert "first day of a month" in page.locator("main").inner_text()
    assert page.locator("table#lessons-recruitment_methods").count() == 0
    assert all("status of 400" in error for error in phone.errors)
