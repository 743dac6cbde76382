"""The de-identified (CTDC-style) dataset: k-anonymity with k = 11 over every column of the file (each one a
quasi-identifier), values widened before they are suppressed, the utility each column keeps, a report that
adds up, periods in whole months for analysts, and no direct identifier in the file."""

from __future__ import annotations

import csv
import io
import random
from collections import Counter
from datetime import date
from typing import Any

import pytest
from django.core.exceptions import ValidationError

from safepassage.audit.models import AuditEvent
from safepassage.core.countries import NAMES
from safepassage.exports import deidentified, services
from safepassage.exports.deidentified import (
    COLUMNS,
    CONTROL_FLAGS,
    EXPLOITATION_FLAGS,
    QUASI_IDENTIFIERS,
    SUPPRESSED,
    age_band,
    deidentify,
    hierarchy,
)
from safepassage.exports.regions import REGION_OF, region
from safepassage.testing import api_client
from tests.exports.conftest import make_cases, member, unzip

# The five columns the dataset protected before every column was counted as a quasi-identifier.
FORMER_QUASI_IDENTIFIERS = (
    "countryOfExploitation",
    "citizenship",
    "yearOfRegistration",
    "ageBroad",
    "gender",
)


def population(n: int, seed: int) -> list[dict[str, Any]]:
    """Cases skewed as case files are: most of two or three nationalities, most exploited in one country,
    children and young adults, a long tail of rare nationalities, countries and kinds of exploitation, and
    means of control drawn for each case."""
    rng = random.Random(seed)

    def pick(weights: dict[Any, float]) -> Any:
        return rng.choices(list(weights), weights=list(weights.values()))[0]

    rows = []
    for i in range(n):
        child = rng.random() < 0.4
        adult_bands = {"18--20": 5, "21--23": 5, "24--26": 4, "27--29": 3, "30--38": 4, "39--47": 2, "48+": 1}
        primary = pick(
            {
                "ForcedLabour": 45,
                "SexualExploitation": 30,
                "ChildLabour": 8 if child else 0,
                "ForcedBegging": 5,
                "Servitude": 5,
                "ForcedMarriage": 2,
                "OrganRemoval": 0.3,
                "Other": 2,
            }
        )
        types = {primary}
        if rng.random() < 0.15:
            types.add(pick({"ForcedLabour": 3, "SexualExploitation": 2, "Servitude": 1}))
        control = {
            "DebtBondage": 0.4,
            "TakesEarnings": 0.3,
            "PhysicalThreats": 0.25,
            "PsychologicalAbuse": 0.3,
            "PhysicalAbuse": 0.15,
            "SexualAbuse": 0.3 if primary == "SexualExploitation" else 0.05,
            "FalsePromises": 0.45,
            "WithholdsDocuments": 0.35,
        }
        row: dict[str, Any] = {
            "yearOfRegistration": str(pick({2023: 2, 2024: 3, 2025: 3, 2026: 2})),
            "ageBroad": pick({"0--8": 1, "9--17": 9} if child else {**adult_bands, "": 1}),
            "gender": pick({"Feminine": 60, "Masculine": 38, "NonConforming": 1, "NonSpecifiedUnknown": 1}),
            "citizenship": pick(
                {"MM": 40, "TH": 25, "LA": 18, "KH": 8, "VN": 4, "CN": 2, "NP": 1, "BD": 1, "": 1}
            ),
            "countryOfExploitation": pick(
                {"TH": 65, "MY": 12, "CN": 7, "MM": 4, "LA": 3, "JP": 2, "SG": 1, "AE": 1, "": 5}
            ),
            "traffickingStatus": pick(
                {
                    "ActualVictimOfTrafficking": 55,
                    "PossibleVictimOfTrafficking": 35,
                    "NotAVictimOfTrafficking": 7,
                    "": 3,
                }
            ),
            "recruiterRelationship": pick({"Acquainted": 45, "Familial": 25, "Unaquainted": 25, "": 5}),
            "row": i,
        }
        for name, code in EXPLOITATION_FLAGS.items():
            row[name] = int(code in types)
        for name, code in CONTROL_FLAGS.items():
            row[name] = int(rng.random() < control[code])
        rows.append(row)
    return rows


