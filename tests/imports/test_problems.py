"""Issue 18, part 4: every problem at once, in the file's own column names; duplicates inside the file and in
the registry; a year alone as an estimated birth year; formula-like text anywhere in a cell."""

from __future__ import annotations

import csv
import io
from datetime import date
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from safepassage.core.validation import csv_writer, formula_like, safe_cell
from safepassage.imports import services
from safepassage.imports.models import ImportJob, MappingProfile
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
    job = upload(
        world.coordinator_a,
        "people",
        csv_bytes(["given_name", "dob", "village_code"], [["Dao", "2600", world.village_1.code]]),
    )
    assert [(row, column) for row, column, _ in problems(job)] == [(2, "dob")]


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


# Files as they really arrive ------------------------------------------------------------------------------


def xlsx_bytes(rows: list[list[Any]]) -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    for row in rows:
        book.active.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def zip_bytes() -> bytes:
    import zipfile

    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("people.csv", "given_name,village_code\nMalai,50010101\n")
    return out.getvalue()


def stored_files(settings: Any) -> list[str]:
    folder = settings.DATA_DIR / "imports"
    return sorted(p.name for p in folder.iterdir() if p.is_file()) if folder.exists() else []


def test_an_xlsx_named_csv_is_read_as_a_spreadsheet(world):
    data = xlsx_bytes([["given_name", "village_code"], ["Malai", world.village_1.code]])
    job = upload(world.coordinator_a, "people", data, name="people.csv")
    assert job.file_info["kind"] == "xlsx" and job.status == ImportJob.Status.CHECKED, job.message
    assert services.estimated_rows(job) == 1
    services.job_apply(actor=world.coordinator_a, job=job)
    assert list(Person.objects.values_list("given_name", flat=True)) == ["Malai"]
    # The same through the page and the API, under a name with no spreadsheet ending at all.
    response = web_client(world.coordinator_a).post(
        reverse("imports:list"), {"kind": "people", "file": SimpleUploadedFile("export.dat", data)}
    )
    assert response.status_code == 302
    assert ImportJob.objects.latest("pk").file_info["kind"] == "xlsx"
    client = api_client(world.coordinator_a)
    upload_file = SimpleUploadedFile("export", data)
    response = client.client.post(
        "/api/v1/imports", {"kind": "people", "file": upload_file}, headers=client.headers
    )
    assert response.status_code == 201 and response.json()["status"] == "checked"


def test_a_zip_named_dat_is_refused_clearly_on_the_page_the_api_and_the_command(world, settings, tmp_path):
    from django.core.management import call_command
    from django.core.management.base import CommandError

    response = web_client(world.coordinator_a).post(
        reverse("imports:list"),
        {"kind": "people", "file": SimpleUploadedFile("list.dat", zip_bytes())},
        follow=True,
    )
    assert response.status_code == 200 and "zip archive" in response.content.decode()
    client = api_client(world.coordinator_a)
    response = client.client.post(
        "/api/v1/imports", {"kind": "people", "file": io.BytesIO(zip_bytes())}, headers=client.headers
    )
    assert response.status_code == 201 and response.json()["status"] == "refused"
    assert "zip archive" in response.json()["message"]
    path = tmp_path / "list.dat"
    path.write_bytes(zip_bytes())
    with pytest.raises(CommandError, match="zip archive"):
        call_command("import", "people", str(path), "--user", "coordinator_a", stdout=io.StringIO())
    # A damaged spreadsheet with another name: refused too, never a crash.
    path.write_bytes(xlsx_bytes([["given_name"], ["A"]])[:600])
    with pytest.raises(CommandError):
        call_command("import", "people", str(path), "--user", "coordinator_a", stdout=io.StringIO())
    assert stored_files(settings) == []
    assert set(ImportJob.objects.values_list("status", flat=True)) == {"refused"}


def test_tis620_with_its_thai_only_after_100_kb_is_read_as_thai_and_names_the_right_row(world):
    village = world.village_1.code
    rows = [[f"Person {n}", village, ""] for n in range(5000)]
    rows.append(["สมหญิง", village, "ไม่มี"])
    rows.append(["มาลัย", village, "31/02/2553"])
    data = csv_bytes(["given_name", "village_code", "birth_date"], rows, encoding="cp874")
    assert data.index("สม".encode("cp874")) > 100 * 1024
    job = upload(world.coordinator_a, "people", data)
    assert job.file_info["encoding"] == "cp874"
    assert problems(job) == [
        (5002, "birth_date", "ไม่มี is not a date. Write it as 2025-03-07 or 07/03/2025 (day/month/year)."),
        (5003, "birth_date", "31/02/2553 is not a date that exists."),
    ]


