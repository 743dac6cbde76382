"""Lessons learned outside the owning agency's coordinators: figures that stay safe when an analyst subtracts
one answer from another (issue 15).

Analysts read every count through the cell-key method (core.disclosure) with the sum of the record keys of
exactly the cases in the cell, durations as perturbed means or withheld, periods as whole months with both
ends, and every request leaves an audit event. Expected values are worked out here from the cases' own keys,
never written down as numbers.
"""

from __future__ import annotations

import csv
import io
import json
import random
from collections.abc import Iterable
from datetime import date, timedelta
from typing import Any

import pytest
from django.db import connection
from django.urls import reverse

from safepassage.audit.models import AuditEvent
from safepassage.cases import lessons
from safepassage.cases.models import Case, LegalEvent
from safepassage.core import disclosure
from safepassage.core.disclosure import KEY_SPACE, SMALL, THRESHOLD, perturbed_mean, shown_count
from safepassage.geo.models import Area
from safepassage.testing import World, api_client, web_client

from .test_lessons import case, event, person, steps

pytestmark = pytest.mark.django_db

TODAY = date(2026, 1, 1)
START = date(2025, 3, 1)
FRIENDS, ADVERT = "ThroughFriendsOrSocialEvents", "ThroughAnOnlineAdvertisement"
WHOLE_PERIOD = {"opened_from": "2025-03-01", "opened_to": "2025-04-30"}


@pytest.fixture
def spread(world: World) -> list[Case]:
    """40 cases of agency A, one opened a day from 1 March 2025 (31 in March, 9 in April).

    Case i: recruited through friends when i % 8 < 5 (25), else through an online advert (15); recruited in
    village 1 and exploited in village 3 (district 5001 → 5002), except cases 0-2, exploited in village 2
    (5001 → 5001, a small flow). The first 30 spent 10 + i % 7 days in investigation and are now in
    prosecution; the other 10 are still in investigation. Cases 0-11 have a conviction."""
    Area.objects.filter(code="5001").update(centroid_lat=18.8, centroid_lon=98.9)
    Area.objects.filter(code="5002").update(centroid_lat=18.6, centroid_lon=99.2)
    made = []
    for i in range(40):
        opened = START + timedelta(days=i)
        moved = opened + timedelta(days=10 + i % 7)
        c = case(
            world,
            300 + i,
            person(world, "Zawhtet", sex="female", birth_year=2000),
            current="prosecution" if i < 30 else "investigation",
            since=moved if i < 30 else opened,
            area=world.village_1,
            opened_on=opened,
            recruitment_methods=[FRIENDS if i % 8 < 5 else ADVERT],
        )
        if i < 30:
            steps(c, ("investigation", opened), ("prosecution", moved))
        else:
            steps(c, ("investigation", opened))
        event(c, "recruitment", opened - timedelta(days=60), world.village_1)
        event(c, "exploitation", opened - timedelta(days=30), world.village_2 if i < 3 else world.village_3)
        if i < 12:
            LegalEvent.objects.create(case=c, kind="verdict", happened_on=opened, outcome="convicted")
        made.append(c)
    return made


def keys(cases: Iterable[Case]) -> int:
    """The sum of the cases' record keys, read from the database."""
    return sum(Case.objects.filter(pk__in=[c.pk for c in cases]).values_list("record_key", flat=True))


def shown(cases: list[Case]) -> int | str:
    """What an analyst should read for a cell holding exactly these cases."""
    return shown_count(len(cases), keys(cases)).as_json()


def analyst_lessons(world: World, **params: str) -> dict[str, Any]:
    response = api_client(world.analyst_a).get("/api/v1/lessons", params)
    assert response.status_code == 200, response.content
    return response.json()


def by_code(result: dict[str, Any], table: str, key: str = "cases") -> dict[str, Any]:
    return {row["code"]: row[key] for row in result["tables"][table]["rows"]}


# --- the findings of the issue, reproduced ---------------------------------------------------------------


