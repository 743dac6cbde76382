"""Lessons learned: figures counted by hand from a small set of cases; analysts see counts through the
cell-key method (small ones as "<11") and never a name; nobody sees another agency's cases; filters work and
bad ones are named. (Differencing, periods and audit for analysts: test_lessons_disclosure.py.)"""

from __future__ import annotations

import csv
import io
import json
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from safepassage.accounts.models import Membership, User
from safepassage.cases import lessons, lessons_map
from safepassage.cases.htcds import CaseStatus, PerpetratorRole, TraffickingStatus
from safepassage.cases.models import Case, JourneyEvent, LegalEvent, Perpetrator, Referral, Stage, Step
from safepassage.core.disclosure import SMALL, shown_count
from safepassage.geo.models import Area
from safepassage.registry.models import Person
from safepassage.testing import World, api_client, area, directory_entry, web_client
from safepassage.workplaces.models import Recruiter, Workplace

pytestmark = pytest.mark.django_db

TODAY = date(2026, 1, 1)
# Everything that would identify someone: none of it may reach a lessons page, CSV or API answer.
SECRETS = [
    "Zawhtet",
    "Hiddenfamily",
    "Mayhidden",
    "LL-SECRET",
    "Somchai Brokername",
    "Registered Broker Co",
    "Pier Secret",
    "Boss Exploitername",
]


def stage(code: str) -> Stage:
    return Stage.objects.get(code=code)


def person(world: World, given: str, *, agency: Any = None, **fields: Any) -> Person:
    return Person.objects.create(
        agency=agency or world.agency_a,
        given_name=given,
        family_name="Hiddenfamily",
        village=world.village_1,
        **fields,
    )


def case(world: World, number: int, who: Person, *, current: str, since: date, **fields: Any) -> Case:
    return Case.objects.create(
        agency=who.agency,
        reference=f"LL-SECRET-{number:03}",
        person=who,
        stage=stage(current),
        stage_since=since,
        **fields,
    )


def steps(c: Case, *moves: tuple[str, date]) -> None:
    for code, day in moves:
        Step.objects.create(case=c, stage=stage(code), started_on=day)


def event(c: Case, kind: str, day: date, where: Area | None = None, **fields: Any) -> None:
    JourneyEvent.objects.create(case=c, kind=kind, occurred_on=day, area=where, **fields)


