"""Risk reports: figures equal those counted by hand; small cells hidden from analysts."""

from datetime import date, timedelta

import pytest

from safepassage.registry.bulk import BulkItem, assessments_bulk_record
from safepassage.registry.services import person_create
from safepassage.reports import selectors
from safepassage.testing import api_client, web_client

from ..registry.conftest import all_answers

pytestmark = pytest.mark.django_db
TODAY = date.today()


@pytest.fixture
def population(world):
    """District 5001: 12 girls aged 12 at high risk (village 1), 3 boys aged 16 at low risk (village 2).
    District 5002: 4 women aged 30 at low risk (agency B, village 3).
    High is every answer at 3 (SOC-SEX at most 2): (24 × 3 + 2 − 25) / 50 × 100 = 98; low is all 1s: 0."""
    high, low = all_answers(3), all_answers(1)
    people = []
    for n in range(12):
        people.append(
            (
                person_create(
                    actor=world.coordinator_a,
                    village_code=world.village_1.code,
                    given_name=f"G{n}",
                    sex="female",
                    birth_year=TODAY.year - 12,
                ),
                high,
            )
        )
    for n in range(3):
        people.append(
            (
                person_create(
                    actor=world.coordinator_a,
                    village_code=world.village_2.code,
                    given_name=f"B{n}",
                    sex="male",
                    birth_year=TODAY.year - 16,
                ),
                low,
            )
        )
    for n in range(4):
        people.append(
            (
                person_create(
                    actor=world.coordinator_b,
                    village_code=world.village_3.code,
                    given_name=f"W{n}",
                    sex="female",
                    birth_year=TODAY.year - 30,
                ),
                low,
            )
        )
    # Earlier round: everyone low, so the high girls' risk rose between the periods.
    items = [BulkItem(p.pk, TODAY - timedelta(days=200), low) for p, _ in people]
    items += [BulkItem(p.pk, TODAY - timedelta(days=10), answers) for p, answers in people]
    items.sort(key=lambda i: (i.person_id, i.assessed_on))
    assessments_bulk_record(actor=None, items=items)
    return people


def test_grouped_by_district_sex_and_age_band_for_a_coordinator(world, population):
    report = selectors.risk_report(viewer=world.coordinator_a, group_by=["district", "sex", "age_band"])
    rows = [
        (r["district"], r["sex"], r["age_band"], r["n"], r["high"], r["low"], r["mean_index"])
        for r in report["rows"]
    ]
    assert rows == [
        ("5001", "female", "10-14", 12, 12, 0, 98.0),
        ("5001", "male", "15-17", 3, 0, 3, 0.0),
    ]
    assert report["suppressed_below"] is None
    assert all(r["district_name"] for r in report["rows"])


def test_the_other_agencys_people_are_not_counted(world, population):
    report = selectors.risk_report(viewer=world.coordinator_b, group_by=["district"])
    assert [(r["district"], r["n"]) for r in report["rows"]] == [("5002", 4)]


def test_an_analyst_sees_small_cells_suppressed(world, population):
    report = selectors.risk_report(viewer=world.analyst_a, group_by=["district", "sex"])
    rows = {(r["district"], r["sex"]): r for r in report["rows"]}
    girls, boys = rows[("5001", "female")], rows[("5001", "male")]
    assert girls["n"] == 12 and girls["high"] == 12
    assert girls["low"] == 0  # "none" reveals nobody
    assert boys["n"] is None and boys["low"] is None and boys["mean_index"] is None
    assert report["suppressed_below"] == 11
    by_district = selectors.risk_report(viewer=world.analyst_a, group_by=["district"])["rows"]
    district = by_district[0]
    assert district["n"] == 15
    # Only 3 low: hidden, and the next smallest non-zero count too, so it cannot be worked out from n.
    assert district["low"] is None and district["high"] is None


def test_volunteers_and_partners_get_no_reports(world, population):
    for user in (world.volunteer_a, world.partner_a):
        assert api_client(user).get("/api/v1/reports/risk").status_code == 404
        assert web_client(user).get("/reports/risk/").status_code == 404


def test_priorities_give_hand_computed_alkire_foster_figures(world, population):
    rows = {r["area"]: r for r in selectors.prioritisation(viewer=world.coordinator_a, level="district")}
    district = rows["5001"]
    # 15 people; the 12 girls have 24 of 25 answers at 3 (SOC-SEX is 2): share 0.96 ≥ 1/3 each.
    assert (district["n"], district["high"]) == (15, 12)
    assert district["H"] == 0.8
    assert district["A"] == 0.96
    assert district["M0"] == pytest.approx(0.768)