def test_an_analyst_cannot_subtract_two_open_ended_periods_a_day_apart(world, spread):
    # Issue 15: opened_from=D minus opened_from=D+1 was exactly the cases opened on day D.
    client = api_client(world.analyst_a)
    for day in (date(2025, 3, 10), date(2025, 3, 11)):
        response = client.get("/api/v1/lessons", {"opened_from": day.isoformat()})
        assert response.status_code == 400
        fields = {e["field"] for e in response.json()["errors"]}
        assert fields == {"opened_from", "opened_to"}  # not the first of a month, and no end given
    # A day-level period with both ends is refused too, naming the bound that is not a month's edge.
    response = client.get("/api/v1/lessons", {"opened_from": "2025-03-01", "opened_to": "2025-03-10"})
    assert response.status_code == 400
    assert [e["field"] for e in response.json()["errors"]] == ["opened_to"]
    assert "2025-03-31" in response.json()["errors"][0]["message"]
    response = client.get("/api/v1/lessons", {"opened_to": "2025-03-31"})
    assert [e["field"] for e in response.json()["errors"]] == ["opened_from"]


def test_the_page_csv_and_routes_refuse_day_level_periods_to_an_analyst(world, spread):
    client = web_client(world.analyst_a)
    page = client.get(reverse("cases:lessons"), {"opened_from": "2025-03-10"})
    assert page.status_code == 400
    assert "lessons-recruitment_methods" not in page.content.decode()
    response = client.get(reverse("cases:lessons_csv", args=["routes"]), {"opened_from": "2025-03-10"})
    assert response.status_code == 400
    routes = client.get(reverse("cases:lessons_routes"), {"opened_to": "2025-03-10"})
    assert routes.status_code == 400
    assert {e["field"] for e in routes.json()["errors"]} == {"opened_from", "opened_to"}


def test_whole_months_quarters_and_years_are_answered(world, spread):
    for params in (
        WHOLE_PERIOD,
        {"opened_from": "2025-01-01", "opened_to": "2025-06-30"},
        {"opened_from": "2025", "opened_to": "2025"},
        {"opened_from": "2568", "opened_to": "2568"},  # the same year, Buddhist era
    ):
        assert analyst_lessons(world, **params)["cases"] == shown(spread), params
    march = [c for c in spread if c.opened_on.month == 3]
    assert analyst_lessons(world, opened_from="2025-03-01", opened_to="2025-03-31")["cases"] == shown(march)
    # No period at all: every case, whatever its date.
    assert analyst_lessons(world)["cases"] == shown(spread)


def test_a_coordinator_of_the_owning_agency_keeps_exact_figures_and_any_period(world, spread):
    client = api_client(world.coordinator_a)
    opened_from_10 = client.get("/api/v1/lessons", {"opened_from": "2025-03-10"}).json()
    opened_from_11 = client.get("/api/v1/lessons", {"opened_from": "2025-03-11"}).json()
    assert (opened_from_10["cases"], opened_from_11["cases"]) == (31, 30)
    assert opened_from_10["exact"] is True and opened_from_10["perturbed"] is False
    result = client.get("/api/v1/lessons").json()
    assert by_code(result, "recruitment_methods") == {FRIENDS: 25, ADVERT: 15}
    assert by_code(result, "routes") == {"5001>5002": 37, "5001>5001": 3}
    stages = {row["code"]: row for row in result["tables"]["stages"]["rows"]}
    assert (stages["investigation"]["stays"], stages["investigation"]["median"]) == (30, 13)
    assert not AuditEvent.objects.filter(action="reports.lessons.request").exists()


# --- what an analyst reads ---------------------------------------------------------------------------------


def test_an_analyst_reads_every_count_perturbed_with_its_cases_keys(world, spread):
    result = analyst_lessons(world, **WHOLE_PERIOD)
    assert result["exact"] is False and result["perturbed"] is True
    assert result["suppressed_below"] == THRESHOLD
    friends = [c for i, c in enumerate(spread) if i % 8 < 5]
    advert = [c for i, c in enumerate(spread) if i % 8 >= 5]
    assert result["cases"] == shown(spread)
    assert by_code(result, "recruitment_methods") == {FRIENDS: shown(friends), ADVERT: shown(advert)}
    assert by_code(result, "routes") == {"5001>5002": shown(spread[3:]), "5001>5001": SMALL}
    assert by_code(result, "verdicts") == {"convicted": shown(spread[:12])}
    # Nothing recorded is a cell of its own, with its own cases' keys.
    assert by_code(result, "relationship_to_trafficker") == {"": shown(spread)}
    stages = {row["code"]: row for row in result["tables"]["stages"]["rows"]}
    investigation = stages["investigation"]
    assert investigation["open"] == shown(spread[30:])  # 10 open cases: "<11" unless the noise lifts it
    assert stages["prosecution"]["open"] == shown(spread[:30])


