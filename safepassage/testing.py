"""Test personas for two agencies and the permission-matrix helper every scoped endpoint is tested with.

Lives in the package (not under tests/) so later apps' tests, and other projects' tests, can reuse it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from django.test import Client

from safepassage.accounts.models import Agency, Membership, User
from safepassage.accounts.services import token_issue
from safepassage.core.roles import Role
from safepassage.geo.models import Area

PASSWORD = "correct horse battery staple"  # noqa: S105 - test personas only


def area(code: str, level: str, parent: Area | None = None, name: str = "") -> Area:
    """Create one area under `parent`, with its path."""
    return Area.objects.create(
        code=code,
        level=level,
        parent=parent,
        path=(parent.path if parent else "") + code + "/",
        name_en=name or f"Area {code}",
    )


@dataclass
class World:
    """Two agencies (A and B), a small area tree, and one user per role, plus an outsider."""

    agency_a: Agency
    agency_b: Agency
    country: Area
    province: Area
    district_1: Area
    district_2: Area
    village_1: Area  # in district 1: volunteer_a covers it
    village_2: Area  # in district 1, not covered by volunteer_a
    village_3: Area  # in district 2: volunteer_b covers it
    users: dict[str, User]

    def __getattr__(self, name: str) -> User:
        users = self.__dict__.get("users", {})
        if name in users:
            return users[name]
        raise AttributeError(name)


PERSONAS: dict[str, tuple[str | None, str | None, list[str]]] = {
    # name: (agency, role, village attributes covered)
    "admin_a": ("a", Role.ADMIN, []),
    "coordinator_a": ("a", Role.COORDINATOR, []),
    "caseworker_a": ("a", Role.CASEWORKER, []),
    "volunteer_a": ("a", Role.VOLUNTEER, ["village_1"]),
    "analyst_a": ("a", Role.ANALYST, []),
    "partner_a": ("a", Role.PARTNER, []),
    "admin_b": ("b", Role.ADMIN, []),
    "coordinator_b": ("b", Role.COORDINATOR, []),
    "caseworker_b": ("b", Role.CASEWORKER, []),
    "volunteer_b": ("b", Role.VOLUNTEER, ["village_3"]),
    "outsider": (None, None, []),
    "sysadmin": (None, None, []),  # a system administrator: catalogues and areas, no agency records
}


def build_world() -> World:
    """Create the personas' agencies, areas and users (directly: tests of services make their own)."""
    agency_a = Agency.objects.create(
        code="agency-a", name="Agency A", kind=Agency.Kind.GOVERNMENT, country="TH", profile="case_management"
    )
    agency_b = Agency.objects.create(
        code="agency-b", name="Agency B", kind=Agency.Kind.NGO, country="TH", profile="ngo"
    )
    country = area("TH", "country")
    province = area("50", "province", country)
    district_1 = area("5001", "district", province)
    district_2 = area("5002", "district", province)
    sub_1 = area("500101", "subdistrict", district_1)
    sub_2 = area("500201", "subdistrict", district_2)
    places = {
        "village_1": area("50010101", "village", sub_1),
        "village_2": area("50010102", "village", sub_1),
        "village_3": area("50020101", "village", sub_2),
    }
    agencies = {"a": agency_a, "b": agency_b}
    users: dict[str, User] = {}
    for name, (agency_key, role, villages) in PERSONAS.items():
        user = User.objects.create_user(
            username=name, password=PASSWORD, first_name=name.title(), is_superuser=name == "sysadmin"
        )
        if agency_key is not None and role is not None:
            membership = Membership.objects.create(user=user, agency=agencies[agency_key], role=role)
            membership.areas.set([places[v] for v in villages])
        users[name] = user
    return World(
        agency_a=agency_a,
        agency_b=agency_b,
        country=country,
        province=province,
        district_1=district_1,
        district_2=district_2,
        users=users,
        **places,
    )


