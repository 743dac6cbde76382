"""Safe-migration reports: every figure equals a hand count; analysts get counts through the cell-key method
(small ones as "<11") and never names; enforcement agencies and agencies at neither end count nothing; bad
filters are named. (Differencing, periods and audit for analysts: test_reports_disclosure.py.)"""

from __future__ import annotations

import csv
import io
from datetime import date, timedelta
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from safepassage.accounts.models import Agency, Membership, User
from safepassage.core.disclosure import SMALL, shown_count
from safepassage.migration import reports, services
from safepassage.migration.models import Channel, Registration
from safepassage.testing import World, api_client, directory_entry, web_client
from safepassage.workplaces.services import recruiter_create, workplace_create

pytestmark = pytest.mark.django_db
TODAY = date.today()
NAMES = ("Nokthong", "Malai", "Sompong", "Kham", "Buakaew")
FAMILY = "Saengdao"


def ago(days: int) -> date:
    return TODAY - timedelta(days=days)


def channels(world: World) -> tuple[Channel, Channel]:
    """Two channels run by agency A: district 1 → Bangkok (agency B at the destination end, check-ins 7 and
    60 days after arrival) and district 2 → Jinghong across the border (one check-in after 14 days)."""
    bangkok = services.channel_create(
        actor=world.coordinator_a,
        name="District 1 – Bangkok",
        origin_area_code=world.district_1.code,
        destination_country="TH",
        destination_place="Bangkok",
        destination_organisation_id=directory_entry(world, world.agency_b).pk,
        checkin_days=[7, 60],
    )
    jinghong = services.channel_create(
        actor=world.coordinator_a,
        name="District 2 – Jinghong",
        origin_area_code=world.district_2.code,
        destination_country="CN",
        destination_place="Jinghong",
        checkin_days=[14],
    )
    return bangkok, jinghong


def register(world: World, channel: Channel, name: str, village: Any, **fields: Any) -> Registration:
    travel = fields.pop("travel", 20)
    return services.registration_create(
        actor=world.caseworker_a,
        channel=channel,
        purpose="work",
        registered_on=ago(travel + 2),
        travel_date=ago(travel),
        expected_arrival=ago(fields.pop("expected", travel - 1)),
        consent="person",
        person_fields={
            "given_name": name,
            "family_name": FAMILY,
            "birth_year": 2000,
            "village_code": village.code,
        },
        **fields,
    )


def build(world: World) -> dict[str, Any]:
    """Five people, counted by hand in test_figures_match_a_hand_count:

    Bangkok channel (origin district 1):
      1 Nokthong, village 1, agriculture, recruiter "=Golden Jobs", workplace "=Orchard 9"; arrived 27 days
        ago; first check-in (due 20 days ago) made 13 days ago: reached, 2 problems → 14 days.
      2 Malai, village 1, construction; arrived 19 days ago; first check-in made 9 days ago, not reached
        (cannot be reached since) → 10 days.
      3 Sompong, village 2, agriculture, going to village 3 (district 2); expected 10 days ago, not arrived.
    Jinghong channel (origin district 2):
      4 Kham, village 3, domestic work, recruiter "=Golden Jobs"; arrived 38 days ago; the check-in due 24
        days ago was not made (missed); an extra contact 30 days ago reported 1 problem (no workplace known).
      5 Buakaew, village 3, no sector; expected 3 days ago; consent withdrawn.
    """
    bangkok, jinghong = channels(world)
    recruiter = recruiter_create(actor=world.coordinator_a, name="=Golden Jobs", registered_on=ago(100))
    orchard = workplace_create(
        actor=world.coordinator_a, name="=Orchard 9", sector="agriculture", lat=18.5, lon=99
    )
    r1 = register(
        world,
        bangkok,
        NAMES[0],
        world.village_1,
        travel=29,
        expected=28,
        sector="agriculture",
        recruiter_id=recruiter.pk,
        planned_workplace_id=orchard.pk,
    )
    r2 = register(world, bangkok, NAMES[1], world.village_1, travel=21, expected=20, sector="construction")
    register(
        world,
        bangkok,
        NAMES[2],
        world.village_2,
        travel=12,
        expected=10,
        sector="agriculture",
        destination_area_code=world.village_3.code,
    )
    r4 = register(
        world,
        jinghong,
        NAMES[3],
        world.village_3,
        travel=40,
        expected=38,
        sector="domestic",
        recruiter_id=recruiter.pk,
    )
    r5 = register(world, jinghong, NAMES[4], world.village_3, travel=5, expected=3)
    r1 = services.arrival_confirm(actor=world.caseworker_b, registration=r1, arrived_on=ago(27))
    r2 = services.arrival_confirm(actor=world.caseworker_b, registration=r2, arrived_on=ago(19))
    r4 = services.arrival_confirm(actor=world.caseworker_a, registration=r4, arrived_on=ago(38))
    services.checkin_record(
        actor=world.caseworker_b,
        registration=r1,
        checkin=r1.checkins.filter(kind="scheduled").order_by("due_on").first(),
        done_on=ago(13),
        reached=True,
        problems=["withholding_of_wages", "unlawful_deposits"],
    )
    services.checkin_record(
        actor=world.caseworker_b,
        registration=r2,
        checkin=r2.checkins.filter(kind="scheduled").order_by("due_on").first(),
        done_on=ago(9),
        reached=False,
    )
    services.checkin_record(
        actor=world.caseworker_a, registration=r4, done_on=ago(30), reached=True, problems=["no_contract"]
    )
    services.consent_withdraw(actor=world.caseworker_a, registration=r5)
    return {"bangkok": bangkok, "jinghong": jinghong, "recruiter": recruiter, "orchard": orchard}


