""" "Where to act" shows a change by default: two periods picked with dates (the last re-assessment period
and the one before), no `a..b` to type; the older link form still works; a wrong date is named."""

from __future__ import annotations

import csv as csv_module
import io
from datetime import date, timedelta
from html.parser import HTMLParser

import pytest
from django.urls import reverse

from safepassage.reports.forms import default_month_periods, default_periods
from safepassage.testing import web_client

from .attacks import shown
from .test_risk_reports import TODAY, population  # noqa: F401 (a fixture)

pytestmark = pytest.mark.django_db
URL = reverse("reports:priorities")


class Inputs(HTMLParser):
    """Every input of the page: name → (type, value)."""

    def __init__(self) -> None:
        super().__init__()
        self.inputs: dict[str, tuple[str, str]] = {}

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag == "input" and found.get("name"):
            self.inputs[str(found["name"])] = (str(found.get("type")), str(found.get("value") or ""))


def inputs(html: str) -> dict[str, tuple[str, str]]:
    parser = Inputs()
    parser.feed(html)
    return parser.inputs


def test_the_default_periods_are_the_last_six_months_and_the_six_before():
    first, second = default_periods(date(2026, 12, 7), months=6)
    assert second == (date(2026, 6, 8), date(2026, 12, 7))  # 183 days, today included
    assert first == (date(2025, 12, 7), date(2026, 6, 7))  # the 183 days before it
    assert first[1] + timedelta(days=1) == second[0]


def test_the_page_shows_the_change_without_being_asked(world, population):  # noqa: F811
    response = web_client(world.coordinator_a).get(URL)
    assert response.status_code == 200
    html = response.content.decode()
    fields = inputs(html)
    first, second = default_periods(TODAY, months=6)
    assert fields["first_from"] == ("date", first[0].isoformat())
    assert fields["first_to"] == ("date", first[1].isoformat())
    assert fields["second_from"] == ("date", second[0].isoformat())
    assert fields["second_to"] == ("date", second[1].isoformat())
    assert "first" not in fields and "second" not in fields  # no "a..b" to type
    # The girls of district 5001 went from low (200 days ago) to high (10 days ago): +12.
    rows = {r["area"]: r for r in response.context["rows"]}
    assert rows["5001"]["high_change"] == 12
    assert "Push down, pop up" in html


def test_periods_chosen_with_the_date_pickers(world, population):  # noqa: F811
    query = {
        "first_from": (TODAY - timedelta(days=230)).isoformat(),
        "first_to": (TODAY - timedelta(days=150)).isoformat(),
        "second_from": (TODAY - timedelta(days=30)).isoformat(),
        "second_to": TODAY.isoformat(),
    }
    response = web_client(world.coordinator_a).get(URL, query)
    assert {r["area"]: r["high_change"] for r in response.context["rows"]}["5001"] == 12
    # Both periods after the rise: no change.
    query["first_from"] = (TODAY - timedelta(days=20)).isoformat()
    query["first_to"] = (TODAY - timedelta(days=5)).isoformat()
    response = web_client(world.coordinator_a).get(URL, query)
    assert {r["area"]: r["high_change"] for r in response.context["rows"]}["5001"] == 0
    # The CSV carries the same change.
    text = web_client(world.coordinator_a).get(URL, {**query, "format": "csv"}).content.decode("utf-8-sig")
    assert next(csv_module.reader(io.StringIO(text)))[-2:] == ["high_change", "mean_index_change"]


def test_the_older_a_to_b_links_still_work(world, population):  # noqa: F811
    first = f"{TODAY - timedelta(days=230)}..{TODAY - timedelta(days=150)}"
    second = f"{TODAY - timedelta(days=30)}..{TODAY}"
    response = web_client(world.coordinator_a).get(URL, {"first": first, "second": second})
    assert {r["area"]: r["high_change"] for r in response.context["rows"]}["5001"] == 12
    assert inputs(response.content.decode())["first_from"][1] == str(TODAY - timedelta(days=230))