def test_stays_in_a_stage_are_a_perturbed_mean_and_no_percentile(world, spread):
    result = analyst_lessons(world, **WHOLE_PERIOD)
    table = result["tables"]["stages"]
    assert [c["key"] for c in table["columns"]] == ["label", "stays", "mean", "open", "stalled"]
    investigation = {row["code"]: row for row in table["rows"]}["investigation"]
    days = [10 + i % 7 for i in range(30)]
    stay_keys = keys(spread[:30])
    assert investigation["stays"] == shown_count(30, stay_keys).as_json()
    expected = perturbed_mean(sum(days), 30, stay_keys, span=lessons.STAY_SPAN, digits=0)
    assert expected is not None
    assert investigation["mean"] == int(expected)
    # Percentiles are always one case's own stay: an analyst never reads them.
    assert all(key not in investigation for key in ("median", "p75", "p90"))
    # A stage with under 11 stays has its mean withheld.
    assert all(row["mean"] is None for row in table["rows"] if row["stays"] in (0, SMALL))


def test_the_same_cases_get_the_same_figures_however_the_question_is_put(world, spread):
    # The 40 cases are the whole of March-April 2025, of the first half of 2025 and of 2025: one set of cases,
    # one answer, whichever way it is asked (50 phrasings).
    phrasings: list[dict[str, str]] = []
    for start in ("2024-01-01", "2024-07-01", "2025-01-01", "2025-02-01", "2025-03-01"):
        for end in ("2025-04-30", "2025-05-31", "2025-06-30", "2025-12-31", "2026-12-31"):
            phrasings.append({"opened_from": start, "opened_to": end})
            phrasings.append({"opened_from": start, "opened_to": end, "sex": "female"})
    assert len(phrasings) == 50
    answers = {json.dumps(analyst_lessons(world, **p)["tables"], sort_keys=True) for p in phrasings}
    assert len(answers) == 1
    # The rows of a table add up to a different set of cases than each row: its own noise, not a sum.
    assert analyst_lessons(world, **WHOLE_PERIOD)["cases"] == shown(spread)


def test_subtracting_two_whole_month_answers_finds_a_month_exactly_only_as_often_as_the_table_allows(
    world, spread
):
    # March-April less March is April's 9 cases. Drawn afresh 150 times (as 150 agencies' cases would be),
    # the difference of the two published answers is 9 about as often as the table says (0.195), where
    # before it was 9 every time.
    rng = random.Random(15)
    cases = list(Case.objects.filter(pk__in=[c.pk for c in spread]))
    both = lessons.parse_filters(WHOLE_PERIOD)
    march = lessons.parse_filters({"opened_from": "2025-03-01", "opened_to": "2025-03-31"})
    trials, exact = 150, 0
    for _ in range(trials):
        for c in cases:
            c.record_key = rng.randrange(KEY_SPACE)
        Case.objects.bulk_update(cases, ["record_key"])
        total = lessons.lessons(world.analyst_a, both, today=TODAY)["cases"]
        first = lessons.lessons(world.analyst_a, march, today=TODAY)["cases"]
        assert isinstance(total, int) and isinstance(first, int)  # 40 and 31 cases: never under 11
        exact += total - first == 9
    assert exact / trials <= disclosure.DIFFERENCE_EXACT_RATE + 0.1  # three standard errors


COUNT_KEYS = {"cases", "registered", "unregistered", "workplaces", "stays", "open", "stalled"}


