"""Did it work: the impact view on generated populations. People reached because their risk was high fall
back on their own (regression to the mean): with no effect the view must show none (its interval holding
0), where a naive comparison shows a large fall; a planted effect it must show. Analysts see no figure under
11."""

from __future__ import annotations

import random
from datetime import date
from typing import Any

import pytest

from safepassage.audit.models import AuditEvent
from safepassage.prevention import impact
from safepassage.prevention.models import Delivery, Intervention
from safepassage.registry.models import Assessment, Catalogue, Person
from safepassage.testing import api_client, web_client

pytestmark = pytest.mark.django_db

BEFORE = date(2025, 1, 10)
START = date(2025, 2, 1)
AFTER = date(2025, 8, 1)
END = date(2025, 9, 30)


def band(index: float) -> str:
    return "high" if index > 66 else "medium" if index >= 34 else "low"


def population(
    world: Any, *, effect: float, people: int = 1200, seed: int = 7, threshold: float | None = None
) -> dict[str, Any]:
    """People of agency A in villages 1 and 2, assessed before and after the programme. Each has a lasting
    risk; each assessment sees it with noise. Those reached were picked on their first assessment: mostly
    the high band (or, with `threshold`, everyone scoring above it). After the programme their risk is lower
    by `effect` (0 for none)."""
    rng = random.Random(seed)
    catalogue = Catalogue.objects.get(status="active")
    villages = [world.village_1, world.village_2]
    persons = Person.objects.bulk_create(
        [
            Person(
                agency=world.agency_a,
                village=villages[i % 2],
                given_name=f"P{i}",
                sex="female" if i % 3 else "male",
                birth_year=rng.choice([2008, 2011]),
            )
            for i in range(people)
        ]
    )
    assessments = []
    reached = []
    chance = {"high": 0.7, "medium": 0.15, "low": 0.03}
    truth = {}
    for p in persons:
        lasting = rng.gauss(52, 14)
        first = min(max(lasting + rng.gauss(0, 12), 0), 100)
        picked = first > threshold if threshold is not None else rng.random() < chance[band(first)]
        second = min(max(lasting + rng.gauss(0, 12) - (effect if picked else 0), 0), 100)
        truth[p.pk] = (first, second, picked)
        for day, index in ((BEFORE, first), (AFTER, second)):
            assessments.append(
                Assessment(
                    agency=world.agency_a,
                    person=p,
                    village=p.village,
                    catalogue=catalogue,
                    assessed_on=day,
                    fingerprint=f"{p.pk}-{day}",
                    index=round(index, 1),
                    band=band(index),
                    completeness=1.0,
                    sheet="",
                )
            )
        if picked:
            reached.append(p)
    Assessment.objects.bulk_create(assessments)
    scholarship = Intervention.objects.get(code="scholarship")
    Delivery.objects.bulk_create(
        [
            Delivery(
                agency=world.agency_a,
                intervention=scholarship,
                level="person",
                person=p,
                village=p.village,
                started_on=START,
            )
            for p in reached
        ]
    )
    return {"truth": truth, "reached": reached, "intervention": scholarship}


def naive_difference(truth: dict[int, tuple[float, float, bool]]) -> float:
    """Reached against everyone else, with no strata: what regression to the mean fools."""
    changes: dict[bool, list[float]] = {True: [], False: []}
    for first, second, picked in truth.values():
        changes[picked].append(second - first)
    return sum(changes[True]) / len(changes[True]) - sum(changes[False]) / len(changes[False])


def test_no_effect_with_people_chosen_for_high_risk_shows_no_effect(world):
    made = population(world, effect=0)
    assert naive_difference(made["truth"]) < -5  # the trap: the high scorers fell back on their own
    result = impact.impact(
        viewer=world.coordinator_a,
        intervention=made["intervention"],
        area=world.district_1,
        start=START,
        end=END,
    )
    assert result["reached"] == len(made["reached"])
    assert result["compared_reached"] > 200 and result["compared_others"] > 200
    assert result["low"] <= 0 <= result["high"], result
    assert abs(result["effect"]) < 3
    assert result["verdict"] == "no_clear_change"
    assert not result["perturbed"]


def test_a_planted_effect_is_shown(world):
    made = population(world, effect=12)
    result = impact.impact(
        viewer=world.coordinator_a,
        intervention=made["intervention"],
        area=world.district_1,
        start=START,
        end=END,
    )
    assert result["high"] < 0, result
    assert -16 < result["effect"] < -8
    assert result["verdict"] == "lower"