@pytest.fixture
def cases_a(world: World) -> dict[str, Case]:
    """Four cases of agency A and one of agency B (referred to A), the figures in the tests below.

    District 5001 holds villages 1 and 2, district 5002 village 3; Myanmar has no area of its own here."""
    Area.objects.filter(code="5001").update(centroid_lat=18.8, centroid_lon=98.9)
    Area.objects.filter(code="5002").update(centroid_lat=18.6, centroid_lon=99.2)
    fishing = Workplace.objects.create(agency=world.agency_a, name="Pier Secret", sector="fishing")
    seafood = Workplace.objects.create(agency=world.agency_a, name="Pier Secret 2", sector="seafood")
    broker = Recruiter.objects.create(agency=world.agency_a, name="Registered Broker Co")

    # 1: a girl of 15 (16 the day after the case opened), recruited online by an acquaintance.
    one = case(
        world,
        1,
        person(world, "Zawhtet", sex="female", birth_date=date(2008, 1, 11), birth_year=2008),
        current="prosecution",
        since=date(2024, 3, 20),
        area=world.village_1,
        opened_on=date(2024, 1, 10),
        nationality="MM",
        recruitment_methods=["ThroughOnlineSocialNetworks", "ThroughFriendsOrSocialEvents"],
        recruitment_apps=["Facebook"],
        relationship_to_trafficker="Acquainted",
        control_methods=["DebtBondage", "WithholdsDocuments"],
        exploitation_types=["ForcedLabour"],
        labour_industry="A_AgricultureForestryAndFishing",
        trafficking_status=TraffickingStatus.ACTUAL,
    )
    steps(
        one,
        ("screening", date(2024, 1, 10)),
        ("investigation", date(2024, 1, 20)),
        ("prosecution", date(2024, 3, 20)),
    )
    event(one, "recruitment", date(2023, 11, 1), world.village_1)
    event(one, "transit", date(2023, 11, 20), world.village_2)
    event(one, "exploitation", date(2023, 12, 1), world.village_3, workplace=fishing)
    event(one, "exploitation", date(2024, 1, 5), world.village_1, workplace=seafood)  # later: not the end
    Perpetrator.objects.create(
        case=one,
        name="Somchai Brokername",
        roles=[PerpetratorRole.RECRUITER],
        relationship="Acquainted",
        recruiter=broker,
    )

    # 2: a man of 24 (birth year only), recruited in Myanmar by a stranger; convicted on appeal, closed.
    two = case(
        world,
        2,
        person(world, "Mayhidden", sex="male", birth_year=2000),
        current="closed",
        since=date(2025, 1, 10),
        area=world.village_2,
        opened_on=date(2024, 5, 1),
        status=CaseStatus.CLOSED,
        nationality="TH",
        recruitment_methods=["ThroughAnOnlineAdvertisement"],
        relationship_to_trafficker="Unaquainted",
        control_methods=["FalsePromises"],
        exploitation_types=["ForcedLabour", "Servitude"],
        labour_industry="C_Manufacturing",
        trafficking_status=TraffickingStatus.POSSIBLE,
    )
    steps(
        two,
        ("investigation", date(2024, 5, 1)),
        ("prosecution", date(2024, 5, 31)),
        ("trial", date(2024, 7, 30)),
        ("verdict", date(2024, 12, 26)),
        ("closed", date(2025, 1, 10)),
    )
    event(two, "recruitment", date(2024, 1, 2), country="MM")
    event(two, "exploitation", date(2024, 2, 1), world.village_2)
    Perpetrator.objects.create(
        case=two,
        name="Somchai Brokername",
        roles=[PerpetratorRole.BROKER, PerpetratorRole.TRANSPORTER],
        relationship="Unaquainted",
    )
    Perpetrator.objects.create(
        case=two, name="Boss Exploitername", roles=[PerpetratorRole.EXPLOITER], relationship="Unaquainted"
    )
    LegalEvent.objects.create(case=two, kind="verdict", happened_on=date(2024, 10, 1), outcome="acquitted")
    LegalEvent.objects.create(case=two, kind="verdict", happened_on=date(2024, 12, 26), outcome="convicted")
    LegalEvent.objects.create(
        case=two, kind="compensation_ordered", happened_on=date(2024, 12, 26), amount=Decimal("100000")
    )
    LegalEvent.objects.create(
        case=two, kind="compensation_paid", happened_on=date(2025, 1, 5), amount=Decimal("40000")
    )

    # 3: age not known, nothing about recruitment recorded; waiting in investigation since February 2025.
    three = case(
        world,
        3,
        person(world, "Zawhtet", sex="female"),
        current="investigation",
        since=date(2025, 2, 1),
        area=world.village_3,
        opened_on=date(2025, 2, 1),
        nationality="MM",
    )
    steps(three, ("investigation", date(2025, 2, 1)))
    event(three, "recruitment", date(2025, 1, 1), world.village_1)
    event(three, "exploitation", date(2025, 1, 15), world.village_3, workplace=fishing)

    # 4: a girl of 8, recruited through family; back in investigation after prosecution; dismissed.
    four = case(
        world,
        4,
        person(world, "Zawhtet", sex="female", birth_date=date(2015, 3, 3), birth_year=2015),
        current="investigation",
        since=date(2023, 8, 4),
        area=world.village_1,
        opened_on=date(2023, 6, 15),
        nationality="LA",
        recruitment_methods=["ThroughFamilyOrFamilyEvents"],
        relationship_to_trafficker="Familial",
        exploitation_types=["ForcedBegging"],
    )
    steps(
        four,
        ("investigation", date(2023, 6, 15)),
        ("prosecution", date(2023, 7, 5)),
        ("investigation", date(2023, 8, 4)),
    )
    event(four, "recruitment", date(2023, 5, 1), world.village_2)
    event(four, "exploitation", date(2023, 5, 20), world.village_1)
    LegalEvent.objects.create(case=four, kind="verdict", happened_on=date(2023, 7, 1), outcome="dismissed")
    LegalEvent.objects.create(
        case=four, kind="compensation_ordered", happened_on=date(2023, 7, 1), amount=Decimal("5000")
    )

    # Agency B's case, referred to agency A and accepted: A works on it, but it is not A's to learn from.
    theirs = case(
        world,
        9,
        person(world, "Zawhtet", agency=world.agency_b, sex="female", birth_year=2001),
        current="investigation",
        since=date(2024, 2, 2),
        area=world.village_3,
        opened_on=date(2024, 2, 2),
        nationality="KH",
        recruitment_methods=["AtWork"],
    )
    Referral.objects.create(
        case=theirs,
        from_agency=world.agency_b,
        to_organisation=directory_entry(world, world.agency_a),
        to_agency=world.agency_a,
        reason="AdditionalServicesRequired",
        consent="person",
        status=Referral.Status.ACCEPTED,
    )
    return {"one": one, "two": two, "three": three, "four": four, "theirs": theirs}