def test_no_count_under_eleven_reaches_an_analyst_in_json_csv_or_html(world, spread):
    result = analyst_lessons(world, **WHOLE_PERIOD)
    assert result["cases"] not in range(1, THRESHOLD)
    for table in result["tables"].values():
        for row in table["rows"]:
            for column in table["columns"]:
                if column["kind"] == "count":
                    value = row[column["key"]]  # None: no figure (stalled, where no stay is complete)
                    assert value in (None, 0, SMALL) or value >= THRESHOLD, (table["id"], row)
    routes = web_client(world.analyst_a).get(reverse("cases:lessons_routes"), WHOLE_PERIOD).json()
    assert all(f["properties"]["cases"] >= THRESHOLD for f in routes["features"])
    client = web_client(world.analyst_a)
    for table_id in lessons.TABLE_IDS:
        response = client.get(reverse("cases:lessons_csv", args=[table_id]), WHOLE_PERIOD)
        assert response.status_code == 200
        for row in csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))):
            for key in COUNT_KEYS & set(row):
                assert row[key] in ("", "0", SMALL) or int(row[key]) >= THRESHOLD, (table_id, row)
    html = client.get(reverse("cases:lessons"), {**WHOLE_PERIOD, "section": "all"}).content.decode()
    assert "&lt;11" in html
    assert "moved a little" in html  # the page says the numbers are perturbed


def test_perturbation_cannot_be_turned_off(world, spread, settings):
    # No setting, debug flag or test switch gives an analyst exact figures.
    settings.DEBUG = True
    result = analyst_lessons(world, **WHOLE_PERIOD)
    assert result["perturbed"] is True and result["cases"] == shown(spread)


def test_every_analyst_request_is_audited_with_its_parameters_and_never_its_cells(world, spread):
    analyst_lessons(world, **WHOLE_PERIOD, sex="female")
    web_client(world.analyst_a).get(reverse("cases:lessons_csv", args=["routes"]), WHOLE_PERIOD)
    web_client(world.analyst_a).get(reverse("cases:lessons_routes"), WHOLE_PERIOD)
    web_client(world.analyst_a).get(reverse("cases:lessons"), WHOLE_PERIOD)
    events = list(AuditEvent.objects.filter(action="reports.lessons.request").order_by("id"))
    assert len(events) == 4
    assert all(e.actor_id == world.analyst_a.pk for e in events)
    assert events[0].changes == {
        "opened_from": "2025-03-01",
        "opened_to": "2025-04-30",
        "sex": "female",
        "age": "",
        "nationality": "",
        "output": "tables",
    }
    assert [e.changes["output"] for e in events[1:]] == ["csv:routes", "routes", "tables"]
    for e in events:
        assert "cases" not in e.changes and "tables" not in e.changes
    # A refused question is not answered, and so not recorded as one.
    api_client(world.analyst_a).get("/api/v1/lessons", {"opened_from": "2025-03-10"})
    assert AuditEvent.objects.filter(action="reports.lessons.request").count() == 4


def test_workplaces_and_recruiter_parts_are_perturbed_too(world, spread):
    result = analyst_lessons(world, **WHOLE_PERIOD)
    # No workplace on file, no recruiter recorded: empty tables, nothing to hide.
    assert result["tables"]["workplace_sectors"]["rows"] == []
    assert result["tables"]["recruiters"]["rows"][-1]["cases"] == 0
    for row in result["tables"]["compensation"]["rows"]:
        assert row["amount"] is None  # sums of money are for the owning agency's coordinators only


def test_new_cases_draw_their_own_record_keys(world, spread):
    drawn = list(Case.objects.values_list("record_key", flat=True))
    assert len(set(drawn)) == len(drawn)
    assert all(0 <= k < KEY_SPACE for k in drawn)
    assert disclosure.new_record_key is Case._meta.get_field("record_key").default


class StatementRunner:
    """What a migration's function uses of a schema editor (SQLite's refuses to open inside a test's
    transaction)."""

    connection = connection

    def quote_name(self, name: str) -> str:
        return connection.ops.quote_name(name)

    def execute(self, sql: str) -> None:
        with connection.cursor() as cursor:
            cursor.execute(sql)


def test_the_migration_draws_a_key_for_every_existing_case_from_the_database(world, spread):
    from importlib import import_module

    from django.apps import apps

    migration = import_module("safepassage.cases.migrations.0005_record_keys")
    Case.objects.update(record_key=0)  # as after adding the column with a constant default
    migration._draw_keys(apps, StatementRunner())
    drawn = list(Case.objects.values_list("record_key", flat=True))
    assert all(0 <= k < KEY_SPACE for k in drawn)
    assert len(set(drawn)) == len(drawn)  # 40 draws from 2**32: all different