def test_picking_the_highest_scorers_inside_the_band_shows_no_effect_either(world):
    # Everyone above 72 is reached: inside the high band (above 66) the reached started higher than the
    # people compared with them, and fall back further. The correction for the starting index removes it.
    made = population(world, effect=0, threshold=72)
    args = {"viewer": world.coordinator_a, "intervention": made["intervention"], "area": world.district_1}
    plain = impact.impact(**args, start=START, end=END, adjust=False)
    assert plain["high"] < 0  # bands alone would call it a success
    result = impact.impact(**args, start=START, end=END)
    assert result["low"] <= 0 <= result["high"], result
    assert result["verdict"] == "no_clear_change"


def test_the_method_on_hand_worked_strata():
    # Two strata: differences -10 (2 reached) and 0 (1 reached): weighted mean -20/3. Everyone started at
    # 50, so there is no slope to correct for.
    def at_50(*changes: float) -> list[tuple[float, float]]:
        return [(50.0, c) for c in changes]

    strata = {
        "a": (at_50(-12.0, -8.0), at_50(0.0, 0.0, 0.0)),
        "b": (at_50(5.0), at_50(5.0, 5.0)),
        "c": (at_50(1.0), []),
    }
    result = impact.estimate(strata)
    assert result["strata"] == 2 and result["n_reached"] == 3 and result["n_others"] == 5
    assert result["effect"] == pytest.approx(-20 / 3)
    # pooled variance: squares 8 over 8 - 4 cells = 2; var = (4·2·(1/2+1/3) + 1·2·(1+1/2)) / 9
    assert result["high"] - result["effect"] == pytest.approx(1.959964 * ((4 * 2 * 5 / 6 + 3) / 9) ** 0.5)
    assert impact.estimate({"c": (at_50(1.0), [])})["effect"] is None
    # A slope: among those not reached, each point higher at the start falls half a point more. The reached
    # started 10 points higher and fell 5 more: no effect once corrected.
    line = {"s": ([(70.0, -10.0), (70.0, -10.0)], [(50.0, 0.0), (60.0, -5.0), (70.0, -10.0)])}
    corrected = impact.estimate(line)
    assert corrected["slope"] == pytest.approx(-0.5) and corrected["effect"] == pytest.approx(0, abs=1e-9)
    assert impact.estimate(line, adjust=False)["effect"] == pytest.approx(-5.0)


def _numbers(value: Any) -> list[int]:
    if isinstance(value, bool):
        return []
    if isinstance(value, int):
        return [value]
    if isinstance(value, dict):
        return [n for k, v in value.items() if k not in ("id",) for n in _numbers(v)]
    if isinstance(value, list):
        return [n for v in value for n in _numbers(v)]
    return []


def test_an_analyst_sees_no_figure_under_11_and_is_audited(world):
    made = population(world, effect=12, people=600)
    api = api_client(world.analyst_a)
    answer = api.get(
        f"/api/v1/prevention/impact?intervention=scholarship&area={world.district_1.code}"
        f"&start={START}&end={END}"
    )
    assert answer.status_code == 200
    body = answer.json()
    assert body["perturbed"] is True
    assert body["strata"] is None and body["change_reached"] is None
    assert body["harm"]["people"] == []
    counts = [body["reached"], body["compared_reached"], body["compared_others"]]
    assert all(c == "<11" or c >= 11 for c in counts)
    assert not [
        n
        for n in _numbers({k: body[k] for k in ("reached", "compared_reached", "compared_others")})
        if 0 < n < 11
    ]
    for figure in body["harm"].values():
        assert figure in (0, "<11", []) or (isinstance(figure, int) and figure >= 11)
    # the estimate is still shown (moved by the table's noise), and still shows the effect
    assert body["effect"] is not None and body["high"] < 0
    exact = impact.impact(
        viewer=world.coordinator_a,
        intervention=made["intervention"],
        area=world.district_1,
        start=START,
        end=END,
    )
    assert abs(body["effect"] - exact["effect"]) <= 1.5 * 200 / exact["compared_reached"] + 0.11
    assert AuditEvent.objects.filter(actor=world.analyst_a, action__contains="prevention.impact").exists()