def rows(result: dict[str, Any], table: str, *keys: str) -> dict[str, Any]:
    """A table as {code: value} (one key) or {code: (values…)}."""
    out = {}
    for row in result["tables"][table]["rows"]:
        values = tuple(row[k] for k in keys)
        out[row["code"]] = values[0] if len(keys) == 1 else values
    return out


# --- pure helpers ---------------------------------------------------------------------------------------


def test_percentile_is_the_nearest_rank():
    values = [15, 20, 35, 40, 50]
    # rank = ⌈p/100 × 5⌉: p30 → 2, p40 → 2, p50 → 3, p75 → 4, p90 → 5, p100 → 5, p0 → 1
    assert lessons.percentile(values, 30) == 20
    assert lessons.percentile(values, 40) == 20
    assert lessons.percentile(values, 50) == 35
    assert lessons.percentile(values, 75) == 40
    assert lessons.percentile(values, 90) == 50
    assert lessons.percentile(values, 100) == 50
    assert lessons.percentile(values, 0) == 15
    assert lessons.percentile([3, 1, 2], 50) == 2  # unsorted input
    assert lessons.percentile(list(range(1, 11)), 90) == 9  # ⌈9.0⌉ is 9, not 10
    assert lessons.percentile([], 50) is None
    with pytest.raises(ValueError):
        lessons.percentile([1], 101)


def test_a_count_is_published_exactly_or_through_the_cell_key_method():
    def published(n: int, key_sum: int, exact: bool) -> tuple[Any, list[str]]:
        row: dict[str, Any] = {"suppressed": []}
        lessons.publish(row, "cases", n, key_sum, exact)
        return row["cases"], row["suppressed"]

    assert published(3, 12345, True) == (3, [])
    assert published(3, 12345, False) == (SMALL, ["cases"])  # 3 + at most 3 is still under 11
    assert published(40, 987654, False) == (shown_count(40, 987654).value, [])
    assert published(0, 0, False) == (0, [])  # "none" reveals nobody


def test_filters_are_read_from_the_query_string():
    f = lessons.parse_filters(
        {"opened_from": "2024", "opened_to": "2567", "sex": "female", "age": "25 ", "nationality": "mm"}
    )
    assert f.opened_from == date(2024, 1, 1)
    assert f.opened_to == date(2024, 12, 31)  # a Buddhist-era year, taken as 2024
    assert (f.sex, f.age, f.nationality) == ("female", "25+", "MM")
    assert lessons.parse_filters({"opened_from": "2024-03-31"}).opened_from == date(2024, 3, 31)
    assert lessons.parse_filters({}) == lessons.Filters()


def test_every_bad_filter_is_named_with_what_to_write():
    with pytest.raises(ValidationError) as error:
        lessons.parse_filters(
            {"opened_from": "2024-13-01", "sex": "woman", "age": "30", "nationality": "Myanmar"}
        )
    errors = error.value.message_dict
    assert set(errors) == {"opened_from", "sex", "age", "nationality"}
    assert "YYYY or YYYY-MM-DD" in errors["opened_from"][0]
    assert "0-9, 10-14, 15-17, 18-24, 25+" in errors["age"][0]
    assert "two-letter" in errors["nationality"][0]
    with pytest.raises(ValidationError) as error:
        lessons.parse_filters({"opened_from": "2025", "opened_to": "2024"})
    assert error.value.message_dict == {"opened_to": ["The period starts after it ends."]}


# --- the figures, counted by hand -----------------------------------------------------------------------


