"""Issue 18, part 4: every problem at once, in the file's own column names; duplicates inside the file and in
the registry; a year alone as an estimated birth year; formula-like text anywhere in a cell."""

from __future__ import annotations

import csv
import io
from datetime import date
from typing import Any

import pytest
from django.urls import reverse

from safepassage.core.validation import csv_writer, formula_like, safe_cell
from safepassage.imports import services
from safepassage.imports.models import ImportJob
from safepassage.registry.models import Person
from safepassage.testing import api_client, web_client

pytestmark = pytest.mark.django_db


def csv_bytes(header: list[str], rows: list[list[Any]], encoding: str = "utf-8") -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue().encode(encoding)


def upload(actor: Any, kind: str, data: bytes, name: str = "file.csv", **options: Any) -> ImportJob:
    job = services.job_create(actor=actor, kind=kind, file_name=name, content=io.BytesIO(data), **options)
    return services.job_check(job)


def problems(job: ImportJob) -> list[tuple[int, str, str]]:
    return [(p.row, p.column, p.reason) for p in job.problems.all()]


# Formula-like text ----------------------------------------------------------------------------------------


def test_formula_characters_after_a_separator_inside_a_cell_are_refused(world):
    village = world.village_1.code
    job = upload(
        world.coordinator_a,
        "people",
        csv_bytes(
            ["given_name", "family_name", "village_code", "notes"],
            [
                ["Malai", "Chaidi;=1+1", village, ""],
                ["Kham", "Srisuk", village, "fever, @SUM(A1)"],
                ["Mary-Jane", "O'Neil", village, "lives with aunt; 2 siblings"],
            ],
        ),
    )
    found = problems(job)
    assert [(row, column) for row, column, _ in found] == [(2, "family_name"), (3, "notes")]
    assert all("formula" in reason for _, _, reason in found)
    assert job.rows_valid == 1


def test_csv_exports_quote_every_formula_like_cell():
    assert formula_like("Chaidi;=1+1") and formula_like("a, -b") and formula_like("=1")
    assert not formula_like("Mary-Jane") and not formula_like("-") and not formula_like("a; b")
    out = io.StringIO()
    writer = csv_writer(out)
    writer.writerow([safe_cell(v) for v in ["Chaidi;=1+1", "Somchai", 7, None]])
    text = out.getvalue()
    # Quoted, so a spreadsheet that splits at ";" keeps one cell, and marked as text by the leading quote.
    assert text.startswith('"\'Chaidi;=1+1","Somchai",7,')
    assert next(csv.reader(io.StringIO(text)))[0] == "'Chaidi;=1+1"


def test_the_htcds_csv_export_quotes_a_name_with_an_inner_formula(world):
    from safepassage.exports import services as exports
    from safepassage.testing import open_case
    from tests.exports.conftest import member, unzip

    open_case(world, given_name="Chaidi;=1+1", nationality="MM")
    export, password = exports.export_create(
        actor=world.coordinator_a, kind="htcds", purpose="Quarterly report", file_format="csv"
    )
    files = unzip(exports.export_file(world.coordinator_a, export).read_bytes(), password)
    raw = member(files, ".csv").decode("utf-8-sig")
    assert '"\'Chaidi;=1+1"' in raw and ",Chaidi;=1+1" not in raw


# Birth years ----------------------------------------------------------------------------------------------


def test_a_year_alone_in_the_birth_date_column_is_an_estimated_birth_year(world):
    job = upload(
        world.coordinator_a,
        "people",
        csv_bytes(
            ["given_name", "dob", "village_code"],
            [["Malai", "2008", world.village_1.code], ["Kham", "2553", world.village_1.code]],
        ),
    )
    assert job.status == ImportJob.Status.CHECKED, problems(job)
    services.job_apply(actor=world.coordinator_a, job=job)
    made = {p.given_name: p for p in Person.objects.all()}
    assert (made["Malai"].birth_date, made["Malai"].birth_year) == (None, 2008)
    assert made["Malai"].birth_year_estimated and made["Kham"].birth_year == 2010


# Duplicates -----------------------------------------------------------------------------------------------


def test_a_national_id_twice_in_one_file_names_the_first_row(world):
    village = world.village_1.code
    job = upload(
        world.coordinator_a,
        "people",
        csv_bytes(
            ["given_name", "village_code", "เลขประจำตัว"],
            [
                ["Malai", village, "1101700207366"],
                ["Kham", village, ""],
                ["Malee", village, "1-1017-00207-36-6"],
            ],
        ),
        mapping={"national_id": "เลขประจำตัว"},
    )
    assert problems(job) == [(4, "เลขประจำตัว", "This ID number repeats the ID of row 2.")]