def test_a_file_that_changes_encoding_part_way_is_refused_naming_the_row(world):
    village = world.village_1.code
    head = csv_bytes(["given_name", "village_code"], [["สมหญิง", village]] + [["A", village]] * 50)
    tail = f"มาลัย,{village}\n".encode("cp874")
    job = upload(world.coordinator_a, "people", head + tail)
    assert job.status == ImportJob.Status.REFUSED
    assert "changes its text encoding at row 53" in job.message


def test_utf16_without_a_byte_order_mark_is_read(world):
    village = world.village_1.code
    for encoding in ("utf-16-le", "utf-16-be"):
        data = csv_bytes(["given_name", "village_code"], [["สมหญิง", village], ["Malai", village]], encoding)
        job = upload(world.coordinator_a, "people", data)
        assert job.file_info["encoding"] == encoding and job.status == ImportJob.Status.CHECKED, problems(job)
        assert [p["values"]["given_name"] for p in job.preview] == ["สมหญิง", "Malai"]


def test_uploads_without_a_job_are_swept(world, settings):
    import os

    services.imports_dir()
    stray = settings.DATA_DIR / "imports" / "cut-off.upload"
    stray.write_bytes(b"given_name\nA\n")
    os.utime(stray, (0, 0))
    job = upload(world.coordinator_a, "people", csv_bytes(["given_name", "village_code"], [["A", "1"]]))
    assert not stray.exists() and job.stored_as in stored_files(settings)


def test_the_same_for_every_row_survives_an_untitled_column_and_is_kept_in_the_saved_mapping(world):
    client = web_client(world.coordinator_a)
    data = b"Name,,Note\nMalai,1,ok\nKham,2,\n"
    client.post(
        reverse("imports:list"),
        {"kind": "people", "file": SimpleUploadedFile("list.csv", data), "source": "Tambon office"},
    )
    job = ImportJob.objects.get()
    assert job.status == ImportJob.Status.PROBLEMS  # no village
    page = client.get(reverse("imports:detail", args=[job.pk])).content.decode()
    assert '<option value=""></option>' not in page  # the untitled column is offered for no field
    # The page posts every select, the untitled column's among the choices, and "not in this file" as "".
    form = {f"map_{name}": "" for name in ("family_name", "village_code", "birth_date", "national_id")}
    form |= {"map_given_name": "Name", "default_village_code": world.village_1.code, "save_as": "Tambon"}
    client.post(reverse("imports:remap", args=[job.pk]), form)
    job.refresh_from_db()
    assert job.defaults == {"village_code": world.village_1.code}
    assert job.status == ImportJob.Status.CHECKED, problems(job)
    profile = MappingProfile.objects.get(name="Tambon")
    assert profile.defaults == {"village_code": world.village_1.code}
    # The next file from the same source, with the saved mapping: the village comes with it.
    client.post(
        reverse("imports:list"),
        {"kind": "people", "file": SimpleUploadedFile("next.csv", data), "profile": profile.pk},
    )
    again = ImportJob.objects.latest("pk")
    assert again.defaults == {"village_code": world.village_1.code}
    assert again.status == ImportJob.Status.CHECKED, problems(again)


def test_the_upload_page_lists_each_kinds_columns_and_a_filled_template_imports_as_it_is(world):
    from openpyxl import load_workbook

    client = web_client(world.coordinator_a)
    page = client.get(reverse("imports:list")).content.decode()
    assert 'id="columns-people"' in page and "<code>village_code</code>" in page
    assert reverse("imports:template", args=["people", "xlsx"]) in page
    assert "<code>HLT-ILL</code>" in page  # assessments: one column per indicator
    response = client.get(reverse("imports:template", args=["people", "xlsx"]))
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.content))
    sheet = book.worksheets[0]
    headers = [c.value for c in sheet[1]]
    assert "Given name (given_name)" in headers and "Village code (village_code)" in headers
    values = {"given_name": "Malai", "village_code": world.village_1.code, "birth_date": "07/03/2553"}
    sheet.append([values.get(h.rsplit("(", 1)[1].rstrip(")"), "") for h in headers])
    filled = io.BytesIO()
    book.save(filled)
    job = upload(world.coordinator_a, "people", filled.getvalue(), name="template.xlsx")
    assert job.status == ImportJob.Status.CHECKED, problems(job)
    services.job_apply(actor=world.coordinator_a, job=job)
    assert Person.objects.get().birth_date == date(2010, 3, 7)
    text = client.get(reverse("imports:template", args=["cases", "csv"])).content.decode("utf-8-sig")
    assert '"Given name (given_name)"' in text
    assert client.get("/imports/template/passports.csv").status_code == 404
    assert (
        web_client(world.caseworker_a).get(reverse("imports:template", args=["people", "csv"])).status_code
        == 404
    )