def test_a_small_programme_shows_an_analyst_only_hidden_figures(world):
    made = population(world, effect=12, people=300)
    Delivery.objects.exclude(pk__in=list(Delivery.objects.values_list("pk", flat=True)[:5])).delete()
    body = (
        api_client(world.analyst_a)
        .get(
            f"/api/v1/prevention/impact?intervention=scholarship&area={world.district_1.code}&start={START}&end={END}"
        )
        .json()
    )
    assert body["reached"] == "<11" and body["compared_reached"] == "<11"
    assert body["effect"] is None and body["low"] is None
    page = web_client(world.analyst_a).get(
        f"/prevention/impact/?intervention=scholarship&area={world.district_1.code}&start={START}&end={END}"
    )
    assert page.status_code == 200 and "&lt;11" in page.content.decode()
    coordinator = impact.impact(
        viewer=world.coordinator_a,
        intervention=made["intervention"],
        area=world.district_1,
        start=START,
        end=END,
    )
    assert coordinator["reached"] == 5


def test_scope_outsiders_get_404_and_another_agency_sees_none_of_ours(world):
    population(world, effect=0, people=200)
    url = f"/api/v1/prevention/impact?intervention=scholarship&area={world.district_1.code}"
    for user in (world.outsider, world.volunteer_a, world.partner_a):
        assert api_client(user).get(url).status_code == 404
    assert (
        web_client(world.outsider).get("/prevention/impact/?intervention=scholarship&area=5001").status_code
        == 404
    )
    theirs = api_client(world.coordinator_b).get(url).json()
    assert theirs["reached"] == 0 and theirs["compared_reached"] == 0


def test_harm_watch_names_those_whose_risk_rose_after_they_were_reached(world):
    made = population(world, effect=0, people=200)
    result = impact.impact(
        viewer=world.coordinator_a,
        intervention=made["intervention"],
        area=world.district_1,
        start=START,
        end=END,
    )
    rose = [
        pk
        for pk, (first, second, picked) in made["truth"].items()
        if picked and (second - first >= 10 or "lmh".index(band(second)[0]) > "lmh".index(band(first)[0]))
    ]
    assert result["harm"]["risk_rose"] == len(rose) > 0
    assert {p["id"] for p in result["harm"]["people"] if p["risk_rose"]} == set(rose)


def test_displacement_is_fed_by_the_areas_that_had_programmes(world):
    from safepassage.prevention.services import delivery_record

    delivery_record(
        actor=world.coordinator_a,
        intervention="safe_migration_info",
        started_on=date(2025, 3, 1),
        village=world.village_3,
    )
    areas = impact.programme_areas(
        viewer=world.coordinator_a, level="subdistrict", since=date(2025, 1, 1), until=date(2025, 12, 31)
    )
    assert areas == [world.village_3.parent.code]
    assert (
        impact.programme_areas(
            viewer=world.coordinator_a, level="subdistrict", since=date(2024, 1, 1), until=date(2024, 12, 31)
        )
        == []
    )
    body = (
        api_client(world.coordinator_a)
        .get(
            "/api/v1/prevention/displacement?level=subdistrict&first=2025-01-01..2025-06-30&second=2025-07-01..2025-12-31"
        )
        .json()
    )
    assert body["programme_areas"] == [world.village_3.parent.code]


def test_harm_watch_names_a_child_found_back_in_child_labour_after_being_reached(world):
    from datetime import timedelta

    from safepassage.migration import followup
    from safepassage.reports.selectors import report_scope
    from tests.migration.test_channel_services import channel_ab, register

    registration = register(world, channel_ab(world))
    child = registration.person
    today = date.today()
    step = followup.reintegration_add(
        actor=world.caseworker_a,
        registration=registration,
        kind="school",
        started_on=today - timedelta(days=30),
    )
    followup.reintegration_follow_up(
        actor=world.caseworker_a, step=step, followed_up_on=today, status="ongoing", back_in_child_labour=True
    )

    def watch(reached_on: date) -> dict[str, Any]:
        return impact.harm_watch(
            viewer=world.coordinator_a,
            scope=report_scope(world.coordinator_a),
            reached_on={child.pk: reached_on},
            before={},
            after={},
            rows=[],
        )

    seen = watch(today - timedelta(days=10))  # reached before the follow-up that found them back in it
    assert seen["child_labour"] == 1
    assert [p["child_labour"] for p in seen["people"] if p["id"] == child.pk] == [True]
    assert watch(today + timedelta(days=1))["child_labour"] == 0  # found back in it before being reached
