"""Every endpoint, called as every persona: who gets in, who gets 404 (forbidden and absent look alike)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from safepassage.accounts.services import token_issue
from safepassage.api import api
from safepassage.audit.models import AuditEvent
from safepassage.testing import PERSONAS, World, api_client, assert_matrix, web_client

pytestmark = pytest.mark.django_db

MEMBERS = [p for p, (agency, _, _) in PERSONAS.items() if agency]
EVERYONE = [*PERSONAS, "anonymous"]


def statuses(default: int, anonymous: int, **overrides: int) -> dict[str, int]:
    """Expected status per persona: `default`, except anonymous and any named persona."""
    result = dict.fromkeys(PERSONAS, default)
    result["anonymous"] = anonymous
    result.update(overrides)
    return result


def only(allowed: dict[str, int], otherwise: int, anonymous: int) -> dict[str, int]:
    """Everyone gets `otherwise` except the personas in `allowed`."""
    return statuses(otherwise, anonymous, **allowed)


@dataclass
class Case:
    """One endpoint: how to build its URL in a world, the method, and the expected status per persona."""

    route: str  # URL name for the UI, "METHOD /api/v1/path" for the API
    url: Callable[[World], str]
    expected: dict[str, int]
    method: str = "GET"
    data: dict[str, Any] | None = None


def member_pk(world: World, name: str) -> int:
    return world.users[name].memberships.get().pk


def audit_event_a(world: World) -> int:
    from django.db import transaction

    from safepassage.audit.services import audit_record

    with transaction.atomic():
        return audit_record(actor=world.admin_a, action="test.event", agency=world.agency_a).pk


def coordinator_token(world: World) -> int:
    token, _ = token_issue(actor=None, user=world.coordinator_a, name="matrix")
    return token.pk


ADMINS = {"admin_a": 200, "admin_b": 200}
UI_CASES = [
    Case("web:dashboard", lambda w: reverse("web:dashboard"), statuses(200, 302)),
    Case("geo:area_list", lambda w: reverse("geo:area_list"), statuses(200, 302, outsider=404)),
    Case(
        "geo:area_detail", lambda w: reverse("geo:area_detail", args=["50"]), statuses(200, 302, outsider=404)
    ),
    Case("accounts:profile", lambda w: reverse("accounts:profile"), statuses(200, 302)),
    Case("accounts:password_change", lambda w: reverse("accounts:password_change"), statuses(200, 302)),
    Case(
        "accounts:token_create",
        lambda w: reverse("accounts:token_create"),
        statuses(200, 302),
        "POST",
        {"name": "matrix"},
    ),
    Case(
        "accounts:token_revoke",
        lambda w: reverse("accounts:token_revoke", args=[coordinator_token(w)]),
        only({"coordinator_a": 302}, 404, 302),
        "POST",
    ),
    Case("accounts:team", lambda w: reverse("accounts:team"), only(ADMINS, 404, 302)),
    Case("accounts:member_create", lambda w: reverse("accounts:member_create"), only(ADMINS, 404, 302)),
    Case(
        "accounts:member_detail",
        lambda w: reverse("accounts:member_detail", args=[member_pk(w, "caseworker_a")]),
        only({"admin_a": 200}, 404, 302),
    ),
    Case(
        "accounts:member_unlock",
        lambda w: reverse("accounts:member_unlock", args=[member_pk(w, "caseworker_a")]),
        only({"admin_a": 302}, 404, 302),
        "POST",
    ),
    Case("audit:trail", lambda w: reverse("audit:trail"), only(ADMINS, 404, 302)),
]
API_CASES = [
    Case("GET /api/v1/me", lambda w: "/api/v1/me", statuses(200, 401)),
    Case("GET /api/v1/agencies", lambda w: "/api/v1/agencies", statuses(200, 401)),
    Case("GET /api/v1/members", lambda w: "/api/v1/members", statuses(200, 401)),
    Case(
        "GET /api/v1/members/{member_id}",
        lambda w: f"/api/v1/members/{member_pk(w, 'caseworker_a')}",
        only({"admin_a": 200}, 404, 401),
    ),
    Case("GET /api/v1/areas", lambda w: "/api/v1/areas", statuses(200, 401, outsider=404)),
    Case("GET /api/v1/areas/{code}", lambda w: "/api/v1/areas/50", statuses(200, 401, outsider=404)),
    Case("GET /api/v1/audit/events", lambda w: "/api/v1/audit/events", statuses(200, 401)),
    Case(
        "GET /api/v1/audit/events/{event_id}",
        lambda w: f"/api/v1/audit/events/{audit_event_a(w)}",
        only({"admin_a": 200}, 404, 401),
    ),
    Case("DELETE /api/v1/auth/token", lambda w: "/api/v1/auth/token", statuses(204, 401), "DELETE"),
]
# Open to everyone by design.
PUBLIC_ROUTES = {
    "healthz",
    "login",
    "logout",
    "set_language",
    "api:api-root",
    "api:openapi-json",
    "api:openapi-view",
}


@pytest.mark.parametrize("case", UI_CASES, ids=lambda c: c.route)
def test_ui_permission_matrix(world, case):
    def call(persona: str):
        client = web_client(None if persona == "anonymous" else world.users[persona])
        url = case.url(world)
        return client.post(url, case.data or {}) if case.method == "POST" else client.get(url)

    assert_matrix(call, case.expected)


@pytest.mark.parametrize("case", API_CASES, ids=lambda c: c.route)
def test_api_permission_matrix(world, case):
    def call(persona: str):
        client = api_client(None if persona == "anonymous" else world.users[persona])
        return client.request(case.method, case.url(world), case.data)

    assert_matrix(call, case.expected)


def _url_names(patterns: list[Any], namespace: str = "") -> set[str]:
    names: set[str] = set()
    for entry in patterns:
        if isinstance(entry, URLResolver):
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            names |= _url_names(entry.url_patterns, inner)
        elif isinstance(entry, URLPattern) and entry.name:
            names.add(f"{namespace}{entry.name}")
    return names


def test_every_ui_route_is_in_the_matrix():
    ui = {name for name in _url_names(get_resolver().url_patterns) if not name.startswith("api:")}
    covered = {case.route for case in UI_CASES} | PUBLIC_ROUTES
    assert ui - covered == set(), "routes missing from the permission matrix"


# Exchanging a password for a token is open by design; tests/accounts/test_api_auth.py covers it.
PUBLIC_API = {"POST /api/v1/auth/token"}


def test_every_api_operation_is_in_the_matrix():
    schema = api.get_openapi_schema()
    operations = {
        f"{method.upper()} {path}" for path, methods in schema["paths"].items() for method in methods
    }
    covered = {case.route for case in API_CASES} | PUBLIC_API
    assert operations - covered == set(), "API operations missing from the permission matrix"


def test_members_list_shows_only_the_admins_own_agency(world):
    names_b = {m["username"] for m in api_client(world.admin_b).get("/api/v1/members").json()["items"]}
    assert names_b == {"admin_b", "coordinator_b", "caseworker_b", "volunteer_b"}
    assert api_client(world.caseworker_a).get("/api/v1/members").json()["items"] == []


def test_audit_list_shows_only_the_admins_own_agency(world):
    audit_event_a(world)
    events_b = api_client(world.admin_b).get("/api/v1/audit/events").json()["items"]
    assert all(e["agency"] == "agency-b" for e in events_b)
    assert AuditEvent.objects.filter(agency=world.agency_a).exists()
    assert not [e for e in events_b if e["action"] == "test.event"]


def test_a_missing_record_and_another_agencys_record_look_the_same(world):
    theirs = api_client(world.admin_b).get(f"/api/v1/members/{member_pk(world, 'caseworker_a')}")
    absent = api_client(world.admin_b).get("/api/v1/members/999999")
    assert theirs.status_code == absent.status_code == 404
    assert theirs.json() == absent.json()
    ui_theirs = web_client(world.admin_b).get(
        reverse("accounts:member_detail", args=[member_pk(world, "caseworker_a")])
    )
    ui_absent = web_client(world.admin_b).get(reverse("accounts:member_detail", args=[999999]))
    assert ui_theirs.status_code == ui_absent.status_code == 404
