"""Every endpoint, called as every persona: who gets in, who gets 404 (forbidden and absent look alike)."""

from __future__ import annotations

import secrets
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from safepassage.accounts.services import token_issue
from safepassage.api import api
from safepassage.audit.models import AuditEvent
from safepassage.testing import PERSONAS, World, api_client, assert_matrix, require_pdf_tools, web_client

pytestmark = pytest.mark.django_db

MEMBERS = [p for p, (agency, _, _) in PERSONAS.items() if agency]
EVERYONE = [*PERSONAS, "anonymous"]


Status = int | tuple[int, ...]


def statuses(default: int, anonymous: int, **overrides: Status) -> dict[str, Status]:
    """Expected status per persona: `default`, except anonymous and any named persona."""
    result: dict[str, Status] = dict.fromkeys(PERSONAS, default)
    result["anonymous"] = anonymous
    result.update(overrides)
    return result


def only(allowed: Mapping[str, Status], otherwise: int, anonymous: int) -> dict[str, Status]:
    """Everyone gets `otherwise` except the personas in `allowed`."""
    return statuses(otherwise, anonymous, **allowed)


@dataclass
class Case:
    """One endpoint: how to build its URL in a world, the method, and the expected status per persona."""

    route: str  # URL name for the UI, "METHOD /api/v1/path" for the API
    url: Callable[[World], str]
    expected: dict[str, Status]
    method: str = "GET"
    data: dict[str, Any] | Callable[[World], dict[str, Any]] | None = None

    def body(self, world: World) -> dict[str, Any] | None:
        """The request body; a callable builds one that names records of the world."""
        return self.data(world) if callable(self.data) else self.data


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


def coordinator_passkey(world: World) -> int:
    from safepassage.accounts.models import Passkey

    return Passkey.objects.create(
        user=world.coordinator_a, name="phone", credential_id=secrets.token_hex(8), public_key=b"k"
    ).pk


def coordinator_trusted_phone(world: World) -> int:
    from datetime import timedelta

    from django.utils import timezone

    from safepassage.accounts.models import TrustedBrowser

    expires = timezone.now() + timedelta(days=1)
    return TrustedBrowser.objects.create(
        user=world.coordinator_a, key_hash=secrets.token_hex(8), expires_at=expires
    ).pk


def caseworker_token(world: World) -> int:
    token, _ = token_issue(actor=None, user=world.caseworker_a, name="matrix")
    return token.pk


ADMINS = {"admin_a": 200, "admin_b": 200}
NO_AGENCY = {"outsider": 404, "sysadmin": 404}
PEOPLE_A = {"admin_a": 200, "coordinator_a": 200, "caseworker_a": 200, "volunteer_a": 200}
PEOPLE_ROLES = {**PEOPLE_A, "admin_b": 200, "coordinator_b": 200, "caseworker_b": 200, "volunteer_b": 200}
REPORTERS = {
    "admin_a": 200,
    "coordinator_a": 200,
    "caseworker_a": 200,
    "analyst_a": 200,
    "admin_b": 200,
    "coordinator_b": 200,
    "caseworker_b": 200,
}
# Lessons learned: coordinators and analysts, over their own agencies' cases (aggregates only).
LESSON_READERS = {"coordinator_a": 200, "analyst_a": 200, "coordinator_b": 200}
# Who may record in village 1: agency A's people roles (volunteer_a covers it) and agency B's staff, whose
# memberships are not limited to areas; not volunteer_b, who covers village 3 only.
RECORD_IN_V1 = (
    "admin_a",
    "coordinator_a",
    "caseworker_a",
    "volunteer_a",
    "admin_b",
    "coordinator_b",
    "caseworker_b",
)


def _cached(world: World, key: str, make: Callable[[], Any]) -> Any:
    cache = world.__dict__.setdefault("_cache", {})
    if key not in cache:
        cache[key] = make()
    return cache[key]


def child_a(world: World) -> Any:
    """A child of agency A in village 1, assessed twice, the second time raising an alert."""
    from datetime import date, timedelta

    from safepassage.registry import services
    from safepassage.registry.models import Catalogue

    def make() -> Any:
        person = services.person_create(
            actor=world.coordinator_a,
            village_code=world.village_1.code,
            given_name="Ploy",
            sex="female",
            birth_year=2013,
        )
        codes = [i.code for i in Catalogue.objects.get(status="active").indicators.all() if i.level in "IH"]
        answers = dict.fromkeys(codes, 1)
        services.assessment_record(
            actor=world.coordinator_a,
            person=person,
            assessed_on=date.today() - timedelta(days=30),
            scores=answers,
        )
        alert = services.assessment_record(
            actor=world.coordinator_a,
            person=person,
            assessed_on=date.today(),
            scores={**answers, "HLT-DEATH": 3},
        ).alert
        return person, alert

    return _cached(world, "child_a", make)


STAFF_A = {"admin_a": 200, "coordinator_a": 200, "caseworker_a": 200}
STAFF = (*STAFF_A, "admin_b", "coordinator_b", "caseworker_b")


def employer_a(world: World) -> Any:
    from safepassage.workplaces.services import employer_create

    return _cached(
        world, "employer_a", lambda: employer_create(actor=world.coordinator_a, legal_name="A Fish")
    )


def finding_a(world: World) -> Any:
    from datetime import date

    from safepassage.workplaces.status_services import employer_violation_add

    return _cached(
        world,
        "finding_a",
        lambda: employer_violation_add(
            actor=world.coordinator_a, employer=employer_a(world), found_on=date(2025, 3, 1), law="Wages"
        ),
    )


def commitment_a(world: World) -> Any:
    from datetime import date

    from safepassage.workplaces.services import commitment_add

    return _cached(
        world,
        "commitment_a",
        lambda: commitment_add(
            actor=world.coordinator_a,
            employer=employer_a(world),
            signed_on=date(2025, 1, 1),
            text="x",
            signatories=[],
        ),
    )


def workplace_a(world: World) -> Any:
    from safepassage.workplaces.services import workplace_create

    return _cached(
        world,
        "workplace_a",
        lambda: workplace_create(
            actor=world.coordinator_a,
            name="Pier 4",
            sector="seafood",
            lat=13.5,
            lon=100.3,
            employer_id=employer_a(world).pk,
        ),
    )


def attachment_a(world: World) -> Any:
    from datetime import date

    from django.core.files.uploadedfile import SimpleUploadedFile

    from safepassage.workplaces.services import attachment_add, observation_record

    def make() -> Any:
        observation = observation_record(
            actor=world.coordinator_a,
            workplace=workplace_a(world),
            observed_on=date(2025, 1, 2),
            source="visit",
            reliability="B",
            indicators=["no_contract"],
        )
        upload = SimpleUploadedFile("note.pdf", b"%PDF-1.4 test", content_type="application/pdf")
        return attachment_add(actor=world.coordinator_a, observation=observation, upload=upload)

    return _cached(world, "attachment_a", make)


def recruiter_a(world: World) -> Any:
    from safepassage.workplaces.services import recruiter_create

    return _cached(world, "recruiter_a", lambda: recruiter_create(actor=world.coordinator_a, name="Broker A"))


def household_a(world: World) -> Any:
    from safepassage.registry.services import household_create

    return _cached(
        world,
        "household_a",
        lambda: household_create(actor=world.coordinator_a, village_code=world.village_1.code, label="7/1"),
    )