def test_the_trend_between_two_periods(world, population):
    first = (TODAY - timedelta(days=230), TODAY - timedelta(days=150))
    second = (TODAY - timedelta(days=30), TODAY)
    rows = {
        r["district"]: r
        for r in selectors.trend(
            viewer=world.coordinator_a, group_by=["district"], first=first, second=second
        )
    }
    assert rows["5001"]["high_before"] == 0 and rows["5001"]["high_after"] == 12
    assert rows["5001"]["high_change"] == 12


def test_drivers_show_each_indicators_share(world, population):
    from safepassage.registry.models import Catalogue

    result = selectors.drivers(
        viewer=world.coordinator_a, area=world.district_1, catalogue=Catalogue.objects.get(status="active")
    )
    assert result["n"] == 15
    top = {r["code"]: r for r in result["indicators"]}
    assert top["HLT-ILL"]["at_3"] == 12 and top["HLT-ILL"]["share_at_3"] == 0.8
    assert sum(r["contribution"] for r in result["indicators"]) == pytest.approx(1.0, abs=0.01)


def test_the_csv_export_matches_the_table(world, population):
    response = web_client(world.coordinator_a).get("/reports/risk/?group_by=district&format=csv")
    lines = response.content.decode("utf-8-sig").splitlines()
    assert lines[0] == "district,district_name,n,low,medium,high,incomplete,mean_index"
    assert lines[1].startswith("5001,Area 5001,15,3,0,12,0,")


def test_the_map_shows_areas_never_people(world, population):
    world.district_1.boundary = {"type": "Polygon", "coordinates": [[[98, 18], [99, 18], [99, 19], [98, 18]]]}
    world.district_1.save()
    data = api_client(world.coordinator_a).get("/api/v1/reports/risk/map?level=district").json()
    assert [f["properties"]["code"] for f in data["features"]] == ["5001"]
    assert data["features"][0]["properties"]["high"] == 12
    assert set(data["features"][0]["properties"]) == {"code", "name", "n", "high", "mean_index", "suppressed"}


def test_bad_groupings_are_named(world):
    response = api_client(world.coordinator_a).get("/api/v1/reports/risk?group_by=district,colour")
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "group_by"


@pytest.mark.parametrize(
    "group_by",
    [
        ["district"],
        ["district", "sex", "age_band"],
        ["village", "sex"],
        ["province", "age_band"],
        ["subdistrict"],
    ],
)
def test_the_counted_cells_give_exactly_what_counting_people_gives(world, population, group_by):
    from safepassage.registry.services import person_update

    # Move one girl to another village so the cells must follow.
    girl = population[0][0]
    person_update(actor=world.coordinator_a, person=girl, village_code=world.village_2.code)
    from_cells = selectors.risk_report(viewer=world.coordinator_a, group_by=group_by)["rows"]
    counted = selectors.risk_report(viewer=world.coordinator_a, group_by=group_by, as_of=TODAY)["rows"]
    assert from_cells == counted
    analyst_cells = selectors.risk_report(viewer=world.analyst_a, group_by=group_by)["rows"]
    analyst_counted = selectors.risk_report(viewer=world.analyst_a, group_by=group_by, as_of=TODAY)["rows"]
    assert analyst_cells == analyst_counted


def test_the_nightly_rebuild_recounts_every_cell(world, population, capsys):
    from django.core.management import call_command

    from safepassage.registry.models import RiskCell

    RiskCell.objects.all().delete()
    call_command("reports", "rebuild")
    assert "report cells written" in capsys.readouterr().out
    assert sum(RiskCell.objects.values_list("n", flat=True)) == 19


def test_an_analyst_who_is_also_staff_elsewhere_still_gets_suppressed_numbers(world, population):
    from safepassage.accounts.models import Membership

    Membership.objects.create(user=world.analyst_a, agency=world.agency_b, role="caseworker")
    world.analyst_a.refresh_from_db()
    rows = {
        r["district"]: r for r in selectors.risk_report(viewer=world.analyst_a, group_by=["district"])["rows"]
    }
    assert (
        rows["5002"]["n"] is None
    )  # 4 women of agency B: under 11 even for B's caseworker, as the scope mixes


def test_priorities_hide_alkire_foster_figures_of_fewer_than_11_people_from_analysts(world, population):
    rows = {r["area"]: r for r in selectors.prioritisation(viewer=world.analyst_a, level="district")}
    district = rows["5001"]
    assert district["n"] == 15 and district["H"] == 0.8  # 12 multiply vulnerable: shown
    from safepassage.registry.bulk import BulkItem, assessments_bulk_record

    girls = [p for p, _ in population[:4]]
    assessments_bulk_record(actor=None, items=[BulkItem(g.pk, TODAY, all_answers(1)) for g in girls])
    rows = {r["area"]: r for r in selectors.prioritisation(viewer=world.analyst_a, level="district")}
    assert rows["5001"]["H"] is None and rows["5001"]["M0"] is None  # 8 left: H × n would reveal them
