"""Safe-migration reports: figures equal a hand count; analysts get small counts hidden and no names."""

from datetime import date, timedelta

import pytest
from django.urls import reverse

from safepassage.accounts.models import Agency, Membership
from safepassage.migration import reports, services
from safepassage.testing import api_client, directory_entry, web_client
from safepassage.workplaces.services import recruiter_create, workplace_create

pytestmark = pytest.mark.django_db
TODAY = date.today()


def build(world, people: int = 3):
    """`people` registrations from village 1 (district 1) to Bangkok; the first two arrived 27 and 19 days
    ago; the first had its first check-in 14 days after arrival (wages withheld), the second 10 days after
    (not reached); the third has not arrived though expected 10 days ago."""
    channel = services.channel_create(
        actor=world.coordinator_a,
        name="To Bangkok",
        origin_area_code=world.district_1.code,
        destination_country="TH",
        destination_place="Bangkok",
        destination_organisation_id=directory_entry(world, world.agency_b).pk,
        checkin_days=[7, 60],
    )
    recruiter = recruiter_create(
        actor=world.coordinator_a, name="Golden Jobs Co", registered_on=TODAY - timedelta(days=100)
    )
    workplace = workplace_create(
        actor=world.coordinator_a, name="Orchard 9", sector="agriculture", lat=18.5, lon=99.0
    )
    made = []
    for n in range(people):
        made.append(
            services.registration_create(
                actor=world.caseworker_a,
                channel=channel,
                purpose="work",
                sector="agriculture" if n % 2 == 0 else "construction",
                travel_date=TODAY - timedelta(days=(29, 21, 12)[n % 3]),
                expected_arrival=TODAY - timedelta(days=(28, 20, 10)[n % 3]),
                consent="person",
                person_fields={
                    "given_name": f"Nok{n}",
                    "birth_year": 2000,
                    "village_code": world.village_1.code,
                },
                recruiter_id=recruiter.pk if n == 0 else None,
                planned_workplace_id=workplace.pk if n == 0 else None,
            )
        )
    first = services.arrival_confirm(
        actor=world.caseworker_b, registration=made[0], arrived_on=TODAY - timedelta(days=27)
    )
    second = services.arrival_confirm(
        actor=world.caseworker_b, registration=made[1], arrived_on=TODAY - timedelta(days=19)
    )
    services.checkin_record(
        actor=world.caseworker_b,
        registration=first,
        checkin=first.checkins.filter(kind="scheduled").order_by("due_on").first(),
        done_on=TODAY - timedelta(days=13),
        reached=True,
        problems=["withholding_of_wages", "unlawful_deposits"],
    )
    services.checkin_record(
        actor=world.caseworker_b,
        registration=second,
        checkin=second.checkins.filter(kind="scheduled").order_by("due_on").first(),
        done_on=TODAY - timedelta(days=9),
        reached=False,
    )
    return channel


def test_figures_match_a_hand_count(world):
    build(world)
    report = reports.migration_report(world.coordinator_a, reports.Filters())
    assert report["exact"] is True and report["count"] == 3
    assert report["arrivals"] == {"expected": 3, "confirmed": 2, "share": 67, "suppressed": []}
    # First check-ins: 27 - 13 = 14 days and 19 - 9 = 10 days (the second was not reached but was made).
    assert report["first_checkin"]["n"] == 2
    assert report["first_checkin"]["median"] == 10 and report["first_checkin"]["p90"] == 14
    assert report["contact"]["unreachable"] == 1 and report["contact"]["traced"] == 3
    # The first person's second check-in (day 60) is not due; nobody has a missed one.
    assert report["contact"]["missed"] == 0
    tables = report["tables"]
    assert [(r["label"], r["n"]) for r in tables["origins"]["rows"]] == [("Area 5001", 3)]
    assert [(r["label"], r["n"]) for r in tables["destinations"]["rows"]] == [("Bangkok (TH)", 3)]
    assert {r["label"]: r["n"] for r in tables["sectors"]["rows"]} == {
        "Agriculture and plantations": 2,
        "Construction": 1,
    }
    assert {r["label"]: r["n"] for r in tables["recruiters"]["rows"]} == {
        "Golden Jobs Co": 1,
        "No recruiter": 2,
    }
    assert [(r["label"], r["n"]) for r in tables["problems_workplaces"]["rows"]] == [
        ("Orchard 9 · Agriculture and plantations", 2)
    ]
    assert [(r["label"], r["n"]) for r in tables["problems_recruiters"]["rows"]] == [("Golden Jobs Co", 2)]


def test_analysts_get_small_counts_hidden_and_no_names(world):
    build(world)
    report = reports.migration_report(world.analyst_a, reports.Filters())
    assert report["exact"] is False
    assert report["arrivals"]["expected"] is None and report["arrivals"]["share"] is None
    assert all(r["n"] is None for t in report["tables"].values() for r in t["rows"])
    page = web_client(world.analyst_a).get(reverse("migration:reports")).content.decode()
    body = api_client(world.analyst_a).get("/api/v1/migration/reports").content.decode()
    csv = (
        web_client(world.analyst_a)
        .get(reverse("migration:reports_csv", args=["recruiters"]))
        .content.decode()
    )
    for text in (page, body, csv):
        assert "Nok0" not in text and "Golden Jobs" not in text and "Orchard 9" not in text
    assert "&lt;11" in page


def test_the_channel_filter_and_bad_filters(world):
    channel = build(world)
    report = reports.migration_report(
        world.coordinator_a, reports.parse_filters({"channel": str(channel.pk + 1)})
    )
    assert report["count"] == 0
    response = web_client(world.coordinator_a).get(reverse("migration:reports") + "?travel_from=yesterday")
    assert response.status_code == 400 and "travel_from" in response.content.decode()
    response = api_client(world.coordinator_a).get("/api/v1/migration/reports?travel_from=2026-13-01")
    assert response.status_code == 400
    assert [e["field"] for e in response.json()["errors"]] == ["travel_from"]


def test_agencies_at_neither_end_and_enforcement_agencies_count_nothing(world):
    build(world)
    other = Agency.objects.create(code="other", name="Other NGO", kind="ngo", country="TH")
    Membership.objects.create(user=world.outsider, agency=other, role="coordinator")
    outsider = type(world.outsider).objects.get(pk=world.outsider.pk)
    assert reports.migration_report(outsider, reports.Filters())["count"] == 0
    police = Agency.objects.create(code="police", name="Police", kind="enforcement", country="TH")
    Membership.objects.create(user=world.sysadmin, agency=police, role="coordinator")
    sysadmin = type(world.sysadmin).objects.get(pk=world.sysadmin.pk)
    assert reports.migration_report(sysadmin, reports.Filters())["empty"] is True
    assert (
        reports.migration_report(world.coordinator_b, reports.Filters())["count"] == 3
    )  # the destination end
