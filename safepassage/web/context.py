"""Navigation by role, for every page."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest
from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class NavItem:
    """One link in the main menu, shown to users who hold the permission."""

    url_name: str
    label: str | Promise
    permission: str | None = None


NAV: list[NavItem] = [
    NavItem("web:dashboard", _("Home")),
    NavItem("registry:village_list", _("My villages"), "registry.work_in_villages"),
    NavItem("registry:person_list", _("People"), "registry.view_people"),
    NavItem("registry:alert_list", _("Alerts"), "registry.view_alerts"),
    NavItem("cases:intake_list", _("Call log"), "cases.view_intake"),
    NavItem("cases:case_list", _("Cases"), "cases.view_cases"),
    NavItem("migration:channels", _("Safe migration"), "migration.view_channels"),
    NavItem("reports:risk", _("Reports"), "reports.view_reports"),
    NavItem("workplaces:map", _("Workplaces"), "workplaces.view_workplaces"),
    NavItem("network:search", _("Directory"), "network.view_directory"),
    NavItem("network:hotlines", _("Hotlines"), "network.view_hotlines"),
    NavItem("reports:map", _("Map"), "reports.view_reports"),
    NavItem("cases:lessons", _("Lessons learned"), "cases.view_lessons"),
    NavItem("imports:list", _("Imports"), "imports.run_imports"),
    NavItem("exports:list", _("Exports"), "exports.make_exports"),
    NavItem("linkage:queue", _("Possible duplicates"), "linkage.review_duplicates"),
    NavItem("registry:catalogue_list", _("Indicator catalogue"), "registry.edit_catalogue"),
    NavItem("geo:area_list", _("Areas"), "geo.view_areas"),
    NavItem("accounts:team", _("Team"), "accounts.manage_members"),
    NavItem("audit:trail", _("Audit trail"), "audit.view_trail"),
]


def navigation(request: HttpRequest) -> dict[str, Any]:
    """The menu items and memberships of the signed-in user."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": []}
    items: list[dict[str, Any]] = []
    for item in NAV:
        if item.permission is None or user.has_perm(item.permission):
            url = reverse(item.url_name)
            active = request.path == url or (url != "/" and request.path.startswith(url))
            items.append({"url": url, "label": item.label, "active": active})
    # One current page: the most specific link that matches (/network/hotlines/ over /network/).
    current = max((i for i in items if i["active"]), key=lambda i: len(i["url"]), default=None)
    for i in items:
        i["active"] = i is current
    memberships = list(user.memberships.filter(active=True).select_related("agency"))
    return {"nav_items": items, "my_memberships": memberships}
