"""The second factor in a real Chromium: a coordinator and a volunteer set it up and sign in with a code from
an authenticator app and with a passkey (a virtual authenticator); nothing opens with the password alone; a
new password stops the API tokens."""

from __future__ import annotations

import base64
import re
from typing import Any

import pytest
from django_otp.oath import TOTP

from safepassage.testing import PASSWORD, build_world

pytestmark = pytest.mark.django_db(transaction=True)


def code_from_secret(secret_text: str, *, steps_ahead: int = 0) -> str:
    """What an authenticator app shows for the key on the set-up page (computed by django-otp's TOTP)."""
    import time

    clock = TOTP(base64.b32decode(secret_text.replace(" ", "")))
    clock.time = time.time() + steps_ahead * 30
    return f"{clock.token():06d}"


def sign_out(phone: Any) -> None:
    """The menu's "Sign out" (folded away on a phone: open the menu first)."""
    phone.page.locator("details.menu-toggle summary").click()
    with phone.page.expect_navigation():
        phone.page.locator("#main-menu form[action='/accounts/logout/'] button").click()


def virtual_authenticator(phone: Any) -> Any:
    """A phone's built-in passkey store, emulated by Chromium (DevTools WebAuthn domain)."""
    cdp = phone.page.context.new_cdp_session(phone.page)
    cdp.send("WebAuthn.enable")
    cdp.send(
        "WebAuthn.addVirtualAuthenticator",
        {
            "options": {
                "protocol": "ctap2",
                "transport": "internal",
                "hasResidentKey": True,
                "hasUserVerification": True,
                "isUserVerified": True,
            }
        },
    )
    return cdp


@pytest.mark.parametrize("username", ["coordinator_a", "volunteer_a"])
def test_sign_in_with_an_authenticator_app(phone, username):
    build_world()
    phone.sign_in(username, PASSWORD, second_factor=False)
    page = phone.page
    assert "/accounts/second-factor/setup/" in page.url
    assert page.locator("#totp-qr").is_visible()
    secret = page.locator("#totp-secret").inner_text()
    first_code = code_from_secret(secret)
    page.fill("#id_code", first_code)
    page.click("form:has(#id_code) button[type=submit]")
    page.wait_for_load_state()
    codes = page.locator("#recovery-codes li").all_inner_texts()
    assert len(codes) == 10
    page.get_by_role("link", name="I have written them down").click()
    page.wait_for_load_state()
    assert page.url.rstrip("/") == phone.base_url
    sign_out(phone)
    # Next time: the password, then the newest code (the one just used is refused).
    phone.sign_in(username, PASSWORD, second_factor=False)
    assert "/accounts/second-factor/" in page.url
    page.fill("#id_code", first_code)
    page.click("form:has(#id_code) button[type=submit]")
    page.wait_for_load_state()
    assert "already used" in page.locator("[role=alert]").inner_text()
    assert [e for e in phone.errors if "400" in e]  # the refused code is answered 400 (Bad Request)
    phone.errors.clear()
    page.wait_for_timeout(1500)  # each wrong code makes the next try wait a little longer (1 s, 2 s, 4 s…)
    page.fill("#id_code", code_from_secret(secret, steps_ahead=1))
    page.click("form:has(#id_code) button[type=submit]")
    page.wait_for_load_state()
    assert page.url.rstrip("/") == phone.base_url
    # The menu (folded on a phone) now holds the person's pages, not only "My account" and "Sign out".
    assert page.locator("#main-menu a[href='/']").count() == 1
    assert phone.errors == []


@pytest.mark.parametrize("username", ["coordinator_a", "volunteer_a"])
def test_sign_in_with_a_passkey(phone, username):
    build_world()
    virtual_authenticator(phone)
    page = phone.page
    phone.sign_in(username, PASSWORD, second_factor=False)
    assert "/accounts/second-factor/setup/" in page.url
    page.fill("#passkey-name", "My phone")
    with page.expect_navigation():
        page.click("#passkey-add")
    assert "/accounts/me/recovery-codes/" in page.url
    page.get_by_role("button", name="Make new recovery codes").click()
    page.wait_for_load_state()
    assert len(page.locator("#recovery-codes li").all_inner_texts()) == 10
    sign_out(phone)
    phone.sign_in(username, PASSWORD, second_factor=False)
    assert "/accounts/second-factor/" in page.url
    with page.expect_navigation():
        page.click("#passkey-sign-in")
    assert page.url.rstrip("/") == phone.base_url
    phone.goto("/accounts/me/")
    assert "My phone" in page.locator("#second-factor").inner_text()
    assert phone.errors == []


def test_no_page_and_no_token_without_the_second_factor(phone):
    build_world()
    page = phone.page
    phone.sign_in("caseworker_a", PASSWORD, second_factor=False)
    for path in ["/cases/", "/risk/people/", "/accounts/me/", "/audit/"]:
        phone.goto(path)
        assert "/accounts/second-factor/" in page.url, path
    response = page.request.post(
        phone.base_url + "/api/v1/auth/token",
        data={"username": "caseworker_a", "password": PASSWORD},
    )
    assert response.status == 401
    assert response.json()["otp_required"] is True


def test_a_new_password_stops_the_api_tokens(phone):
    build_world()
    page = phone.page
    phone.sign_in("coordinator_a", PASSWORD)
    phone.goto("/accounts/me/")
    page.fill("#id_name", "spreadsheet")
    page.get_by_role("button", name="Create a token").click()
    page.wait_for_load_state()
    token = page.locator("#token").inner_text().strip()
    assert re.match(r"^sp_", token)
    me = page.request.get(phone.base_url + "/api/v1/me", headers={"Authorization": f"Bearer {token}"})
    assert me.status == 200
    phone.goto("/accounts/me/password/")
    page.fill("#id_old_password", PASSWORD)
    page.fill("#id_new_password1", "a-brand-new-pass-42")
    page.fill("#id_new_password2", "a-brand-new-pass-42")
    page.locator("main button[type=submit]").click()
    page.wait_for_load_state()
    me = page.request.get(phone.base_url + "/api/v1/me", headers={"Authorization": f"Bearer {token}"})
    assert me.status == 401
    phone.goto("/accounts/me/")
    assert "revoked" in page.content()
    assert phone.errors == []