def test_recruitment_figures_for_a_coordinator(world, cases_a):
    result = lessons.lessons(world.coordinator_a, today=TODAY)
    assert result["cases"] == 4  # agency B's referred case is not agency A's to learn from
    assert result["exact"] is True
    assert result["suppressed_below"] is None
    assert rows(result, "recruitment_methods", "cases") == {
        "ThroughOnlineSocialNetworks": 1,
        "ThroughAnOnlineAdvertisement": 1,
        "ThroughFamilyOrFamilyEvents": 1,
        "ThroughFriendsOrSocialEvents": 1,
        "": 1,  # case 3: nothing recorded
    }
    assert rows(result, "relationship_to_trafficker", "cases") == {
        "Familial": 1,
        "Acquainted": 1,
        "Unaquainted": 1,
        "": 1,
    }
    assert rows(result, "recruitment_apps", "cases") == {"Facebook": 1, "": 3}
    # Case 1 names a recruiter in the registry (an acquaintance), case 2 an unregistered broker (a stranger);
    # case 2's exploiter is not a recruiter. Case 4 names nobody but records that family recruited her.
    assert rows(result, "recruiters", "cases", "registered", "unregistered") == {
        "Familial": (1, 0, 1),
        "Acquainted": (1, 1, 0),
        "Unaquainted": (1, 0, 1),
        "all": (3, 1, 2),
    }


def test_routes_run_from_first_recruitment_to_first_exploitation_by_district(world, cases_a):
    result = lessons.lessons(world.coordinator_a, today=TODAY)
    # 1: village 1 → village 3 (its later exploitation in village 1 does not count) = 5001 → 5002
    # 2: Myanmar (country only) → village 2 = MM → 5001;  3: 5001 → 5002
    # 4: village 2 → village 1 = 5001 → 5001
    assert rows(result, "routes", "cases") == {"5001>5002": 2, "MM>5001": 1, "5001>5001": 1}
    first = result["tables"]["routes"]["rows"][0]
    assert (first["origin_name"], first["destination_name"], first["cases"]) == ("Area 5001", "Area 5002", 2)

    data = lessons_map.route_map(world.coordinator_a)
    assert data["level"] == "district"  # exact figures: the routes join districts, as the table does
    drawn = {(f["properties"]["origin"], f["properties"]["destination"]): f for f in data["features"]}
    # Myanmar has no area here: it is drawn from the middle of the country (core.countries).
    assert set(drawn) == {("5001", "5002"), ("5001", "5001"), ("MM", "5001")}
    assert data["not_drawn"] == 0
    assert drawn[("MM", "5001")]["geometry"]["coordinates"][0] == [95.96, 21.91]
    assert drawn[("MM", "5001")]["properties"]["origin_name"] == "Myanmar"
    assert drawn[("5001", "5002")]["geometry"] == {
        "type": "LineString",
        "coordinates": [[98.9, 18.8], [99.2, 18.6]],
    }
    assert drawn[("5001", "5001")]["geometry"]["type"] == "Point"
    assert drawn[("5001", "5002")]["properties"]["cases"] == 2

    # With a country area that has a centre, the cross-border route is drawn from it.
    country = area("MM", "country", name="Myanmar")
    Area.objects.filter(pk=country.pk).update(centroid_lat=21.0, centroid_lon=96.0)
    data = lessons_map.route_map(world.coordinator_a)
    assert data["not_drawn"] == 0
    drawn = {(f["properties"]["origin"], f["properties"]["destination"]): f for f in data["features"]}
    assert drawn[("MM", "5001")]["geometry"]["coordinates"][0] == [96.0, 21.0]


def test_an_analysts_route_map_joins_provinces_and_countries_and_never_draws_under_eleven(world):
    """Seven cases 5001 → 5002 and seven within 5001 are each "<11" for an analyst, so a map of districts
    would be empty; by province they are one route of 14 (11 or more whatever the noise), drawn. Five
    cases 5002 → Malaysia stay under 11 by country too: never drawn, in any form."""
    Area.objects.filter(code="50").update(centroid_lat=18.8, centroid_lon=98.95)
    number = 0
    for n, start, end, abroad in [
        (7, world.village_1, world.village_3, ""),
        (7, world.village_1, world.village_2, ""),
        (5, world.village_3, None, "MY"),
    ]:
        for _ in range(n):
            number += 1
            c = case(
                world,
                number,
                person(world, "Zawhtet", sex="female", birth_year=2005),
                current="investigation",
                since=date(2025, 6, 1),
                opened_on=date(2025, 6, 1),
            )
            event(c, "recruitment", date(2025, 1, 1), start)
            event(c, "exploitation", date(2025, 2, 1), end, country=abroad)
    table = lessons.lessons(world.analyst_a, today=TODAY)["tables"]["routes"]
    assert {r["code"]: r["cases"] for r in table["rows"]} == {
        "5001>5002": SMALL,
        "5001>5001": SMALL,
        "5002>MY": SMALL,
    }

    data = lessons_map.route_map(world.analyst_a)
    assert data["level"] == "province" and data["perturbed"] is True
    inside = [c for c in Case.objects.all() if not c.events.filter(country="MY").exists()]
    assert [f["properties"] for f in data["features"]] == [
        {
            "origin": "50",
            "origin_name": "Area 50",
            "destination": "50",
            "destination_name": "Area 50",
            "cases": shown(inside),
        }
    ]
    assert data["features"][0]["properties"]["cases"] >= 11
    assert data["features"][0]["geometry"] == {"type": "Point", "coordinates": [98.95, 18.8]}
    assert data["not_drawn"] == 1  # 50 → Malaysia: 5 cases, "<11"
    assert "MY" not in json.dumps(data["features"])


