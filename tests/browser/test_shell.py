"""The page shell in a real browser, on a phone-sized screen and on a desktop."""

from collections.abc import Iterator
from typing import Any

import pytest

from safepassage.accounts.models import User
from safepassage.testing import PASSWORD, build_world
from tests.browser.conftest import PageWatch

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def desktop(browser: Any, live_server: Any) -> Iterator[PageWatch]:
    """A 1280 × 800 page (a common laptop) against the live server."""
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    page = context.new_page()
    yield PageWatch(page, live_server.url)
    context.close()


def test_a_coordinator_signs_in_on_a_phone_and_sees_the_dashboard(phone):
    build_world()
    phone.sign_in("coordinator_a", PASSWORD)
    assert phone.page.locator("h1").inner_text().startswith("Hello")
    assert "Agency A" in phone.page.locator(".who").inner_text()
    # The page fits the phone: nothing wider than the screen.
    width = phone.page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390
    # The menu is folded on a phone, and opens and folds again with its button.
    menu = phone.page.locator("nav#main-menu")
    assert not menu.is_visible()
    phone.page.click("summary")
    assert phone.page.locator("nav >> text=Areas").is_visible()
    assert phone.page.evaluate("document.documentElement.scrollWidth") <= 390
    phone.page.click("summary")
    assert not menu.is_visible()
    assert phone.errors == []


def test_on_a_desktop_the_menu_is_open_and_the_home_page_shows_numbers(desktop):
    build_world()
    desktop.sign_in("coordinator_a", PASSWORD)
    page = desktop.page
    # Open without a click, with no folding button in the way, and it fits the width.
    assert page.locator("nav#main-menu >> text=Areas").is_visible()
    assert page.locator("nav#main-menu >> text=Cases").is_visible()
    assert not page.locator("summary").is_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 1280
    # The home page's numbers are links to their lists.
    figure = page.locator("a[data-figure=referrals_waiting]")
    assert figure.locator(".count").inner_text() == "0"
    with page.expect_navigation():
        figure.click()
    assert page.url.endswith("/cases/referrals/")
    assert desktop.errors == []


def test_wrong_passwords_show_one_plain_message_and_lock_nobody_out(phone):
    build_world()
    for _ in range(6):
        phone.sign_in("caseworker_a", "wrong password")
    alert = phone.page.locator("[role=alert]").inner_text()
    assert "not right" in alert
    assert "locked" not in alert
    assert phone.errors == []


def test_the_language_switcher_changes_the_interface(phone):
    build_world()
    phone.sign_in("coordinator_a", PASSWORD)
    with phone.page.expect_navigation():
        phone.page.select_option("#language", "th")
    assert phone.page.locator("html").get_attribute("lang") == "th"
    # Kept on the account: another device (no cookie yet) opens in Thai after signing in.
    assert User.objects.get(username="coordinator_a").language == "th"
    phone.page.context.clear_cookies()
    phone.sign_in("coordinator_a", PASSWORD)
    assert phone.page.locator("html").get_attribute("lang") == "th"
    # The switcher names each language in itself.
    options = phone.page.locator("#language option").all_inner_texts()
    assert {"ខ្មែរ", "ລາວ", "ภาษาไทย", "မြန်မာဘာသာ"} <= set(options)
    assert phone.errors == []