def verified_device(user: User) -> Any:
    """The user's authenticator-app device, made (confirmed) if they have none: what a test session
    proves its second factor with."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    return device or TOTPDevice.objects.create(user=user, name="test app", confirmed=True)


def recovery_code(user: User) -> str:
    """A fresh, unused recovery code for the user (with an authenticator app set up, as the token endpoint
    needs): a second factor that any number of sign-ins in one test can each use once."""
    from django_otp.plugins.otp_static.models import StaticDevice, StaticToken

    verified_device(user)
    device, _created = StaticDevice.objects.get_or_create(
        user=user, defaults={"name": "recovery codes", "confirmed": True}
    )
    return str(device.token_set.create(token=StaticToken.random_token()).token)


def totp_code(user: User, *, steps_ahead: int = 0, device: Any = None) -> str:
    """The code the user's authenticator app (or `device`) shows now, or `steps_ahead` 30-second steps later:
    each code is accepted once, and the next one is accepted too (for phones whose clock runs fast)."""
    import time

    from django_otp.oath import TOTP

    device = device or verified_device(user)
    clock = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    clock.time = time.time() + steps_ahead * device.step
    return f"{clock.token():0{device.digits}d}"


def verify_session(client: Client, user: User) -> None:
    """Mark a signed-in test client's session as having passed the second factor."""
    from django_otp import DEVICE_ID_SESSION_KEY

    session = client.session
    session[DEVICE_ID_SESSION_KEY] = verified_device(user).persistent_id
    session.save()


def web_client(user: User | None, *, second_factor: bool = True) -> Client:
    """A browser-like client signed in as `user` (or anonymous), past the second factor unless
    `second_factor=False` (a session with the password only)."""
    client = Client()
    if user is not None:
        client.force_login(user, backend="safepassage.accounts.backends.SignInBackend")
        if second_factor:
            verify_session(client, user)
    return client


class ApiClient:
    """A client that sends `Authorization: Bearer` with every request."""

    def __init__(self, token: str | None) -> None:
        self.client = Client()
        self.headers = {"Authorization": f"Bearer {token}"} if token else {}

    def request(self, method: str, url: str, data: Any = None) -> Any:
        call = getattr(self.client, method.lower())
        if method.upper() in ("POST", "PUT", "PATCH", "DELETE"):
            return call(url, data=data or {}, content_type="application/json", headers=self.headers)
        return call(url, data=data, headers=self.headers)

    def get(self, url: str, data: Any = None) -> Any:
        return self.request("GET", url, data)

    def post(self, url: str, data: Any = None) -> Any:
        return self.request("POST", url, data)


def api_client(user: User | None) -> ApiClient:
    """An API client holding a fresh token for `user` (or none), issued as the server's operator does."""
    if user is None:
        return ApiClient(None)
    _, raw = token_issue(actor=None, user=user, name="test")
    return ApiClient(raw)


def assert_matrix(
    call: Callable[[str], Any],
    expected: Mapping[str, int | tuple[int, ...]],
) -> None:
    """Call an endpoint as each persona and check every status code, reporting all mismatches at once.

    `call(persona)` performs the request as that persona and returns the response. An expected status may
    be a tuple where a repeated write legitimately answers differently (201 first, 200 for the same again).
    """
    wrong = []
    for persona, status in expected.items():
        response = call(persona)
        allowed = status if isinstance(status, tuple) else (status,)
        if response.status_code not in allowed:
            wrong.append(f"{persona}: expected {status}, got {response.status_code}")
    assert not wrong, "permission matrix mismatch:\n  " + "\n  ".join(wrong)


def directory_entry(world: World, agency: Agency, kind: str = "member", name: str = "") -> Any:
    """An organisation of the directory; `member` kind is the agency's own office (referrals reach it)."""
    from safepassage.network.models import Organisation

    return Organisation.objects.get_or_create(
        name=name or f"{agency.name} {kind}",
        defaults={
            "agency": agency,
            "kind": kind,
            "member_agency": agency if kind == "member" else None,
            "profile": agency.profile if kind == "member" else "",
        },
    )[0]


