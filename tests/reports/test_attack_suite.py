"""An attack suite generated from what each aggregate endpoint declares: the API's own description
(OpenAPI) lists the endpoints and their parameters, and every declared parameter gets values to try. As an
analyst, against a province of villages where each holds a few people of a rare kind, it asks for every
pair of groupings, nested and overlapping periods, and the complement of each grouping, and checks that

- no answer carries a count from 1 to 10 (anywhere in its JSON);
- a period that is not whole months, or open at one end, is refused with a 400 naming the parameter;
- for every hidden cell reached by subtracting a grouping from the grouping it refines, the true count is
  recovered no more often than the perturbation table allows (core.disclosure.DIFFERENCE_EXACT_RATE for
  one difference; a difference of more noises is exact less often), judged against the exact figures a
  coordinator of the owning agency sees.

A new aggregate endpoint, or a new parameter on one, fails the first test until it is given values here:
nothing an analyst can reach escapes the suite.
"""

from __future__ import annotations

import itertools
import math
import random
from datetime import date
from typing import Any

import pytest

from safepassage.api import api
from safepassage.core import disclosure
from safepassage.core.periods import month_end
from safepassage.testing import api_client

from .attacks import Someone, add_people, small_counts, villages

pytestmark = pytest.mark.django_db

# The endpoints that answer with aggregates (every other GET answers with records, under scoping).
AGGREGATE_PREFIXES = ("/api/v1/reports/", "/api/v1/lessons", "/api/v1/migration/reports")
GROUPINGS = ("village", "subdistrict", "district", "sex", "age_band")
TODAY = date.today()


