"""Risk reports: figures equal those counted by hand for the owning agency's case staff; for analysts, what
the cell-key method gives from the people's own record keys."""

import csv
import io
from datetime import date, timedelta

import pytest

from safepassage.core import disclosure
from safepassage.registry.bulk import BulkItem, assessments_bulk_record
from safepassage.registry.services import person_create
from safepassage.reports import protect, selectors
from safepassage.reports.drivers import area_drivers
from safepassage.testing import api_client, web_client

from ..registry.conftest import all_answers
from .attacks import key_sum, rekey, shown, small_counts

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
    # Record keys from a fixed seed, so that what an analyst sees is the same on every run: the twelve girls
    # show as 14 and the fifteen people of district 5001 as 16 (worked out again in each test).
    rekey([p for p, _ in people], seed=4)
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


def test_an_analyst_sees_counts_through_the_cell_key_method(world, population):
    report = selectors.risk_report(viewer=world.analyst_a, group_by=["district", "sex"])
    rows = {(r["district"], r["sex"]): r for r in report["rows"]}
    girls, boys = rows[("5001", "female")], rows[("5001", "male")]
    girl_people = [p for p, _ in population[:12]]
    boy_people = [p for p, _ in population[12:15]]
    assert girls["n"] == shown(girl_people)
    assert girls["high"] == shown(girl_people)  # the same twelve people: the same figure
    assert girls["low"] == 0  # "none" reveals nobody
    # Three boys: "<11", and every figure of their row with them (zeros too), the mean withheld.
    assert boys["n"] == "<11" and boys["low"] == "<11" and boys["high"] == "<11"
    assert boys["mean_index"] is None
    assert report["suppressed_below"] == 11 and report["perturbed"] is True
    district = selectors.risk_report(viewer=world.analyst_a, group_by=["district"])["rows"][0]
    assert district["n"] == shown(girl_people + boy_people)
    assert district["low"] == "<11"
    assert district["high"] == girls["high"]  # the high-risk people of 5001 are the same twelve girls
    # No count from 1 to 10 anywhere.
    assert small_counts(report) == []


def test_an_analysts_mean_index_is_perturbed_with_the_cells_key(world, population):
    girl_people = [p for p, _ in population[:12]]
    row = selectors.risk_report(viewer=world.analyst_a, group_by=["village"])["rows"][0]
    assert row["village"] == world.village_1.code
    if row["n"] == "<11":
        assert row["mean_index"] is None
    else:
        assert row["mean_index"] == disclosure.perturbed_mean(12 * 98.0, 12, key_sum(girl_people), span=100)


def test_a_coordinator_of_the_owning_agency_keeps_exact_figures(world, population):
    for user in (world.coordinator_a, world.admin_a, world.caseworker_a):
        report = selectors.risk_report(viewer=user, group_by=["district", "sex"])
        rows = {(r["district"], r["sex"]): r for r in report["rows"]}
        assert (rows[("5001", "male")]["n"], rows[("5001", "male")]["low"]) == (3, 3)
        assert rows[("5001", "male")]["mean_index"] == 0.0
        assert report["perturbed"] is False and report["suppressed_below"] is None


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

    result = area_drivers(
        viewer=world.coordinator_a, area=world.district_1, catalogue=Catalogue.objects.get(status="active")
    )
    assert result["n"] == 15
    top = {r["code"]: r for r in result["indicators"]}
    assert top["HLT-ILL"]["at_3"] == 12 and top["HLT-ILL"]["share_at_3"] == 0.8
    assert sum(r["contribution"] for r in result["indicators"]) == pytest.approx(1.0, abs=0.01)


def test_the_csv_export_matches_the_table(world, population):
    response = web_client(world.coordinator_a).get("/reports/risk/?group_by=district&format=csv")
    lines = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert lines[0] == ["district", "district_name", "n", "low", "medium", "high", "incomplete", "mean_index"]
    assert lines[1][:7] == ["5001", "Area 5001", "15", "3", "0", "12", "0"]


def test_the_map_shows_areas_never_people(world, population):
    world.district_1.boundary = {"type": "Polygon", "coordinates": [[[98, 18], [99, 18], [99, 19], [98, 18]]]}
    world.district_1.save()
    data = api_client(world.coordinator_a).get("/api/v1/reports/risk/map?level=district").json()
    assert [f["properties"]["code"] for f in data["features"]] == ["5001"]
    assert data["features"][0]["properties"]["high"] == 12
    assert set(data["features"][0]["properties"]) == {
        "code",
        "name",
        "n",
        "high",
        "mean_index",
        "suppressed",
        "band",
    }


