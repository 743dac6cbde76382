"""The page shell in a real browser on a phone-sized screen."""

import pytest

from safepassage.accounts.models import User
from safepassage.testing import PASSWORD, build_world

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_coordinator_signs_in_on_a_phone_and_sees_the_dashboard(phone):
    build_world()
    phone.sign_in("coordinator_a", PASSWORD)
    assert phone.page.locator("h1").inner_text().startswith("Hello")
    assert "Agency A" in phone.page.locator(".who").inner_text()
    # The page fits the phone: nothing wider than the screen.
    width = phone.page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390
    phone.page.click("summary")
    assert phone.page.locator("nav >> text=Areas").is_visible()
    assert phone.errors == []


def test_six_wrong_passwords_show_the_lock_message(phone):
    build_world()
    for _ in range(6):
        phone.sign_in("caseworker_a", "wrong password")
    alert = phone.page.locator("[role=alert]").inner_text()
    assert "locked after 6 wrong passwords" in alert
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
