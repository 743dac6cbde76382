"""The sin-space map in a real browser: as many markers as the filter matches, no tile server, no errors."""

import pytest

from safepassage.testing import PASSWORD, build_world
from safepassage.workplaces import services

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
