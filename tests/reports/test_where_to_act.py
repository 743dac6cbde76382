""" "Where to act" shows a change by default: two periods picked with dates (the last re-assessment period
and the one before), no `a..b` to type; the older link form still works; a wrong date is named."""

from __future__ import annotations

from datetime import date, timedelta
from html.parser import HTMLParser

import pytest
from django.urls import reverse

from safepassage.reports.forms import default_periods
from safepassage.testing import web_client

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
    csv = web_client(world.coordinator_a).get(URL, {**query, "format": "csv"}).content.decode("utf-8-sig")
    assert csv.splitlines()[0].endswith("high_change,mean_index_change")


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


def test_an_analyst_sees_a_change_hidden_when_it_would_reveal_a_small_number(world, population):  # noqa: F811
    rows = {r["area"]: r for r in web_client(world.analyst_a).get(URL).context["rows"]}
    # 5001 now: 12 high and 3 low. The 3 is hidden, and the 12 with it (else 15 - 12 gives it away), so the
    # change in the high count cannot be shown either; 5002 belongs to agency B.
    assert rows["5001"]["n"] == 15
    assert rows["5001"]["high_change"] is None
    assert "5002" not in rows
