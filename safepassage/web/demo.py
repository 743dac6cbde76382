"""The synthetic demo province: areas, three agencies and a user of every role, with generated passwords."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.db import transaction

from safepassage.accounts.models import Agency, User
from safepassage.accounts.second_factor import totp_issue, totp_secret
from safepassage.accounts.services import agency_create, generate_password, user_create
from safepassage.cases.demo import generate_cases
from safepassage.core.roles import Role
from safepassage.exchange.demo import generate_exchange
from safepassage.geo.demo import province_rows
from safepassage.geo.models import Area
from safepassage.geo.services import areas_import
from safepassage.linkage.demo import generate_duplicates
from safepassage.migration.demo import generate_followup, generate_migration
from safepassage.network.demo import generate_directory, generate_library, generate_training_follow_up
from safepassage.prevention.demo import generate_prevention
from safepassage.registry.demo import generate_documentation, generate_population
from safepassage.workplaces.demo import generate_links_and_media, generate_workplaces

AGENCIES = [
    ("cc", "Provincial Coordination Centre for Children and Women", Agency.Kind.GOVERNMENT),
    ("ngo", "Northern Child Safety Foundation", Agency.Kind.NGO),
    ("labour", "Provincial Labour Office", Agency.Kind.GOVERNMENT),
    ("employer", "Lanna Agro Co., Ltd. (partner employer)", Agency.Kind.EMPLOYER),
]
# Receiving profiles other than the one that fits the kind (docs/roles.md): the labour office inspects.
PROFILES = {"labour": "labour_inspection"}
# (agency code, role, username, given name, area codes covered)
USERS = [
    ("cc", Role.ADMIN, "cc.admin", "Somchai", []),
    ("cc", Role.COORDINATOR, "cc.coordinator", "Malee", []),
    ("cc", Role.CASEWORKER, "cc.caseworker", "Niran", ["5001", "5007"]),
    ("cc", Role.VOLUNTEER, "cc.volunteer", "Ploy", ["50070101", "50070102", "50070103"]),
    ("cc", Role.ANALYST, "cc.analyst", "Kanya", []),
    ("cc", Role.PARTNER, "cc.partner", "Arun", []),
    ("ngo", Role.ADMIN, "ngo.admin", "Lek", []),
    ("ngo", Role.COORDINATOR, "ngo.coordinator", "Dao", []),
    ("ngo", Role.CASEWORKER, "ngo.caseworker", "Nok", []),
    ("ngo", Role.VOLUNTEER, "ngo.volunteer", "Aye", ["50180101", "50180102"]),
    ("ngo", Role.ANALYST, "ngo.analyst", "Mai", []),
    ("ngo", Role.PARTNER, "ngo.partner", "Tun", []),
    ("labour", Role.ADMIN, "labour.admin", "Wichai", []),
    ("labour", Role.COORDINATOR, "labour.coordinator", "Suda", []),
    ("labour", Role.CASEWORKER, "labour.inspector", "Prasert", []),
    ("employer", Role.PARTNER, "employer.partner", "Kittisak", []),
]


@dataclass(frozen=True)
class DemoLogin:
    """One demo account, as printed and written to demo-logins.json."""

    username: str
    password: str
    agency: str
    role: str
    totp_secret: str = ""  # the authenticator-app key (base32): add it to an app, or compute codes from it


def load_demo(*, logins_file: Path, people: int = 20_000, records: int | None = None) -> list[DemoLogin]:
    """Load the demo province once; later calls read the logins back instead of making new ones. `records`
    makes a small demo (for browser tests): that many workplaces, cases and registrations, not hundreds."""
    sized: dict[str, Any] = {} if records is None else {"count": records}
    if Agency.objects.filter(code="cc").exists() and logins_file.exists():
        return read_logins(logins_file)
    with transaction.atomic():
        if not Area.objects.filter(code="50").exists():
            areas_import(actor=None, rows=province_rows(), source="demo province")
        agencies = {
            code: agency_create(
                actor=None, code=code, name=name, kind=kind, country="TH", profile=PROFILES.get(code)
            )
            for code, name, kind in AGENCIES
        }
        logins = []
        for agency_code, role, username, first_name, area_codes in USERS:
            areas = list(Area.objects.filter(code__in=area_codes))
            password = generate_password()
            user, _password = user_create(
                actor=None,
                agency=agencies[agency_code],
                username=username,
                role=role,
                password=password,
                areas=areas,
                first_name=first_name,
                last_name="(demo)",
            )
            secret = totp_secret(totp_issue(actor=None, user=user))
            logins.append(DemoLogin(username, password, agencies[agency_code].name, str(role), secret))
        # The coordination centre's administrator is also the system administrator (catalogue, areas).
        User.objects.filter(username="cc.admin").update(is_superuser=True)
        # Before the population: its alerts are routed to the responders who cover the villages.
        generate_directory(agencies=agencies)
        generate_library(agencies=agencies)  # laws, agreements and guidelines
        generate_training_follow_up(agencies=agencies)  # provincial centre, trainees followed up
        if people:
            generate_population(people=people, agencies=agencies)
            generate_documentation(agencies=agencies)  # a stateless child with an open citizenship problem
            generate_prevention(agencies=agencies)  # help given to part of the people, some drifting
        generate_workplaces(agencies=agencies, employer_agency=agencies["employer"], **sized)
        generate_links_and_media(agencies=agencies)  # venues linked, supply chains, media to review
        generate_cases(agencies=agencies, **sized)
        generate_migration(agencies=agencies, **sized)
        generate_exchange(agencies=agencies)
        generate_followup(agencies=agencies)  # disputes up the escalation path, returned workers
        if people:
            generate_duplicates(agencies=agencies, **({} if records is None else {"count": min(records, 40)}))
    write_logins(logins_file, logins)
    return logins


def write_logins(path: Path, logins: list[DemoLogin]) -> None:
    """Write the logins readable by the owner only."""
    data: list[dict[str, Any]] = [login.__dict__ for login in logins]
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        json.dump(data, handle, ensure_ascii=False, indent=2)


def read_logins(path: Path) -> list[DemoLogin]:
    """The logins written when the demo was loaded."""
    return [DemoLogin(**item) for item in json.loads(path.read_text(encoding="utf-8"))]