def test_a_thai_people_file_reports_each_planted_bad_row_with_all_its_problems(world):
    """Acceptance (issue 18): Thai headers, a byte-order mark, Buddhist-era dates; every planted bad row is
    reported with every one of its problems, each naming the file's own column."""
    Person.objects.bulk_create(
        [
            Person(
                agency=world.agency_a,
                village=world.village_1,
                given_name="บุญมี",
                family_name="ใจดี",
                birth_date=date(2011, 1, 9),
                birth_year=2011,
            )
        ]
    )
    village = world.village_1.code
    header = ["ชื่อ", "นามสกุล", "เพศ", "วันเกิด", "รหัสหมู่บ้าน", "เลขประจำตัวประชาชน"]
    rows = [
        ["สมหญิง", "ใจดี", "หญิง", "07/03/2553", village, "1101700207366"],  # 2: fine
        ["", "สุขใจ", "ไม่รู้", "31/02/2553", village, ""],  # 3: no name, sex unknown word, no such date
        ["มาลัย", "ดีมาก", "ชาย", "2555", "99999999", "1101700207367"],  # 4: village, check digit
        ["ทองดี", "ศรีสุข;=1+1", "ชาย", "01/01/2600", village, ""],  # 5: formula, born in the future
        ["สมชาย", "ใจดี", "ชาย", "01/02/2552", village, "1-1017-00207-36-6"],  # 6: the ID of row 2
        ["บุญมี", "ใจดี", "ชาย", "09/01/2554", village, ""],  # 7: probably the registered person
        ["กานดา", "ใจดี", "หญิง", "2550", village, ""],  # 8: fine, a year alone
    ]
    job = upload(
        world.coordinator_a,
        "people",
        csv_bytes(header, rows, encoding="utf-8-sig"),
        mapping={"birth_date": "วันเกิด", "village_code": "รหัสหมู่บ้าน", "national_id": "เลขประจำตัวประชาชน"},
    )
    assert job.file_info["encoding"] == "utf-8-sig"
    found: dict[int, set[str]] = {}
    for row, column, _reason in problems(job):
        found.setdefault(row, set()).add(column)
    assert found == {
        3: {"ชื่อ", "เพศ", "วันเกิด"},
        4: {"รหัสหมู่บ้าน", "เลขประจำตัวประชาชน"},
        5: {"นามสกุล", "วันเกิด"},
        6: {"เลขประจำตัวประชาชน"},
        7: {"ชื่อ"},
    }, problems(job)
    assert "row 2" in job.problems.get(row=6).reason
    assert (job.rows_valid, job.rows_invalid) == (2, 5)
    services.job_apply(actor=world.coordinator_a, job=job, valid_only=True)
    made = {p.given_name: p for p in Person.objects.exclude(given_name="บุญมี")}
    assert set(made) == {"สมหญิง", "กานดา"}
    assert made["สมหญิง"].birth_date == date(2010, 3, 7)
    assert (made["กานดา"].birth_year, made["กานดา"].birth_year_estimated) == (2007, True)


def test_every_problem_of_an_assessment_row_at_once_and_repeats_named(world):
    (person,) = Person.objects.bulk_create(
        [Person(agency=world.agency_a, village=world.village_1, given_name="A", birth_year=2000)]
    )
    job = upload(
        world.coordinator_a,
        "assessments",
        csv_bytes(
            ["person_id", "assessed_on", "HLT-ILL"],
            [
                [999_999, "2025-01-01", "4"],  # no such person, and a score out of range
                [person.pk, "2025-01-01", "1"],
                [person.pk, "01/01/2025", "2"],
            ],
        ),
    )
    assert {(row, column) for row, column, _ in problems(job)} == {(2, "person_id"), (2, "HLT-ILL"), (4, "")}
    assert "repeats row 3" in job.problems.get(row=4).reason