WORKPLACE_PAGES = {
    **dict.fromkeys(
        ("admin_a", "coordinator_a", "caseworker_a", "partner_a", "admin_b", "coordinator_b", "caseworker_b"),
        200,
    )
}
ASSESSMENT = {"assessed_on": "2025-01-15", "scores": {"HLT-ILL": 2, "EDU-SCHOOL": 1}}
VILLAGE_ASSESSMENT = {"assessed_on": "2025-01-15", "scores": {"MIG-BORDER": 3, "MIG-BROKERS": 2}}
NEW_PERSON = {
    "given_name": "Nok",
    "sex": "female",
    "birth_year": 2012,
    "village_code": "50010101",
    "guardian_consent_by": "Noi",
    "guardian_relation": "mother",
    "guardian_consent_on": "2025-01-15",
}
UI_CASES = [
    Case("web:dashboard", lambda w: reverse("web:dashboard"), statuses(200, 302)),
    Case("geo:area_list", lambda w: reverse("geo:area_list"), statuses(200, 302, outsider=404)),
    Case(
        "geo:area_detail", lambda w: reverse("geo:area_detail", args=["50"]), statuses(200, 302, outsider=404)
    ),
    # No MBTiles file is configured here: 404 for every signed-in persona (tests/geo/test_maps.py has one).
    Case("geo:tile", lambda w: reverse("geo:tile", args=["street", 1, 1, 0]), statuses(404, 302)),
    Case("registry:village_list", lambda w: reverse("registry:village_list"), only(PEOPLE_ROLES, 404, 302)),
    Case(
        "registry:village_detail",
        lambda w: reverse("registry:village_detail", args=["50010101"]),
        only(PEOPLE_ROLES, 404, 302),
    ),
    Case(
        "registry:village_assess",
        lambda w: reverse("registry:village_assess", args=["50010101"]),
        only(dict.fromkeys(RECORD_IN_V1, 200), 404, 302),
    ),
    Case("registry:person_list", lambda w: reverse("registry:person_list"), only(PEOPLE_ROLES, 404, 302)),
    Case(
        "registry:person_create",
        lambda w: reverse("registry:person_create") + "?village=50010101",
        only(dict.fromkeys(RECORD_IN_V1, 200), 404, 302),
    ),
    Case(
        "registry:person_detail",
        lambda w: reverse("registry:person_detail", args=[child_a(w)[0].pk]),
        only(PEOPLE_A, 404, 302),
    ),
    Case(
        "registry:person_assess",
        lambda w: reverse("registry:person_assess", args=[child_a(w)[0].pk]),
        only(PEOPLE_A, 404, 302),
    ),
    Case("registry:alert_list", lambda w: reverse("registry:alert_list"), only(PEOPLE_ROLES, 404, 302)),
    Case(
        "registry:alert_detail",
        lambda w: reverse("registry:alert_detail", args=[child_a(w)[1].pk]),
        only(PEOPLE_A, 404, 302),
    ),
    Case(
        "registry:alert_acknowledge",
        lambda w: reverse("registry:alert_acknowledge", args=[child_a(w)[1].pk]),
        only(dict.fromkeys(PEOPLE_A, 302), 404, 302),
        "POST",
    ),
    Case(
        "registry:catalogue_list",
        lambda w: reverse("registry:catalogue_list"),
        only({"sysadmin": 200}, 404, 302),
    ),
    Case(
        "registry:catalogue_detail",
        lambda w: reverse("registry:catalogue_detail", args=[1]),
        only({"sysadmin": 200}, 404, 302),
    ),
    Case("workplaces:list", lambda w: reverse("workplaces:list"), only(WORKPLACE_PAGES, 404, 302)),
    Case("workplaces:map", lambda w: reverse("workplaces:map"), only(WORKPLACE_PAGES, 404, 302)),
    Case("workplaces:map_data", lambda w: reverse("workplaces:map_data"), only(WORKPLACE_PAGES, 404, 302)),
    Case(
        "workplaces:export",
        lambda w: reverse("workplaces:export", args=["kml"]),
        only({"admin_a": 200, "coordinator_a": 200, "admin_b": 200, "coordinator_b": 200}, 404, 302),
    ),
    Case(
        "workplaces:create", lambda w: reverse("workplaces:create"), only(dict.fromkeys(STAFF, 200), 404, 302)
    ),
    Case(
        "workplaces:watch", lambda w: reverse("workplaces:watch"), only(dict.fromkeys(STAFF, 200), 404, 302)
    ),
    Case("workplaces:employers", lambda w: reverse("workplaces:employers"), only(WORKPLACE_PAGES, 404, 302)),
    Case(
        "workplaces:employer",
        lambda w: reverse("workplaces:employer", args=[employer_a(w).pk]),
        only(STAFF_A, 404, 302),
    ),
    Case(
        "workplaces:recruiters",
        lambda w: reverse("workplaces:recruiters"),
        only(dict.fromkeys(STAFF, 200), 404, 302),
    ),
    Case(
        "workplaces:submit",
        lambda w: reverse("workplaces:submit", args=[workplace_a(w).pk]),
        only({}, 404, 302),
    ),
    Case(
        "workplaces:attachment",
        lambda w: reverse("workplaces:attachment", args=[attachment_a(w).pk]),
        only(STAFF_A, 404, 302),
    ),
    Case(
        "workplaces:detail",
        lambda w: reverse("workplaces:detail", args=[workplace_a(w).pk]),
        only(STAFF_A, 404, 302),
    ),
    Case("reports:risk", lambda w: reverse("reports:risk"), only(REPORTERS, 404, 302)),
    Case("reports:priorities", lambda w: reverse("reports:priorities"), only(REPORTERS, 404, 302)),
    Case("reports:drivers", lambda w: reverse("reports:drivers", args=["5001"]), only(REPORTERS, 404, 302)),
    Case("reports:map", lambda w: reverse("reports:map"), only(REPORTERS, 404, 302)),
    Case("reports:map_data", lambda w: reverse("reports:map_data"), only(REPORTERS, 404, 302)),
    # lessons
    Case("cases:lessons", lambda w: reverse("cases:lessons"), only(LESSON_READERS, 404, 302)),
    Case(
        "cases:lessons_csv",
        lambda w: reverse("cases:lessons_csv", args=["routes"]),
        only(LESSON_READERS, 404, 302),
    ),
    Case("cases:lessons_routes", lambda w: reverse("cases:lessons_routes"), only(LESSON_READERS, 404, 302)),
    Case("cases:lessons_pdf", lambda w: reverse("cases:lessons_pdf"), only(LESSON_READERS, 404, 302)),
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
    Case("accounts:recovery_codes", lambda w: reverse("accounts:recovery_codes"), statuses(200, 302)),
    Case(
        "accounts:passkey_remove",
        lambda w: reverse("accounts:passkey_remove", args=[coordinator_passkey(w)]),
        only({"coordinator_a": 302}, 404, 302),
        "POST",
    ),
    Case(
        "accounts:trusted_forget",
        lambda w: reverse("accounts:trusted_forget", args=[coordinator_trusted_phone(w)]),
        only({"coordinator_a": 302}, 404, 302),
        "POST",
    ),
    # Second-factor pages: a session that has passed it is sent on (or may set up another factor).
    Case("accounts:second_factor", lambda w: reverse("accounts:second_factor"), statuses(302, 302)),
    Case(
        "accounts:second_factor_setup", lambda w: reverse("accounts:second_factor_setup"), statuses(200, 302)
    ),
    Case(
        "accounts:passkey_sign_in_options",
        lambda w: reverse("accounts:passkey_sign_in_options"),
        statuses(200, 302),
        "POST",
    ),
    Case(
        "accounts:passkey_sign_in", lambda w: reverse("accounts:passkey_sign_in"), statuses(400, 302), "POST"
    ),
    Case(
        "accounts:passkey_add_options",
        lambda w: reverse("accounts:passkey_add_options"),
        statuses(200, 302),
        "POST",
    ),
    Case("accounts:passkey_add", lambda w: reverse("accounts:passkey_add"), statuses(400, 302), "POST"),
    Case(
        "accounts:member_factors_reset",
        lambda w: reverse("accounts:member_factors_reset", args=[member_pk(w, "caseworker_a")]),
        only({"admin_a": 302}, 404, 302),
        "POST",
    ),
    Case(
        "accounts:member_token_revoke",
        lambda w: reverse(
            "accounts:member_token_revoke", args=[member_pk(w, "caseworker_a"), caseworker_token(w)]
        ),
        only({"admin_a": 302}, 404, 302),
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
    Case("GET /api/v1/people", lambda w: "/api/v1/people", statuses(200, 401)),
    Case(
        "POST /api/v1/people",
        lambda w: "/api/v1/people",
        only(dict.fromkeys(RECORD_IN_V1, 201), 400, 401),
        "POST",
        NEW_PERSON,
    ),
    Case(
        "GET /api/v1/people/{person_id}",
        lambda w: f"/api/v1/people/{child_a(w)[0].pk}",
        only(PEOPLE_A, 404, 401),
    ),
    Case(
        "GET /api/v1/people/{person_id}/assessments",
        lambda w: f"/api/v1/people/{child_a(w)[0].pk}/assessments",
        only(PEOPLE_A, 404, 401),
    ),
    Case(
        "POST /api/v1/people/{person_id}/assessments",
        lambda w: f"/api/v1/people/{child_a(w)[0].pk}/assessments",
        only(dict.fromkeys(PEOPLE_A, (200, 201)), 404, 401),
        "POST",
        ASSESSMENT,
    ),
    Case(
        "POST /api/v1/villages/{code}/assessments",
        lambda w: "/api/v1/villages/50010101/assessments",
        only(dict.fromkeys(RECORD_IN_V1, (200, 201)), 400, 401),
        "POST",
        VILLAGE_ASSESSMENT,
    ),
    Case(
        "POST /api/v1/households",
        lambda w: "/api/v1/households",
        only(dict.fromkeys(RECORD_IN_V1, 201), 400, 401),
        "POST",
        {"village_code": "50010101", "label": "12/3"},
    ),
    Case(
        "GET /api/v1/households/{household_id}",
        lambda w: f"/api/v1/households/{household_a(w).pk}",
        only(PEOPLE_A, 404, 401),
    ),
    Case("GET /api/v1/alerts", lambda w: "/api/v1/alerts", statuses(200, 401)),
    Case(
        "POST /api/v1/alerts/{alert_id}/acknowledge",
        lambda w: f"/api/v1/alerts/{child_a(w)[1].pk}/acknowledge",
        only(dict.fromkeys(PEOPLE_A, (200, 400)), 404, 401),
        "POST",
    ),
    Case(
        "POST /api/v1/alerts/{alert_id}/resolve",
        lambda w: f"/api/v1/alerts/{child_a(w)[1].pk}/resolve",
        only(dict.fromkeys(PEOPLE_A, (200, 400)), 404, 401),
        "POST",
        {"note": "visited"},
    ),
    Case("GET /api/v1/catalogues/active", lambda w: "/api/v1/catalogues/active", statuses(200, 401)),
    Case("GET /api/v1/workplaces", lambda w: "/api/v1/workplaces", statuses(200, 401)),
    Case("GET /api/v1/workplaces.geojson", lambda w: "/api/v1/workplaces.geojson", statuses(200, 401)),
    Case(
        "POST /api/v1/workplaces",
        lambda w: "/api/v1/workplaces",
        only(dict.fromkeys(STAFF, 201), 403, 401),
        "POST",
        {"name": "Kiln 3", "sector": "brick_kilns", "lat": 18.7, "lon": 98.9},
    ),
    Case(
        "GET /api/v1/workplaces/{workplace_id}",
        lambda w: f"/api/v1/workplaces/{workplace_a(w).pk}",
        only(STAFF_A, 404, 401),
    ),
    Case(
        "PATCH /api/v1/workplaces/{workplace_id}",
        lambda w: f"/api/v1/workplaces/{workplace_a(w).pk}",
        only(STAFF_A, 404, 401),
        "PATCH",
        {"watch_listed": True, "watch_reason": "repeat tips"},
    ),
    Case(
        "GET /api/v1/workplaces/{workplace_id}/observations",
        lambda w: f"/api/v1/workplaces/{workplace_a(w).pk}/observations",
        only(STAFF_A, 404, 401),
    ),
    Case(
        "POST /api/v1/workplaces/{workplace_id}/observations",
        lambda w: f"/api/v1/workplaces/{workplace_a(w).pk}/observations",
        only(dict.fromkeys(STAFF_A, 201), 404, 401),
        "POST",
        {"observed_on": "2025-02-01", "source": "visit", "reliability": "B", "indicators": ["no_contract"]},
    ),
    Case(
        "POST /api/v1/workplaces/{workplace_id}/rating-override",
        lambda w: f"/api/v1/workplaces/{workplace_a(w).pk}/rating-override",
        only({"admin_a": 200, "coordinator_a": 200, "caseworker_a": 403}, 404, 401),
        "POST",
        {"band": "high", "reason": "matrix"},
    ),
    Case(
        "GET /api/v1/workplaces/{workplace_id}/submissions",
        lambda w: f"/api/v1/workplaces/{workplace_a(w).pk}/submissions",
        only(STAFF_A, 404, 401),
    ),
    Case(
        "POST /api/v1/workplaces/{workplace_id}/submissions",
        lambda w: f"/api/v1/workplaces/{workplace_a(w).pk}/submissions",
        only(dict.fromkeys(STAFF_A, 403), 404, 401),
        "POST",
        {"period": "2026-Q1"},
    ),
    Case(
        "GET /api/v1/workplaces/{workplace_id}/interventions",
        lambda w: f"/api/v1/workplaces/{workplace_a(w).pk}/interventions",
        only(STAFF_A, 404, 401),
    ),
    Case(
        "POST /api/v1/workplaces/{workplace_id}/interventions",
        lambda w: f"/api/v1/workplaces/{workplace_a(w).pk}/interventions",
        only(dict.fromkeys(STAFF_A, 201), 404, 401),
        "POST",
        {"happened_on": "2025-03-01", "kind": "interception"},
    ),
    Case(
        "POST /api/v1/recruiters/{recruiter_id}/links",
        lambda w: f"/api/v1/recruiters/{recruiter_a(w).pk}/links",
        only(STAFF_A, 404, 401),
        "POST",
        {"workplace_ids": []},
    ),
    Case(
        "POST /api/v1/employers/{employer_id}/commitments",
        lambda w: f"/api/v1/employers/{employer_a(w).pk}/commitments",
        only(dict.fromkeys(STAFF_A, 201), 404, 401),
        "POST",
        {"signed_on": "2025-01-01", "text": "No one under 18", "signatories": ["Owner"]},
    ),
    Case(
        "POST /api/v1/employers/{employer_id}/awards",
        lambda w: f"/api/v1/employers/{employer_a(w).pk}/awards",
        only(dict.fromkeys(STAFF_A, 201), 404, 401),
        "POST",
        {"awarded_on": "2025-01-01", "name": "Good employer"},
    ),
    Case(
        "POST /api/v1/employers/{employer_id}/violations",
        lambda w: f"/api/v1/employers/{employer_a(w).pk}/violations",
        only(dict.fromkeys(STAFF_A, 201), 404, 401),
        "POST",
        {"found_on": "2025-01-01", "law": "Labour Protection Act s.70", "outcome": "fined"},
    ),
    Case("GET /api/v1/employers", lambda w: "/api/v1/employers", statuses(200, 401)),
    Case(
        "GET /api/v1/employers/{employer_id}/standing",
        lambda w: f"/api/v1/employers/{employer_a(w).pk}/standing",
        only(STAFF_A, 404, 401),
    ),
    Case(
        "POST /api/v1/employers/{employer_id}/standing/grant",
        lambda w: f"/api/v1/employers/{employer_a(w).pk}/standing/grant",
        # The criteria are not met (400); a caseworker may not decide (403).
        only({"admin_a": 400, "coordinator_a": 400, "caseworker_a": 403}, 404, 401),
        "POST",
        {"note": ""},
    ),
    Case(
        "POST /api/v1/employers/{employer_id}/findings/{finding_id}/notified",
        lambda w: f"/api/v1/employers/{employer_a(w).pk}/findings/{finding_a(w).pk}/notified",
        only(dict.fromkeys(STAFF_A, 400), 404, 401),  # told before it was found: refused, nothing changes
        "POST",
        {"notified_on": "2025-01-01", "notified_how": "letter"},
    ),
    Case(
        "POST /api/v1/employers/{employer_id}/commitments/{commitment_id}/check",
        lambda w: f"/api/v1/employers/{employer_a(w).pk}/commitments/{commitment_a(w).pk}/check",
        only(STAFF_A, 404, 401),
        "POST",
        {"kept": True, "checked_on": "2025-06-01"},
    ),
    Case(
        "PUT /api/v1/employers/{employer_id}/return-schedule",
        lambda w: f"/api/v1/employers/{employer_a(w).pk}/return-schedule",
        only(dict.fromkeys(STAFF_A, 400), 404, 401),  # employer_a has no account to send returns from
        "PUT",
        {"every_months": 3, "starts_on": "2025-01-01"},
    ),
    Case(
        "GET /api/v1/employers/{employer_id}/returns",
        lambda w: f"/api/v1/employers/{employer_a(w).pk}/returns",
        only(STAFF_A, 404, 401),
    ),
    Case(
        "POST /api/v1/employers",
        lambda w: "/api/v1/employers",
        only(dict.fromkeys(STAFF, 201), 403, 401),
        "POST",
        {"legal_name": "Matrix Ltd"},
    ),
    Case(
        "GET /api/v1/employers/{employer_id}",
        lambda w: f"/api/v1/employers/{employer_a(w).pk}",
        only(STAFF_A, 404, 401),
    ),
    Case("GET /api/v1/recruiters", lambda w: "/api/v1/recruiters", statuses(200, 401)),
    Case(
        "POST /api/v1/recruiters",
        lambda w: "/api/v1/recruiters",
        only(dict.fromkeys(STAFF, 201), 403, 401),
        "POST",
        {"name": "Broker"},
    ),
    Case(
        "POST /api/v1/recruiters/{recruiter_id}/screening",
        lambda w: f"/api/v1/recruiters/{recruiter_a(w).pk}/screening",
        only(STAFF_A, 404, 401),
        "POST",
        {"screening": "cleared"},
    ),
    Case(
        "GET /api/v1/reports/risk",
        lambda w: "/api/v1/reports/risk?group_by=district,sex",
        only(REPORTERS, 404, 401),
    ),
    Case(
        "GET /api/v1/reports/risk/trend",
        lambda w: "/api/v1/reports/risk/trend?first=2025-01-01..2025-06-30&second=2025-07-01..2026-12-31",
        only(REPORTERS, 404, 401),
    ),
    Case(
        "GET /api/v1/reports/risk.pdf",
        lambda w: "/api/v1/reports/risk.pdf?group_by=district",
        only(REPORTERS, 404, 401),
    ),
    Case(
        "GET /api/v1/reports/risk/priorities",
        lambda w: "/api/v1/reports/risk/priorities",
        only(REPORTERS, 404, 401),
    ),
    Case(
        "GET /api/v1/reports/risk/displacement",
        lambda w: (
            "/api/v1/reports/risk/displacement?first=2025-01-01..2025-06-30&second=2025-07-01..2026-12-31"
        ),
        only(REPORTERS, 404, 401),
    ),
    Case(
        "GET /api/v1/reports/risk/drivers/{code}",
        lambda w: "/api/v1/reports/risk/drivers/5001",
        only(REPORTERS, 404, 401),
    ),
    Case("GET /api/v1/reports/risk/map", lambda w: "/api/v1/reports/risk/map", only(REPORTERS, 404, 401)),
    # lessons
    Case("GET /api/v1/lessons", lambda w: "/api/v1/lessons", only(LESSON_READERS, 404, 401)),
    Case("GET /api/v1/audit/events", lambda w: "/api/v1/audit/events", statuses(200, 401)),
    Case(
        "GET /api/v1/audit/events/{event_id}",
        lambda w: f"/api/v1/audit/events/{audit_event_a(w)}",
        only({"admin_a": 200}, 404, 401),
    ),
    Case("DELETE /api/v1/auth/token", lambda w: "/api/v1/auth/token", statuses(204, 401), "DELETE"),
]
# network ---------------------------------------------------------------------------------------------------
# The directory is shared: the four people roles of both agencies read it; only the coordinators and
# administrators of the agency that keeps an entry change it. Hotlines are for everyone signed in.
KEEPERS = ("admin_a", "coordinator_a", "admin_b", "coordinator_b")
KEEPERS_A = {"admin_a": 200, "coordinator_a": 200}


def directory_a(world: World) -> Any:
    """Agency A's organisation, a responder covering village 1 and a committee with that responder."""
    from safepassage.network import services

    def make() -> Any:
        organisation = services.organisation_create(actor=world.coordinator_a, name="Centre A", kind="member")
        responder = services.responder_create(
            actor=world.coordinator_a,
            organisation_id=organisation.pk,
            name="Khun Dao",
            role_type="social_worker",
            phone="081 000 1111",
            area_codes=["50010101"],
        )
        committee = services.committee_create(actor=world.coordinator_a, name="MDT A", kind="mdt")
        services.committee_seat_set(actor=world.coordinator_a, committee=committee, responder_id=responder.pk)
        return organisation, responder, committee

    return _cached(world, "directory_a", make)


def hotline_pk(world: World) -> int:
    from safepassage.network.models import Hotline

    return Hotline.objects.get(country="TH", number="1300").pk


UI_CASES += [
    Case(
        "network:search",
        lambda w: reverse("network:search") + "?village=50010101",
        only(PEOPLE_ROLES, 404, 302),
    ),
    Case(
        "network:responder",
        lambda w: reverse("network:responder", args=[directory_a(w)[1].pk]),
        only(PEOPLE_ROLES, 404, 302),
    ),
    Case(
        "network:responder_create",
        lambda w: reverse("network:responder_create"),
        only(dict.fromkeys(KEEPERS, 200), 404, 302),
    ),
    Case(
        "network:responder_edit",
        lambda w: reverse("network:responder_edit", args=[directory_a(w)[1].pk]),
        only(KEEPERS_A, 404, 302),
    ),
    Case(
        "network:training_add",
        lambda w: reverse("network:training_add", args=[directory_a(w)[1].pk]),
        only(KEEPERS_A, 404, 302),
    ),
    Case("network:organisations", lambda w: reverse("network:organisations"), only(PEOPLE_ROLES, 404, 302)),
    Case(
        "network:organisation_create",
        lambda w: reverse("network:organisation_create"),
        only(dict.fromkeys(KEEPERS, 200), 404, 302),
    ),
    Case(
        "network:organisation",
        lambda w: reverse("network:organisation", args=[directory_a(w)[0].pk]),
        only(PEOPLE_ROLES, 404, 302),
    ),
    Case(
        "network:organisation_edit",
        lambda w: reverse("network:organisation_edit", args=[directory_a(w)[0].pk]),
        only(KEEPERS_A, 404, 302),
    ),
    Case("network:committees", lambda w: reverse("network:committees"), only(PEOPLE_ROLES, 404, 302)),
    Case(
        "network:committee_create",
        lambda w: reverse("network:committee_create"),
        only(dict.fromkeys(KEEPERS, 200), 404, 302),
    ),
    Case(
        "network:committee",
        lambda w: reverse("network:committee", args=[directory_a(w)[2].pk]),
        only(PEOPLE_ROLES, 404, 302),
    ),
    Case(
        "network:committee_edit",
        lambda w: reverse("network:committee_edit", args=[directory_a(w)[2].pk]),
        only(KEEPERS_A, 404, 302),
    ),
    Case(
        "network:committee_seat",
        lambda w: reverse("network:committee_seat", args=[directory_a(w)[2].pk]),
        only({"admin_a": 302, "coordinator_a": 302}, 404, 302),
        "POST",
        {"seat": "chair"},
    ),
    Case(
        "network:committee_unseat",
        lambda w: reverse("network:committee_unseat", args=[directory_a(w)[2].pk]),
        only({"admin_a": 302, "coordinator_a": 302}, 404, 302),
        "POST",
        {"responder_id": "0"},
    ),
    Case("network:focal_points", lambda w: reverse("network:focal_points"), only(PEOPLE_ROLES, 404, 302)),
    Case("network:hotlines", lambda w: reverse("network:hotlines"), statuses(200, 302)),
]
NEW_RESPONDER = {"name": "Khun Noi", "role_type": "police", "area_codes": ["5001"]}
API_CASES += [
    Case("GET /api/v1/organisations", lambda w: "/api/v1/organisations", statuses(200, 401)),
    Case(
        "POST /api/v1/organisations",
        lambda w: "/api/v1/organisations",
        only(dict.fromkeys(KEEPERS, 201), 403, 401),
        "POST",
        {"name": "Legal Aid Clinic", "kind": "legal_aid"},
    ),
    Case(
        "GET /api/v1/organisations/{organisation_id}",
        lambda w: f"/api/v1/organisations/{directory_a(w)[0].pk}",
        only(PEOPLE_ROLES, 404, 401),
    ),
    Case(
        "PATCH /api/v1/organisations/{organisation_id}",
        lambda w: f"/api/v1/organisations/{directory_a(w)[0].pk}",
        only(KEEPERS_A, 404, 401),
        "PATCH",
        {"phone": "053 000 000"},
    ),
    Case("GET /api/v1/responders", lambda w: "/api/v1/responders?village_code=50010101", statuses(200, 401)),
    Case(
        "POST /api/v1/responders",
        lambda w: "/api/v1/responders",
        only(dict.fromkeys(KEEPERS, 201), 403, 401),
        "POST",
        lambda w: {**NEW_RESPONDER, "organisation_id": directory_a(w)[0].pk},
    ),
    Case(
        "GET /api/v1/responders/{responder_id}",
        lambda w: f"/api/v1/responders/{directory_a(w)[1].pk}",
        only(PEOPLE_ROLES, 404, 401),
    ),
    Case(
        "PATCH /api/v1/responders/{responder_id}",
        lambda w: f"/api/v1/responders/{directory_a(w)[1].pk}",
        only(KEEPERS_A, 404, 401),
        "PATCH",
        {"availability": "busy"},
    ),
    Case(
        "POST /api/v1/responders/{responder_id}/trainings",
        lambda w: f"/api/v1/responders/{directory_a(w)[1].pk}/trainings",
        only(dict.fromkeys(KEEPERS_A, 201), 404, 401),
        "POST",
        {"course": "Victim identification", "completed_on": "2025-01-10"},
    ),
    Case("GET /api/v1/committees", lambda w: "/api/v1/committees", statuses(200, 401)),
    Case(
        "POST /api/v1/committees",
        lambda w: "/api/v1/committees",
        only(dict.fromkeys(KEEPERS, 201), 403, 401),
        "POST",
        {"name": "Village 1 committee", "kind": "village", "area_code": "50010101"},
    ),
    Case(
        "GET /api/v1/committees/{committee_id}",
        lambda w: f"/api/v1/committees/{directory_a(w)[2].pk}",
        only(PEOPLE_ROLES, 404, 401),
    ),
    Case(
        "POST /api/v1/committees/{committee_id}/members",
        lambda w: f"/api/v1/committees/{directory_a(w)[2].pk}/members",
        only(dict.fromkeys(KEEPERS_A, 200), 404, 401),
        "POST",
        lambda w: {"responder_id": directory_a(w)[1].pk, "seat": "chair"},  # already seated: a change (200)
    ),
    Case("GET /api/v1/focal-points", lambda w: "/api/v1/focal-points?country=MM", statuses(200, 401)),
    Case(
        "POST /api/v1/focal-points",
        lambda w: "/api/v1/focal-points",
        only(dict.fromkeys(KEEPERS, 201), 403, 401),
        "POST",
        lambda w: {"country": "MM", "purpose": "repatriation", "responder_id": directory_a(w)[1].pk},
    ),
    Case("GET /api/v1/agreements", lambda w: "/api/v1/agreements", statuses(200, 401)),
    Case("GET /api/v1/hotlines", lambda w: "/api/v1/hotlines", statuses(200, 401)),
    Case(
        "POST /api/v1/hotlines",
        lambda w: "/api/v1/hotlines",
        # the coordination centre keeps them: system administrators and coordinators of a government agency
        only({"sysadmin": (201, 400), "coordinator_a": (201, 400)}, 403, 401),
        "POST",
        {"country": "TH", "number": "1111", "name": "Government call centre"},
    ),
    Case(
        "PATCH /api/v1/hotlines/{hotline_id}",
        lambda w: f"/api/v1/hotlines/{hotline_pk(w)}",
        only({"sysadmin": 200, "coordinator_a": 200}, 403, 401),
        "PATCH",
        {"hours": "24 hours"},
    ),
]


# Sharing agreements between agencies: read by either agency's staff (others get an empty list), recorded by
# coordinators and administrators, ended by either side's coordinators and administrators.
SHARING_READERS = dict.fromkeys(
    ("admin_a", "coordinator_a", "caseworker_a", "admin_b", "coordinator_b", "caseworker_b"), 200
)


def agency_c(world: World) -> Any:
    from safepassage.accounts.services import agency_create

    return _cached(
        world,
        "agency_c",
        lambda: agency_create(actor=None, code="agency-c", name="Agency C", kind="ngo", country="TH"),
    )


def sharing_a(world: World) -> Any:
    from datetime import date

    from safepassage.network.sharing import sharing_agreement_record

    return _cached(
        world,
        "sharing_a",
        lambda: sharing_agreement_record(
            actor=world.coordinator_a,
            partner_code=agency_c(world).code,
            title="Protocol",
            purpose="Referrals for shelter.",
            signed_on=date(2026, 1, 2),
        ),
    )


UI_CASES += [
    Case(
        "network:sharing",
        lambda w: reverse("network:sharing"),
        only(SHARING_READERS, 404, 302),
    ),
]
API_CASES += [
    Case("GET /api/v1/sharing-agreements", lambda w: "/api/v1/sharing-agreements", statuses(200, 401)),
    Case(
        "POST /api/v1/sharing-agreements",
        lambda w: "/api/v1/sharing-agreements",
        only(dict.fromkeys(KEEPERS, 201), 403, 401),
        "POST",
        lambda w: {
            "partner_code": agency_c(w).code,
            "title": "Protocol",
            "purpose": "Referrals for shelter.",
            "signed_on": "2026-01-02",
        },
    ),
    Case(
        "POST /api/v1/sharing-agreements/{agreement_id}/end",
        lambda w: f"/api/v1/sharing-agreements/{sharing_a(w).pk}/end",
        only(KEEPERS_A, 404, 401),
        "POST",
        {},
    ),
]


# end of network --------------------------------------------------------------------------------------------
# cases -----------------------------------------------------------------------------------------------------
# Case records are for the case staff (coordinators and caseworkers) of the owning agency; an agency an
# accepted referral reaches reads that case only. Administrators, volunteers, analysts and partners: 404.
CASE_A = {"coordinator_a": 200, "caseworker_a": 200}
CASE_B = {"coordinator_b": 200, "caseworker_b": 200}
CASE_STAFF = {**CASE_A, **CASE_B}
INTAKE_ROLES = {**CASE_STAFF, "volunteer_a": 200, "volunteer_b": 200}


def case_a(world: World) -> Any:
    """A case of agency A with a shelter stay, a deadline, an alert, a supportive assessment and a return."""
    from datetime import date, timedelta

    from safepassage.cases import services
    from safepassage.testing import directory_entry, open_case

    def make() -> Any:
        case = open_case(world)
        shelter = directory_entry(world, world.agency_a, kind="shelter", name="Matrix shelter")
        services.best_interests_record(
            actor=world.caseworker_a,
            case=case,
            assessed_on=date.today() - timedelta(days=61),
            assessor="Matrix",
            views="Wants somewhere safe first.",
            recommendation="not_yet",
        )
        stay = services.shelter_stay_start(
            actor=world.caseworker_a,
            case=case,
            shelter_id=shelter.pk,
            started_on=date.today() - timedelta(days=60),
        )
        deadline = services.deadline_add(
            actor=world.caseworker_a, case=case, what="Report", due_on=date.today() - timedelta(days=1)
        )
        services.alerts_scan()
        services.best_interests_record(
            actor=world.caseworker_a,
            case=case,
            assessed_on=date.today(),
            assessor="Matrix",
            views="Wants to go home.",
            recommendation="return",
            home_safe=True,
        )
        repatriation = services.repatriation_prepare(
            actor=world.caseworker_a, case=case, kind="domestic", destination_country="TH"
        )
        return {
            "case": case,
            "stay": stay,
            "deadline": deadline,
            "alert": case.alerts.first(),
            "repatriation": repatriation,
        }

    return _cached(world, "case_a", make)


def _referral(world: World, key: str, accepted: bool = False) -> Any:
    from datetime import date

    from safepassage.cases import services
    from safepassage.testing import directory_entry

    def make() -> Any:
        referral = services.referral_create(
            actor=world.caseworker_a,
            case=case_a(world)["case"],
            to_organisation_id=directory_entry(world, world.agency_b).pk,
            reason="Other",
            consent="person",
            consent_on=date.today(),
        )
        if accepted:
            services.referral_respond(actor=world.caseworker_b, referral=referral, accept=True)
        return referral

    return _cached(world, key, make)


def intake_a(world: World, key: str = "intake_a") -> Any:
    from safepassage.cases import services

    return _cached(
        world,
        key,
        lambda: services.intake_record(
            actor=world.coordinator_a, channel="call", summary="Matrix call", area_code=world.village_1.code
        ),
    )


def _today() -> str:
    from datetime import date

    return date.today().isoformat()


def org_b(world: World) -> Any:
    from safepassage.testing import directory_entry

    return directory_entry(world, world.agency_b)


def _case_url(world: World, tail: str = "") -> str:
    return f"/api/v1/cases/{case_a(world)['case'].pk}{tail}"


def _a(expected: Status, also: Mapping[str, Status] | None = None) -> dict[str, Status]:
    """Agency A's case staff get `expected`; everyone else 404 (anonymous 401)."""
    return only({**dict.fromkeys(CASE_A, expected), **(also or {})}, 404, 401)


PERSON_IN = {"given_name": "Matrix", "birth_year": 2012, "village_code": "50010101"}

UI_CASES += [
    Case("cases:case_list", lambda w: reverse("cases:case_list"), only(CASE_STAFF, 404, 302)),
    Case("cases:my_cases", lambda w: reverse("cases:my_cases"), only(CASE_STAFF, 404, 302)),
    # Places for everyone who logs reports (people, workplaces, recruiters: case staff; tests/cases).
    Case(
        "cases:pick",
        lambda w: reverse("cases:pick", args=["village"]) + "?field=area_code&area_code_q=Area",
        only(INTAKE_ROLES, 404, 302),
    ),
    Case("cases:case_new", lambda w: reverse("cases:case_new"), only(CASE_STAFF, 404, 302)),
    Case(
        "cases:case_detail",
        lambda w: reverse("cases:case_detail", args=[case_a(w)["case"].pk]),
        only(CASE_A, 404, 302),
    ),
    Case(
        "cases:case_edit",
        lambda w: reverse("cases:case_edit", args=[case_a(w)["case"].pk]),
        only(CASE_A, 404, 302),
    ),
    Case(
        "cases:case_summary_pdf",
        lambda w: reverse("cases:case_summary_pdf", args=[case_a(w)["case"].pk]),
        only(CASE_A, 404, 302),
    ),
    Case(
        "cases:packet_pdf",
        lambda w: reverse("cases:packet_pdf", args=[case_a(w)["case"].pk, case_a(w)["repatriation"].pk]),
        only(CASE_A, 404, 302),
    ),
    Case(
        "cases:case_add",
        lambda w: reverse("cases:case_add", args=[case_a(w)["case"].pk, "referral"]),
        only(CASE_A, 404, 302),
    ),
    Case(
        "cases:case_mark",
        lambda w: reverse(
            "cases:case_mark", args=[case_a(w)["case"].pk, "deadline", case_a(w)["deadline"].pk]
        ),
        only(dict.fromkeys(CASE_A, 302), 404, 302),
        "POST",
    ),
    Case("cases:intake_list", lambda w: reverse("cases:intake_list"), only(INTAKE_ROLES, 404, 302)),
    Case("cases:intake_new", lambda w: reverse("cases:intake_new"), only(INTAKE_ROLES, 404, 302)),
    Case(
        "cases:intake_detail",
        lambda w: reverse("cases:intake_detail", args=[intake_a(w).pk]),
        only(CASE_A, 404, 302),
    ),
    Case("cases:referrals", lambda w: reverse("cases:referrals"), only(CASE_STAFF, 404, 302)),
    Case(
        "cases:referral_answer",
        lambda w: reverse("cases:referral_answer", args=[_referral(w, "ui_referral").pk, "accept"]),
        only(dict.fromkeys(CASE_B, 302), 404, 302),
        "POST",
    ),
    Case("cases:alerts", lambda w: reverse("cases:alerts"), only(CASE_STAFF, 404, 302)),
    Case(
        "cases:alert_update",
        lambda w: reverse("cases:alert_update", args=[case_a(w)["alert"].pk]),
        only(dict.fromkeys(CASE_A, 302), 404, 302),
        "POST",
        {"to": "acknowledged"},
    ),
]

API_CASES += [
    Case("GET /api/v1/intake", lambda w: "/api/v1/intake", statuses(200, 401)),
    Case(
        "POST /api/v1/intake",
        lambda w: "/api/v1/intake",
        only({**dict.fromkeys(INTAKE_ROLES, 201), "volunteer_b": 400}, 404, 401),
        "POST",
        {"channel": "call", "summary": "A call", "area_code": "50010101"},
    ),
    Case("GET /api/v1/intake/{report_id}", lambda w: f"/api/v1/intake/{intake_a(w).pk}", _a(200)),
    Case(
        "POST /api/v1/intake/{report_id}/close",
        lambda w: f"/api/v1/intake/{intake_a(w, 'intake_close').pk}/close",
        _a(200),
        "POST",
        {"status": "closed", "action_taken": "Advice given."},
    ),
    Case(
        "POST /api/v1/intake/{report_id}/case",
        lambda w: f"/api/v1/intake/{intake_a(w, 'intake_case').pk}/case",
        _a((201, 400)),
        "POST",
        {"opened_on": "2026-01-05", "person": PERSON_IN},
    ),
    Case("GET /api/v1/cases", lambda w: "/api/v1/cases", statuses(200, 401)),
    Case(
        "POST /api/v1/cases",
        lambda w: "/api/v1/cases",
        only(dict.fromkeys(CASE_STAFF, 201), 404, 401),
        "POST",
        {"opened_on": "2026-01-05", "person": PERSON_IN},
    ),
    Case("GET /api/v1/cases/{case_id}", lambda w: _case_url(w), _a(200)),
    Case("PATCH /api/v1/cases/{case_id}", lambda w: _case_url(w), _a(200), "PATCH", {"nationality": "MM"}),
    Case(
        "POST /api/v1/cases/{case_id}/status",
        lambda w: _case_url(w, "/status"),
        _a(200),
        "POST",
        {"status": "PossibleVictimOfTrafficking", "decided_by_org": "NGO"},
    ),
    Case(
        "POST /api/v1/cases/{case_id}/track",
        lambda w: _case_url(w, "/track"),
        _a(200),
        "POST",
        {"track": "labour", "reason": "Matrix: decided after a conference."},
    ),
    Case(
        "POST /api/v1/cases/{case_id}/screenings",
        lambda w: _case_url(w, "/screenings"),
        _a(201),
        "POST",
        {"screened_on": "2026-01-06", "acts": ["recruitment"], "purposes": ["sexual"]},
    ),
    Case("GET /api/v1/cases/{case_id}/events", lambda w: _case_url(w, "/events"), _a(200)),
    Case(
        "POST /api/v1/cases/{case_id}/events",
        lambda w: _case_url(w, "/events"),
        _a(201),
        "POST",
        {"kind": "transit", "occurred_on": "2026-01-02", "country": "TH"},
    ),
    Case(
        "POST /api/v1/cases/{case_id}/perpetrators",
        lambda w: _case_url(w, "/perpetrators"),
        _a(201),
        "POST",
        {"roles": ["Exploiter"]},
    ),
    Case("GET /api/v1/cases/{case_id}/steps", lambda w: _case_url(w, "/steps"), _a(200)),
    Case(
        "POST /api/v1/cases/{case_id}/steps",
        lambda w: _case_url(w, "/steps"),
        _a((201, 400)),
        "POST",
        {"stage": "screening", "started_on": "2026-01-06"},
    ),
    Case(
        "POST /api/v1/cases/{case_id}/legal-events",
        lambda w: _case_url(w, "/legal-events"),
        _a(201),
        "POST",
        {"kind": "complaint", "happened_on": "2026-01-06"},
    ),
    Case(
        "POST /api/v1/cases/{case_id}/deadlines",
        lambda w: _case_url(w, "/deadlines"),
        _a(201),
        "POST",
        {"what": "Hearing", "due_on": "2026-12-01"},
    ),
    Case("GET /api/v1/cases/{case_id}/services", lambda w: _case_url(w, "/services"), _a(200)),
    Case(
        "POST /api/v1/cases/{case_id}/services",
        lambda w: _case_url(w, "/services"),
        _a(201),
        "POST",
        {"kind": "medical"},
    ),
    Case(
        "POST /api/v1/cases/{case_id}/shelter-stays",
        lambda w: _case_url(w, "/shelter-stays"),
        _a(400),  # already in a shelter: the form says so
        "POST",
        {"shelter_id": 0, "started_on": "2026-01-06"},
    ),
    Case(
        "POST /api/v1/shelter-stays/{stay_id}/end",
        lambda w: f"/api/v1/shelter-stays/{case_a(w)['stay'].pk}/end",
        _a(200),
        "POST",
        lambda w: {"ended_on": _today()},
    ),
    Case(
        "POST /api/v1/cases/{case_id}/best-interests",
        lambda w: _case_url(w, "/best-interests"),
        _a(201),
        "POST",
        {"assessed_on": "2026-01-06", "assessor": "M", "views": "Stay", "recommendation": "not_yet"},
    ),
    Case(
        "POST /api/v1/cases/{case_id}/repatriations",
        lambda w: _case_url(w, "/repatriations"),
        _a(201),
        "POST",
        {"kind": "domestic", "destination_country": "TH"},
    ),
    Case(
        "POST /api/v1/repatriations/{repatriation_id}/advance",
        lambda w: f"/api/v1/repatriations/{case_a(w)['repatriation'].pk}/advance",
        _a((200, 400)),
        "POST",
        {"to": "sent"},
    ),
    Case(
        "POST /api/v1/cases/{case_id}/follow-ups",
        lambda w: _case_url(w, "/follow-ups"),
        _a(201),
        "POST",
        {"kind": "call", "due_on": "2026-12-01"},
    ),
    Case("GET /api/v1/cases/{case_id}/conferences", lambda w: _case_url(w, "/conferences"), _a(200)),
    Case("GET /api/v1/cases/{case_id}/notes", lambda w: _case_url(w, "/notes"), _a(200)),
    Case("GET /api/v1/cases/{case_id}/summary.pdf", lambda w: _case_url(w, "/summary.pdf"), _a(200)),
    Case(
        "GET /api/v1/cases/{case_id}/repatriations/{repatriation_id}/packet.pdf",
        lambda w: _case_url(w, f"/repatriations/{case_a(w)['repatriation'].pk}/packet.pdf"),
        _a(200),
    ),
    Case(
        "POST /api/v1/cases/{case_id}/notes",
        lambda w: _case_url(w, "/notes"),
        _a(201),
        "POST",
        {"text": "Called the shelter."},
    ),
    Case(
        "POST /api/v1/cases/{case_id}/conferences",
        lambda w: _case_url(w, "/conferences"),
        _a(201),
        "POST",
        {"held_on": "2026-01-06", "decisions": "Refer for legal aid."},
    ),
    Case(
        "GET /api/v1/cases/{case_id}/referral-preview",
        lambda w: _case_url(w, f"/referral-preview?to_organisation_id={org_b(w).pk}"),
        _a(200),
    ),
    Case("GET /api/v1/referrals", lambda w: "/api/v1/referrals", statuses(200, 401)),
    Case(
        "POST /api/v1/referrals",
        lambda w: "/api/v1/referrals",
        _a(201),
        "POST",
        lambda w: {
            "case_id": case_a(w)["case"].pk,
            "to_organisation_id": org_b(w).pk,
            "reason": "Other",
            "consent": "person",
            "consent_on": "2026-01-06",
        },
    ),
    Case(
        "GET /api/v1/referrals/{referral_id}",
        lambda w: f"/api/v1/referrals/{_referral(w, 'api_referral').pk}",
        _a(200, CASE_B),
    ),
    Case(
        "POST /api/v1/referrals/{referral_id}/accept",
        lambda w: f"/api/v1/referrals/{_referral(w, 'to_accept').pk}/accept",
        only(dict.fromkeys(CASE_B, (200, 400)), 404, 401),
        "POST",
        {},
    ),
    Case(
        "POST /api/v1/referrals/{referral_id}/reject",
        lambda w: f"/api/v1/referrals/{_referral(w, 'to_reject').pk}/reject",
        only(dict.fromkeys(CASE_B, (200, 400)), 404, 401),
        "POST",
        {"note": "No room."},
    ),
    Case(
        "POST /api/v1/referrals/{referral_id}/complete",
        lambda w: f"/api/v1/referrals/{_referral(w, 'to_complete', accepted=True).pk}/complete",
        only(dict.fromkeys({**CASE_A, **CASE_B}, (200, 400)), 404, 401),
        "POST",
        {"note": "Done."},
    ),
    Case(
        "POST /api/v1/referrals/{referral_id}/revoke",
        lambda w: f"/api/v1/referrals/{_referral(w, 'to_revoke', accepted=True).pk}/revoke",
        only(dict.fromkeys({**CASE_A, **CASE_B}, (200, 400)), 404, 401),
        "POST",
        {"note": "Moved."},
    ),
    Case("GET /api/v1/case-alerts", lambda w: "/api/v1/case-alerts", statuses(200, 401)),
    Case(
        "POST /api/v1/case-alerts/{alert_id}/acknowledge",
        lambda w: f"/api/v1/case-alerts/{case_a(w)['alert'].pk}/acknowledge",
        _a((200, 400)),
        "POST",
    ),
    Case(
        "POST /api/v1/case-alerts/{alert_id}/resolve",
        lambda w: f"/api/v1/case-alerts/{case_a(w)['alert'].pk}/resolve",
        _a((200, 400)),
        "POST",
        {"note": "Called the shelter."},
    ),
]
# end of cases ----------------------------------------------------------------------------------------------


# migration -------------------------------------------------------------------------------------------------
# A channel run by agency A from district 1 whose destination organisation is agency B: both ends see it.
# Registrations: the people roles of A (volunteer_a covers village 1) and B's staff (volunteer_b covers only
# village 3); never analysts, partners or enforcement agencies.
PEOPLE_AB = {**PEOPLE_A, "admin_b": 200, "coordinator_b": 200, "caseworker_b": 200, "volunteer_b": 200}
REG_SEEN = {**PEOPLE_A, "admin_b": 200, "coordinator_b": 200, "caseworker_b": 200}
CHANNEL_KEEPERS = {"admin_a": 200, "coordinator_a": 200, "admin_b": 200, "coordinator_b": 200}


def _m(expected: Status, people: Mapping[str, Any] = REG_SEEN, **overrides: Status) -> dict[str, Status]:
    return only({**dict.fromkeys(people, expected), **overrides}, 404, 401)


def channel_m(world: World) -> Any:
    from safepassage.migration import services
    from safepassage.testing import directory_entry

    return _cached(
        world,
        "channel_m",
        lambda: services.channel_create(
            actor=world.coordinator_a,
            name="Matrix channel",
            origin_area_code=world.district_1.code,
            destination_country="TH",
            destination_place="Bangkok",
            destination_organisation_id=directory_entry(world, world.agency_b).pk,
        ),
    )


def registration_m(world: World, key: str = "registration_m") -> Any:
    """A registration in village 1, arrived, with a check-in that reported unpaid wages at workplace A."""
    from datetime import date, timedelta

    from safepassage.migration import services

    def make() -> Any:
        registration = services.registration_create(
            actor=world.caseworker_a,
            channel=channel_m(world),
            purpose="work",
            travel_date=date.today() - timedelta(days=20),
            consent="person",
            person_fields={"given_name": "Matrix", "birth_year": 2000, "village_code": world.village_1.code},
            planned_workplace_id=workplace_a(world).pk,
            phone="080 000 0000",
        )
        registration = services.arrival_confirm(
            actor=world.caseworker_a, registration=registration, arrived_on=date.today() - timedelta(days=18)
        )
        checkin = services.checkin_record(
            actor=world.caseworker_a,
            registration=registration,
            done_on=date.today(),
            reached=True,
            problems=["withholding_of_wages"],
        )
        services.alerts_scan(today=date.today() + timedelta(days=400))
        return {"registration": registration, "checkin": checkin, "alert": registration.alerts.first()}

    return _cached(world, key, make)


def vacancy_m(world: World) -> Any:
    from datetime import date

    from safepassage.migration import services
    from safepassage.workplaces.services import recruiter_create

    def make() -> Any:
        recruiter = recruiter_create(
            actor=world.coordinator_a,
            name="Matrix recruiter",
            registered_on=date.today(),
            registration_office="Office",
        )
        return services.vacancy_create(
            actor=world.coordinator_a,
            recruiter_id=recruiter.pk,
            village_code=world.village_1.code,
            posted_on=date.today(),
            title="Packer",
        )

    return _cached(world, "vacancy_m", make)


def site_m(world: World) -> Any:
    from datetime import date

    from safepassage.migration import services

    return _cached(
        world,
        "site_m",
        lambda: services.site_registration_create(
            actor=world.caseworker_a,
            site_kind="market",
            site_name="Matrix market",
            site_area_code=world.village_1.code,
            found_on=date.today(),
            person_fields={"given_name": "Boy", "birth_year": 2014},
        ),
    )


def _reg_url(world: World, tail: str = "", key: str = "registration_m") -> str:
    return f"/api/v1/migration/registrations/{registration_m(world, key)['registration'].pk}{tail}"


REGISTRATION_IN = {
    "purpose": "work",
    "consent": "person",
    "person": {"given_name": "New", "birth_year": 2001, "village_code": "50010101"},
}

UI_CASES += [
    Case("migration:channels", lambda w: reverse("migration:channels"), only(PEOPLE_AB, 404, 302)),
    Case(
        "migration:channel_new", lambda w: reverse("migration:channel_new"), only(CHANNEL_KEEPERS, 404, 302)
    ),
    Case(
        "migration:channel",
        lambda w: reverse("migration:channel", args=[channel_m(w).pk]),
        only(PEOPLE_AB, 404, 302),
    ),
    Case(
        "migration:register",
        lambda w: reverse("migration:register", args=[channel_m(w).pk]),
        only(PEOPLE_AB, 404, 302),
    ),
    Case(
        "migration:registration",
        lambda w: reverse("migration:registration", args=[registration_m(w)["registration"].pk]),
        only(REG_SEEN, 404, 302),
    ),
    Case(
        "migration:checkin",
        lambda w: reverse("migration:checkin", args=[registration_m(w)["registration"].pk]),
        only(REG_SEEN, 404, 302),
    ),
    Case(
        "migration:registration_action",
        lambda w: reverse(
            "migration:registration_action", args=[registration_m(w)["registration"].pk, "counselling"]
        ),
        only(dict.fromkeys(REG_SEEN, 302), 404, 302),
        "POST",
        {"advice": "Keep your own ID card."},
    ),
    Case("migration:overdue", lambda w: reverse("migration:overdue"), only(PEOPLE_AB, 404, 302)),
    Case("migration:sites", lambda w: reverse("migration:sites"), only(PEOPLE_AB, 404, 302)),
    Case("migration:site_new", lambda w: reverse("migration:site_new"), only(PEOPLE_AB, 404, 302)),
    Case(
        "migration:site", lambda w: reverse("migration:site", args=[site_m(w).pk]), only(PEOPLE_A, 404, 302)
    ),
    Case("migration:vacancies", lambda w: reverse("migration:vacancies"), only(PEOPLE_AB, 404, 302)),
]

API_CASES += [
    Case("GET /api/v1/migration/channels", lambda w: "/api/v1/migration/channels", statuses(200, 401)),
    Case(
        "POST /api/v1/migration/channels",
        lambda w: "/api/v1/migration/channels",
        only(dict.fromkeys(CHANNEL_KEEPERS, 201), 404, 401),
        "POST",
        {"name": "New channel", "origin_area_code": "5001", "destination_country": "MY"},
    ),
    Case(
        "GET /api/v1/migration/channels/{channel_id}",
        lambda w: f"/api/v1/migration/channels/{channel_m(w).pk}",
        _m(200, PEOPLE_AB),
    ),
    Case(
        "PATCH /api/v1/migration/channels/{channel_id}",
        lambda w: f"/api/v1/migration/channels/{channel_m(w).pk}",
        _m(200, {"admin_a": 200, "coordinator_a": 200}),
        "PATCH",
        {"checkin_days": [14, 60]},
    ),
    Case(
        "GET /api/v1/migration/registrations", lambda w: "/api/v1/migration/registrations", statuses(200, 401)
    ),
    Case(
        "POST /api/v1/migration/registrations",
        lambda w: "/api/v1/migration/registrations",
        only({**dict.fromkeys(PEOPLE_AB, 400), **dict.fromkeys(PEOPLE_A, 201)}, 404, 401),
        "POST",
        lambda w: {**REGISTRATION_IN, "channel_id": channel_m(w).pk, "travel_date": _today()},
    ),
    Case("GET /api/v1/migration/registrations/{registration_id}", lambda w: _reg_url(w), _m(200)),
    Case(
        "POST /api/v1/migration/registrations/{registration_id}/arrival",
        lambda w: _reg_url(w, "/arrival"),
        _m(400),  # already confirmed
        "POST",
        lambda w: {"arrived_on": _today()},
    ),
    Case(
        "POST /api/v1/migration/registrations/{registration_id}/checkins",
        lambda w: _reg_url(w, "/checkins"),
        _m(201),
        "POST",
        lambda w: {"done_on": _today(), "reached": True, "pay_ok": True},
    ),
    Case(
        "POST /api/v1/migration/registrations/{registration_id}/withdraw",
        lambda w: _reg_url(w, "/withdraw", key="to_withdraw"),
        _m((200, 400)),
        "POST",
        {"reason": "No more calls."},
    ),
    Case(
        "POST /api/v1/migration/registrations/{registration_id}/counselling",
        lambda w: _reg_url(w, "/counselling"),
        _m(201),
        "POST",
        {"advice": "Keep your own documents."},
    ),
    Case(
        "POST /api/v1/migration/registrations/{registration_id}/placements",
        lambda w: _reg_url(w, "/placements"),
        only({**dict.fromkeys(REG_SEEN, 400), **dict.fromkeys(PEOPLE_A, (201, 400))}, 404, 401),
        "POST",
        lambda w: {"vacancy_id": vacancy_m(w).pk, "placed_on": _today()},
    ),
    Case(
        "POST /api/v1/migration/checkins/{checkin_id}/observation",
        lambda w: f"/api/v1/migration/checkins/{registration_m(w)['checkin'].pk}/observation",
        _m((201, 400)),
        "POST",
        {},
    ),
    Case(
        "POST /api/v1/migration/checkins/{checkin_id}/case",
        lambda w: f"/api/v1/migration/checkins/{registration_m(w)['checkin'].pk}/case",
        _m((201, 400), admin_a=(400, 404)),
        "POST",
    ),
    Case("GET /api/v1/migration/vacancies", lambda w: "/api/v1/migration/vacancies", statuses(200, 401)),
    Case(
        "POST /api/v1/migration/vacancies",
        lambda w: "/api/v1/migration/vacancies",
        only(dict.fromkeys(STAFF_A, 201), 400, 401),
        "POST",
        lambda w: {
            "recruiter_id": vacancy_m(w).recruiter_id,
            "village_code": "50010101",
            "posted_on": _today(),
            "title": "Picker",
        },
    ),
    Case("GET /api/v1/migration/sites", lambda w: "/api/v1/migration/sites", statuses(200, 401)),
    Case(
        "POST /api/v1/migration/sites",
        lambda w: "/api/v1/migration/sites",
        only(
            {**dict.fromkeys(PEOPLE_A, 201), "admin_b": 201, "coordinator_b": 201, "caseworker_b": 201},
            400,
            401,
        ),
        "POST",
        lambda w: {
            "site_kind": "market",
            "site_name": "Market",
            "site_area_code": "50010101",
            "found_on": _today(),
            "person": {"given_name": "Girl", "birth_year": 2013, "village_code": "50010101"},
        },
    ),
    Case(
        "GET /api/v1/migration/sites/{site_id}",
        lambda w: f"/api/v1/migration/sites/{site_m(w).pk}",
        _m(200, PEOPLE_A),
    ),
    Case(
        "POST /api/v1/migration/sites/{site_id}/tracing",
        lambda w: f"/api/v1/migration/sites/{site_m(w).pk}/tracing",
        _m(201, PEOPLE_A),
        "POST",
        lambda w: {"done_on": _today(), "action": "Called the family"},
    ),
    Case(
        "POST /api/v1/migration/sites/{site_id}/hand-over",
        lambda w: f"/api/v1/migration/sites/{site_m(w).pk}/hand-over",
        _m((200, 400), PEOPLE_A, admin_a=(400, 404)),
        "POST",
        {"to": "case"},
    ),
    Case("GET /api/v1/migration/alerts", lambda w: "/api/v1/migration/alerts", statuses(200, 401)),
    Case(
        "POST /api/v1/migration/alerts/{alert_id}/acknowledge",
        lambda w: f"/api/v1/migration/alerts/{registration_m(w)['alert'].pk}/acknowledge",
        _m((200, 400)),  # the first one to see it; after that it is no longer open
        "POST",
    ),
    Case(
        "POST /api/v1/migration/alerts/{alert_id}/resolve",
        lambda w: f"/api/v1/migration/alerts/{registration_m(w)['alert'].pk}/resolve",
        _m(200),
        "POST",
        {"note": "Called them."},
    ),
]
# migration reports: the page, each table's CSV and the API (analysts get suppressed numbers, not a 404)
MIGRATION_REPORTERS = REPORTERS  # admins, coordinators, caseworkers and analysts

UI_CASES += [
    Case("migration:reports", lambda w: reverse("migration:reports"), only(MIGRATION_REPORTERS, 404, 302)),
    Case(
        "migration:reports_csv",
        lambda w: reverse("migration:reports_csv", args=["origins"]),
        only(MIGRATION_REPORTERS, 404, 302),
    ),
    Case(
        "migration:reports_pdf",
        lambda w: reverse("migration:reports_pdf"),
        only(MIGRATION_REPORTERS, 404, 302),
    ),
]
API_CASES += [
    Case(
        "GET /api/v1/migration/reports",
        lambda w: "/api/v1/migration/reports",
        only(MIGRATION_REPORTERS, 404, 401),
    ),
]
# end of migration ------------------------------------------------------------------------------------------

# imports ---------------------------------------------------------------------------------------------------
IMPORTERS = {"admin_a": 200, "coordinator_a": 200, "admin_b": 200, "coordinator_b": 200}
IMPORTERS_A = {"admin_a": 200, "coordinator_a": 200}


def import_job_a(world: World) -> int:
    """A checked import of agency A: one valid person."""
    import io

    from safepassage.imports import services as import_services

    def make() -> int:
        job = import_services.job_create(
            actor=world.coordinator_a,
            kind="people",
            file_name="people.csv",
            content=io.BytesIO(f"given_name,village_code\nMalai,{world.village_1.code}\n".encode()),
        )
        return import_services.job_check(job).pk

    return _cached(world, "import_job_a", make)


def _redirects(allowed: Mapping[str, Status]) -> dict[str, Status]:
    return dict.fromkeys(allowed, 302)


UI_CASES += [
    Case("imports:list", lambda w: reverse("imports:list"), only(IMPORTERS, 404, 302)),
    Case("imports:field_form", lambda w: reverse("imports:field_form"), only(IMPORTERS, 404, 302)),
    Case(
        "imports:detail",
        lambda w: reverse("imports:detail", args=[import_job_a(w)]),
        only(IMPORTERS_A, 404, 302),
    ),
    Case(
        "imports:progress",
        lambda w: reverse("imports:progress", args=[import_job_a(w)]),
        only(IMPORTERS_A, 404, 302),
    ),
    Case(
        "imports:problems_csv",
        lambda w: reverse("imports:problems_csv", args=[import_job_a(w)]),
        only(IMPORTERS_A, 404, 302),
    ),
    Case(
        "imports:people_csv",
        lambda w: reverse("imports:people_csv", args=[import_job_a(w)]),
        only(IMPORTERS_A, 404, 302),
    ),
    Case(
        "imports:remap",
        lambda w: reverse("imports:remap", args=[import_job_a(w)]),
        only(_redirects(IMPORTERS_A), 404, 302),
        "POST",
    ),
    Case(
        "imports:apply",
        lambda w: reverse("imports:apply", args=[import_job_a(w)]),
        only(_redirects(IMPORTERS_A), 404, 302),
        "POST",
    ),
    Case(
        "imports:cancel",
        lambda w: reverse("imports:cancel", args=[import_job_a(w)]),
        only(_redirects(IMPORTERS_A), 404, 302),
        "POST",
    ),
    Case(
        "imports:not_same",
        lambda w: reverse("imports:not_same", args=[import_job_a(w)]),
        only(_redirects(IMPORTERS_A), 404, 302),
        "POST",
    ),
    Case(
        "imports:template",
        lambda w: reverse("imports:template", args=["people", "xlsx"]),
        only(IMPORTERS, 404, 302),
    ),
]
API_CASES += [
    Case("GET /api/v1/imports", lambda w: "/api/v1/imports", only(IMPORTERS, 404, 401)),
    # A JSON body holds no file: the importers are told so (400), everyone else gets 404 before that.
    Case(
        "POST /api/v1/imports",
        lambda w: "/api/v1/imports",
        only(dict.fromkeys(IMPORTERS, 400), 404, 401),
        "POST",
    ),
    Case(
        "GET /api/v1/imports/{job_id}",
        lambda w: f"/api/v1/imports/{import_job_a(w)}",
        only(IMPORTERS_A, 404, 401),
    ),
    Case(
        "GET /api/v1/imports/{job_id}/problems",
        lambda w: f"/api/v1/imports/{import_job_a(w)}/problems",
        only(IMPORTERS_A, 404, 401),
    ),
    Case(
        "GET /api/v1/imports/{job_id}/problems.csv",
        lambda w: f"/api/v1/imports/{import_job_a(w)}/problems.csv",
        only(IMPORTERS_A, 404, 401),
    ),
    # The checked import holds no row held back as a registered person: the importers are told so (400).
    Case(
        "POST /api/v1/imports/{job_id}/not-same",
        lambda w: f"/api/v1/imports/{import_job_a(w)}/not-same",
        only({"admin_a": 400, "coordinator_a": 400}, 404, 401),
        "POST",
        {"rows": [2]},
    ),
    Case(
        "GET /api/v1/imports/{job_id}/people",
        lambda w: f"/api/v1/imports/{import_job_a(w)}/people",
        only(IMPORTERS_A, 404, 401),
    ),
    Case(
        "GET /api/v1/imports/{job_id}/people.csv",
        lambda w: f"/api/v1/imports/{import_job_a(w)}/people.csv",
        only(IMPORTERS_A, 404, 401),
    ),
    Case(
        "POST /api/v1/imports/{job_id}/apply",
        lambda w: f"/api/v1/imports/{import_job_a(w)}/apply",
        only({"admin_a": (200, 400), "coordinator_a": (200, 400)}, 404, 401),
        "POST",
        {},
    ),
]
# end of imports --------------------------------------------------------------------------------------------

# exports ---------------------------------------------------------------------------------------------------
EXPORTERS = {"admin_a": 200, "coordinator_a": 200, "analyst_a": 200, "admin_b": 200, "coordinator_b": 200}
# An export is read and downloaded by the person who made it and by their agency's administrators.
EXPORT_A_READERS = {"coordinator_a": 200, "admin_a": 200}


def export_a(world: World) -> int:
    """An HTCDS export made by agency A's coordinator."""
    from safepassage.exports.services import export_create

    def make() -> int:
        return export_create(actor=world.coordinator_a, kind="htcds", purpose="For the MDT meeting")[0].pk

    return _cached(world, "export_a", make)


UI_CASES += [
    Case("exports:list", lambda w: reverse("exports:list"), only(EXPORTERS, 404, 302)),
    Case(
        "exports:detail",
        lambda w: reverse("exports:detail", args=[export_a(w)]),
        only(EXPORT_A_READERS, 404, 302),
    ),
    Case(
        "exports:download",
        lambda w: reverse("exports:download", args=[export_a(w)]),
        only(EXPORT_A_READERS, 404, 302),
    ),
]
API_CASES += [
    Case("GET /api/v1/exports", lambda w: "/api/v1/exports", only(EXPORTERS, 404, 401)),
    # De-identified: administrators, coordinators and analysts of any agency (each over its own cases).
    Case(
        "POST /api/v1/exports",
        lambda w: "/api/v1/exports",
        only(dict.fromkeys(EXPORTERS, 201), 404, 401),
        "POST",
        {"kind": "deidentified", "purpose": "Annual trends for the committee"},
    ),
    Case(
        "GET /api/v1/exports/{export_id}",
        lambda w: f"/api/v1/exports/{export_a(w)}",
        only(EXPORT_A_READERS, 404, 401),
    ),
    Case(
        "GET /api/v1/exports/{export_id}/download",
        lambda w: f"/api/v1/exports/{export_a(w)}/download",
        only(EXPORT_A_READERS, 404, 401),
    ),
]
# end of exports --------------------------------------------------------------------------------------------

# record linkage --------------------------------------------------------------------------------------------
REVIEWERS = {"admin_a": 200, "coordinator_a": 200, "admin_b": 200, "coordinator_b": 200}
REVIEWERS_A = {"admin_a": 200, "coordinator_a": 200}


def pair_a(world: World, key: str = "pair_a") -> int:
    """A likely duplicate of agency A's, written as the matcher would (no model run needed here)."""
    from safepassage.linkage.models import MatchCandidate
    from safepassage.registry.models import Person

    def make() -> int:
        a, b = (
            Person.objects.create(agency=world.agency_a, village=world.village_1, given_name=f"Malee {key}")
            for _ in range(2)
        )
        return MatchCandidate.objects.create(
            agency=world.agency_a,
            other_agency=world.agency_a,
            person_a_id=a.pk,
            person_b_id=b.pk,
            match_weight=12.0,
            probability=0.99,
            evidence=[],
        ).pk

    return _cached(world, key, make)


def merge_a(world: World) -> int:
    from safepassage.linkage import services as linkage_services
    from safepassage.linkage.models import MatchCandidate

    def make() -> int:
        candidate = MatchCandidate.objects.get(pk=pair_a(world, "merged_pair"))
        return linkage_services.merge(actor=world.coordinator_a, candidate=candidate).pk

    return _cached(world, "merge_a", make)


UI_CASES += [
    Case("linkage:queue", lambda w: reverse("linkage:queue"), only(REVIEWERS, 404, 302)),
    Case("linkage:pair", lambda w: reverse("linkage:pair", args=[pair_a(w)]), only(REVIEWERS_A, 404, 302)),
    Case(
        "linkage:decide",
        lambda w: reverse("linkage:decide", args=[pair_a(w)]),
        only(_redirects(REVIEWERS_A), 404, 302),
        "POST",
        {"decision": "not_same"},
    ),
    Case(
        "linkage:undo",
        lambda w: reverse("linkage:undo", args=[merge_a(w)]),
        only(_redirects(REVIEWERS_A), 404, 302),
        "POST",
    ),
]
API_CASES += [
    Case("GET /api/v1/linkage/candidates", lambda w: "/api/v1/linkage/candidates", only(REVIEWERS, 404, 401)),
    Case(
        "GET /api/v1/linkage/candidates/{candidate_id}",
        lambda w: f"/api/v1/linkage/candidates/{pair_a(w)}",
        only(REVIEWERS_A, 404, 401),
    ),
    Case(
        "POST /api/v1/linkage/candidates/{candidate_id}/merge",
        lambda w: f"/api/v1/linkage/candidates/{pair_a(w)}/merge",
        only({"admin_a": (200, 400), "coordinator_a": (200, 400)}, 404, 401),
        "POST",
        {},
    ),
    Case(
        "POST /api/v1/linkage/candidates/{candidate_id}/not-same",
        lambda w: f"/api/v1/linkage/candidates/{pair_a(w)}/not-same",
        only({"admin_a": (200, 400), "coordinator_a": (200, 400)}, 404, 401),
        "POST",
        {},
    ),
    Case(
        "POST /api/v1/linkage/merges/{merge_id}/undo",
        lambda w: f"/api/v1/linkage/merges/{merge_a(w)}/undo",
        only({"admin_a": (200, 400), "coordinator_a": (200, 400)}, 404, 401),
        "POST",
        {},
    ),
]
# end of record linkage -------------------------------------------------------------------------------------

# exchange between installations ----------------------------------------------------------------------------


def _public_keys() -> dict[str, Any]:
    from joserfc import jwk

    return {
        name: {k: v for k, v in jwk.ECKey.generate_key("P-256").as_dict(private=False).items() if k != "kid"}
        for name in ("signing_key", "encryption_key")
    }


def peer_a(world: World) -> Any:
    """A peer whose cases agency A receives (its keys made here: no message is sealed in the matrix)."""
    from safepassage.exchange.models import Peer

    def make() -> Any:
        public = _public_keys()
        return Peer.objects.create(
            name="Matrix peer",
            country="MM",
            address="https://peer.example",
            signing_key=public["signing_key"],
            encryption_key=public["encryption_key"],
            key_id="matrix-peer",
            receiving_agency=world.agency_a,
        )

    return _cached(world, "peer_a", make)


def transfer_a(world: World, key: str, side: str = "sent", status: str = "requested") -> int:
    """A transfer of agency A's, sent (on case_a) or received."""
    from safepassage.exchange.models import Transfer

    def make() -> int:
        case = case_a(world)["case"]
        return Transfer.objects.create(
            agency=world.agency_a,
            side=side,
            kind="transfer",
            peer=peer_a(world),
            case=case if side == "sent" or status == "accepted" else None,
            profile="origin_agency",
            basis="best_interests",
            packet={"kind": "transfer", "given_name": "Matrix", "birth_year": 2012},
            status=status,
        ).pk

    return _cached(world, key, make)


COORDINATORS = {"coordinator_a": 200, "coordinator_b": 200}
UI_CASES += [
    Case("exchange:transfers", lambda w: reverse("exchange:transfers"), statuses(200, 302)),
    Case("exchange:peers", lambda w: reverse("exchange:peers"), only(COORDINATORS, 404, 302)),
    # (deactivating a peer: only a coordinator of the agency that receives its cases)
    Case(
        "exchange:peer_status",
        lambda w: reverse("exchange:peer_status", args=[peer_a(w).pk, "deactivate"]),
        only({"coordinator_a": 200}, 404, 302),
    ),
    Case(
        "exchange:transfer",
        lambda w: reverse("exchange:transfer", args=[transfer_a(w, "sent_a")]),
        only(CASE_A, 404, 302),
    ),
    Case(
        "exchange:act",
        lambda w: reverse(
            "exchange:act", args=[transfer_a(w, "declined_ui", "received", "received"), "decline"]
        ),
        only({"coordinator_a": 302}, 404, 302),
        "POST",
        {"reason": "Not ours."},
    ),
    Case(
        "exchange:send",
        lambda w: reverse("exchange:send", args=[case_a(w)["case"].pk]),
        only(CASE_A, 404, 302),
    ),
]


def publication_a(world: World, key: str, status: str = "draft") -> int:
    """A publication of agency A's caseworker (a cross-agency report): a draft waiting for approval, or
    approved."""
    from safepassage.exchange.models import Publication

    def make() -> int:
        return Publication.objects.create(
            agency=world.agency_a,
            kind="report",
            title="Matrix report",
            text="Joint visits.",
            drafted_by=world.caseworker_a,
            status=status,
        ).pk

    return _cached(world, key, make)


ROLLUP_READERS = {
    "admin_a": 200,
    "coordinator_a": 200,
    "analyst_a": 200,
    "admin_b": 200,
    "coordinator_b": 200,
}
UI_CASES += [
    Case("exchange:aggregates", lambda w: reverse("exchange:aggregates"), only(ROLLUP_READERS, 404, 302)),
    Case("exchange:publications", lambda w: reverse("exchange:publications"), only(CASE_STAFF, 404, 302)),
    Case(
        "exchange:publication",
        lambda w: reverse("exchange:publication", args=[publication_a(w, "pub_a")]),
        only(CASE_A, 404, 302),
    ),
    Case(
        "exchange:publication",
        lambda w: reverse("exchange:publication", args=[publication_a(w, "pub_approve_a")]),
        only({"coordinator_a": 302}, 404, 302),
        "POST",
        {},
    ),
]
API_CASES += [
    Case("GET /api/v1/exchange/peers", lambda w: "/api/v1/exchange/peers", only(COORDINATORS, 404, 401)),
    Case(
        "POST /api/v1/exchange/peers",
        lambda w: "/api/v1/exchange/peers",
        only({"coordinator_a": (201, 400)}, 404, 401),
        "POST",
        lambda w: {"name": "New", "country": "LA", "receiving_agency_id": w.agency_a.pk, **_public_keys()},
    ),
    Case(
        "GET /api/v1/exchange/aggregates",
        lambda w: "/api/v1/exchange/aggregates",
        only(ROLLUP_READERS, 404, 401),
    ),
    Case(
        "POST /api/v1/exchange/aggregates",
        lambda w: "/api/v1/exchange/aggregates",
        only({"coordinator_a": (201, 400)}, 404, 401),
        "POST",
        lambda w: {
            "agency_id": w.agency_a.pk,
            "area_code": w.province.code,
            "start": "2026-01-01",
            "end": "2026-03-31",
            "to_agency_id": w.agency_b.pk,
        },
    ),
    Case("GET /api/v1/exchange/publications", lambda w: "/api/v1/exchange/publications", statuses(200, 401)),
    Case(
        "POST /api/v1/exchange/publications",
        lambda w: "/api/v1/exchange/publications",
        only({"coordinator_a": 201, "caseworker_a": 201}, 404, 401),
        "POST",
        lambda w: {"agency_id": w.agency_a.pk, "kind": "report", "title": "Matrix", "text": "Joint visits."},
    ),
    Case(
        "GET /api/v1/exchange/publications/{publication_id}",
        lambda w: f"/api/v1/exchange/publications/{publication_a(w, 'pub_a')}",
        only(CASE_A, 404, 401),
    ),
    Case(
        "POST /api/v1/exchange/publications/{publication_id}/approve",
        lambda w: f"/api/v1/exchange/publications/{publication_a(w, 'pub_api_approve_a')}/approve",
        only({"coordinator_a": 200}, 404, 401),
        "POST",
        {},
    ),
    Case(
        "GET /api/v1/exchange/publications/{publication_id}/download",
        lambda w: f"/api/v1/exchange/publications/{publication_a(w, 'pub_approved_a', 'approved')}/download",
        only(CASE_A, 404, 401),
    ),
    Case("GET /api/v1/exchange/transfers", lambda w: "/api/v1/exchange/transfers", statuses(200, 401)),
    Case(
        "GET /api/v1/exchange/transfers/{transfer_id}",
        lambda w: f"/api/v1/exchange/transfers/{transfer_a(w, 'sent_a')}",
        only(CASE_A, 404, 401),
    ),
    Case(
        "POST /api/v1/exchange/transfers",
        lambda w: "/api/v1/exchange/transfers",
        only({"coordinator_a": (201, 400), "caseworker_a": (201, 400)}, 404, 401),
        "POST",
        lambda w: {
            "case_id": case_a(w)["case"].pk,
            "peer_id": peer_a(w).pk,
            "kind": "transfer",
            "basis": "consent",
        },
    ),
    Case(
        "POST /api/v1/exchange/transfers/{transfer_id}/approve",
        lambda w: f"/api/v1/exchange/transfers/{transfer_a(w, 'approve_a')}/approve",
        only({"coordinator_a": (200, 400)}, 404, 401),
        "POST",
        {},
    ),
    Case(
        "POST /api/v1/exchange/transfers/{transfer_id}/accept",
        lambda w: f"/api/v1/exchange/transfers/{transfer_a(w, 'accept_a', 'received', 'received')}/accept",
        only({"coordinator_a": (200, 400)}, 404, 401),
        "POST",
        {"village_code": "50010101"},
    ),
    Case(
        "POST /api/v1/exchange/transfers/{transfer_id}/decline",
        lambda w: f"/api/v1/exchange/transfers/{transfer_a(w, 'decline_a', 'received', 'received')}/decline",
        only({"coordinator_a": (200, 400)}, 404, 401),
        "POST",
        {"reason": "Not ours."},
    ),
    Case(
        "POST /api/v1/exchange/transfers/{transfer_id}/follow-ups",
        lambda w: (
            f"/api/v1/exchange/transfers/{transfer_a(w, 'follow_a', 'received', 'accepted')}/follow-ups"
        ),
        only({"coordinator_a": 201, "caseworker_a": 201}, 404, 401),
        "POST",
        lambda w: {"done_on": _today(), "wellbeing": "good"},
    ),
]
# end of exchange between installations ---------------------------------------------------------------------


# people's rights ------------------------------------------------------------------------------------------
# A coordinator of the holding agency erases, gives the subject-access file and confirms consent at 18 (the
# person's other agency staff: 403); the people roles who may see the person record corrections and a
# guardian's consent; coordinators and caseworkers answer corrections; case staff withdraw consent.
PERSON_SEERS_A = {"admin_a": 403, "coordinator_a": 200, "caseworker_a": 403, "volunteer_a": 403}


def _coordinates(ok: Status) -> dict[str, Status]:
    return only({**PERSON_SEERS_A, "coordinator_a": ok}, 404, 401)


def correction_a(world: World) -> int:
    from safepassage.privacy.services import correction_request_record

    return _cached(
        world,
        "correction_a",
        lambda: (
            correction_request_record(
                actor=world.caseworker_a, person=child_a(world)[0], fields=["birth_date"], details="2012"
            ).pk
        ),
    )


def _person_page(name: str) -> Callable[[World], str]:
    return lambda w: reverse(name, args=[child_a(w)[0].pk])


UI_CASES += [
    Case("privacy:person", _person_page("privacy:person"), only(PEOPLE_A, 404, 302)),
    Case("privacy:erase", _person_page("privacy:erase"), only(PERSON_SEERS_A, 404, 302)),
    Case(
        "privacy:access_export",
        _person_page("privacy:access_export"),
        only(PERSON_SEERS_A, 404, 302),
        "POST",
    ),
    Case(
        "privacy:correction_create",
        _person_page("privacy:correction_create"),
        only(_redirects(PEOPLE_A), 404, 302),
        "POST",
    ),
    Case("privacy:guardian", _person_page("privacy:guardian"), only(_redirects(PEOPLE_A), 404, 302), "POST"),
    Case(
        "privacy:own_consent",
        _person_page("privacy:own_consent"),
        only({**PERSON_SEERS_A, "coordinator_a": 302}, 404, 302),
        "POST",
    ),
    Case("privacy:corrections", lambda w: reverse("privacy:corrections"), only(CASE_STAFF, 404, 302)),
    Case(
        "privacy:correction_resolve",
        lambda w: reverse("privacy:correction_resolve", args=[correction_a(w)]),
        only(_redirects(CASE_A), 404, 302),
        "POST",
    ),
    Case(
        "privacy:turning_18",
        lambda w: reverse("privacy:turning_18"),
        only({"coordinator_a": 200, "coordinator_b": 200}, 404, 302),
    ),
    Case(
        "privacy:case_withdraw",
        lambda w: reverse("privacy:case_withdraw", args=[case_a(w)["case"].pk]),
        only(_redirects(CASE_A), 404, 302),
        "POST",
    ),
    Case(
        "privacy:referral_withdraw",
        lambda w: reverse("privacy:referral_withdraw", args=[_referral(w, "ui_withdrawn", accepted=True).pk]),
        only(_redirects(CASE_STAFF), 404, 302),
        "POST",
    ),
]
API_CASES += [
    Case(
        "POST /api/v1/people/{person_id}/erase",
        lambda w: f"/api/v1/people/{child_a(w)[0].pk}/erase",
        _coordinates(400),
        "POST",
        {"reason": "person_asked", "confirm": False},
    ),
    Case(
        "GET /api/v1/people/{person_id}/access-export",
        lambda w: f"/api/v1/people/{child_a(w)[0].pk}/access-export",
        _coordinates(200),
    ),
    Case(
        "POST /api/v1/people/{person_id}/corrections",
        lambda w: f"/api/v1/people/{child_a(w)[0].pk}/corrections",
        only(dict.fromkeys(PEOPLE_A, 400), 404, 401),
        "POST",
        {"fields": [], "details": ""},
    ),
    Case(
        "GET /api/v1/privacy/corrections", lambda w: "/api/v1/privacy/corrections", only(CASE_STAFF, 404, 401)
    ),
    Case(
        "POST /api/v1/privacy/corrections/{request_id}/resolve",
        lambda w: f"/api/v1/privacy/corrections/{correction_a(w)}/resolve",
        only(dict.fromkeys(CASE_A, 400), 404, 401),
        "POST",
        {"corrected": True, "note": ""},
    ),
    Case(
        "POST /api/v1/people/{person_id}/guardian-consent",
        lambda w: f"/api/v1/people/{child_a(w)[0].pk}/guardian-consent",
        only(dict.fromkeys(PEOPLE_A, 400), 404, 401),
        "POST",
        {"guardian_consent_by": "", "guardian_relation": "mother"},
    ),
    Case(
        "GET /api/v1/privacy/turning-18",
        lambda w: "/api/v1/privacy/turning-18",
        only({"coordinator_a": 200, "coordinator_b": 200}, 404, 401),
    ),
    Case(
        "POST /api/v1/people/{person_id}/own-consent",
        lambda w: f"/api/v1/people/{child_a(w)[0].pk}/own-consent",
        _coordinates(400),
        "POST",
        {},
    ),
    Case(
        "POST /api/v1/cases/{case_id}/withdraw-consent",
        lambda w: f"/api/v1/cases/{case_a(w)['case'].pk}/withdraw-consent",
        only(dict.fromkeys(CASE_A, (200, 400)), 404, 401),
        "POST",
        {},
    ),
    Case(
        "POST /api/v1/referrals/{referral_id}/withdraw-consent",
        lambda w: f"/api/v1/referrals/{_referral(w, 'api_withdrawn', accepted=True).pk}/withdraw-consent",
        only(dict.fromkeys(CASE_STAFF, (200, 400)), 404, 401),
        "POST",
        {},
    ),
]
# end of people's rights ------------------------------------------------------------------------------------

# break-glass (emergency access) ----------------------------------------------------------------------------
# Case staff of an agency that is not enforcement open a case outside their scope (agency A's own staff see
# it already: "not found"); other roles are told they may not (403). Agency A's coordinator reviews.


def grant_b(world: World) -> Any:
    """Agency B's caseworker's emergency access to agency A's case."""
    from safepassage.cases.break_glass import break_glass_open
    from safepassage.cases.models import BreakGlass

    found = BreakGlass.objects.filter(reader=world.caseworker_b).first()
    if found is not None:
        return found
    case = case_a(world)["case"]
    return break_glass_open(
        actor=world.caseworker_b,
        reference=case.reference,
        agency=case.agency.code,
        reason="A child is at the bus station with a broker tonight.",
    )


def _break_glass_body(world: World) -> dict[str, Any]:
    case = case_a(world)["case"]
    return {"reference": case.reference, "agency": "agency-a", "reason": "A child is in danger tonight."}


NOT_CASE_STAFF = {p: 403 for p in PERSONAS if p not in CASE_STAFF}

UI_CASES += [
    Case(
        "cases:emergency",
        lambda w: reverse("cases:emergency"),
        only(CASE_STAFF, 404, 302),
    ),
    Case(
        "cases:emergency_reviews",
        lambda w: reverse("cases:emergency_reviews"),
        only({**ADMINS, "coordinator_a": 200, "coordinator_b": 200}, 404, 302),
    ),
    Case(
        "cases:emergency_review",
        lambda w: reverse("cases:emergency_review", args=[grant_b(w).pk]),
        only({"coordinator_a": 302}, 404, 302),
        "POST",
        {"decision": "accept"},
    ),
]
API_CASES += [
    Case(
        "POST /api/v1/break-glass",
        lambda w: "/api/v1/break-glass",
        only({**NOT_CASE_STAFF, **dict.fromkeys(CASE_A, 404), **dict.fromkeys(CASE_B, 201)}, 404, 401),
        "POST",
        _break_glass_body,
    ),
    Case("GET /api/v1/break-glass/reviews", lambda w: "/api/v1/break-glass/reviews", statuses(200, 401)),
    Case(
        "POST /api/v1/break-glass/{grant_id}/review",
        lambda w: f"/api/v1/break-glass/{grant_b(w).pk}/review",
        only({"coordinator_a": 200}, 404, 401),
        "POST",
        {"decision": "accept"},
    ),
]


# Open to everyone by design.
# Documentation status (docs/prevention.md): agency A's case staff only, never volunteers; the help page's
# data: the coordination centre (coordinator of a government agency) and system administrators; the public
# help page itself: everyone, signed in or not.
def document_a(world: World) -> Any:
    from safepassage.registry import documents

    return _cached(
        world,
        "document_a",
        lambda: documents.document_add(
            actor=None, person=child_a(world)[0], kind="citizenship", state="none"
        ),
    )


def problem_a(world: World) -> Any:
    from datetime import date

    from safepassage.registry import documents

    return _cached(
        world,
        "problem_a",
        lambda: documents.problem_open(
            actor=None, person=child_a(world)[0], kind="citizenship", opened_on=date(2025, 1, 1)
        ),
    )


def wage_pk(world: World) -> int:
    from safepassage.network.models import MinimumWage

    return MinimumWage.objects.order_by("pk").values_list("pk", flat=True)[0]


DOCUMENT_STAFF_A = {"admin_a": 200, "coordinator_a": 200, "caseworker_a": 200}
HELP_KEEPERS = {"coordinator_a": 302, "sysadmin": 302}
UI_CASES += [
    Case(
        "registry:person_documents",
        lambda w: reverse("registry:person_documents", args=[child_a(w)[0].pk]),
        only(DOCUMENT_STAFF_A, 404, 302),
    ),
    Case("reports:documentation", lambda w: reverse("reports:documentation"), only(REPORTERS, 404, 302)),
    Case(
        "network:help_data",
        lambda w: reverse("network:help_data"),
        only({"coordinator_a": 200, "sysadmin": 200}, 404, 302),
    ),
    Case(
        "network:help_data_check",
        lambda w: reverse("network:help_data_check", args=["hotline", hotline_pk(w)]),
        only(HELP_KEEPERS, 404, 302),
        "POST",
        {"note": "called"},
    ),
    Case(
        "network:help_data_wage",
        lambda w: reverse("network:help_data_wage"),
        only(HELP_KEEPERS, 404, 302),
        "POST",
        lambda w: {"id": wage_pk(w), "source": "Royal Gazette"},
    ),
    Case("help", lambda w: reverse("help"), statuses(200, 200)),
    Case("help_language", lambda w: reverse("help_language", args=["my"]), statuses(200, 200)),
]
API_CASES += [
    Case(
        "GET /api/v1/people/{person_id}/documents",
        lambda w: f"/api/v1/people/{child_a(w)[0].pk}/documents",
        only(DOCUMENT_STAFF_A, 404, 401),
    ),
    Case(
        "POST /api/v1/people/{person_id}/documents",
        lambda w: f"/api/v1/people/{child_a(w)[0].pk}/documents",
        only(dict.fromkeys(DOCUMENT_STAFF_A, 201), 404, 401),
        "POST",
        {"kind": "passport", "state": "none"},
    ),
    Case(
        "PATCH /api/v1/documents/{document_id}",
        lambda w: f"/api/v1/documents/{document_a(w).pk}",
        only(DOCUMENT_STAFF_A, 404, 401),
        "PATCH",
        {"note": "seen"},
    ),
    Case(
        "POST /api/v1/people/{person_id}/civil-problems",
        lambda w: f"/api/v1/people/{child_a(w)[0].pk}/civil-problems",
        only(dict.fromkeys(DOCUMENT_STAFF_A, 201), 404, 401),
        "POST",
        {"kind": "birth_registration", "opened_on": "2025-02-01"},
    ),
    Case(
        "PATCH /api/v1/civil-problems/{problem_id}",
        lambda w: f"/api/v1/civil-problems/{problem_a(w).pk}",
        only(DOCUMENT_STAFF_A, 404, 401),
        "PATCH",
        {"next_step": "district office"},
    ),
    Case(
        "GET /api/v1/reports/documentation",
        lambda w: "/api/v1/reports/documentation",
        only(REPORTERS, 404, 401),
    ),
]


# --- issue 22 part 8 (the smaller records): links, supply chains, hot spots, media; disputes, return,
# recruiters' red flags; the library and trainees followed up.

STAFF_AB = dict.fromkeys(STAFF, 200)
KEEPERS_AB = {"admin_a": 200, "coordinator_a": 200, "admin_b": 200, "coordinator_b": 200}
AGENCY_MEMBERS = dict.fromkeys(MEMBERS, 200)
MEMBERS_A = [p for p, (agency, _, _) in PERSONAS.items() if agency == "a"]


def workplace_a2(world: World) -> Any:
    from safepassage.workplaces.services import workplace_create

    return _cached(
        world,
        "workplace_a2",
        lambda: workplace_create(actor=world.coordinator_a, name="Bar 9", sector="entertainment"),
    )


def media_m(world: World, key: str) -> Any:
    from datetime import date

    from safepassage.workplaces import links

    return _cached(
        world,
        key,
        lambda: links.media_add(
            actor=world.caseworker_a,
            published_on=date(2025, 1, 2),
            outlet="Matrix News",
            title="Pier story",
            workplace_id=workplace_a(world).pk,
        ),
    )


def dispute_m(world: World, key: str = "dispute_m") -> Any:
    from datetime import date

    from safepassage.migration import followup

    return _cached(
        world,
        key,
        lambda: followup.dispute_open(
            actor=world.caseworker_a,
            registration=registration_m(world)["registration"],
            opened_on=date.today(),
            about=["unlawful_deposits"],
        ),
    )


def channel_recruiter_m(world: World) -> Any:
    from datetime import date, timedelta

    from safepassage.migration import services
    from safepassage.workplaces.services import recruiter_create

    def make() -> Any:
        recruiter = recruiter_create(
            actor=world.coordinator_a,
            name="Channel broker",
            registered_on=date.today(),
            registration_office="Office",
        )
        services.registration_create(
            actor=world.caseworker_a,
            channel=channel_m(world),
            purpose="work",
            travel_date=date.today() - timedelta(days=5),
            consent="person",
            person_fields={
                "given_name": "Recruited",
                "birth_year": 1999,
                "village_code": world.village_1.code,
            },
            recruiter_id=recruiter.pk,
        )
        return recruiter

    return _cached(world, "channel_recruiter_m", make)


def library_file_m(world: World) -> Any:
    from django.core.files.uploadedfile import SimpleUploadedFile

    from safepassage.network import library

    return _cached(
        world,
        "library_file_m",
        lambda: library.document_add(
            actor=world.coordinator_a,
            title="Matrix guideline",
            kind="guideline",
            language="en",
            audience="agency",
            upload=SimpleUploadedFile("g.pdf", b"%PDF-1.4 guideline", content_type="application/pdf"),
        ),
    )


def training_m(world: World) -> Any:
    from datetime import date

    from safepassage.network import services

    def make() -> Any:
        organisation = services.organisation_create(
            actor=world.coordinator_a, name="Matrix office", kind="member"
        )
        responder = services.responder_create(
            actor=world.coordinator_a,
            organisation_id=organisation.pk,
            name="Trainee",
            role_type="social_worker",
        )
        return services.training_add(
            actor=world.coordinator_a, responder=responder, course="Indicators", completed_on=date(2025, 1, 2)
        )

    return _cached(world, "training_m", make)


UI_CASES += [
    Case("workplaces:hotspots", lambda w: reverse("workplaces:hotspots"), only(STAFF_AB, 404, 302)),
    Case("workplaces:media", lambda w: reverse("workplaces:media"), only(STAFF_AB, 404, 302)),
    Case(
        "workplaces:media_review",
        lambda w: reverse("workplaces:media_review", args=[media_m(w, "media_ui").pk]),
        only(dict.fromkeys(STAFF_A, 302), 404, 302),
    ),
    Case(
        "workplaces:connections",
        lambda w: reverse("workplaces:connections", args=[workplace_a(w).pk]),
        only(STAFF_A, 404, 302),
    ),
    Case(
        "migration:followup_action",
        lambda w: reverse(
            "migration:followup_action", args=[registration_m(w)["registration"].pk, "reintegration"]
        ),
        only(dict.fromkeys(REG_SEEN, 302), 404, 302),
        "POST",
        lambda w: {"reint-kind": "school", "reint-started_on": _today(), "reint-status": "ongoing"},
    ),
    Case(
        "migration:disputes",
        lambda w: reverse("migration:disputes"),
        only({**PEOPLE_AB, "sysadmin": 200}, 404, 302),
    ),
    Case(
        "migration:channel_recruiters",
        lambda w: reverse("migration:channel_recruiters", args=[channel_m(w).pk]),
        only(PEOPLE_AB, 404, 302),
    ),
    Case(
        "migration:red_flags",
        lambda w: reverse("migration:red_flags"),
        only({**PEOPLE_AB, "sysadmin": 200}, 404, 302),
    ),
    Case("workplaces:sectors", lambda w: reverse("workplaces:sectors"), only({"sysadmin": 200}, 404, 302)),
    Case(
        "cases:return_measures_list",
        lambda w: reverse("cases:return_measures_list"),
        only({"sysadmin": 200}, 404, 302),
    ),
    Case(
        "network:expertise_kinds",
        lambda w: reverse("network:expertise_kinds"),
        only({"sysadmin": 200}, 404, 302),
    ),
    Case("network:library", lambda w: reverse("network:library"), only(AGENCY_MEMBERS, 404, 302)),
    Case(
        "network:library_file",
        lambda w: reverse("network:library_file", args=[library_file_m(w).pk]),
        only(dict.fromkeys(MEMBERS_A, 200), 404, 302),
    ),
    Case(
        "network:training_follow_up",
        lambda w: reverse("network:training_follow_up", args=[training_m(w).pk]),
        only({"admin_a": 200, "coordinator_a": 200}, 404, 302),
    ),
    Case("network:trainees", lambda w: reverse("network:trainees"), only(KEEPERS_AB, 404, 302)),
]

API_CASES += [
    Case(
        "GET /api/v1/workplaces/{workplace_id}/links",
        lambda w: f"/api/v1/workplaces/{workplace_a(w).pk}/links",
        only(STAFF_A, 404, 401),
    ),
    Case(
        "POST /api/v1/workplaces/{workplace_id}/links",
        lambda w: f"/api/v1/workplaces/{workplace_a(w).pk}/links",
        only(dict.fromkeys(STAFF_A, 201), 404, 401),
        "POST",
        lambda w: {
            "to_workplace_id": workplace_a2(w).pk,
            "kind": "people_moved",
            "started_on": "2025-01-02",
            "source": "tip",
            "reliability": "C",
        },
    ),
    Case(
        "GET /api/v1/workplaces/{workplace_id}/supplies",
        lambda w: f"/api/v1/workplaces/{workplace_a(w).pk}/supplies",
        only(STAFF_A, 404, 401),
    ),
    Case(
        "POST /api/v1/workplaces/{workplace_id}/supplies",
        lambda w: f"/api/v1/workplaces/{workplace_a(w).pk}/supplies",
        only(dict.fromkeys(STAFF_A, 201), 404, 401),
        "POST",
        {"product": "Shrimp", "buyer_name": "Exporter", "source": "report"},
    ),
    Case("GET /api/v1/workplace-hotspots", lambda w: "/api/v1/workplace-hotspots", only(STAFF_AB, 404, 401)),
    Case("GET /api/v1/media-items", lambda w: "/api/v1/media-items", only(STAFF_AB, 404, 401)),
    Case(
        "POST /api/v1/media-items",
        lambda w: "/api/v1/media-items",
        only(dict.fromkeys(STAFF, 201), 403, 401),
        "POST",
        {"published_on": "2025-01-02", "outlet": "Radio", "title": "Boats"},
    ),
    Case(
        "POST /api/v1/media-items/{item_id}/accept",
        lambda w: f"/api/v1/media-items/{media_m(w, 'media_accept').pk}/accept",
        only({"admin_a": 200, "coordinator_a": 400, "caseworker_a": 403}, 404, 401),  # reviewed once
        "POST",
        {"reliability": "C"},
    ),
    Case(
        "POST /api/v1/media-items/{item_id}/reject",
        lambda w: f"/api/v1/media-items/{media_m(w, 'media_reject').pk}/reject",
        only({"admin_a": 200, "coordinator_a": 400, "caseworker_a": 403}, 404, 401),
        "POST",
        {"reason": "Not news"},
    ),
    Case(
        "GET /api/v1/migration/dispute-levels",
        lambda w: "/api/v1/migration/dispute-levels",
        statuses(200, 401),
    ),
    Case(
        "GET /api/v1/migration/registrations/{registration_id}/disputes",
        lambda w: _reg_url(w, "/disputes"),
        _m(200),
    ),
    Case(
        "POST /api/v1/migration/registrations/{registration_id}/disputes",
        lambda w: _reg_url(w, "/disputes"),
        _m(201),
        "POST",
        lambda w: {"opened_on": _today(), "about": ["dismissal"]},
    ),
    Case(
        "POST /api/v1/migration/registrations/{registration_id}/disputes/{dispute_id}/steps",
        lambda w: _reg_url(w, f"/disputes/{dispute_m(w).pk}/steps"),
        _m(201),
        "POST",
        lambda w: {"level": "village_committee", "taken_on": _today()},
    ),
    Case(
        "POST /api/v1/migration/registrations/{registration_id}/disputes/{dispute_id}/close",
        lambda w: _reg_url(w, f"/disputes/{dispute_m(w, 'dispute_close').pk}/close"),
        _m(400, admin_a=200),  # closed once
        "POST",
        lambda w: {"status": "resolved", "closed_on": _today(), "outcome": "Paid back"},
    ),
    Case(
        "POST /api/v1/migration/registrations/{registration_id}/return-interviews",
        lambda w: _reg_url(w, "/return-interviews"),
        _m(201),
        "POST",
        lambda w: {"returned_on": _today(), "why": "chose"},
    ),
    Case(
        "POST /api/v1/migration/registrations/{registration_id}/reintegration",
        lambda w: _reg_url(w, "/reintegration"),
        _m(201),
        "POST",
        lambda w: {"kind": "training", "started_on": _today()},
    ),
    Case(
        "GET /api/v1/migration/channels/{channel_id}/recruiters",
        lambda w: f"/api/v1/migration/channels/{channel_m(w).pk}/recruiters",
        _m(200, PEOPLE_AB),
    ),
    Case(
        "POST /api/v1/migration/channels/{channel_id}/recruiter-flags",
        lambda w: f"/api/v1/migration/channels/{channel_m(w).pk}/recruiter-flags",
        _m(201, dict.fromkeys(STAFF), volunteer_a=403, volunteer_b=403),
        "POST",
        lambda w: {"recruiter_id": channel_recruiter_m(w).pk, "flag": "fees_charged", "seen_on": _today()},
    ),
    Case("GET /api/v1/library", lambda w: "/api/v1/library", only(AGENCY_MEMBERS, 404, 401)),
    Case(
        "POST /api/v1/library",
        lambda w: "/api/v1/library",
        only(dict.fromkeys(KEEPERS_AB, 201), 403, 401),
        "POST",
        {
            "title": "A law",
            "kind": "law",
            "language": "th",
            "audience": "network",
            "url": "https://example.org",
        },
    ),
    Case(
        "POST /api/v1/trainings/{training_id}/follow-ups",
        lambda w: f"/api/v1/trainings/{training_m(w).pk}/follow-ups",
        only({"admin_a": 201, "coordinator_a": 201}, 404, 401),
        "POST",
        lambda w: {"followed_up_on": _today(), "applying": True},
    ),
    Case("GET /api/v1/trainees-due", lambda w: "/api/v1/trainees-due", statuses(200, 401)),
]


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
    if case.route.endswith("_pdf"):
        require_pdf_tools()

    def call(persona: str):
        client = web_client(None if persona == "anonymous" else world.users[persona])
        url = case.url(world)
        return client.post(url, case.body(world) or {}) if case.method == "POST" else client.get(url)

    assert_matrix(call, case.expected)


@pytest.mark.parametrize("case", API_CASES, ids=lambda c: c.route)
def test_api_permission_matrix(world, case):
    if case.route.endswith(".pdf"):
        require_pdf_tools()

    def call(persona: str):
        client = api_client(None if persona == "anonymous" else world.users[persona])
        return client.request(case.method, case.url(world), case.body(world))

    assert_matrix(call, case.expected)


def children_group_a(world: World) -> Any:
    """Agency A's children's committee with one member."""
    from datetime import date

    from safepassage.network import children_services

    def make() -> Any:
        group = children_services.group_create(
            actor=world.coordinator_a,
            name="Committee A",
            kind="committee",
            named_adult_id=directory_a(world)[1].pk,
        )
        member = children_services.member_add(
            actor=world.coordinator_a,
            group=group,
            name="Nok",
            birth_date=date(date.today().year - 12, 1, 1),
            joined_on=date.today(),
            consent_by="Mother",
            consent_on=date.today(),
        )
        return group, member

    return _cached(world, "children_group_a", make)


def child_role_a(world: World) -> Any:
    from datetime import date

    from safepassage.cases.services import child_role_set, detention_record
    from safepassage.testing import open_case

    def make() -> Any:
        case = open_case(world, birth_year=date.today().year - 15)
        role = child_role_set(actor=world.caseworker_a, case=case, role="victim", since=date.today())
        stay = detention_record(
            actor=world.caseworker_a, case=case, facility="Home", admitted_on=date.today()
        )
        return case, role, stay

    return _cached(world, "child_role_a", make)


GROUP_STAFF_A = {"admin_a": 200, "coordinator_a": 200, "caseworker_a": 200}
STAFF_PAGES = {**GROUP_STAFF_A, "admin_b": 200, "coordinator_b": 200, "caseworker_b": 200}
UI_CASES += [
    Case(
        "network:children_groups", lambda w: reverse("network:children_groups"), only(STAFF_PAGES, 404, 302)
    ),
    Case(
        "network:children_group",
        lambda w: reverse("network:children_group", args=[children_group_a(w)[0].pk]),
        only(GROUP_STAFF_A, 404, 302),
    ),
    Case(
        "cases:case_child",
        lambda w: reverse("cases:case_child", args=[child_role_a(w)[0].pk]),
        only(CASE_A, 404, 302),
    ),
    Case("cases:detention", lambda w: reverse("cases:detention"), only(CASE_STAFF, 404, 302)),
]
API_CASES += [
    Case("GET /api/v1/children-groups", lambda w: "/api/v1/children-groups", statuses(200, 401)),
    Case(
        "POST /api/v1/children-groups",
        lambda w: "/api/v1/children-groups",
        only({"admin_a": 400, "coordinator_a": 400, "admin_b": 400, "coordinator_b": 400}, 403, 401),
        "POST",
        {"name": "", "kind": "committee", "named_adult_id": 0},
    ),
    Case(
        "GET /api/v1/children-groups/{group_id}",
        lambda w: f"/api/v1/children-groups/{children_group_a(w)[0].pk}",
        only(GROUP_STAFF_A, 404, 401),
    ),
    Case(
        "POST /api/v1/children-groups/{group_id}/members",
        lambda w: f"/api/v1/children-groups/{children_group_a(w)[0].pk}/members",
        only(dict.fromkeys(GROUP_STAFF_A, 400), 404, 401),
        "POST",
        {"name": "X", "birth_date": "2015-01-01", "joined_on": "2025-01-01"},
    ),
    Case(
        "POST /api/v1/children-members/{member_id}/leave",
        lambda w: f"/api/v1/children-members/{children_group_a(w)[1].pk}/leave",
        only(dict.fromkeys(GROUP_STAFF_A, 400), 404, 401),
        "POST",
        {"left_on": "2025-01-01", "left_reason": "nonsense"},
    ),
    Case(
        "POST /api/v1/children-groups/{group_id}/reports",
        lambda w: f"/api/v1/children-groups/{children_group_a(w)[0].pk}/reports",
        only(dict.fromkeys(GROUP_STAFF_A, 400), 404, 401),
        "POST",
        {"reported_on": "2025-01-01", "about": "nonsense", "summary": "x"},
    ),
    Case(
        "GET /api/v1/cases/{case_id}/child",
        lambda w: f"/api/v1/cases/{child_role_a(w)[0].pk}/child",
        only(CASE_A, 404, 401),
    ),
    Case(
        "POST /api/v1/cases/{case_id}/child/roles",
        lambda w: f"/api/v1/cases/{child_role_a(w)[0].pk}/child/roles",
        only(dict.fromkeys(CASE_A, 400), 404, 401),  # already recorded
        "POST",
        {"role": "victim", "since": "2026-01-10"},
    ),
    Case(
        "POST /api/v1/child-roles/{role_id}/protections",
        lambda w: f"/api/v1/child-roles/{child_role_a(w)[1].pk}/protections",
        only(CASE_A, 404, 401),
        "POST",
        {"code": "privacy", "done_on": "2026-01-10"},
    ),
    Case(
        "POST /api/v1/cases/{case_id}/detention",
        lambda w: f"/api/v1/cases/{child_role_a(w)[0].pk}/detention",
        only(dict.fromkeys(CASE_A, 400), 404, 401),
        "POST",
        {"facility": "", "admitted_on": "2026-01-10"},
    ),
    Case(
        "PATCH /api/v1/detention/{stay_id}",
        lambda w: f"/api/v1/detention/{child_role_a(w)[2].pk}",
        only(CASE_A, 404, 401),
        "PATCH",
        {"next_visit_on": "2026-02-01"},
    ),
    Case("GET /api/v1/detention", lambda w: "/api/v1/detention", statuses(200, 401)),
]


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
# A peer's message to the exchange inbox carries its own proof (its signature): tests/exchange cover it.
PUBLIC_API = {"POST /api/v1/auth/token", "POST /api/v1/exchange/inbox"}


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


# notifications: everyone signed in has their own; LINE's webhook answers only LINE's signature
UI_CASES += [
    Case("notify:list", lambda w: reverse("notify:list"), statuses(200, 302)),
    Case("notify:preferences", lambda w: reverse("notify:preferences"), statuses(200, 302)),
    Case("notify:read", lambda w: reverse("notify:read"), statuses(302, 302), "POST"),
    Case("notify:line_webhook", lambda w: reverse("notify:line_webhook"), statuses(401, 401), "POST"),
]
API_CASES += [
    Case("GET /api/v1/me/notifications", lambda w: "/api/v1/me/notifications", statuses(200, 401)),
    Case(
        "POST /api/v1/me/notifications/read",
        lambda w: "/api/v1/me/notifications/read",
        statuses(200, 401),
        "POST",
        {},
    ),
]


# Prevention (docs/prevention.md): a village's help and findings for those who record in it; a person's and a
# household's package for those who see them; the reports for report roles (figures protected for analysts);
# the catalogue for everyone signed in.
def finding_attachment_a(world: World) -> Any:
    from datetime import date

    from django.core.files.uploadedfile import SimpleUploadedFile

    from safepassage.prevention.services import finding_add

    def make() -> Any:
        upload = SimpleUploadedFile("map.pdf", b"%PDF-1.4 village map", content_type="application/pdf")
        finding = finding_add(
            actor=world.coordinator_a,
            village=world.village_1,
            kind="needs",
            held_on=date(2025, 3, 1),
            title="Needs of young people",
            upload=upload,
        )
        return finding.attachments.get()

    return _cached(world, "finding_attachment_a", make)


PREVENTION_HOME: dict[str, Status] = {
    **dict.fromkeys(PERSONAS, 200),
    "partner_a": 404,
    "outsider": 404,
    "anonymous": 302,
}
RECORDERS_V1 = dict.fromkeys(RECORD_IN_V1, 200)
UI_CASES += [
    Case("prevention:home", lambda w: reverse("prevention:home"), PREVENTION_HOME),
    Case("prevention:catalogue", lambda w: reverse("prevention:catalogue"), statuses(200, 302)),
    Case(
        "prevention:village",
        lambda w: reverse("prevention:village", args=[w.village_1.code]),
        only(RECORDERS_V1, 404, 302),
    ),
    Case(
        "prevention:person",
        lambda w: reverse("prevention:person", args=[child_a(w)[0].pk]),
        only(PEOPLE_A, 404, 302),
    ),
    Case(
        "prevention:household",
        lambda w: reverse("prevention:household", args=[household_a(w).pk]),
        only(PEOPLE_A, 404, 302),
    ),
    Case(
        "prevention:attachment",
        lambda w: reverse("prevention:attachment", args=[finding_attachment_a(w).pk]),
        only(PEOPLE_A, 404, 302),
    ),
    Case(
        "prevention:impact",
        lambda w: reverse("prevention:impact") + f"?intervention=scholarship&area={w.district_1.code}",
        only(REPORTERS, 404, 302),
    ),
    Case(
        "prevention:packages",
        lambda w: reverse("prevention:packages") + f"?area={w.district_1.code}",
        only(REPORTERS, 404, 302),
    ),
    Case("prevention:displacement", lambda w: reverse("prevention:displacement"), only(REPORTERS, 404, 302)),
]
API_CASES += [
    Case("GET /api/v1/prevention/catalogue", lambda w: "/api/v1/prevention/catalogue", statuses(200, 401)),
    Case(
        "POST /api/v1/prevention/deliveries",
        lambda w: "/api/v1/prevention/deliveries",
        only(dict.fromkeys(PEOPLE_A, 201), 404, 401),
        "POST",
        lambda w: {"intervention": "scholarship", "started_on": "2025-06-01", "person_id": child_a(w)[0].pk},
    ),
    Case(
        "GET /api/v1/prevention/villages/{code}/deliveries",
        lambda w: f"/api/v1/prevention/villages/{w.village_1.code}/deliveries",
        only(RECORDERS_V1, 404, 401),
    ),
    Case(
        "GET /api/v1/prevention/people/{person_id}/package",
        lambda w: f"/api/v1/prevention/people/{child_a(w)[0].pk}/package",
        only(PEOPLE_A, 404, 401),
    ),
    Case(
        "GET /api/v1/prevention/villages/{code}/findings",
        lambda w: f"/api/v1/prevention/villages/{w.village_1.code}/findings",
        only(RECORDERS_V1, 404, 401),
    ),
    Case(
        "POST /api/v1/prevention/villages/{code}/findings",
        lambda w: f"/api/v1/prevention/villages/{w.village_1.code}/findings",
        only(dict.fromkeys(RECORD_IN_V1, 201), 404, 401),
        "POST",
        {"kind": "participatory", "held_on": "2025-04-01", "title": "Village mapping"},
    ),
    Case(
        "GET /api/v1/prevention/impact",
        lambda w: f"/api/v1/prevention/impact?intervention=scholarship&area={w.district_1.code}",
        only(REPORTERS, 404, 401),
    ),
    Case(
        "GET /api/v1/prevention/packages",
        lambda w: f"/api/v1/prevention/packages?area={w.district_1.code}",
        only(REPORTERS, 404, 401),
    ),
    Case(
        "GET /api/v1/prevention/displacement",
        lambda w: (
            "/api/v1/prevention/displacement?first=2025-01-01..2025-06-30&second=2025-07-01..2025-12-31"
        ),
        only(REPORTERS, 404, 401),
    ),
]
