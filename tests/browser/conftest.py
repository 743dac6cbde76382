"""Real-browser tests: Debian's Chromium driven by Playwright against a live server.

Skipped, with the reason shown, when no Chromium is installed; scripts/test says so plainly too.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = Path(os.environ.get("CHROMIUM", "/usr/bin/chromium"))
LAUNCH_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "tests/browser/" in str(item.fspath):
            item.add_marker(pytest.mark.browser)
            if not CHROMIUM.exists():
                item.add_marker(
                    pytest.mark.skip(reason=f"no Chromium at {CHROMIUM} (install Debian 'chromium')")
                )


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright's sync API runs an event loop
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=str(CHROMIUM), args=LAUNCH_ARGS, headless=True)
        yield instance
        instance.close()


class PageWatch:
    """A phone-sized page that records console errors and failed requests."""

    def __init__(self, page: Any, base_url: str) -> None:
        self.page = page
        self.base_url = base_url
        self.errors: list[str] = []
        page.on("console", self._console)
        page.on("pageerror", lambda exc: self.errors.append(f"page error: {exc}"))
        page.on("requestfailed", self._request_failed)

    def _console(self, message: Any) -> None:
        if message.type == "error":
            self.errors.append(f"console: {message.text}")

    def _request_failed(self, request: Any) -> None:
        # A request cut short because the page moved on (a form was submitted) is not an error.
        if "ERR_ABORTED" not in (request.failure or ""):
            self.errors.append(f"request failed: {request.url} ({request.failure})")

    def goto(self, path: str) -> Any:
        return self.page.goto(self.base_url + path)

    def sign_in(self, username: str, password: str, *, second_factor: bool = True) -> None:
        """Sign in with the password; then, unless `second_factor=False`, mark the session as having passed
        the second factor (tests/browser/test_second_factor.py types real codes and uses real passkeys)."""
        self.goto("/accounts/login/")
        self.page.fill("#id_username", username)
        self.page.fill("#id_password", password)
        self.page.click("button[type=submit]")
        self.page.wait_for_load_state()
        if second_factor and "/accounts/second-factor/" in self.page.url:
            self.pass_second_factor(username)

    def pass_second_factor(self, username: str) -> None:
        """Verify this browser's session on the server, as a test helper, then go where sign-in was going."""
        from importlib import import_module
        from urllib.parse import parse_qs, urlparse

        from django.conf import settings
        from django_otp import DEVICE_ID_SESSION_KEY

        from safepassage.accounts.models import User
        from safepassage.testing import verified_device

        cookie = next(c for c in self.page.context.cookies() if c["name"] == settings.SESSION_COOKIE_NAME)
        store = import_module(settings.SESSION_ENGINE).SessionStore(session_key=cookie["value"])
        store[DEVICE_ID_SESSION_KEY] = verified_device(User.objects.get(username=username)).persistent_id
        store.save()
        target = parse_qs(urlparse(self.page.url).query).get("next", ["/"])[0]
        self.goto(target if target.startswith("/") else "/")


@pytest.fixture
def phone(browser: Any, live_server: Any) -> Iterator[PageWatch]:
    """A 390 × 844 page (a common phone) against the live server."""
    context = browser.new_context(
        viewport={"width": 390, "height": 844}, device_scale_factor=2, is_mobile=True, has_touch=True
    )
    page = context.new_page()
    watch = PageWatch(page, live_server.url)
    yield watch
    context.close()
