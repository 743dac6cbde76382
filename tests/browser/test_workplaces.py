"""The sin-space map in a real browser: as many markers as the filter matches, no tile server, no errors."""

import pytest

from safepassage.accounts.models import Agency, Membership, User
from safepassage.geo.models import Area
from safepassage.testing import PASSWORD, build_world
from safepassage.workplaces import services
from safepassage.workplaces.models import Workplace

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_map_shows_one_marker_per_matching_workplace_without_tiles(phone):
    world = build_world()
    for n in range(4):
        services.workplace_create(
            actor=world.coordinator_a, name=f"Kiln {n}", sector="brick_kilns", lat=18.7 + n * 0.01, lon=98.9
        )
    services.workplace_create(
        actor=world.coordinator_a, name="Bar 1", sector="entertainment", lat=18.8, lon=99.0
    )
    services.workplace_create(
        actor=world.coordinator_b, name="Not ours", sector="brick_kilns", lat=18.6, lon=98.8
    )
    phone.sign_in("coordinator_a", PASSWORD)
    page = phone.page
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    phone.goto("/workplaces/map/")
    page.wait_for_selector("#wp-map[data-markers]", state="attached", timeout=10_000)
    assert page.get_attribute("#wp-map", "data-markers") == "5"
    with page.expect_response(lambda r: "/workplaces/map/data/" in r.url):
        page.select_option("#f-sector", "brick_kilns")
    # (a selector wait: Playwright polls a wait_for_function string with eval, which the page's CSP refuses
    # whenever the markers are not redrawn before its first look)
    page.wait_for_selector("#wp-map[data-markers='4']", state="attached", timeout=10_000)
    assert page.locator("#wp-map .leaflet-tile").count() == 0
    assert all(url.startswith(phone.base_url) for url in requested)
    assert phone.errors == []


def square(west: float, south: float, size: float) -> dict:
    ring = [
        [west, south],
        [west + size, south],
        [west + size, south + size],
        [west, south + size],
        [west, south],
    ]
    return {"type": "Polygon", "coordinates": [ring]}


def test_with_no_tiles_the_map_draws_boundaries_a_legend_risk_coloured_clusters_and_the_watch_star(phone):
    """No tile server: the province and its two districts are drawn from the database (one path each), the
    legend names the bands, a cluster takes the colour of the highest risk inside it (not of its size), the
    watch-listed workplace carries its star, and pop-ups name the sector in words, not its code."""
    world = build_world()
    Area.objects.filter(code="50").update(boundary=square(98.5, 18.3, 1.0))
    Area.objects.filter(code="5001").update(boundary=square(98.5, 18.3, 0.5))
    Area.objects.filter(code="5002").update(boundary=square(99.0, 18.3, 0.5))
    village = world.village_1.code
    watched = services.workplace_create(
        actor=world.coordinator_a,
        name="Kiln 0",
        sector="brick_kilns",
        lat=18.45,
        lon=98.7,
        village_code=village,
    )
    bands = ["low", "medium", "none"]
    for n, band in enumerate(bands, start=1):
        kiln = services.workplace_create(
            actor=world.coordinator_a,
            name=f"Kiln {n}",
            sector="brick_kilns",
            lat=18.75 + n * 0.0005,
            lon=98.9,
            village_code=village,
        )
        Workplace.objects.filter(pk=kiln.pk).update(risk_band=band)
    Workplace.objects.filter(pk=watched.pk).update(risk_band="high", watch_listed=True)
    phone.sign_in("coordinator_a", PASSWORD)
    page = phone.page
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    phone.goto("/workplaces/map/")
    page.wait_for_selector("#wp-map[data-markers='4'][data-boundaries]", state="attached", timeout=10_000)

    with_shape = Area.objects.exclude(boundary=None).count()
    assert with_shape == 3
    assert page.get_attribute("#wp-map", "data-boundaries") == str(with_shape)
    assert page.locator("#wp-map path.boundary").count() == with_shape
    assert page.locator("#wp-map .leaflet-tile").count() == 0
    legend = page.locator("#wp-legend").inner_text()
    for words in ("High risk", "Medium risk", "Low risk", "No evidence yet", "watch list", "boundaries"):
        assert words in legend, words

    # Three kilns a few metres apart make one cluster: medium is the highest risk among them.
    clusters = page.locator("#wp-map .wp-cluster")
    assert clusters.count() == 1, page.eval_on_selector_all(
        "#wp-map .leaflet-marker-icon", "els => els.map(e => e.className + ':' + e.textContent)"
    )
    assert clusters.inner_text() == "3"
    assert "wp-medium" in (clusters.get_attribute("class") or "")
    # The watch-listed, high-risk kiln stands alone, with its star.
    star = page.locator("#wp-map .wp-marker.wp-watch")
    assert star.count() == 1
    assert star.inner_text() == "★"
    assert "wp-high" in (star.get_attribute("class") or "")
    star.click()
    popup = page.locator(".leaflet-popup-content")
    popup.wait_for(timeout=5_000)
    text = popup.inner_text()
    assert "Brick kilns" in text and "brick_kilns" not in text
    assert "high risk" in text and "on the watch list" in text
    assert all(url.startswith(phone.base_url) for url in requested)
    assert phone.errors == []


def test_a_partner_employer_sees_one_neutral_colour_and_no_star(phone):
    world = build_world()
    Area.objects.filter(code="5001").update(boundary=square(98.5, 18.3, 0.5))
    company = Agency.objects.create(code="factory", name="Partner Co", kind="employer", country="TH")
    boss = User.objects.create_user(username="employer_user", password=PASSWORD)
    Membership.objects.create(user=boss, agency=company, role="partner")
    employer = services.employer_create(
        actor=world.coordinator_a, legal_name="Partner Co", partner_agency=company
    )
    kiln = services.workplace_create(
        actor=world.coordinator_a,
        name="Kiln P",
        sector="brick_kilns",
        lat=18.5,
        lon=98.7,
        village_code=world.village_1.code,
        employer_id=employer.pk,
    )
    Workplace.objects.filter(pk=kiln.pk).update(risk_band="high", watch_listed=True)
    phone.sign_in("employer_user", PASSWORD)
    page = phone.page
    phone.goto("/workplaces/map/")
    page.wait_for_selector("#wp-map[data-markers='1'][data-boundaries]", state="attached", timeout=10_000)
    marker = page.locator("#wp-map .wp-marker")
    assert marker.count() == 1
    assert "wp-neutral" in (marker.get_attribute("class") or "")
    assert "★" not in page.locator("#wp-map").inner_text()
    legend = page.locator("#wp-legend").inner_text()
    assert "High risk" not in legend and "watch list" not in legend
    assert phone.errors == []