def test_sectors_control_and_exploitation(world, cases_a):
    result = lessons.lessons(world.coordinator_a, today=TODAY)
    assert rows(result, "labour_industry", "cases") == {
        "A_AgricultureForestryAndFishing": 1,
        "C_Manufacturing": 1,
        "": 2,
    }
    # Cases 1 and 3 were exploited at the same fishing pier; case 1 later at a seafood plant too.
    assert rows(result, "workplace_sectors", "cases", "workplaces") == {"fishing": (2, 1), "seafood": (1, 1)}
    assert rows(result, "control_methods", "cases") == {
        "DebtBondage": 1,
        "FalsePromises": 1,
        "WithholdsDocuments": 1,
        "": 2,
    }
    assert rows(result, "exploitation_types", "cases") == {
        "ForcedLabour": 2,
        "Servitude": 1,
        "ForcedBegging": 1,
        "": 1,
    }


def test_time_in_each_stage_and_where_cases_stall(world, cases_a):
    table = lessons.lessons(world.coordinator_a, today=TODAY)["tables"]["stages"]
    by_code = {r["code"]: r for r in table["rows"]}
    # Legal stages first, in lifecycle order, then the others.
    codes = [r["code"] for r in table["rows"]]
    legal = [c for c in codes if by_code[c]["legal"]]
    assert codes[: len(legal)] == legal
    assert legal[:5] == ["mediation", "labour_court", "investigation", "prosecution", "trial"]

    # Investigation stays: case 1 20 Jan → 20 Mar 2024 = 60 days, case 2 1 → 31 May = 30, case 4
    # 15 Jun → 5 Jul 2023 = 20. Sorted 20, 30, 60: median rank ⌈1.5⌉ = 2 → 30; p75 ⌈2.25⌉ = 3 → 60;
    # p90 ⌈2.7⌉ = 3 → 60.
    inv = by_code["investigation"]
    assert (inv["stays"], inv["median"], inv["p75"], inv["p90"]) == (3, 30, 60, 60)
    # Open there now: case 3 (since 1 Feb 2025: 334 days) and case 4 (since 4 Aug 2023): both past 60.
    assert (inv["open"], inv["stalled"]) == (2, 2)

    # Prosecution: case 2 31 May → 30 Jul 2024 = 60, case 4 5 Jul → 4 Aug 2023 = 30; median rank 1 → 30.
    pro = by_code["prosecution"]
    assert (pro["stays"], pro["median"], pro["p75"], pro["p90"]) == (2, 30, 60, 60)
    assert (pro["open"], pro["stalled"]) == (1, 1)  # case 1, since 20 Mar 2024

    # Trial: 30 Jul → 26 Dec 2024 = 149 days; verdict: 26 Dec 2024 → 10 Jan 2025 = 15; screening: 10.
    assert (by_code["trial"]["stays"], by_code["trial"]["median"], by_code["trial"]["open"]) == (1, 149, 0)
    assert by_code["verdict"]["median"] == 15
    assert by_code["screening"]["median"] == 10
    assert by_code["closed"]["stays"] == 0  # the last step of a case is not a completed stay
    assert by_code["closed"]["open"] == 0  # closed cases are not waiting anywhere
    # A stage nobody has left yet has no percentile, so nobody there can be "stalled".
    assert by_code["mediation"]["p90"] is None
    assert by_code["mediation"]["stalled"] is None

    assert table["highlight"] == {"code": "investigation", "label": "Investigation", "stalled": 2}
    assert [r["code"] for r in table["rows"] if r["stalls_most"]] == ["investigation"]