def classes(rows: list[dict[str, Any]], columns: tuple[str, ...] = QUASI_IDENTIFIERS) -> Counter:
    return Counter(tuple(r[c] for c in columns) for r in rows)


def widenings(name: str, value: Any) -> set[Any]:
    """Every value a recorded value may become in the file: itself, each wider level, "Other", Suppressed."""
    h = hierarchy(name)
    return {h.at(value, level) for level in range(h.top + 1)} | {SUPPRESSED}


def same(**values: Any) -> dict[str, Any]:
    """A full row: a 15-year-old Myanmar girl forced to work in Thailand in 2025, and these values."""
    row: dict[str, Any] = {
        "yearOfRegistration": "2025",
        "ageBroad": "9--17",
        "gender": "Feminine",
        "citizenship": "MM",
        "countryOfExploitation": "TH",
        "traffickingStatus": "ActualVictimOfTrafficking",
        "recruiterRelationship": "Acquainted",
        **dict.fromkeys(EXPLOITATION_FLAGS, 0),
        **dict.fromkeys(CONTROL_FLAGS, 0),
        "isForcedLabour": 1,
    }
    return {**row, **values}


# What issue 15 found ----------------------------------------------------------------------------------------


def test_every_column_of_the_file_is_a_quasi_identifier():
    assert set(QUASI_IDENTIFIERS) == set(COLUMNS)
    assert {"traffickingStatus", "recruiterRelationship", "isForcedLabour", "meansDebtBondage"} <= set(
        QUASI_IDENTIFIERS
    )


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_adding_the_trafficking_status_or_any_other_column_leaves_no_class_under_k(seed):
    """The five former quasi-identifiers plus traffickingStatus gave classes of one."""
    kept, _report = deidentify(population(400, seed))
    for column in COLUMNS:
        if column not in FORMER_QUASI_IDENTIFIERS:
            smallest = min(classes(kept, (*FORMER_QUASI_IDENTIFIERS, column)).values())
            assert smallest >= 11, column
    assert min(classes(kept, COLUMNS).values()) >= 11


@pytest.mark.parametrize(("n", "seed"), [(200, 1), (400, 1), (400, 2), (800, 4)])
def test_the_country_of_exploitation_is_kept_in_most_rows(n, seed):
    """It was suppressed in every row."""
    kept, report = deidentify(population(n, seed))
    shown = [r for r in kept if r["countryOfExploitation"] != SUPPRESSED]
    assert len(shown) > 0.85 * len(kept) and len(kept) > 0.98 * n
    as_recorded = report.utility["countryOfExploitation"].as_recorded
    assert as_recorded > 0.8 * len(kept) and report.levels["countryOfExploitation"] == "country"
    assert report.utility["countryOfExploitation"].shown == len(shown)


# k-anonymity and the report ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("n", "seed", "k"), [(5, 1, 11), (30, 2, 11), (300, 3, 11), (1000, 4, 11), (400, 5, 5)]
)
def test_every_combination_of_the_quasi_identifiers_is_shared_by_k_records_and_the_report_adds_up(n, seed, k):
    rows = population(n, seed)
    by_row = {r["row"]: r for r in rows}
    kept, report = deidentify(rows, k=k)
    assert all(size >= k for size in classes(kept).values())
    assert report.records_in == n == report.records_out + report.records_dropped
    assert report.records_out == len(kept) and report.smallest_group == min(classes(kept).values(), default=0)
    for name in QUASI_IDENTIFIERS:
        originals = [by_row[r["row"]][name] for r in kept]
        finals = [r[name] for r in kept]
        assert all(f in widenings(name, o) for o, f in zip(originals, finals, strict=True)), name
        utility = report.utility[name]
        assert utility.suppressed == finals.count(SUPPRESSED) == report.blanked[name].records, name
        assert utility.as_recorded == sum(o == f for o, f in zip(originals, finals, strict=True)), name
        assert utility.as_recorded + utility.widened + utility.suppressed == len(kept), name
        assert report.generalised[name].records == utility.widened, name
        assert report.generalised[name].into == {
            str(f) for o, f in zip(originals, finals, strict=True) if f not in (o, SUPPRESSED)
        }
    if n >= 300:
        assert report.records_dropped <= 0.01 * n  # it widens and suppresses cells; it leaves few out


