"""Safe-migration reports outside the case staff of the agencies at a channel's ends: figures that stay safe
when an analyst subtracts one answer from another (issue 15).

Analysts read every count through the cell-key method (core.disclosure) with the sum of the record keys of
exactly the registrations in the cell, shares and days as perturbed means or withheld, travel periods as whole
months with both ends, and every request leaves an audit event. Expected values are worked out here from the
registrations' own keys, never written down as numbers.
"""

from __future__ import annotations

import csv
import io
import random
from collections.abc import Iterable
from datetime import timedelta
from importlib import import_module
from typing import Any

import pytest
from django.apps import apps
from django.urls import reverse

from safepassage.audit.models import AuditEvent
from safepassage.core.disclosure import (
    DIFFERENCE_EXACT_RATE,
    KEY_SPACE,
    SMALL,
    THRESHOLD,
    perturbed_mean,
    shown_count,
)
from safepassage.core.periods import month_end
from safepassage.migration import reports, services
from safepassage.migration.models import CheckIn, Registration
from safepassage.reports import protect
from safepassage.testing import World, api_client, web_client
from safepassage.workplaces.services import recruiter_create
from tests.cases.test_lessons_disclosure import StatementRunner

from .test_reports import TODAY, ago, channels, register

pytestmark = pytest.mark.django_db

# The people left one a day from the first day of the month about ten weeks ago.
FIRST = (TODAY - timedelta(days=70)).replace(day=1)
LAST = FIRST + timedelta(days=29)
WHOLE = {"travel_from": FIRST.isoformat(), "travel_to": month_end(LAST).isoformat()}


@pytest.fixture
def daily(world: World) -> dict[str, Any]:
    """30 people on the Jinghong channel (run by agency A), person i leaving on FIRST + i days.

    Home: village 1 (district 5001) when i % 3 == 0 (10 people), else village 3 (5002, 20). Work: agriculture
    for even i, construction for odd (15 each). Recruiter "Golden Jobs" for i < 12. Arrived the day after
    leaving for i < 25. The first check-in (14 days after arrival) made 14 + i % 5 days after arrival for
    i < 15, reporting no contract (and, for odd i, pay withheld) for i < 13; missed for 15 <= i < 25."""
    _bangkok, jinghong = channels(world)
    recruiter = recruiter_create(actor=world.coordinator_a, name="Golden Jobs", registered_on=FIRST)
    made: list[Registration] = []
    for i in range(30):
        leaves = FIRST + timedelta(days=i)
        r = register(
            world,
            jinghong,
            f"Daily {i}",
            world.village_1 if i % 3 == 0 else world.village_3,
            travel=(TODAY - leaves).days,
            sector="agriculture" if i % 2 == 0 else "construction",
            recruiter_id=recruiter.pk if i < 12 else None,
        )
        if i < 25:
            r = services.arrival_confirm(
                actor=world.caseworker_a, registration=r, arrived_on=leaves + timedelta(days=1)
            )
        if i < 15:
            services.checkin_record(
                actor=world.caseworker_a,
                registration=r,
                checkin=r.checkins.filter(kind=CheckIn.Kind.SCHEDULED).order_by("due_on").first(),
                done_on=leaves + timedelta(days=1 + 14 + i % 5),
                reached=True,
                problems=(["no_contract", "withholding_of_wages"] if i % 2 else ["no_contract"])
                if i < 13
                else [],
            )
        made.append(r)
    return {"channel": jinghong, "people": made, "recruiter": recruiter}


def keys(registrations: Iterable[Registration]) -> int:
    pks = [r.pk for r in registrations]
    return sum(Registration.objects.filter(pk__in=pks).values_list("record_key", flat=True))


def shown(registrations: list[Registration]) -> int | str:
    """What an analyst should read for a cell holding exactly these registrations."""
    return shown_count(len(registrations), keys(registrations)).as_json()


def analyst_report(world: World, **params: str) -> dict[str, Any]:
    response = api_client(world.analyst_a).get("/api/v1/migration/reports", params)
    assert response.status_code == 200, response.content
    return response.json()