def test_the_map_colours_each_area_by_its_band_on_the_fixed_scale_and_says_why_others_have_none(
    world, population
):
    """A fixed 0-100 scale with the catalogue's thresholds (34 and 66), not one relative to the darkest area:
    5001's mean (12 × 98 + 3 × 0) / 15 = 78.4 is high. 5002 holds only agency B's people: nobody of agency A
    has an index there. For an analyst, village 2's three boys are "<11": hidden, not "nobody"."""
    for area in (world.district_1, world.district_2, world.village_1, world.village_2, world.village_3):
        area.centroid_lat, area.centroid_lon = 18.8, 98.9
        area.save()
    data = api_client(world.coordinator_a).get("/api/v1/reports/risk/map?level=district").json()
    assert data["bands"] == {"medium_from": 34.0, "high_above": 66.0}
    bands = {f["properties"]["code"]: f["properties"]["band"] for f in data["features"]}
    assert bands == {"5001": "high", "5002": "no_people"}

    data = api_client(world.analyst_a).get("/api/v1/reports/risk/map?level=village").json()
    shown = {f["properties"]["code"]: f["properties"] for f in data["features"]}
    assert shown["50010101"]["band"] == "high"  # 12 girls (shown as 14), perturbed mean still high
    assert shown["50010102"]["n"] == "<11" and shown["50010102"]["band"] == "hidden"
    assert shown["50020101"]["band"] == "no_people"


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
    # An analyst's figures, from the cells, are what the cell-key method gives the people of each group.
    analyst = selectors.risk_report(viewer=world.analyst_a, group_by=group_by)["rows"]
    expected = published_by_hand(world, group_by)
    assert {tuple(r[g] for g in group_by): r["n"] for r in analyst} == expected


def published_by_hand(world, group_by):
    """Each group's count as the cell-key method publishes it, worked out from agency A's people."""
    from safepassage.registry.models import Person

    groups: dict[tuple, list] = {}
    for person in (
        Person.objects.filter(agency=world.agency_a).exclude(current_band="").select_related("village")
    ):
        path = person.village.path.strip("/").split("/")  # country, province, district, subdistrict, village
        values = {
            "village": path[4],
            "subdistrict": path[3],
            "district": path[2],
            "province": path[1],
            "sex": person.sex,
            "age_band": "10-14" if person.birth_year == TODAY.year - 12 else "15-17",
        }
        groups.setdefault(tuple(values[g] for g in group_by), []).append(person)
    return {group: shown(people) for group, people in groups.items()}


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
    # 4 women of agency B: "<11" even for B's caseworker, as the scope mixes
    assert rows["5002"]["n"] == "<11"


def test_priorities_withhold_h_and_a_from_analysts_when_they_would_give_a_small_number(world, population):
    rows = {r["area"]: r for r in selectors.prioritisation(viewer=world.analyst_a, level="district")}
    district = rows["5001"]
    everyone = [p for p, _ in population[:15]]
    assert district["n"] == shown(everyone)
    # 12 multiply vulnerable of 15: the other 3 would follow from H × n, so H, A and M0 are withheld.
    assert district["H"] is None and district["A"] is None and district["M0"] is None


def test_priorities_show_analysts_perturbed_h_and_a(world):
    from .attacks import Someone, add_people

    people = [Someone(world.village_1, "female", "high", 80.0, multiple=True, share=0.5) for _ in range(20)]
    people += [Someone(world.village_1, "male", "low", 10.0) for _ in range(25)]
    made = add_people(world, people, seed=7)
    row = selectors.prioritisation(viewer=world.analyst_a, level="village")[0]
    whole, multiple = key_sum(made), key_sum(made[:20])
    assert row["n"] == shown(made)
    assert row["high"] == shown(made[:20])
    assert row["H"] == protect.share(20, 45, whole, multiple)
    assert row["A"] == disclosure.perturbed_mean(20 * 0.5, 20, multiple, span=1.0, digits=4)
    assert row["M0"] == round(row["H"] * row["A"], 4)
    exact = selectors.prioritisation(viewer=world.coordinator_a, level="village")[0]
    assert (exact["n"], exact["high"], exact["H"], exact["A"]) == (45, 20, round(20 / 45, 4), 0.5)