def test_outcomes(world, cases_a):
    result = lessons.lessons(world.coordinator_a, today=TODAY)
    # Case 2 was acquitted, then convicted on appeal: its latest verdict counts.
    assert rows(result, "verdicts", "cases") == {"convicted": 1, "dismissed": 1}
    assert rows(result, "compensation", "cases", "amount") == {
        "ordered": (2, "105000.00"),
        "paid": (1, "40000.00"),
        "ordered_not_paid": (1, "5000.00"),
    }
    assert rows(result, "trafficking_status", "cases") == {
        "ActualVictimOfTrafficking": 1,
        "PossibleVictimOfTrafficking": 1,
        "": 2,
    }
    assert rows(result, "status", "cases") == {"Active": 3, "Closed": 1}


# --- filters -------------------------------------------------------------------------------------------


def count(world: World, **params: str) -> int | None:
    return lessons.lessons(world.coordinator_a, lessons.parse_filters(params), today=TODAY)["cases"]


def test_filters_narrow_the_cases(world, cases_a):
    assert count(world, sex="male") == 1
    assert count(world, sex="female") == 3
    assert count(world, nationality="mm") == 2
    assert count(world, opened_from="2024", opened_to="2024") == 2
    assert count(world, opened_from="2024-05-01") == 2
    assert count(world, opened_to="2024-01-09") == 1
    # Age on the day the case opened: case 1's girl turned 16 the day after, so she is 15-17.
    assert count(world, age="15-17") == 1
    assert count(world, age="18-24") == 1  # 2024 − 2000, from the birth year alone
    assert count(world, age="0-9") == 1
    assert count(world, age="unknown") == 1
    assert count(world, age="25+") == 0
    only_men = lessons.lessons(world.coordinator_a, lessons.parse_filters({"sex": "male"}), today=TODAY)
    assert rows(only_men, "routes", "cases") == {"MM>5001": 1}
    assert rows(only_men, "verdicts", "cases") == {"convicted": 1}


def test_a_bad_filter_gets_a_clear_message_everywhere(world, cases_a):
    page = web_client(world.coordinator_a).get(reverse("cases:lessons"), {"age": "30"})
    assert page.status_code == 400
    assert "Choose an age band from" in page.content.decode()
    assert "lessons-recruitment_methods" not in page.content.decode()  # no figures for a wrong question
    csv_response = web_client(world.coordinator_a).get(
        reverse("cases:lessons_csv", args=["routes"]), {"opened_from": "yesterday"}
    )
    assert csv_response.status_code == 400
    assert "YYYY or YYYY-MM-DD" in csv_response.content.decode()
    routes = web_client(world.coordinator_a).get(reverse("cases:lessons_routes"), {"sex": "x"})
    assert routes.status_code == 400
    assert routes.json()["errors"][0]["field"] == "sex"
    api = api_client(world.coordinator_a).get("/api/v1/lessons?nationality=Burma")
    assert api.status_code == 400
    assert api.json()["errors"][0]["field"] == "nationality"


# --- who sees what -------------------------------------------------------------------------------------


def test_another_agencys_coordinator_sees_none_of_agency_as_cases(world, cases_a):
    result = lessons.lessons(world.coordinator_b, today=TODAY)
    assert result["cases"] == 1  # their own case only
    assert rows(result, "recruitment_methods", "cases") == {"AtWork": 1}
    assert rows(result, "routes", "cases") == {}
    assert rows(result, "compensation", "cases") == {"ordered": 0, "paid": 0, "ordered_not_paid": 0}
    for persona in ("admin_a", "caseworker_a", "volunteer_a", "partner_a", "outsider"):
        assert lessons.lessons(world.users[persona], today=TODAY)["cases"] == 0, persona


def test_an_area_bound_coordinator_learns_from_the_cases_in_their_areas(world, cases_a):
    user = User.objects.create_user(username="coordinator_5002")
    membership = Membership.objects.create(user=user, agency=world.agency_a, role="coordinator")
    membership.areas.set([world.district_2])
    result = lessons.lessons(user, today=TODAY)
    assert result["cases"] == 1  # case 3, in village 3
    assert rows(result, "routes", "cases") == {"5001>5002": 1}


