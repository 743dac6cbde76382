""" "Recruiters named in cases" counts the cases that record who recruited the person.

The demo's 133 cases of the coordination centre each record the victim's relationship to the trafficker on
the case (HTCDS vic_RelationshipToTrafficker, which the CTDC data set publishes as the recruiter's
relationship) and name no perpetrator; the table read perpetrators only, so it showed 0.
"""

from __future__ import annotations

from datetime import date

import pytest

from safepassage.cases import lessons
from safepassage.cases.htcds import PerpetratorRole
from safepassage.cases.models import Perpetrator
from safepassage.testing import World, web_client
from safepassage.workplaces.models import Recruiter

from .test_lessons import case, person, rows

pytestmark = pytest.mark.django_db


def recorded(world: World, number: int, relationship: str = "", **fields: object):
    return case(
        world,
        number,
        person(world, "Zawhtet", sex="female", birth_year=2008),
        current="investigation",
        since=date(2025, 2, 1),
        area=world.village_1,
        opened_on=date(2025, 2, 1),
        relationship_to_trafficker=relationship,
        **fields,
    )


def test_cases_recording_the_relationship_to_whoever_recruited_them_are_counted(world):
    # Like the demo: the relationship on the case, nobody named as a perpetrator.
    for number, relationship in enumerate(["Acquainted", "Acquainted", "Familial", "Unaquainted"], start=1):
        recorded(world, number, relationship)
    recorded(world, 5)  # nothing recorded: not counted
    result = lessons.lessons(world.coordinator_a)
    assert rows(result, "recruiters", "cases", "registered", "unregistered") == {
        "Acquainted": (2, 0, 2),
        "Familial": (1, 0, 1),
        "Unaquainted": (1, 0, 1),
        "all": (4, 0, 4),
    }


def test_a_named_recruiter_counts_once_with_their_own_relationship(world):
    broker = Recruiter.objects.create(agency=world.agency_a, name="Registered Broker Co")
    # The case says "someone they knew"; the recruiter named on it is a registered broker, a stranger.
    one = recorded(world, 1, "Acquainted")
    Perpetrator.objects.create(
        case=one, roles=[PerpetratorRole.BROKER], relationship="Unaquainted", recruiter=broker
    )
    # A recruiter named without a relationship takes the case's.
    two = recorded(world, 2, "Familial")
    Perpetrator.objects.create(case=two, roles=[PerpetratorRole.RECRUITER])
    # Someone who only exploited the person is not a recruiter: the case's relationship stands.
    three = recorded(world, 3, "Acquainted")
    Perpetrator.objects.create(case=three, roles=[PerpetratorRole.EXPLOITER], relationship="Familial")
    result = lessons.lessons(world.coordinator_a)
    assert rows(result, "recruiters", "cases", "registered", "unregistered") == {
        "Unaquainted": (1, 1, 0),
        "Familial": (1, 0, 1),
        "Acquainted": (1, 0, 1),
        "all": (3, 1, 2),
    }


def test_the_page_shows_the_recruiters_figure(world):
    for number in range(1, 13):
        recorded(world, number, "Acquainted")
    html = web_client(world.coordinator_a).get("/cases/lessons/", {"section": "2"}).content.decode()
    table = html[html.index('id="lessons-recruiters"') :]
    table = table[: table.index("</table>")]
    assert ">12<" in table
