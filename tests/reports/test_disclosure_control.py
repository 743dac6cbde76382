"""Disclosure control of the risk reports for readers outside the owning agency's case staff: one value for
one cell however it is asked for (50 rephrasings through the API, then the page, the CSV, the map and the
priorities), nested periods, whole months, bad input named, every request audited, and the owning agency's
case staff still exact. The attacks of the issue itself are in test_disclosure_attacks.py."""

from __future__ import annotations

import csv
import io
import itertools
import random
from datetime import date, timedelta

import pytest

from safepassage.audit.models import AuditEvent
from safepassage.core import disclosure
from safepassage.core.periods import month_end
from safepassage.geo.models import Area
from safepassage.registry.bulk import BulkItem, assessments_bulk_record
from safepassage.registry.models import Catalogue, Person
from safepassage.reports import protect, selectors
from safepassage.reports.drivers import area_drivers
from safepassage.testing import api_client, web_client

from ..registry.conftest import all_answers
from .attacks import key_sum, shown, small_counts, villages
from .test_risk_reports import TODAY, population  # noqa: F401 (a fixture)

pytestmark = pytest.mark.django_db


def month_start(day: date, back: int) -> date:
    """The first day of the month `back` months before `day`'s."""
    index = day.year * 12 + day.month - 1 - back
    return date(index // 12, index % 12 + 1, 1)


def whole(first: date, last: date) -> str:
    """A period of whole months, as the API writes it."""
    return f"{first.isoformat()}..{month_end(last).isoformat()}"


def on_the_map() -> None:
    """Give every area a centre, so that each is drawn on the map."""
    Area.objects.update(centroid_lat=18.79, centroid_lon=98.98)


def girls_cell_queries(world) -> list[tuple[str, dict[str, str], tuple[tuple[str, str], ...]]]:
    """Ways of asking the risk report for exactly the twelve girls of the population: (url, query, the row's
    group values). They are all of agency A's girls, all aged 12, all in village 1."""
    values = {
        "village": world.village_1.code,
        "subdistrict": "500101",
        "district": "5001",
        "province": "50",
        "sex": "female",
        "age_band": "10-14",
    }
    areas = ["", "50", "5001", "500101", world.village_1.code]
    queries = []
    for place in (None, "village", "subdistrict", "district", "province"):
        for rest in (("sex",), ("age_band",), ("sex", "age_band"), ()):
            dims = ((place,) if place else ()) + rest
            if not dims or (place != "village" and not rest):
                continue  # an area alone holds the boys as well (except village 1)
            for order in itertools.permutations(dims):
                for within in areas:
                    query = {"group_by": ",".join(order)}
                    if within:
                        query["area"] = within
                    queries.append(("/api/v1/reports/risk", query, tuple((d, values[d]) for d in order)))
    return queries


def test_fifty_rephrasings_of_one_cell_give_one_value(world, population):  # noqa: F811
    girls = [p for p, _ in population[:12]]
    expected = shown(girls)
    client = api_client(world.analyst_a)
    queries = girls_cell_queries(world)
    random.Random(15).shuffle(queries)
    asked = queries[:50]
    seen = set()
    for url, query, group in asked:
        rows = client.get(url, query).json()["rows"]
        row = next(r for r in rows if all(r[d] == v for d, v in group))
        seen.add(row["n"])
        seen.add(row["high"])  # all twelve are at high risk: the same people, the same figure
    # The same twelve people through the page, the CSV, the map (its page's data and the API) and priorities.
    on_the_map()
    page = web_client(world.analyst_a).get("/reports/risk/", {"group_by": ["village"]}).context["report"]
    seen.add(page["rows"][0]["n"])
    download = web_client(world.analyst_a).get("/reports/risk/", {"group_by": ["sex"], "format": "csv"})
    lines = list(csv.DictReader(io.StringIO(download.content.decode("utf-8-sig"))))
    seen.add(int(next(r for r in lines if r["sex"] == "female")["n"]))
    geo = web_client(world.analyst_a).get("/reports/map/data/", {"level": "village"}).json()
    seen.add(
        next(f for f in geo["features"] if f["properties"]["code"] == world.village_1.code)["properties"]["n"]
    )
    api_geo = client.get("/api/v1/reports/risk/map", {"level": "district"}).json()
    seen.add(next(f for f in api_geo["features"] if f["properties"]["code"] == "5001")["properties"]["high"])
    ranked = client.get("/api/v1/reports/risk/priorities", {"level": "district"}).json()["rows"]
    seen.add(next(r for r in ranked if r["area"] == "5001")["high"])
    assert len(asked) == 50
    assert seen == {expected}


def test_every_answer_an_analyst_gets_is_free_of_counts_under_eleven(world, population):  # noqa: F811
    client = api_client(world.analyst_a)
    last, earlier = month_start(TODAY, 0), month_start(TODAY, 11)
    first, second = whole(earlier, month_start(TODAY, 6)), whole(month_start(TODAY, 5), last)
    answers = [
        client.get("/api/v1/reports/risk", {"group_by": "district,sex,age_band"}).json(),
        client.get("/api/v1/reports/risk", {"group_by": "village"}).json(),
        client.get("/api/v1/reports/risk/trend", {"first": first, "second": second}).json(),
        client.get("/api/v1/reports/risk/priorities", {"first": first, "second": second}).json(),
        client.get("/api/v1/reports/risk/displacement", {"first": first, "second": second}).json(),
        client.get("/api/v1/reports/risk/drivers/5001").json(),
        client.get("/api/v1/reports/risk/drivers/50010102").json(),
        client.get("/api/v1/reports/risk/map", {"level": "village"}).json(),
    ]
    for answer in answers:
        assert small_counts(answer) == [], answer
    boys = client.get("/api/v1/reports/risk/drivers/50010102").json()
    assert boys == {
        "area": "50010102",
        "area_name": "Area 50010102",
        "n": "<11",
        "perturbed": True,
        "suppressed": True,
        "indicators": [],
    }
    # The CSV and the page: "<11", never the 3 boys.
    download = web_client(world.analyst_a).get("/reports/risk/", {"group_by": ["village"], "format": "csv"})
    rows = list(csv.DictReader(io.StringIO(download.content.decode("utf-8-sig"))))
    assert next(r for r in rows if r["village"] == "50010102")["n"] == "<11"
    html = web_client(world.analyst_a).get("/reports/risk/", {"group_by": ["village"]}).content.decode()
    assert "&lt;11" in html and "To protect people, these figures are changed slightly" in html


def test_coordinators_of_the_owning_agency_see_exact_figures_everywhere(world, population):  # noqa: F811
    client = api_client(world.coordinator_a)
    rows = client.get("/api/v1/reports/risk", {"group_by": "village"}).json()["rows"]
    assert [(r["village"], r["n"]) for r in rows] == [(world.village_1.code, 12), (world.village_2.code, 3)]
    on_the_map()
    geo = client.get("/api/v1/reports/risk/map", {"level": "village"}).json()
    assert {f["properties"]["code"]: f["properties"]["n"] for f in geo["features"]}[world.village_2.code] == 3
    boys = client.get(f"/api/v1/reports/risk/drivers/{world.village_2.code}").json()
    assert boys["n"] == 3 and boys["perturbed"] is False
    html = web_client(world.coordinator_a).get("/reports/risk/").content.decode()
    assert "To protect people" not in html
    assert not AuditEvent.objects.filter(action__startswith="reports.").exists()


def test_drivers_give_analysts_the_counts_of_exactly_the_people_counted(world, population):  # noqa: F811
    catalogue = Catalogue.objects.get(status="active")
    everyone = [p for p, _ in population[:15]]
    result = area_drivers(viewer=world.analyst_a, area=world.district_1, catalogue=catalogue)
    assert result["n"] == shown(everyone)
    by_code = {r["code"]: r for r in result["indicators"]}
    # Everyone answered everything: `answered` is the same people as `n`, so the same figure.
    assert {r["answered"] for r in result["indicators"]} == {result["n"]}
    assert by_code["HLT-ILL"]["at_3"] == shown(everyone[:12])
    # 12 at 3 of 15: the 3 others would follow from the share, so it is withheld; so are H, A and M0.
    assert by_code["HLT-ILL"]["share_at_3"] is None
    assert result["H"] is None and result["M0"] is None


def test_the_trends_nested_periods_do_not_give_away_who_was_assessed_in_the_last_month(world):
    """Month A, then months A to B: under suppression by table, the difference of the two counts was the
    number assessed in month B alone (here one person per village)."""
    places = villages(world, 100)
    rng = random.Random(154)
    people = Person.objects.bulk_create(
        Person(
            agency=world.agency_a,
            village=village,
            given_name="P",
            sex="female",
            birth_year=TODAY.year - 30,
            record_key=rng.randrange(disclosure.KEY_SPACE),
        )
        for village in places
        for _ in range(13)
    )
    month_a, month_b = month_start(TODAY, 3), month_start(TODAY, 2)
    answers = all_answers(1)
    items = [
        BulkItem(p.pk, (month_b if n % 13 == 12 else month_a) + timedelta(days=14), answers)
        for n, p in enumerate(people)
    ]
    assessments_bulk_record(actor=None, items=items)
    answer = (
        api_client(world.analyst_a)
        .get(
            "/api/v1/reports/risk/trend",
            {"group_by": "village", "first": whole(month_a, month_a), "second": whole(month_a, month_b)},
        )
        .json()
    )
    assert small_counts(answer) == []
    found = sum(
        1
        for row in answer["rows"]
        if protect.is_shown(row["n_after"]) and protect.is_shown(row["n_before"])
        if row["n_after"] - row["n_before"] == 1
    )
    assert found / len(places) <= disclosure.DIFFERENCE_EXACT_RATE + 0.12


def test_displacement_shows_analysts_only_perturbed_changes_of_areas_of_eleven_or_more(world):
    """Three villages of one subdistrict: A's risk rises (15 people), B's falls (15 people), C's rises too
    but holds 5 people: C never appears, and A's rise is the change of A's published means."""
    a, b, c = villages(world, 3)
    rng = random.Random(155)
    groups = {}
    for village, size in ((a, 15), (b, 15), (c, 5)):
        groups[village.code] = Person.objects.bulk_create(
            Person(
                agency=world.agency_a,
                village=village,
                given_name="P",
                sex="male",
                birth_year=TODAY.year - 20,
                record_key=rng.randrange(disclosure.KEY_SPACE),
            )
            for _ in range(size)
        )
    before, after = month_start(TODAY, 8) + timedelta(days=9), month_start(TODAY, 2) + timedelta(days=9)
    low, high = all_answers(1), all_answers(3)
    items = []
    for code, people in groups.items():
        start, end = (high, low) if code == b.code else (low, high)
        for person in people:
            items += [BulkItem(person.pk, before, start), BulkItem(person.pk, after, end)]
    assessments_bulk_record(actor=None, items=items)
    first = whole(month_start(TODAY, 11), month_start(TODAY, 6))
    second = whole(month_start(TODAY, 5), month_start(TODAY, 0))
    query = {"level": "village", "first": first, "second": second}
    moved = api_client(world.analyst_a).get("/api/v1/reports/risk/displacement", query).json()["rows"]
    assert [(m["area"], m["neighbour"]) for m in moved] == [(a.code, b.code)]
    trend = {
        r["village"]: r
        for r in api_client(world.analyst_a)
        .get("/api/v1/reports/risk/trend", {"group_by": "village", "first": first, "second": second})
        .json()["rows"]
    }
    assert moved[0]["rise"] == round(
        trend[a.code]["mean_index_after"] - trend[a.code]["mean_index_before"], 1
    )
    assert trend[a.code]["mean_index_after"] == disclosure.perturbed_mean(
        15 * 98.0, 15, key_sum(groups[a.code]), span=100
    )
    assert trend[c.code]["mean_index_change"] is None and trend[c.code]["n_after"] == "<11"
    # The owning agency's coordinator sees C as well, with exact changes.
    exact = api_client(world.coordinator_a).get("/api/v1/reports/risk/displacement", query).json()["rows"]
    assert {(m["area"], m["neighbour"], m["rise"]) for m in exact} == {
        (a.code, b.code, 98.0),
        (c.code, b.code, 98.0),
    }
    # Day-level periods: refused for the analyst, naming the parameter.
    days = {"level": "village", "first": f"{before}..{before}", "second": second}
    refused = api_client(world.analyst_a).get("/api/v1/reports/risk/displacement", days)
    assert refused.status_code == 400 and refused.json()["errors"][0]["field"] == "first"


@pytest.mark.parametrize(
    ("url", "query", "field"),
    [
        ("/api/v1/reports/risk", {"group_by": "district,colour"}, "group_by"),
        ("/api/v1/reports/risk", {"group_by": "village,sex,age_band,district"}, "group_by"),
        ("/api/v1/reports/risk", {"group_by": "sex,sex"}, "group_by"),
        ("/api/v1/reports/risk", {"group_by": "hometown"}, "group_by"),
        (
            "/api/v1/reports/risk/trend",
            {"first": "2025-01-01..2025-01-31", "second": "2025-02-01.."},
            "second",
        ),
        (
            "/api/v1/reports/risk/trend",
            {"first": "2025-01-01..2025-01-30", "second": "2025-02-01..2025-02-28"},
            "first",
        ),
        (
            "/api/v1/reports/risk/trend",
            {"first": "2025-01-05..2025-01-31", "second": "2025-02-01..2025-02-28"},
            "first",
        ),
        ("/api/v1/reports/risk/priorities", {"first": "2025-01-01..2025-01-31"}, "second"),
        ("/api/v1/reports/risk/priorities", {"level": "street"}, "level"),
        ("/api/v1/reports/risk/displacement", {"level": "street", "first": "x", "second": "y"}, "first"),
        ("/api/v1/reports/risk/map", {"level": "street"}, "level"),
    ],
)
def test_bad_input_is_a_400_naming_the_parameter(world, population, url, query, field):  # noqa: F811
    response = api_client(world.analyst_a).get(url, query)
    assert response.status_code == 400, response.content
    assert field in {e["field"] for e in response.json()["errors"]}


def test_a_coordinator_may_group_by_hometown_and_ask_for_any_days(world, population):  # noqa: F811
    client = api_client(world.coordinator_a)
    assert client.get("/api/v1/reports/risk", {"group_by": "hometown"}).status_code == 200
    days = {"first": "2025-01-05..2025-01-09", "second": f"{TODAY - timedelta(days=3)}..{TODAY}"}
    assert client.get("/api/v1/reports/risk/trend", days).status_code == 200
    assert client.get("/api/v1/reports/risk", {"group_by": "sex,sex"}).status_code == 400


def test_every_report_request_of_an_analyst_is_audited_with_its_parameters_never_its_cells(world, population):  # noqa: F811
    client = api_client(world.analyst_a)
    client.get("/api/v1/reports/risk", {"group_by": "district,sex", "area": "5001"})
    client.get("/api/v1/reports/risk/drivers/5001")
    client.get("/api/v1/reports/risk/map", {"level": "village"})
    web_client(world.analyst_a).get("/reports/risk/", {"group_by": ["village"], "format": "csv"})
    web_client(world.analyst_a).get("/")
    events = list(AuditEvent.objects.filter(action__startswith="reports.").order_by("id"))
    assert [e.action for e in events] == [
        "reports.risk.request",
        "reports.drivers.request",
        "reports.map.request",
        "reports.risk.request",
        "reports.headline.request",
    ]
    assert events[0].changes == {"group_by": "district,sex", "area": "5001"}
    assert events[0].actor == world.analyst_a and events[0].channel == "api"
    assert events[3].channel == "web"
    assert all(set(e.changes) <= {"group_by", "area", "level", "first", "second"} for e in events)


def test_the_home_page_shows_an_analyst_the_protected_headline(world, population):  # noqa: F811
    from safepassage.registry.models import Person

    everyone = list(Person.objects.filter(agency=world.agency_a))
    figures = selectors.headline(viewer=world.analyst_a)
    assert figures["perturbed"] is True
    assert figures["rows"][0]["n"] == shown(everyone)
    html = web_client(world.analyst_a).get("/").content.decode()
    assert "To protect people, these figures are changed slightly" in html


def test_each_report_page_tells_an_analyst_how_its_figures_are_protected(world, population):  # noqa: F811
    on_the_map()
    caveat = "To protect people, these figures are changed slightly on purpose"
    for url in ("/reports/risk/", "/reports/priorities/", "/reports/drivers/5001/", "/reports/map/", "/"):
        analyst = web_client(world.analyst_a).get(url)
        assert analyst.status_code == 200 and caveat in analyst.content.decode(), url
        assert "Only people who have been assessed are counted." in analyst.content.decode(), url
        assert caveat not in web_client(world.coordinator_a).get(url).content.decode(), url