def test_a_repeated_row_names_the_row_it_repeats(world):
    village = world.village_1.code
    job = upload(
        world.coordinator_a,
        "people",
        csv_bytes(
            ["given_name", "village_code"], [["Malai", village], ["Kham", village], ["Malai", village]]
        ),
    )
    assert problems(job) == [(4, "", "This row repeats row 2 of the file.")]


def test_a_row_like_a_registered_person_is_held_back_as_probably_that_person(world):
    (known,) = Person.objects.bulk_create(
        [
            Person(
                agency=world.agency_a,
                village=world.village_1,
                given_name="Malai",
                family_name="Srisuk",
                birth_date=date(2012, 5, 1),
                birth_year=2012,
            )
        ]
    )
    village = world.village_1.code
    job = upload(
        world.coordinator_a,
        "people",
        csv_bytes(
            ["ชื่อ", "นามสกุล", "วันเกิด", "village_code"],
            [
                ["  malai ", "SRISUK", "01/05/2555", village],  # the same, written another way
                ["Malai", "Srisuk", "02/05/2012", village],  # another birth date: someone else
            ],
        ),
        mapping={"given_name": "ชื่อ", "family_name": "นามสกุล", "birth_date": "วันเกิด"},
    )
    (problem,) = job.problems.all()
    assert (problem.row, problem.column) == (2, "ชื่อ")
    assert f"probably person {known.pk}" in problem.reason and problem.person_id == known.pk
    page = web_client(world.coordinator_a).get(reverse("imports:detail", args=[job.pk])).content.decode()
    assert reverse("registry:person_detail", args=[known.pk]) in page and 'name="row" value="2"' in page
    # The user says row 2 is someone else: checked again, it is no longer held back.
    response = web_client(world.coordinator_a).post(reverse("imports:not_same", args=[job.pk]), {"row": "2"})
    assert response.status_code == 302
    job.refresh_from_db()
    assert job.status == ImportJob.Status.CHECKED and job.confirmed_new == [2]
    services.job_apply(actor=world.coordinator_a, job=job)
    assert Person.objects.filter(given_name__iexact="malai").count() == 3


def test_probably_the_same_across_scripts_and_held_back_in_the_api(world):
    (known,) = Person.objects.bulk_create(
        [
            Person(
                agency=world.agency_a,
                village=world.village_1,
                given_name="มาลัย",
                birth_date=date(2012, 5, 1),
                birth_year=2012,
            )
        ]
    )
    client = api_client(world.coordinator_a)
    data = f"given_name,birth_date,village_code\nMalai,2012-05-01,{world.village_1.code}\n".encode()
    response = client.client.post(
        "/api/v1/imports", {"kind": "people", "file": io.BytesIO(data)}, headers=client.headers
    )
    job_id = response.json()["id"]
    assert response.json()["status"] == "problems"
    (problem,) = client.get(f"/api/v1/imports/{job_id}/problems").json()["items"]
    assert problem["person"] == known.pk and problem["row"] == 2 and problem["column"] == "given_name"
    response = client.post(f"/api/v1/imports/{job_id}/apply", {"apply_valid_only": True})
    assert response.status_code == 400 and Person.objects.count() == 1  # no valid row to add
    assert client.post(f"/api/v1/imports/{job_id}/not-same", {"rows": [3]}).status_code == 400
    response = client.post(f"/api/v1/imports/{job_id}/not-same", {"rows": [2]})
    assert response.status_code == 200 and response.json()["status"] == "checked"


# Column names ---------------------------------------------------------------------------------------------


def test_problems_name_the_files_column_or_the_fields_label_never_an_internal_name(world):
    job = upload(
        world.coordinator_a,
        "assessments",
        csv_bytes(["เลขบัตร", "assessed_on", "HLT-ILL"], [["", "2025-01-01", "1"]]),
        mapping={"national_id": "เลขบัตร"},
    )
    assert {column for _, column, _ in problems(job)} == {"เลขบัตร"}
    job = upload(
        world.coordinator_a,
        "cases",
        csv_bytes(["prs_First_Name", "vic_TraffickingStatus"], [["Mya", "Actual victim of trafficking"]]),
        defaults={"village_code": world.village_1.code},
    )
    columns = {column for _, column, _ in problems(job)}
    assert columns and not columns & {"decided_by_org", "person_id", "trafficking_status"}, problems(job)
    assert "Who decided the status" in columns


def test_every_problem_of_a_people_row_at_once(world):
    job = upload(
        world.coordinator_a,
        "people",
        csv_bytes(
            ["given_name", "sex", "birth_date", "village_code", "national_id"],
            [["", "x", "31/02/2010", "99999999", "1101700207367"]],
        ),
    )
    assert {column for _, column, _ in problems(job)} == {
        "given_name",
        "sex",
        "birth_date",
        "village_code",
        "national_id",
    }, problems(job)