def only_row(report: dict[str, Any], table: str) -> dict[str, Any]:
    (row,) = report["tables"][table]["rows"]
    return row


def by_label(report: dict[str, Any], table: str, key: str = "people") -> dict[str, Any]:
    return {row["label"]: row[key] for row in report["tables"][table]["rows"]}


# --- the finding of the issue, reproduced -----------------------------------------------------------------


def test_an_analyst_cannot_step_the_travel_date_a_day_at_a_time(world, daily):
    # Issue 15: travel_from=D, then D+1, … gave the exact number of people leaving on each day.
    client = api_client(world.analyst_a)
    channel = daily["channel"].pk
    for step in range(1, 4):
        day = FIRST + timedelta(days=step)
        response = client.get(
            "/api/v1/migration/reports", {"channel": channel, "travel_from": day.isoformat()}
        )
        assert response.status_code == 400
        assert {e["field"] for e in response.json()["errors"]} == {"travel_from", "travel_to"}
    response = client.get(
        "/api/v1/migration/reports",
        {
            "channel": channel,
            "travel_from": FIRST.isoformat(),
            "travel_to": (FIRST + timedelta(days=9)).isoformat(),
        },
    )
    assert [e["field"] for e in response.json()["errors"]] == ["travel_to"]
    message = response.json()["errors"][0]["message"]
    assert message.startswith("Travel date to: ") and month_end(FIRST).isoformat() in message
    page = web_client(world.analyst_a).get(reverse("migration:reports"), {"travel_to": LAST.isoformat()})
    assert page.status_code == 400 and 'id="migration-origins"' not in page.content.decode()
    csv_response = web_client(world.analyst_a).get(
        reverse("migration:reports_csv", args=["origins"]), {"travel_from": FIRST.isoformat()}
    )
    assert csv_response.status_code == 400


def test_staff_at_the_channels_ends_keep_exact_figures_and_any_period(world, daily):
    # The agency that runs the channel: its administrator, coordinator and caseworker.
    for persona in ("admin_a", "coordinator_a", "caseworker_a"):
        client = api_client(world.users[persona])
        from_day = client.get(
            "/api/v1/migration/reports", {"travel_from": (FIRST + timedelta(days=1)).isoformat()}
        ).json()
        assert from_day["exact"] is True and from_day["perturbed"] is False, persona
        assert from_day["count"] == 29, persona
        report = client.get("/api/v1/migration/reports").json()
        assert report["count"] == 30
        assert by_label(report, "origins") == {"Area 5002": 20, "Area 5001": 10}
        assert only_row(report, "arrivals")["confirmed"] == 25
        assert only_row(report, "contact")["missed"] == 10
        assert only_row(report, "first_checkin")["people"] == 15
    assert not AuditEvent.objects.filter(action="reports.migration.request").exists()


# --- what an analyst reads ---------------------------------------------------------------------------------


def test_an_analyst_reads_every_count_perturbed_with_its_registrations_keys(world, daily):
    people: list[Registration] = daily["people"]
    report = analyst_report(world, **WHOLE)
    assert (
        report["exact"] is False and report["perturbed"] is True and report["suppressed_below"] == THRESHOLD
    )
    assert report["count"] == shown(people)
    home_1 = [r for i, r in enumerate(people) if i % 3 == 0]
    home_3 = [r for i, r in enumerate(people) if i % 3 != 0]
    assert by_label(report, "origins") == {"Area 5002": shown(home_3), "Area 5001": shown(home_1)}
    assert by_label(report, "destinations") == {"Jinghong (CN)": shown(people)}
    assert by_label(report, "sectors") == {
        "Agriculture and plantations": shown(people[0::2]),
        "Construction": shown(people[1::2]),
    }
    assert by_label(report, "recruiters") == {
        "Recruiter A": shown(people[:12]),
        "No recruiter": shown(people[12:]),
    }

    arrivals = only_row(report, "arrivals")
    assert arrivals["expected"] == shown(people)
    assert arrivals["confirmed"] == shown(people[:25])
    assert arrivals["not_confirmed"] == SMALL  # 5 people
    # 25 of 30 confirmed: the share would give back the 5 not confirmed (share × expected), so it is
    # withheld, as every share is where the part or the rest is under 11 (reports.protect.share).
    assert arrivals["share"] is None and "share" in arrivals["suppressed"]

    contact = only_row(report, "contact")
    assert contact["traced"] == shown(people)
    assert contact["out_of_contact"] == shown(people[15:25]) == contact["missed"]  # the same 10 people
    assert contact["unreachable"] == 0