def rows(report: dict[str, Any], table: str, *keys: str) -> list[tuple[Any, ...]]:
    return [tuple(r[k] for k in keys) for r in report["tables"][table]["rows"]]


def only_row(report: dict[str, Any], table: str) -> dict[str, Any]:
    (row,) = report["tables"][table]["rows"]
    return {k: v for k, v in row.items() if k != "suppressed"}


def fresh(user: User) -> User:
    """The user read again, so the scope is worked out as in a new request."""
    return User.objects.get(pk=user.pk)


def test_figures_match_a_hand_count(world):
    made = build(world)
    report = reports.migration_report(world.coordinator_a, reports.Filters())
    assert report["exact"] is True and report["suppressed_below"] is None and report["count"] == 5
    # Expected by now, withdrawal left out: 1, 2, 3 and 4; confirmed: 1, 2 and 4.
    assert only_row(report, "arrivals") == {"expected": 4, "confirmed": 3, "not_confirmed": 1, "share": 75}
    # First scheduled check-ins made: 27 - 13 = 14 and 19 - 9 = 10 days; nearest rank: median is the 1st
    # of 2 (⌈0.5 × 2⌉), the 90th percentile the 2nd (⌈0.9 × 2⌉).
    assert only_row(report, "first_checkin") == {"people": 2, "median": 10, "p90": 14}
    # Still traced: 1-4. Cannot be reached: 2. Missed check-in: 4. Out of contact: 2 and 4.
    assert only_row(report, "contact") == {"traced": 4, "out_of_contact": 2, "unreachable": 1, "missed": 1}
    assert rows(report, "origins", "code", "label", "people") == [
        ("5001", "Area 5001", 3),
        ("5002", "Area 5002", 2),
    ]
    assert rows(report, "destinations", "label", "people") == [
        ("Bangkok (TH)", 2),
        ("Jinghong (CN)", 2),
        ("Area 5002", 1),
    ]
    assert rows(report, "sectors", "label", "people") == [
        ("Agriculture and plantations", 2),
        ("Construction", 1),
        ("Domestic work", 1),
        ("Not said", 1),
    ]
    # Most first, and the row for no recruiter (or anything not known) last.
    assert rows(report, "recruiters", "code", "label", "people") == [
        (str(made["recruiter"].pk), "=Golden Jobs", 2),
        ("", "No recruiter", 3),
    ]
    assert rows(report, "problems_workplaces", "label", "sector", "people", "problems") == [
        ("=Orchard 9", "Agriculture and plantations", 1, 2),
        ("Workplace not known", "", 1, 1),
    ]
    assert rows(report, "problems_recruiters", "label", "people", "problems") == [("=Golden Jobs", 2, 3)]
    assert all(not t["suppressed"] for t in report["tables"].values())


def test_filters_by_channel_and_travel_date(world):
    made = build(world)
    bangkok = reports.parse_filters({"channel": str(made["bangkok"].pk)}, viewer=world.coordinator_a)
    assert reports.migration_report(world.coordinator_a, bangkok)["count"] == 3
    # Travel dates 29, 21, 12, 40 and 5 days ago: from 25 to 10 days ago leaves 2 and 3.
    period = reports.parse_filters(
        {"travel_from": ago(25).isoformat(), "travel_to": ago(10).isoformat()}, viewer=world.coordinator_a
    )
    report = reports.migration_report(world.coordinator_a, period)
    assert report["count"] == 2
    assert only_row(report, "arrivals") == {"expected": 2, "confirmed": 1, "not_confirmed": 1, "share": 50}
    year = reports.parse_filters({"travel_from": str(TODAY.year + 543)})  # a Buddhist-era year
    assert year.travel_from == date(TODAY.year, 1, 1)