def test_fewer_than_k_cases_give_an_empty_file():
    kept, report = deidentify(population(10, 7))
    assert kept == [] and report.records_dropped == 10 and report.smallest_group == 0


def test_the_same_cases_always_give_the_same_file():
    """Two exports of the same cases must not differ, or their difference would tell something."""
    rows = population(300, 8)
    first, report = deidentify(rows)
    second, again = deidentify([dict(r) for r in rows])
    assert first == second and report.as_dict() == again.as_dict()


def test_a_value_held_by_fewer_than_k_records_never_appears():
    rows = population(1000, 6)
    for i, row in enumerate(rows[:13]):  # three nationalities held by 1, 2 and 10 people
        row["citizenship"] = "BD" if i < 1 else "LK" if i < 3 else "ID"
    held = Counter(r["citizenship"] for r in rows)
    kept, _report = deidentify(rows)
    rare = {value for value, n in held.items() if n < 11}
    assert {"BD", "LK", "ID"} <= rare and not rare & {r["citizenship"] for r in kept}
    for name in QUASI_IDENTIFIERS:
        assert all(n >= 11 for n in Counter(r[name] for r in kept).values()), name


def test_nothing_changes_when_every_group_is_already_large_enough():
    rows = [{**same(), "row": i} for i in range(11)]
    kept, report = deidentify(rows)
    assert kept == rows and report.records_dropped == 0 and report.smallest_group == 11
    assert all(u.as_recorded == 11 for u in report.utility.values())
    assert not any(c.records for c in [*report.blanked.values(), *report.generalised.values()])


def test_a_rare_country_widens_to_its_region_before_anything_is_suppressed():
    rows = [same(countryOfExploitation=c) for c, n in (("TH", 30), ("KH", 6), ("LA", 6)) for _ in range(n)]
    kept, report = deidentify(rows)
    assert Counter(r["countryOfExploitation"] for r in kept) == {"TH": 30, "South-eastern Asia": 12}
    assert report.generalised["countryOfExploitation"].as_dict() == {
        "records": 12,
        "into": ["South-eastern Asia"],
    }
    assert not any(c.records for c in report.blanked.values()) and report.records_dropped == 0


def test_age_bands_are_widened_before_anything_is_blanked():
    rows = [
        same(ageBroad=age)
        for age, n in (("21--23", 11), ("24--26", 11), ("18--20", 5), ("27--29", 6))
        for _ in range(n)
    ]
    kept, report = deidentify(rows)
    assert len(kept) == 33 and report.records_dropped == 0
    assert Counter(r["ageBroad"] for r in kept) == {"21--23": 11, "24--26": 11, "18--29": 11}
    assert report.generalised["ageBroad"].as_dict() == {"records": 11, "into": ["18--29"]}
    assert not any(c.records for c in report.blanked.values())


def test_rare_categories_go_into_other():
    rows = [same(gender="Feminine") for _ in range(20)]
    rows += [same(gender="NonConforming") for _ in range(6)] + [
        same(gender="NonSpecifiedUnknown") for _ in range(5)
    ]
    kept, _report = deidentify(rows)
    assert Counter(r["gender"] for r in kept) == {"Feminine": 20, "Other": 11}


def test_a_record_that_stands_out_whatever_is_blanked_is_left_out():
    rows = [same() for _ in range(11)] + [same(citizenship="VN")]
    kept, report = deidentify(rows)
    assert kept == rows[:11] and report.records_dropped == 1


