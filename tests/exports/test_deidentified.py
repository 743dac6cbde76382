"""The de-identified (CTDC-style) dataset: k-anonymity with k = 11 over the quasi-identifiers, a suppression
report that adds up, and no direct identifier in the file."""

from __future__ import annotations

import csv
import io
import random
from collections import Counter
from typing import Any

import pytest

from safepassage.exports import deidentified, services
from safepassage.exports.deidentified import QUASI_IDENTIFIERS, SUPPRESSED, WIDER_AGE, age_band, deidentify
from tests.exports.conftest import make_cases, member, unzip

FINE_AGES = [b for b in WIDER_AGE if b != "0--8"]


def generated(n: int, seed: int) -> list[dict[str, Any]]:
    """Skewed like real case data: a few common nationalities and countries, a long tail of rare ones."""
    rng = random.Random(seed)
    return [
        {
            "yearOfRegistration": str(rng.choice([2023, 2024, 2025])),
            "ageBroad": rng.choice(FINE_AGES),
            "gender": rng.choices(["Feminine", "Masculine", "NonConforming"], weights=[60, 38, 2])[0],
            "citizenship": rng.choices(["MM", "LA", "KH", "VN", "CN", "NP"], weights=[55, 20, 12, 7, 4, 2])[
                0
            ],
            "countryOfExploitation": rng.choices(["TH", "MY", "CN", "JP", ""], weights=[75, 10, 7, 3, 5])[0],
            "isForcedLabour": rng.randint(0, 1),
            "row": i,
        }
        for i in range(n)
    ]


def classes(rows: list[dict[str, Any]]) -> Counter:
    return Counter(tuple(r[q] for q in QUASI_IDENTIFIERS) for r in rows)


@pytest.mark.parametrize(
    ("n", "seed", "k"), [(5, 1, 11), (30, 2, 11), (400, 3, 11), (3000, 4, 11), (800, 5, 5)]
)
def test_every_equivalence_class_holds_at_least_k_records_and_the_report_adds_up(n, seed, k):
    rows = generated(n, seed)
    by_row = {r["row"]: r for r in rows}
    kept, report = deidentify(rows, k=k)
    assert all(size >= k for size in classes(kept).values())
    assert report.records_in == n and report.records_out == len(kept)
    assert report.records_in == report.records_out + report.records_dropped
    assert report.smallest_group == (min(classes(kept).values()) if kept else 0)
    for name in QUASI_IDENTIFIERS:
        blanked = [r for r in kept if r[name] == SUPPRESSED]
        assert report.blanked[name].records == len(blanked), name
        assert report.blanked[name].into == ({SUPPRESSED} if blanked else set())
        assert all(by_row[r["row"]][name] != SUPPRESSED for r in blanked)
    widened = [r for r in kept if r["ageBroad"] in set(WIDER_AGE.values())]
    assert report.generalised["ageBroad"].records == len(widened)
    assert report.generalised["ageBroad"].into == {r["ageBroad"] for r in widened}
    for r in kept:  # the other columns are untouched
        assert r["isForcedLabour"] == by_row[r["row"]]["isForcedLabour"]
    if n >= 400:
        assert len(kept) > n * 0.8  # it generalises and blanks before it drops


def test_a_value_held_by_fewer_than_k_records_never_appears():
    rows = generated(3000, 6)
    for i, row in enumerate(rows[:13]):  # three nationalities held by 1, 2 and 10 people
        row["citizenship"] = "BD" if i < 1 else "LK" if i < 3 else "ID"
    held = Counter(r["citizenship"] for r in rows)
    kept, report = deidentify(rows)
    rare = {value for value, n in held.items() if n < 11}
    assert rare == {"BD", "LK", "ID"} and not rare & {r["citizenship"] for r in kept}
    assert report.records_in == len(kept) + report.records_dropped


def test_nothing_changes_when_every_group_is_already_large_enough():
    rows = [
        {
            "ageBroad": "21--23",
            "gender": "Feminine",
            "citizenship": "MM",
            "countryOfExploitation": "TH",
            "yearOfRegistration": "2025",
            "row": i,
        }
        for i in range(11)
    ]
    kept, report = deidentify(rows)
    assert kept == rows and report.records_dropped == 0
    assert not any(c.records for c in [*report.blanked.values(), *report.generalised.values()])


def test_age_bands_are_widened_before_anything_is_blanked():
    base = {
        "gender": "Feminine",
        "citizenship": "MM",
        "countryOfExploitation": "TH",
        "yearOfRegistration": "2025",
    }
    rows = [
        {**base, "ageBroad": age}
        for age, n in (("21--23", 11), ("24--26", 11), ("18--20", 5), ("27--29", 6))
        for _ in range(n)
    ]
    kept, report = deidentify(rows)
    assert len(kept) == 33 and report.records_dropped == 0
    assert Counter(r["ageBroad"] for r in kept) == {"21--23": 11, "24--26": 11, "18--29": 11}
    assert report.generalised["ageBroad"].as_dict() == {"records": 11, "into": ["18--29"]}
    assert not any(c.records for c in report.blanked.values())


def test_a_record_that_stands_out_whatever_is_blanked_is_dropped():
    base = {
        "gender": "Feminine",
        "citizenship": "MM",
        "countryOfExploitation": "TH",
        "yearOfRegistration": "2025",
        "ageBroad": "9--17",
    }
    rows = [dict(base) for _ in range(11)] + [{**base, "citizenship": "VN"}]
    kept, report = deidentify(rows)
    assert kept == rows[:11] and report.records_dropped == 1


def test_ctdc_age_bands():
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
    assert len(rows) == 13 and export.rows == 13
    assert {r["ageBroad"] for r in rows} == {"9--17"} and {r["countryOfExploitation"] for r in rows} == {"MY"}
    assert {r["isForcedLabour"] for r in rows} == {"1"} and {r["meansDebtBondage"] for r in rows} == {"1"}
    report = export.suppression
    assert (report["records_in"], report["records_out"], report["records_dropped"]) == (15, 13, 2)
    assert "2 left out" in member(files, "suppression.txt").decode()


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
    assert "k = 11" in " ".join(str(r[0]) for r in book["suppression"].iter_rows(values_only=True))


def test_the_report_never_names_the_values_it_blanked():
    base = {
        "gender": "Feminine",
        "countryOfExploitation": "TH",
        "yearOfRegistration": "2025",
        "ageBroad": "9--17",
    }
    rows = [{**base, "citizenship": "MM"} for _ in range(11)]
    rows += [{**base, "citizenship": "VN"} for _ in range(5)] + [
        {**base, "citizenship": "LA"} for _ in range(6)
    ]
    kept, report = deidentify(rows)
    assert len(kept) == 22 and Counter(r["citizenship"] for r in kept) == {"MM": 11, SUPPRESSED: 11}
    text = deidentified.report_text(report.as_dict(), lambda s: s)
    assert "citizenship: replaced by “Suppressed” in 11 records" in text
    assert "VN" not in text and "LA" not in text and "VN" not in str(report.as_dict())
