"""Accessibility: axe-core (axe-playwright-python bundles it: nothing downloads) over every menu link of every
role of the demo, and one page for each kind of record page the menus lead to. No serious or critical
violation may remain."""

from __future__ import annotations

import io
import re
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import pytest

from safepassage.accounts.models import Agency, User
from safepassage.web.demo import load_demo
from tests.browser.conftest import PageWatch

pytestmark = pytest.mark.django_db(transaction=True)

# One demo account for each role, plus the employer's partner account (it sees workplaces through its
# employer only) and the labour office's inspector (a caseworker under another receiving profile).
# cc.admin is also the system administrator (catalogues, areas).
ACCOUNTS = [
    "cc.admin",
    "cc.coordinator",
    "cc.caseworker",
    "cc.volunteer",
    "cc.analyst",
    "cc.partner",
    "labour.inspector",
    "employer.partner",
]

# The record pages: one of each is checked, from the first menu page that links to one.
DETAIL_PATTERNS = {
    "team member": r"^/accounts/team/\d+/$",
    "area": r"^/areas/[^/]+/$",
    "village": r"^/risk/villages/[^/]+/$",
    "person": r"^/risk/people/\d+/$",
    "risk alert": r"^/risk/alerts/\d+/$",
    "catalogue": r"^/risk/catalogue/v\d+/$",
    "drivers": r"^/reports/drivers/[^/]+/$",
    "workplace": r"^/workplaces/\d+/$",
    "case": r"^/cases/\d+/$",
    "intake": r"^/cases/intake/\d+/$",
    "migration channel": r"^/migration/channels/\d+/$",
    "registration": r"^/migration/registrations/\d+/$",
    "site": r"^/migration/sites/\d+/$",
    "responder": r"^/network/responders/\d+/$",
    "organisation": r"^/network/organisations/\d+/$",
    "committee": r"^/network/committees/\d+/$",
    "import job": r"^/imports/\d+/$",
    "export": r"^/exports/\d+/$",
    "linkage pair": r"^/linkage/pairs/\d+/$",
    "privacy person": r"^/privacy/people/\d+/$",
}
# The demo (with the records _jobs adds) leads to every kind of record page.
REQUIRED = set(DETAIL_PATTERNS)
SERIOUS = {"serious", "critical"}
PHONE_PAGES = ["/", "/workplaces/map/", "/reports/map/", "/cases/lessons/?section=3"]


def _jobs() -> None:
    """An import job, an export and a logged call, so that their record pages exist (the demo makes none)."""
    from safepassage.cases.services import intake_record
    from safepassage.exports.services import export_create
    from safepassage.imports.services import job_create

    coordinator = User.objects.get(username="cc.coordinator")
    agency = Agency.objects.get(code="cc")
    content = io.BytesIO(b"given_name,family_name,sex,birth_year,village\nMali,Demo,female,2012,50010101\n")
    job_create(actor=coordinator, kind="people", file_name="people.csv", content=content, agency=agency)
    export_create(actor=coordinator, kind="deidentified", purpose="Quarterly report to the province")
    intake_record(
        actor=coordinator,
        agency=agency,
        channel="hotline",
        summary="Strangers asking about girls for work in the city.",
        area_code="50010101",
    )


def _violations(page: Any) -> list[str]:
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page)
    found = []
    for violation in results.response["violations"]:
        if violation.get("impact") in SERIOUS:
            targets = [", ".join(map(str, node.get("target", []))) for node in violation["nodes"]][:3]
            found.append(f"{violation['id']} ({violation['impact']}): {violation['help']} at {targets}")
    return found


def _settle(page: Any) -> None:
    """Wait until the page's own requests (a map's data) have come back."""
    page.wait_for_load_state("networkidle")


def _links(page: Any, selector: str) -> list[str]:
    hrefs = page.eval_on_selector_all(selector, "links => links.map(a => a.getAttribute('href'))")
    return [urlparse(href).path for href in hrefs if href and href.startswith("/")]


class Crawl:
    """Every menu page of every account; each sub-menu (tab) page and one record page per URL pattern once,
    as the first account that reaches it (following links from menu, tab and record pages)."""

    def __init__(self) -> None:
        self.problems: dict[str, list[str]] = {}
        self.visited: set[str] = set()  # tab and record pages, by path
        self.tabs: set[str] = set()
        self.details: dict[str, str] = {}  # pattern name -> "account path"
        self.pages = 0

    def check(self, watch: PageWatch, username: str, path: str) -> list[str]:
        """Open the page, run axe, and return the links it offers onward."""
        response = watch.goto(path)
        assert response is not None and response.status == 200, f"{username}: {path}"
        _settle(watch.page)
        self.pages += 1
        if found := _violations(watch.page):
            self.problems[f"{username} {path}"] = found
        self.tabs.update(_links(watch.page, "main nav.tabs a[href]"))
        return _links(watch.page, "main a[href]")

    def account(self, watch: PageWatch, username: str) -> None:
        menu = list(dict.fromkeys(["/", *_links(watch.page, "#main-menu a[href]")]))
        assert len(menu) > 1, f"{username} has no menu"
        queue: list[str] = []
        for path in menu:
            queue += self.check(watch, username, path)
        while queue:
            path = queue.pop(0)
            if path in self.visited or path in menu:
                continue
            name = next((n for n, pattern in DETAIL_PATTERNS.items() if re.match(pattern, path)), None)
            if name is None and path not in self.tabs:
                continue
            if name is not None and name in self.details:
                continue
            self.visited.add(path)
            if name is not None:
                self.details[name] = f"{username} {path}"
            queue += self.check(watch, username, path)


def test_no_serious_or_critical_violation_on_any_menu_or_record_page(browser, live_server, tmp_path: Path):
    started = time.monotonic()
    load_demo(logins_file=tmp_path / "logins.json", people=80, records=24)
    _jobs()
    loaded = time.monotonic()
    crawl = Crawl()
    for username in ACCOUNTS:
        context = browser.new_context(viewport={"width": 1280, "height": 900})
        watch = PageWatch(context.new_page(), live_server.url)
        _sign_in(watch, username)
        crawl.account(watch, username)
        context.close()
    # On a phone the menu folds behind a button, and the maps fill the screen: the same checks there, with
    # the menu open.
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    watch = PageWatch(context.new_page(), live_server.url)
    _sign_in(watch, "cc.coordinator")
    for path in PHONE_PAGES:
        crawl.check(watch, "cc.coordinator (phone)", path)
        if path == "/":
            watch.page.click(".menu-toggle summary")
            if found := _violations(watch.page):
                crawl.problems["cc.coordinator (phone) / with the menu open"] = found
    context.close()
    print(f"demo in {loaded - started:.0f} s; {crawl.pages} pages in {time.monotonic() - loaded:.0f} s")
    print("record pages:", ", ".join(f"{name} ({where})" for name, where in sorted(crawl.details.items())))
    report = "\n".join(f"{page}:\n  " + "\n  ".join(v) for page, v in crawl.problems.items())
    assert set(crawl.details) >= REQUIRED, (
        f"no {sorted(REQUIRED - set(crawl.details))} page reached\n{report}"
    )
    assert crawl.problems == {}, report


def _sign_in(watch: PageWatch, username: str) -> None:
    """Sign in with a password set here (the demo's are random), then the second factor as a test helper."""
    user = User.objects.get(username=username)
    user.set_password("accessible pages for everyone")
    user.save(update_fields=["password"])
    watch.sign_in(username, "accessible pages for everyone")
    assert "/accounts/" not in watch.page.url or "/accounts/profile" in watch.page.url, watch.page.url