def test_the_share_confirmed_is_a_perturbed_share_where_both_parts_are_eleven_or_more(world):
    _bangkok, jinghong = channels(world)
    made = []
    for i in range(24):
        r = register(world, jinghong, f"Share {i}", world.village_3, travel=30)
        if i < 12:
            r = services.arrival_confirm(actor=world.caseworker_a, registration=r, arrived_on=ago(29))
        made.append(r)
    share = protect.share(12, 24, keys(made), keys(made[:12]), digits=2)
    arrivals = only_row(analyst_report(world), "arrivals")
    assert arrivals["share"] == (None if share is None else round(100 * share))
    assert arrivals["confirmed"] == shown(made[:12]) and arrivals["not_confirmed"] == shown(made[12:])
    # The owning agency's staff read the exact share.
    staff = api_client(world.coordinator_a).get("/api/v1/migration/reports").json()
    assert only_row(staff, "arrivals")["share"] == 50


def test_days_to_the_first_check_in_are_a_perturbed_mean_and_no_percentile(world, daily):
    people: list[Registration] = daily["people"]
    report = analyst_report(world, **WHOLE)
    table = report["tables"]["first_checkin"]
    assert [c["key"] for c in table["columns"]] == ["people", "mean"]
    row = only_row(report, "first_checkin")
    waits = [14 + i % 5 for i in range(15)]
    assert row["people"] == shown(people[:15])
    assert row["mean"] == perturbed_mean(sum(waits), 15, keys(people[:15]), span=reports.WAIT_SPAN)
    assert "median" not in row and "p90" not in row


def test_problems_are_counted_by_people_with_a_perturbed_mean_per_person(world, daily):
    people: list[Registration] = daily["people"]
    report = analyst_report(world, **WHOLE)
    table = report["tables"]["problems_recruiters"]
    assert [c["key"] for c in table["columns"]] == ["label", "people", "per_person"]
    rows = {row["label"]: row for row in table["rows"]}
    # Recruiter A's 12 people all reported problems: 1 each for even i, 2 for odd.
    reporting = people[:12]
    assert rows["Recruiter A"]["people"] == shown(reporting)
    problems = sum(2 if i % 2 else 1 for i in range(12))
    assert rows["Recruiter A"]["per_person"] == perturbed_mean(
        problems, 12, keys(reporting), span=reports.PROBLEM_SPAN
    )
    assert rows["No recruiter"]["people"] == SMALL and rows["No recruiter"]["per_person"] is None
    workplaces = {row["label"]: row for row in report["tables"]["problems_workplaces"]["rows"]}
    assert workplaces["Workplace not known"]["people"] == shown(people[:13])


def test_a_total_less_its_shown_rows_finds_the_small_row_only_as_often_as_the_table_allows(world, daily):
    # Registrations counted less the 20 from district 5002 is the 10 from district 5001: under per-table
    # suppression that second row was hidden with the first; now both rows carry their own noise. Keys
    # drawn afresh 150 times: the subtraction gives 10 about as often as the table says (0.195).
    rng = random.Random(15)
    people = list(Registration.objects.filter(pk__in=[r.pk for r in daily["people"]]))
    filters = reports.parse_filters(WHOLE)
    trials, exact = 150, 0
    for _ in range(trials):
        for r in people:
            r.record_key = rng.randrange(KEY_SPACE)
        Registration.objects.bulk_update(people, ["record_key"])
        report = reports.migration_report(world.analyst_a, filters)
        district_2 = by_label(report, "origins")["Area 5002"]
        assert isinstance(report["count"], int) and isinstance(district_2, int)  # 30 and 20: never small
        exact += report["count"] - district_2 == 10
    assert exact / trials <= DIFFERENCE_EXACT_RATE + 0.1  # three standard errors


