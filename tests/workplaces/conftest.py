"""Shared fixtures for sin space."""

from datetime import date

import pytest

from safepassage.accounts.models import Agency, Membership, User
from safepassage.workplaces import services

TODAY = date.today()


@pytest.fixture
def employer_world(world):
    """Agency A's workplace run by an employer that is also a partner agency with its own user."""
    company = Agency.objects.create(code="factory", name="Good Fish Co.", kind="employer", country="TH")
    boss = User.objects.create_user(username="employer_user", password="x-long-password")
    Membership.objects.create(user=boss, agency=company, role="partner")
    employer = services.employer_create(
        actor=world.coordinator_a,
        legal_name="Good Fish Co.",
        partner_agency=company,
        contacts={"phone": "081 234 5678"},
    )
    mine = services.workplace_create(
        actor=world.coordinator_a,
        name="Pier 4 processing",
        sector="seafood",
        lat=13.5,
        lon=100.3,
        employer_id=employer.pk,
        village_code=world.village_1.code,
    )
    other = services.workplace_create(
        actor=world.coordinator_a, name="Karaoke 9", sector="entertainment", lat=18.8, lon=99.0
    )
    services.observation_record(
        actor=world.coordinator_a,
        workplace=mine,
        observed_on=TODAY,
        source="tip",
        reliability="C",
        indicators=["no_contract"],
        informant="Mrs K at the noodle stall",
    )
    world.users["employer_user"] = boss
    return world, mine, other