def test_a_wrong_period_is_named(world, population):  # noqa: F811
    response = web_client(world.coordinator_a).get(
        URL, {"first_from": "2026-02-30", "second_from": TODAY.isoformat(), "second_to": "2020-01-01"}
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "Enter a valid date." in html
    assert "The later period starts after it ends." in html
    assert response.context["rows"] == []


def test_an_analyst_sees_the_change_of_the_figures_shown_over_whole_months(world, population):  # noqa: F811
    response = web_client(world.analyst_a).get(URL)
    rows = {r["area"]: r for r in response.context["rows"]}
    # The default periods are whole calendar months for a reader outside the owning agency.
    first, second = default_month_periods(TODAY, months=6)
    fields = inputs(response.content.decode())
    assert fields["first_from"][1] == first[0].isoformat() and fields["second_to"][1] == second[1].isoformat()
    assert first[0].day == 1 and second[0].day == 1 and (second[1] + timedelta(days=1)).day == 1
    # 5001 now: 12 girls at high risk (nobody before) and 3 boys at low risk; 5002 belongs to agency B.
    everyone = [p for p, _ in population[:15]]
    girls = everyone[:12]
    assert rows["5001"]["n"] == shown(everyone)
    high = shown(girls)
    assert isinstance(high, int)  # 14 with the population's keys
    assert rows["5001"]["high_change"] == high - 0  # the change of the figures shown
    assert "5002" not in rows
    assert "Numbers under 11 are hidden" in response.content.decode()
    assert "Numbers under 11 are hidden" not in web_client(world.coordinator_a).get(URL).content.decode()


def test_an_analyst_is_told_which_date_is_not_a_whole_month(world, population):  # noqa: F811
    query = {
        "first_from": "2025-01-02",
        "first_to": "2025-06-30",
        "second_from": "2025-07-01",
        "second_to": "2025-12-30",
    }
    response = web_client(world.analyst_a).get(URL, query)
    assert response.status_code == 200
    form = response.context["form"]
    assert set(form.errors) == {"first_from", "second_to"}
    assert response.context["rows"] == []
    csv = web_client(world.analyst_a).get(URL, {**query, "format": "csv"})
    assert csv.status_code == 400
    assert {e["field"] for e in csv.json()["errors"]} == {"first_from", "second_to"}
    # A coordinator of the owning agency may compare any two periods.
    assert web_client(world.coordinator_a).get(URL, query).context["form"].errors == {}


def test_the_default_month_periods_are_the_last_six_months_and_the_six_before():
    first, second = default_month_periods(date(2026, 12, 7), months=6)
    assert second == (date(2026, 7, 1), date(2026, 12, 31))
    assert first == (date(2026, 1, 1), date(2026, 6, 30))
    first, second = default_month_periods(date(2026, 3, 31), months=6)
    assert second == (date(2025, 10, 1), date(2026, 3, 31))
    assert first == (date(2025, 4, 1), date(2025, 9, 30))


def test_the_page_reads_the_two_periods_once_for_the_ranking_and_the_displacement(
    world,
    population,  # noqa: F811
    monkeypatch,
):
    """Each period is a pass over every assessment in it: the ranking and "push down, pop up" share one
    reading (with fifty people at work this page took seconds when it read them twice), and both are still
    recorded as asked for."""
    from safepassage.audit.models import AuditEvent
    from safepassage.reports import selectors

    reads = []
    original = selectors._period_rows

    def counted(*args, **kwargs):
        reads.append(args[2])
        return original(*args, **kwargs)

    monkeypatch.setattr(selectors, "_period_rows", counted)
    client = web_client(world.analyst_a)
    before = AuditEvent.objects.count()
    response = client.get(URL)
    assert response.status_code == 200
    first, second = default_month_periods(TODAY, months=6)
    assert sorted(reads) == sorted([first, second])
    asked = set(AuditEvent.objects.order_by("id")[before:].values_list("action", flat=True))
    assert {"reports.priorities.request", "reports.displacement.request"} <= asked