def open_case(world: World, *, given_name: str = "Mya", birth_year: int = 2010, **fields: Any) -> Any:
    """A case of agency A (opened by its caseworker) for a new person in village 1."""
    from datetime import date

    from safepassage.cases.services import case_open

    return case_open(
        actor=world.caseworker_a,
        opened_on=fields.pop("opened_on", date(2026, 1, 5)),
        person_fields={
            "given_name": given_name,
            "family_name": "Test",
            "sex": "female",
            "birth_year": birth_year,
            "village_code": world.village_1.code,
        },
        **fields,
    )


def pdf_tools_missing() -> str:
    """Why PDFs cannot be drawn on this machine ("" when they can). Under CI (`CI=true`, as .ci/run sets)
    a test that needs them fails naming the Debian packages to install; elsewhere it is skipped with that
    reason."""
    import os

    import pytest

    from safepassage.core import pdf

    reason = pdf.missing()
    if reason and os.environ.get("CI", "").lower() in ("1", "true", "yes"):
        pytest.fail(f"PDFs cannot be drawn on this CI machine: {reason}", pytrace=False)
    return reason


def require_pdf_tools() -> None:
    """Skip (or, under CI, fail) a test that draws PDFs when this machine cannot."""
    import pytest

    reason = pdf_tools_missing()
    if reason:
        pytest.skip(f"PDFs cannot be drawn here: {reason}")


def require_spark() -> None:
    """Skip (or, under CI, fail) a test that runs the matcher on Apache Spark when this machine cannot:
    pyspark (the `spark` extra) or Java 17 (Debian's openjdk-17-jre-headless, which .ci/run installs) missing.
    """
    import os

    import pytest

    from safepassage.linkage import spark

    reason = spark.available()
    if reason and os.environ.get("CI", "").lower() in ("1", "true", "yes"):
        pytest.fail(f"Spark cannot run on this CI machine: {reason}", pytrace=False)
    if reason:
        pytest.skip(f"Spark cannot run here: {reason}")


# The data the migrations seed (the default catalogue with its red-flag rules and translations, the case
# lifecycle, hotlines, agreements, minimum wages): (app, migration, function), in migration order.
# What the migrations seed, by the model whose rows show the seed is there: app, model, (migration, function).
SEEDS: list[tuple[str, str, list[tuple[str, str]]]] = [
    (
        "registry",
        "Catalogue",
        [
            ("0002_default_catalogue", "load"),
            ("0012_red_flags", "_add_default_rules"),
            ("0013_indicator_translations", "_add_translations"),
        ],
    ),
    ("cases", "Stage", [("0002_default_lifecycle", "load"), ("0003_stage_translations", "add_translations")]),
    (
        "network",
        "Agreement",
        [
            ("0002_seed_directory", "load"),
            ("0003_directory_translations", "add_translations"),
            ("0006_help_page", "load"),
        ],
    ),
    ("prevention", "Intervention", [("0002_catalogue", "load")]),
    ("migration", "DisputeLevel", [("0007_reintegration", "seed_levels")]),
    ("migration", "RedFlag", [("0008_red_flags", "seed_flags")]),
    ("workplaces", "SectorKind", [("0006_sector_kinds", "seed")]),
    ("network", "ExpertiseKind", [("0009_expertise_kinds", "seed")]),
    ("cases", "ReturnMeasureKind", [("0014_return_measures", "seed")]),
]


def restore_seed_data() -> None:
    """Seed again what the migrations seed, for each seed that is gone: a test that commits for real (a
    browser test, background work) ends by emptying every table, and the next test on that worker would
    otherwise find no catalogue, lifecycle, agreement or list."""
    import importlib

    from django.apps import apps

    for app, model, steps in SEEDS:
        if apps.get_model(app, model).objects.exists():
            continue
        for migration, function in steps:
            module = importlib.import_module(f"safepassage.{app}.migrations.{migration}")
            getattr(module, function)(apps, None)