def test_the_destination_end_sees_its_channel_only_and_exactly(world):
    build(world)
    report = reports.migration_report(world.coordinator_b, reports.Filters())
    assert report["exact"] is True and report["count"] == 3
    assert [c.name for c in reports.report_channels(world.coordinator_b)] == ["District 1 – Bangkok"]


def test_analysts_get_small_counts_as_under_eleven_and_never_names(world):
    build(world)
    report = reports.migration_report(world.analyst_a, reports.Filters())
    assert report["exact"] is False and report["suppressed_below"] == 11 and report["count"] == SMALL
    for table in report["tables"].values():
        for row in table["rows"]:
            counts = [c["key"] for c in table["columns"] if c["kind"] == "count"]
            # Five people: every cell holds 1 to 4 of them, so even with its noise it is under 11.
            assert all(row[key] == SMALL for key in counts), (table["id"], row)
        assert table["suppressed"], table["id"]  # and each table says what it shows as "<11"
    assert only_row(report, "arrivals")["share"] is None  # a share of 4 people is withheld
    assert only_row(report, "first_checkin") == {"people": SMALL, "mean": None}
    assert rows(report, "recruiters", "code", "label") == [("A", "Recruiter A"), ("", "No recruiter")]
    assert rows(report, "problems_recruiters", "code", "label") == [("A", "Recruiter A")]
    assert [reports.letters(n) for n in (1, 26, 27, 52, 53)] == ["A", "Z", "AA", "AZ", "BA"]
    assert rows(report, "problems_workplaces", "code", "label") == [
        ("sector:agriculture", "Agriculture and plantations"),
        ("", "Workplace not known"),
    ]
    analyst_web, analyst_api = web_client(world.analyst_a), api_client(world.analyst_a)
    page = analyst_web.get(reverse("migration:reports"))
    assert page.status_code == 200
    texts = [page.content.decode(), analyst_api.get("/api/v1/migration/reports").content.decode()]
    for table in reports.TABLES:
        response = analyst_web.get(reverse("migration:reports_csv", args=[table]))
        assert response.status_code == 200
        texts.append(response.content.decode())
    for text in texts:
        for name in (*NAMES, FAMILY, "Golden Jobs", "Orchard 9"):
            assert name not in text
    assert "&lt;11" in texts[0] and "because the number is under 11" in texts[0]


def test_analysts_see_each_cell_perturbed_with_its_own_keys_and_only_small_ones_hidden(world):
    bangkok, jinghong = channels(world)
    for n in range(12):
        register(world, bangkok, f"Person {n}", world.village_1, travel=5, sector="agriculture")
    register(world, jinghong, "Person 12", world.village_3, travel=5, sector="agriculture")

    def shown(registrations: Any) -> int | str:
        keys = [r.record_key for r in registrations]
        return shown_count(len(keys), sum(keys)).as_json()

    everyone = Registration.objects.all()
    report = reports.migration_report(world.analyst_a, reports.Filters())
    assert report["count"] == shown(everyone)
    assert rows(report, "sectors", "label", "people") == [("Agriculture and plantations", shown(everyone))]
    # District 2's single person is "<11"; district 1's 12 carry their own noise, so 13 − 12 tells nothing.
    district_1 = everyone.filter(person__village=world.village_1)
    assert rows(report, "origins", "label", "people") == [
        ("Area 5001", shown(district_1)),
        ("Area 5002", SMALL),
    ]
    small = [label for label, people in rows(report, "origins", "label", "people") if people == SMALL]
    assert report["tables"]["origins"]["suppressed"] == small and "Area 5002" in small


def test_csv_has_each_table_with_formulas_neutralised_and_what_each_row_hides(world):
    build(world)
    response = web_client(world.coordinator_a).get(
        reverse("migration:reports_csv", args=["problems_workplaces"])
    )
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    table = list(csv.reader(io.StringIO(response.content.decode().lstrip("\ufeff"))))
    assert table[0] == ["code", "label", "sector", "people", "problems", "suppressed"]
    assert table[1][1:] == ["'=Orchard 9", "Agriculture and plantations", "1", "2", ""]
    analyst = web_client(world.analyst_a).get(reverse("migration:reports_csv", args=["arrivals"]))
    table = list(csv.reader(io.StringIO(analyst.content.decode().lstrip("\ufeff"))))
    assert table == [
        ["expected", "confirmed", "not_confirmed", "share", "suppressed"],
        [SMALL, SMALL, SMALL, "", "expected confirmed not_confirmed share"],
    ]
    assert (
        web_client(world.coordinator_a).get(reverse("migration:reports_csv", args=["people"])).status_code
        == 404
    )