def test_the_report_never_names_the_values_it_blanked_or_widened():
    rows = [same() for _ in range(11)] + [same(citizenship="VN") for _ in range(5)]
    rows += [same(citizenship="KH") for _ in range(5)]
    kept, report = deidentify(rows)
    assert "VN" not in {r["citizenship"] for r in kept} and "KH" not in {r["citizenship"] for r in kept}
    text = deidentified.report_text(report.as_dict(), lambda s: s)
    assert "VN" not in text and "KH" not in text and "VN" not in str(report.as_dict())
    assert "KH" not in str(report.as_dict())


def test_the_report_gives_the_k_reached_and_what_each_column_keeps():
    kept, report = deidentify(population(300, 9))
    text = deidentified.report_text(report.as_dict(), lambda s: s)
    assert f"k reached: {report.smallest_group} " in text and report.smallest_group >= 11
    country = report.utility["countryOfExploitation"]
    assert (
        f"countryOfExploitation (country): shown in {country.shown} rows "
        f"({round(100 * country.shown / len(kept))}%): {country.as_recorded} as recorded" in text
    )
    assert all(f"{name} (" in text for name in COLUMNS)


def test_ctdc_age_bands_and_their_wider_levels():
    assert [age_band(a) for a in (0, 8, 9, 17, 18, 20, 29, 30, 47, 48, 90, None)] == [
        "0--8",
        "0--8",
        "9--17",
        "9--17",
        "18--20",
        "18--20",
        "27--29",
        "30--38",
        "39--47",
        "48+",
        "48+",
        "",
    ]
    age = hierarchy("ageBroad")
    assert [age.at("24--26", level) for level in range(3)] == ["24--26", "18--29", "18+"]
    assert [age.at("9--17", level) for level in range(3)] == ["9--17", "0--17", "0--17"]
    assert age.at("", 2) == ""


def test_years_widen_to_periods_that_line_up_between_files():
    year = hierarchy("yearOfRegistration")
    assert [year.at("2025", level) for level in range(3)] == ["2025", "2024--2025", "2024--2027"]
    assert [year.at("2026", level) for level in range(3)] == ["2026", "2026--2027", "2024--2027"]


def test_every_country_has_a_region():
    assert set(NAMES) - set(REGION_OF) == {"AQ"} and not set(REGION_OF) - set(NAMES)
    assert region("MM") == region("TH") == "South-eastern Asia" and region("CN") == "Eastern Asia"
    assert region("") == "" and region("AQ") == "Other"
    country = hierarchy("countryOfExploitation")
    assert [country.at("MY", level) for level in range(3)] == ["MY", "South-eastern Asia", "Other"]


# The export -------------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_deidentified_export_has_no_identifier_no_date_finer_than_a_year_and_k_11(world):
    made = make_cases(world, 13, given_name="Saw", exploited_in="MY")
    made += make_cases(world, 2, nationality="LA", given_name="Bounmy", birth_year=1990)
    for case in made:
        case.person.national_id = f"1-2345-{case.pk:05d}-1"
        case.person.save(update_fields=["national_id"])
    export, password = services.export_create(
        actor=world.analyst_a, kind="deidentified", purpose="Annual trends for the provincial committee"
    )
    files = unzip(services.export_file(world.analyst_a, export).read_bytes(), password)
    text = b"".join(files.values()).decode("utf-8-sig")
    for case in made:
        for identifier in (case.person.given_name, case.reference, case.person.national_id, "Test"):
            assert identifier not in text
    assert "2026-01-05" not in text and "2026" in text
    reader = csv.DictReader(io.StringIO(member(files, ".csv").decode("utf-8-sig")))
    assert reader.fieldnames == list(deidentified.COLUMNS)
    rows = list(reader)
    assert all(size >= 11 for size in classes(rows).values())
    assert len(rows) == export.rows == export.suppression["records_out"] >= 13
    assert {r["countryOfExploitation"] for r in rows} <= {"MY", "South-eastern Asia", SUPPRESSED}
    assert {r["isForcedLabour"] for r in rows} == {"1"} and {r["meansDebtBondage"] for r in rows} == {"1"}
    report = export.suppression
    assert report["records_in"] == 15 == report["records_out"] + report["records_dropped"]
    assert report["smallest_group"] >= 11 and set(report["utility"]) == set(COLUMNS)
    assert f"{report['records_dropped']} left out" in member(files, "suppression.txt").decode()