@pytest.fixture
def many(world: World) -> None:
    """26 cases of agency A: 12 recruited through friends, 11 through an online advert, 3 through family;
    the 15 recruited online or by family are exploited 5001 → 5002, 11 of the friends' 5001 → 5001."""
    Area.objects.filter(code="5001").update(centroid_lat=18.8, centroid_lon=98.9)
    Area.objects.filter(code="5002").update(centroid_lat=18.6, centroid_lon=99.2)
    groups = [
        ("ThroughFriendsOrSocialEvents", 12, world.village_1),
        ("ThroughAnOnlineAdvertisement", 11, world.village_3),
        ("ThroughFamilyOrFamilyEvents", 3, world.village_3),
    ]
    number = 100
    for method, n, destination in groups:
        for _ in range(n):
            number += 1
            c = case(
                world,
                number,
                person(world, "Zawhtet", sex="female", birth_year=2005),
                current="investigation",
                since=date(2025, 6, 1),
                area=world.village_1,
                opened_on=date(2025, 6, 1),
                recruitment_methods=[method],
            )
            if number != 101:  # one friends' case has no route
                event(c, "recruitment", date(2025, 1, 1), world.village_1)
                event(c, "exploitation", date(2025, 2, 1), destination)


def shown(cases: Any) -> int | str:
    """What an analyst reads for a cell of exactly these cases: their count through the cell-key method."""
    keys = [c.record_key for c in cases]
    return shown_count(len(keys), sum(keys)).as_json()


def with_method(method: str) -> list[Case]:
    return [c for c in Case.objects.all() if method in c.recruitment_methods]


def test_an_analyst_gets_counts_perturbed_small_ones_as_under_eleven_and_told_so(world, many):
    exact = lessons.lessons(world.coordinator_a, today=TODAY)
    assert rows(exact, "recruitment_methods", "cases") == {
        "ThroughAnOnlineAdvertisement": 11,
        "ThroughFamilyOrFamilyEvents": 3,
        "ThroughFriendsOrSocialEvents": 12,
    }
    result = lessons.lessons(world.analyst_a, today=TODAY)
    assert result["exact"] is False
    assert result["suppressed_below"] == 11
    assert result["cases"] == shown(Case.objects.all())
    friends = with_method("ThroughFriendsOrSocialEvents")
    advert = with_method("ThroughAnOnlineAdvertisement")
    table = result["tables"]["recruitment_methods"]
    # Each row is a cell of its own cases: no second count is hidden to protect the first (the noise does).
    assert rows(result, "recruitment_methods", "cases") == {
        "ThroughFriendsOrSocialEvents": shown(friends),
        "ThroughAnOnlineAdvertisement": shown(advert),
        "ThroughFamilyOrFamilyEvents": SMALL,
    }
    assert table["suppressed"] == [r["label"] for r in table["rows"] if r["cases"] == SMALL]
    assert "Through family or family events" in table["suppressed"]
    # Rows go by the numbers shown, "<11" last, so their order tells nothing more.
    shown_order = [lessons.rank(r["cases"]) for r in table["rows"]]
    assert shown_order == sorted(shown_order, reverse=True)
    # Routes: 5001 → 5002 has the 14 advert and family cases, 5001 → 5001 the 11 friends' with a route.
    # Stage counts: 26 open cases in investigation; nobody has left a stage (no average, no "stalled").
    routed = [c for c in friends if c.reference != "LL-SECRET-101"]
    assert rows(result, "routes", "cases") == {
        "5001>5002": shown(advert + with_method("ThroughFamilyOrFamilyEvents")),
        "5001>5001": shown(routed),
    }
    assert rows(result, "stages", "open")["investigation"] == shown(Case.objects.all())
    assert rows(result, "stages", "mean")["investigation"] is None


def test_an_analyst_sees_everything_under_eleven_when_there_are_few_cases(world, cases_a):
    result = lessons.lessons(world.analyst_a, today=TODAY)
    assert result["cases"] == SMALL  # 4 cases: 4 + at most 3 is still under 11
    for table in result["tables"].values():
        for row in table["rows"]:
            for column in table["columns"]:
                if column["kind"] == "count":
                    assert row[column["key"]] in (SMALL, 0, None), (table["id"], row)
            if table["id"] == "compensation":
                assert row["amount"] is None  # sums of money are for exact scopes only
    assert lessons_map.route_map(world.analyst_a)["features"] == []  # "<11" flows are not drawn
    # The parts of a count shown as "<11" are "<11" too, zeros included: "none of these few were linked to
    # a registered recruiter" would say something about each of them.
    assert rows(result, "recruiters", "cases", "registered", "unregistered")["Familial"] == (
        SMALL,
        SMALL,
        SMALL,
    )
    assert rows(result, "compensation", "cases")["paid"] == SMALL