def month(back: int) -> date:
    index = TODAY.year * 12 + TODAY.month - 1 - back
    return date(index // 12, index % 12 + 1, 1)


def span(first: int, last: int) -> str:
    """Whole months from `first` to `last` months back, as the risk reports write a period."""
    return f"{month(first).isoformat()}..{month_end(month(last)).isoformat()}"


# Values for every declared parameter: whole-month periods nested and overlapping, and the groupings.
PERIODS = [span(11, 6), span(5, 0), span(11, 0), span(2, 0), span(8, 3)]
VALUES: dict[str, list[Any]] = {
    "group_by": [",".join(p) for n in (1, 2) for p in itertools.permutations(GROUPINGS, n)],
    "area": ["", "50", "5001", "500101"],
    "level": ["province", "district", "subdistrict", "village"],
    "first": PERIODS,
    "second": PERIODS,
    "programme_areas": ["", "500101"],
    "code": ["50", "5001", "500101"],
    "channel": [""],
    "travel_from": [month(11).isoformat(), month(5).isoformat()],
    "travel_to": [month_end(month(6)).isoformat(), month_end(month(0)).isoformat()],
    "opened_from": [month(11).isoformat(), month(5).isoformat()],
    "opened_to": [month_end(month(6)).isoformat(), month_end(month(0)).isoformat()],
    "sex": ["", "female", "male"],
    "age": ["", "child", "adult"],
    "nationality": ["", "MM", "TH"],
}
# Period parameters, with a value that is not whole months (and so must be refused for an analyst).
NOT_WHOLE = {
    "first": f"{month(5).isoformat()}..{month(0).replace(day=15).isoformat()}",
    "second": f"{month(5).replace(day=2).isoformat()}..{month_end(month(0)).isoformat()}",
    "travel_from": month(5).replace(day=2).isoformat(),
    "travel_to": month(0).replace(day=15).isoformat(),
    "opened_from": month(5).replace(day=2).isoformat(),
    "opened_to": month(0).replace(day=15).isoformat(),
}
PAIRED = {"travel_from": "travel_to", "opened_from": "opened_to"}


def aggregate_endpoints() -> dict[str, list[str]]:
    """Each aggregate endpoint's path with the names of its declared query and path parameters."""
    schema = api.get_openapi_schema()
    found = {}
    for path, operations in schema["paths"].items():
        # (a report's PDF is drawn from the same protected answer as its JSON: tests/pdf read its figures)
        if "get" in operations and path.startswith(AGGREGATE_PREFIXES) and not path.endswith(".pdf"):
            found[path] = [p["name"] for p in operations["get"].get("parameters", [])]
    return found


def test_every_declared_parameter_of_every_aggregate_endpoint_has_values_to_attack_with():
    endpoints = aggregate_endpoints()
    assert len(endpoints) >= 8
    missing = {f"{path} {name}" for path, names in endpoints.items() for name in names if name not in VALUES}
    assert missing == set()


@pytest.fixture
def province(world):
    """A hundred and twenty villages of one subdistrict; each holds a dozen or so women and men and, in
    most, one or two people of a rare kind (sex "other", or a child of 15-17): the cells an attacker wants.
    Record keys drawn from a fixed seed."""
    rng = random.Random(40)
    people = []
    for village in villages(world, 120):
        for _ in range(rng.randint(11, 16)):
            people.append(
                Someone(village, "female", rng.choice(["low", "medium", "high"]), rng.uniform(0, 90), 30)
            )
        for _ in range(rng.randint(11, 16)):
            people.append(
                Someone(village, "male", rng.choice(["low", "medium", "high"]), rng.uniform(0, 90), 40)
            )
        for _ in range(rng.randint(0, 2)):
            people.append(Someone(village, "other", "high", 98.0, 30))
        for _ in range(rng.randint(0, 2)):
            people.append(Someone(village, "female", "high", 90.0, 16))
    return add_people(world, people, seed=41)


def queries(path: str, names: list[str]) -> list[dict[str, str]]:
    """Queries built from the declared parameters' values: each value of each parameter once, with the
    others at their first value (the product of all would be thousands of requests)."""
    path_names = [n for n in names if "{" + n + "}" in path]
    query_names = [n for n in names if n not in path_names]
    base = {n: VALUES[n][0] for n in query_names}
    made = [dict(base)]
    for name in query_names:
        for value in VALUES[name][1:]:
            made.append({**base, name: value})
    return [{k: v for k, v in q.items() if v != ""} for q in made]


def test_no_answer_to_an_analyst_holds_a_count_under_eleven_and_broken_periods_are_refused(world, province):
    client = api_client(world.analyst_a)
    asked = 0
    for path, names in aggregate_endpoints().items():
        path_names = [n for n in names if "{" + n + "}" in path]
        for values in itertools.product(*(VALUES[n] for n in path_names)):
            url = path
            for name, value in zip(path_names, values, strict=True):
                url = url.replace("{" + name + "}", value)
            for query in queries(path, names):
                response = client.get(url, query)
                asked += 1
                assert response.status_code in (200, 400, 404), (url, query, response.status_code)
                if response.status_code == 200:
                    assert small_counts(response.json()) == [], (url, query)
            # A period that is not whole months, or open at one end, is refused naming the parameter.
            for name in set(names) & set(NOT_WHOLE):
                ends = set(PAIRED.values())  # (the latest end, so that only the broken bound is wrong)
                query = {n: VALUES[n][-1 if n in ends else 0] for n in names if n not in path_names}
                query = {n: v for n, v in query.items() if v != ""}
                query[name] = NOT_WHOLE[name]
                response = client.get(url, query)
                assert response.status_code == 400, (url, query)
                assert name in str(response.json()), (url, query, response.json())
                if name in PAIRED:
                    opened = {name: VALUES[name][0]}
                    response = client.get(url, opened)
                    assert response.status_code == 400 and PAIRED[name] in str(response.json()), (url, opened)
    assert asked > 100


def _rows(answer: dict[str, Any]) -> list[dict[str, Any]]:
    return answer.get("rows", [])


def test_every_grouping_subtracted_from_its_refinement_recovers_hidden_cells_only_as_the_table_allows(
    world, province
):
    """For each pair of groupings A and B: the rows of A less the rows of A × B that are shown leave the
    hidden part; how often is that the true count (as the owning agency's coordinator sees it)?"""
    analyst, coordinator = api_client(world.analyst_a), api_client(world.coordinator_a)
    attempts = exact = 0
    for a, b in itertools.permutations(GROUPINGS, 2):
        whole = analyst.get("/api/v1/reports/risk", {"group_by": a}).json()
        parts = analyst.get("/api/v1/reports/risk", {"group_by": f"{a},{b}"}).json()
        truth = coordinator.get("/api/v1/reports/risk", {"group_by": f"{a},{b}"}).json()
        assert small_counts(whole) == [] and small_counts(parts) == []
        true_n = {(r[a], r[b]): r["n"] for r in _rows(truth)}
        for total in _rows(whole):
            if not isinstance(total["n"], int):
                continue
            inside = [r for r in _rows(parts) if r[a] == total[a]]
            hidden = [r for r in inside if r["n"] == disclosure.SMALL]
            if len(hidden) != 1:
                continue  # nothing to single out by subtraction
            recovered = total["n"] - sum(r["n"] for r in inside if isinstance(r["n"], int))
            attempts += 1
            exact += recovered == true_n[(hidden[0][a], hidden[0][b])]
    assert attempts >= 120  # the province gives the attacker plenty of hidden cells to aim at
    rate = disclosure.DIFFERENCE_EXACT_RATE
    margin = 3 * math.sqrt(rate * (1 - rate) / attempts)
    assert exact / attempts <= rate + margin, (exact, attempts)
