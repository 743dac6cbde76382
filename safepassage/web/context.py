"""Navigation by role, for every page."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest
from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from safepassage.accounts.second_factor import session_verified
from safepassage.cases.break_glass import minutes_left
from safepassage.core.access import viewer_for
from safepassage.core.roles import Role
from safepassage.registry.selectors import holds_risk_records
from safepassage.reports.selectors import has_report_data
from safepassage.workplaces.selectors import employer_list


def sees_workplaces(user: Any) -> bool:
    """Staff work with workplaces; a partner only when its organisation is an employer on file (a partner
    that is not one would find an empty map)."""
    if viewer_for(user).has_role(Role.ADMIN, Role.COORDINATOR, Role.CASEWORKER):
        return True
    return employer_list(viewer=user).exists()


@dataclass(frozen=True)
class NavItem:
    """One link in the main menu, shown to users who hold the permission and for whom the page can have
    something (`relevant`, asked once per request): no tab a role can never use."""

    url_name: str
    label: str | Promise
    permission: str | None = None
    relevant: Callable[[Any], bool] | None = None


NAV: list[NavItem] = [
    NavItem("web:dashboard", _("Home")),
    NavItem("registry:village_list", _("My villages"), "registry.work_in_villages", holds_risk_records),
    NavItem("registry:person_list", _("People"), "registry.view_people"),
    NavItem("registry:alert_list", _("Alerts"), "registry.view_alerts", holds_risk_records),
    NavItem("cases:intake_list", _("Call log"), "cases.view_intake"),
    NavItem("cases:case_list", _("Cases"), "cases.view_cases"),
    NavItem("migration:channels", _("Safe migration"), "migration.view_channels"),
    NavItem("reports:risk", _("Reports"), "reports.view_reports", has_report_data),
    NavItem("workplaces:map", _("Workplaces"), "workplaces.view_workplaces", sees_workplaces),
    NavItem("network:search", _("Directory"), "network.view_directory"),
    NavItem("network:hotlines", _("Hotlines"), "network.view_hotlines"),
    NavItem("reports:map", _("Map"), "reports.view_reports", has_report_data),
    NavItem("prevention:home", _("Prevention"), "reports.view_reports", has_report_data),
    NavItem("cases:lessons", _("Lessons learned"), "cases.view_lessons"),
    NavItem("imports:list", _("Imports"), "imports.run_imports"),
    NavItem("exports:list", _("Exports"), "exports.make_exports"),
    NavItem("linkage:queue", _("Possible duplicates"), "linkage.review_duplicates"),
    NavItem("registry:catalogue_list", _("Indicator catalogue"), "registry.edit_catalogue"),
    NavItem("geo:area_list", _("Areas"), "geo.view_areas"),
    NavItem("accounts:team", _("Team"), "accounts.manage_members"),
    NavItem("audit:trail", _("Audit trail"), "audit.view_trail"),
]


def relevant(request: HttpRequest, check: Callable[[Any], bool]) -> bool:
    """Ask a relevance check once per request (the menu and the home page both want the answer)."""
    answers: dict[Callable[[Any], bool], bool] = request.__dict__.setdefault("_nav_relevance", {})
    if check not in answers:
        answers[check] = check(request.user)
    return answers[check]


def menu_items(request: HttpRequest) -> list[NavItem]:
    """The menu items this user may open and can find something in."""
    user = request.user
    return [
        item
        for item in NAV
        if (item.permission is None or user.has_perm(item.permission))
        and (item.relevant is None or relevant(request, item.relevant))
    ]


def navigation(request: HttpRequest) -> dict[str, Any]:
    """The menu items and memberships of the signed-in user."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or not session_verified(user):
        return {"nav_items": []}  # before the second factor: nothing to open yet
    items: list[dict[str, Any]] = []
    for item in menu_items(request):
        url = reverse(item.url_name)
        active = request.path == url or (url != "/" and request.path.startswith(url))
        items.append({"url": url, "label": item.label, "active": active})
    # One current page: the most specific link that matches (/network/hotlines/ over /network/).
    current = max((i for i in items if i["active"]), key=lambda i: len(i["url"]), default=None)
    for i in items:
        i["active"] = i is current
    memberships = list(user.memberships.filter(active=True).select_related("agency"))
    found: dict[str, Any] = {"nav_items": items, "my_memberships": memberships}
    grant = getattr(request, "break_glass", None)  # a page read under an emergency access (cases.break_glass)
    if grant is not None:
        found.update(break_glass=grant, break_glass_minutes=minutes_left(grant))
    return found