def test_names_and_references_never_leave_the_lessons_pages(world, cases_a, many):
    for persona in ("coordinator_a", "analyst_a"):
        user = world.users[persona]
        client = web_client(user)
        page = client.get(reverse("cases:lessons"), {"section": "all"})
        assert page.status_code == 200
        texts = [page.content.decode()]
        for table in lessons.TABLE_IDS:
            response = client.get(reverse("cases:lessons_csv", args=[table]))
            assert response.status_code == 200, table
            texts.append(response.content.decode("utf-8-sig"))
        texts.append(client.get(reverse("cases:lessons_routes")).content.decode())
        texts.append(json.dumps(api_client(user).get("/api/v1/lessons").json()))
        for text in texts:
            for secret in SECRETS:
                assert secret not in text, (persona, secret)


def test_the_page_explains_every_table_and_marks_what_is_hidden(world, many):
    html = web_client(world.analyst_a).get(reverse("cases:lessons"), {"section": "all"}).content.decode()
    assert "Numbers under 11 are hidden" in html
    for table in lessons.lessons(world.analyst_a)["tables"].values():
        assert f'id="lessons-{table["id"]}"' in html
        assert table["explanation"] in html.replace("&#x27;", "'")
        assert reverse("cases:lessons_csv", args=[table["id"]]) in html
    assert "&lt;11" in html
    assert "because the number is under 11" in html
    assert 'id="routes-map"' in html
    assert "<script>" not in html and "style=" not in html  # the CSP allows neither


def test_the_csv_shows_small_counts_as_under_eleven_and_names_them(world, many):
    response = web_client(world.analyst_a).get(reverse("cases:lessons_csv", args=["recruitment_methods"]))
    assert response["Content-Type"].startswith("text/csv")
    assert 'filename="lessons-recruitment_methods.csv"' in response["Content-Disposition"]
    table = {
        r["code"]: (r["cases"], r["suppressed"])
        for r in csv.DictReader(io.StringIO(response.content.decode("utf-8-sig")))
    }
    expected = {
        method: (str(value), "cases" if value == SMALL else "")
        for method in ("ThroughFriendsOrSocialEvents", "ThroughAnOnlineAdvertisement")
        for value in [shown(with_method(method))]
    }
    assert table == {**expected, "ThroughFamilyOrFamilyEvents": (SMALL, "cases")}
    unknown = web_client(world.analyst_a).get(reverse("cases:lessons_csv", args=["people"]))
    assert unknown.status_code == 404


def test_the_api_answers_the_same_tables(world, cases_a):
    body = api_client(world.coordinator_a).get("/api/v1/lessons?sex=female").json()
    assert body["cases"] == 3
    assert body["filters"]["sex"] == "female"
    assert {r["code"]: r["cases"] for r in body["tables"]["verdicts"]["rows"]} == {"dismissed": 1}
    assert api_client(world.caseworker_a).get("/api/v1/lessons").status_code == 404


def test_the_number_of_queries_does_not_grow_with_the_cases(world, cases_a, many):
    def queries() -> int:
        user = User.objects.get(pk=world.coordinator_a.pk)  # a fresh viewer each time
        with CaptureQueriesContext(connection) as captured:
            lessons.lessons(user, lessons.parse_filters({"age": "15-17"}), today=TODAY)
        return len(captured)

    before = queries()
    assert before <= 15
    for number in range(200, 230):
        c = case(
            world,
            number,
            person(world, "Zawhtet", sex="female", birth_year=2009),
            current="prosecution",
            since=date(2025, 3, 1),
            opened_on=date(2024, 6, 1),
            recruitment_methods=["AtWork"],
        )
        steps(c, ("investigation", date(2024, 6, 1)), ("prosecution", date(2025, 3, 1)))
        event(c, "recruitment", date(2024, 1, 1), world.village_2)
        event(c, "exploitation", date(2024, 2, 1), world.village_3)
    assert queries() == before