def test_the_same_registrations_get_the_same_figures_however_the_question_is_put(world, daily):
    phrasings: list[dict[str, str]] = []
    starts = [FIRST - timedelta(days=d) for d in (0, 1, 31)]
    starts = [d.replace(day=1) for d in starts] + [FIRST.replace(month=1)]
    ends = [month_end(LAST), month_end(month_end(LAST) + timedelta(days=1)), TODAY.replace(month=12, day=31)]
    for start in starts:
        for end in ends:
            phrasings.append({"travel_from": start.isoformat(), "travel_to": end.isoformat()})
            phrasings.append(
                {
                    "travel_from": start.isoformat(),
                    "travel_to": end.isoformat(),
                    "channel": str(daily["channel"].pk),
                }
            )
    answers = {
        str(analyst_report(world, **p)["tables"]) for p in phrasings if p["travel_from"] <= p["travel_to"]
    }
    assert len(answers) == 1


def test_no_count_under_eleven_reaches_an_analyst_in_json_csv_or_html(world, daily):
    report = analyst_report(world, **WHOLE)
    for table in report["tables"].values():
        for row in table["rows"]:
            for column in table["columns"]:
                if column["kind"] == "count":
                    value = row[column["key"]]
                    assert value in (0, SMALL) or value >= THRESHOLD, (table["id"], row)
    client = web_client(world.analyst_a)
    for table_id in reports.TABLES:
        response = client.get(reverse("migration:reports_csv", args=[table_id]), WHOLE)
        assert response.status_code == 200
        data = report["tables"][table_id]
        counts = [c["key"] for c in data["columns"] if c["kind"] == "count"]
        for row in csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))):
            for key in counts:
                assert row[key] in ("0", SMALL) or int(row[key]) >= THRESHOLD, (table_id, row)
    html = client.get(reverse("migration:reports"), WHOLE).content.decode()
    assert "&lt;11" in html and "moved a little" in html
    for name in ("Daily", "Golden Jobs"):
        assert name not in html


def test_every_analyst_request_is_audited_with_its_parameters_and_never_its_cells(world, daily):
    analyst_report(world, **WHOLE, channel=str(daily["channel"].pk))
    web_client(world.analyst_a).get(reverse("migration:reports"), WHOLE)
    web_client(world.analyst_a).get(reverse("migration:reports_csv", args=["origins"]), WHOLE)
    events = list(AuditEvent.objects.filter(action="reports.migration.request").order_by("id"))
    assert len(events) == 3
    assert events[0].actor_id == world.analyst_a.pk
    assert events[0].changes == {
        "channel": str(daily["channel"].pk),
        "travel_from": WHOLE["travel_from"],
        "travel_to": WHOLE["travel_to"],
        "output": "tables",
    }
    assert [e.changes["output"] for e in events[1:]] == ["tables", "csv:origins"]
    api_client(world.analyst_a).get("/api/v1/migration/reports", {"travel_from": FIRST.isoformat()})
    assert AuditEvent.objects.filter(action="reports.migration.request").count() == 3


def test_perturbation_cannot_be_turned_off(world, daily, settings):
    settings.DEBUG = True
    report = analyst_report(world, **WHOLE)
    assert report["perturbed"] is True and report["count"] == shown(daily["people"])


def test_registrations_draw_their_own_keys_and_the_migration_draws_them_for_existing_ones(world, daily):
    drawn = list(Registration.objects.values_list("record_key", flat=True))
    assert len(set(drawn)) == len(drawn) and all(0 <= k < KEY_SPACE for k in drawn)
    migration = import_module("safepassage.migration.migrations.0002_record_keys")
    Registration.objects.update(record_key=0)
    migration._draw_keys(apps, StatementRunner())
    drawn = list(Registration.objects.values_list("record_key", flat=True))
    assert len(set(drawn)) == len(drawn) and all(0 <= k < KEY_SPACE for k in drawn)