@pytest.mark.django_db
def test_the_deidentified_xlsx_carries_the_report_on_a_sheet_of_its_own(world):
    from openpyxl import load_workbook

    make_cases(world, 11)
    export, password = services.export_create(
        actor=world.coordinator_a, kind="deidentified", file_format="xlsx", purpose="Annual trends report"
    )
    files = unzip(services.export_file(world.coordinator_a, export).read_bytes(), password)
    book = load_workbook(io.BytesIO(member(files, ".xlsx")), read_only=True)
    assert len(list(book["data"].iter_rows())) == 12
    notes = " ".join(str(r[0]) for r in book["suppression"].iter_rows(values_only=True))
    assert "k = 11" in notes and "k reached: 11" in notes
    assert "countryOfExploitation (country): shown in 11 rows (100%)" in notes


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("opened_from", "opened_to", "named"),
    [
        (date(2026, 1, 5), date(2026, 1, 31), "opened_from"),
        (date(2026, 1, 1), date(2026, 1, 30), "opened_to"),
        (date(2026, 1, 1), None, "opened_to"),
        (None, date(2026, 1, 31), "opened_from"),
    ],
)
def test_an_analyst_exports_whole_months_only(world, opened_from, opened_to, named):
    """Two files a day apart would differ by the cases of that day."""
    make_cases(world, 11)
    with pytest.raises(ValidationError) as refused:
        services.export_create(
            actor=world.analyst_a,
            kind="deidentified",
            purpose="Monthly trends for the committee",
            filters=services.Filters(opened_from, opened_to),
        )
    assert named in refused.value.message_dict
    assert not AuditEvent.objects.filter(action="exports.export.create").exists()


@pytest.mark.django_db
def test_the_api_names_the_period_bound_that_is_not_a_whole_month(world):
    response = api_client(world.analyst_a).post(
        "/api/v1/exports",
        {
            "kind": "deidentified",
            "purpose": "Monthly trends",
            "opened_from": "2026-01-05",
            "opened_to": "2026-01-31",
        },
    )
    assert response.status_code == 400
    assert [e["field"] for e in response.json()["errors"]] == ["opened_from"]


@pytest.mark.django_db
def test_whole_months_or_no_period_for_an_analyst_and_any_period_for_the_case_staff(world):
    make_cases(world, 11)
    whole = services.Filters(date(2026, 1, 1), date(2026, 3, 31))
    export, _ = services.export_create(
        actor=world.analyst_a, kind="deidentified", purpose="Quarterly trends", filters=whole
    )
    assert export.rows == 11
    export, _ = services.export_create(actor=world.analyst_a, kind="deidentified", purpose="All the trends")
    assert export.rows == 11
    days = services.Filters(date(2026, 1, 5), date(2026, 1, 6))
    for actor in (world.coordinator_a, world.admin_a):
        export, _ = services.export_create(
            actor=actor, kind="deidentified", purpose="Cases of two days", filters=days
        )
        assert export.rows == 11


@pytest.mark.django_db
def test_an_analysts_export_is_audited_with_its_parameters_and_no_cell(world):
    make_cases(world, 12, exploited_in="MY")
    export, _ = services.export_create(
        actor=world.analyst_a,
        kind="deidentified",
        purpose="Quarterly trends for the committee",
        filters=services.Filters(date(2026, 1, 1), date(2026, 3, 31)),
    )
    event = AuditEvent.objects.get(action="exports.export.create")
    assert event.actor == world.analyst_a and event.object_id == str(export.pk)
    assert event.changes["kind"] == "deidentified" and event.changes["rows"] == 12
    assert event.changes["filters"] == {"opened_from": "2026-01-01", "opened_to": "2026-03-31"}
    assert event.changes["purpose"] == "Quarterly trends for the committee"
    trail = str(event.changes)
    assert "MY" not in trail and "MM" not in trail and "9--17" not in trail
