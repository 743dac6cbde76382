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
# Record pages the demo must lead to (the others are checked when some menu links to one).
REQUIRED = {
    "team member",
    "area",
    "village",
    "person",
    "risk alert",
    "catalogue",
    "drivers",
    "workplace",
    "case",
    "migration channel",
    "registration",
    "responder",
    "organisation",
    "committee",
    "import job",
    "export",
}
SERIOUS = {"serious", "critical"}


def _jobs() -> None:
    """An import job and an export, so that their record pages exist (the demo makes neither)."""
    from safepassage.exports.services import export_create
    from safepassage.imports.services import job_create

    coordinator = User.objects.get(username="cc.coordinator")
    agency = Agency.objects.get(code="cc")
    content = io.BytesIO(b"given_name,family_name,sex,birth_year,village\nMali,Demo,female,2012,50010101\n")
    job_create(actor=coordinator, kind="people", file_name="people.csv", content=content, agency=agency)
    export_create(actor=coordinator, kind="deidentified", purpose="Quarterly report to the province")


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


def test_no_serious_or_critical_violation_on_any_menu_or_record_page(browser, live_server, tmp_path: Path):
    started = time.monotonic()
    load_demo(logins_file=tmp_path / "logins.json", people=80, records=24)
    _jobs()
    print(f"demo loaded in {time.monotonic() - started:.0f} s")
    problems: dict[str, list[str]] = {}
    checked: set[str] = set()
    details: dict[str, str] = {}
    for username in ACCOUNTS:
        context = browser.new_context(viewport={"width": 1280, "height": 900})
        watch = PageWatch(context.new_page(), live_server.url)
        page = watch.page
        _sign_in(watch, username)
        menu = page.eval_on_selector_all(
            "#main-menu a[href]", "links => links.map(a => a.getAttribute('href'))"
        )
        assert menu, f"{username} has no menu"
        for path in ["/", *menu]:
            response = watch.goto(path)
            assert response is not None and response.status == 200, f"{username}: {path}"
            _settle(page)
            key = f"{username} {path}"
            checked.add(key)
            if found := _violations(page):
                problems[key] = found
            for href in page.eval_on_selector_all(
                "main a[href]", "links => links.map(a => a.getAttribute('href'))"
            ):
                target = urlparse(href).path
                for name, pattern in DETAIL_PATTERNS.items():
                    if name not in details and re.match(pattern, target):
                        details[name] = f"{username} {target}"
        for name, where in list(details.items()):
            who, target = where.split(" ", 1)
            if who != username or f"{who} {target}" in checked:
                continue
            response = watch.goto(target)
            assert response is not None and response.status == 200, f"{name}: {where}"
            _settle(page)
            checked.add(where)
            if found := _violations(page):
                problems[f"{name}: {where}"] = found
        context.close()
    assert set(details) >= REQUIRED, f"no {sorted(REQUIRED - set(details))} page reached from the menus"
    assert problems == {}, "\n".join(f"{page}:\n  " + "\n  ".join(v) for page, v in problems.items())


def _sign_in(watch: PageWatch, username: str) -> None:
    """Sign in with a password set here (the demo's are random), then the second factor as a test helper."""
    user = User.objects.get(username=username)
    user.set_password("accessible pages for everyone")
    user.save(update_fields=["password"])
    watch.sign_in(username, "accessible pages for everyone")
    assert "/accounts/" not in watch.page.url or "/accounts/profile" in watch.page.url, watch.page.url