def test_enforcement_agencies_count_nothing_even_at_an_end(world):
    police = Agency.objects.create(
        code="police", name="Police", kind=Agency.Kind.ENFORCEMENT, country="TH", profile="police"
    )
    officer = User.objects.create_user(username="officer", password="x")
    Membership.objects.create(user=officer, agency=police, role="caseworker")
    channel = services.channel_create(
        actor=world.coordinator_a,
        name="To the border post",
        origin_area_code=world.district_1.code,
        destination_country="TH",
        destination_place="Mae Sai",
        destination_organisation_id=directory_entry(world, police).pk,
    )
    register(world, channel, NAMES[0], world.village_1)
    report = reports.migration_report(officer, reports.Filters())
    assert report["count"] == 0
    assert all(
        not t["rows"] or t["id"] in ("arrivals", "first_checkin", "contact")
        for t in report["tables"].values()
    )
    assert only_row(report, "arrivals")["expected"] == 0
    assert not reports.report_channels(officer).exists()
    response = api_client(officer).get(f"/api/v1/migration/reports?channel={channel.pk}")
    assert response.status_code == 400 and [e["field"] for e in response.json()["errors"]] == ["channel"]
    # Agency A's coordinator, also at the police, counts the channel through agency A only.
    Membership.objects.create(user=world.coordinator_a, agency=police, role="coordinator")
    assert reports.migration_report(fresh(world.coordinator_a), reports.Filters())["count"] == 1


def test_a_coordinator_of_an_agency_at_neither_end_sees_nothing(world):
    made = build(world)
    other = Agency.objects.create(code="other", name="Other NGO", kind=Agency.Kind.NGO, country="TH")
    Membership.objects.create(user=world.outsider, agency=other, role="coordinator")
    outsider = fresh(world.outsider)
    assert reports.migration_report(outsider, reports.Filters())["count"] == 0
    page = web_client(outsider).get(reverse("migration:reports")).content.decode()
    assert "District 1 – Bangkok" not in page and "Registrations counted: 0" in page
    response = web_client(outsider).get(reverse("migration:reports") + f"?channel={made['bangkok'].pk}")
    assert response.status_code == 400


def test_bad_filters_answer_with_a_message_naming_the_field(world):
    build(world)
    client = web_client(world.coordinator_a)
    response = client.get(reverse("migration:reports") + "?travel_from=yesterday")
    assert response.status_code == 400 and "Travel date from: write a date" in response.content.decode()
    response = client.get(reverse("migration:reports_csv", args=["origins"]) + "?channel=abc")
    assert response.status_code == 400 and response.content.decode().startswith("Channel:")
    api = api_client(world.coordinator_a)
    response = api.get("/api/v1/migration/reports?travel_to=2026-13-01")
    assert response.status_code == 400 and [e["field"] for e in response.json()["errors"]] == ["travel_to"]
    response = api.get("/api/v1/migration/reports?travel_from=2025-06-01&travel_to=2025-01-01")
    assert [e["field"] for e in response.json()["errors"]] == ["travel_to"]
    assert "ends before it starts" in response.json()["errors"][0]["message"]


def test_the_page_and_api_show_the_same_figures(world):
    build(world)
    page = web_client(world.coordinator_a).get(reverse("migration:reports")).content.decode()
    assert "Registrations counted: 5" in page and "75%" in page and "=Orchard 9" in page
    body = api_client(world.coordinator_a).get("/api/v1/migration/reports").json()
    assert body["count"] == 5 and body["tables"]["arrivals"]["rows"][0]["share"] == 75
    assert list(body["tables"]) == list(reports.TABLES)


def test_the_report_takes_the_same_queries_for_more_registrations(world):
    made = build(world)

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            reports.migration_report(fresh(world.coordinator_a), reports.Filters())
        return len(captured)

    before = queries()
    for n in range(4):
        r = register(world, made["bangkok"], f"More {n}", world.village_2, travel=30, expected=29)
        r = services.arrival_confirm(actor=world.caseworker_a, registration=r, arrived_on=ago(29))
        services.checkin_record(
            actor=world.caseworker_a,
            registration=r,
            checkin=r.checkins.filter(kind="scheduled").order_by("due_on").first(),
            done_on=ago(20),
            reached=True,
            problems=["excessive_overtime"],
        )
    assert queries() == before <= 13  # one query reads the sectors (data, R-016)
