"""A partner's list of people as it really arrives: headers in the partner's language, columns found from
their values, one "full name" column, answers in words, and each person's scores in the same file."""

from __future__ import annotations

import csv
import io
from datetime import date
from typing import Any

import pytest
from django.urls import reverse

from safepassage.imports import known, services
from safepassage.imports.kinds import KINDS
from safepassage.imports.models import ImportJob, Provenance
from safepassage.registry.models import Alert, Assessment, Person
from safepassage.testing import api_client, web_client

pytestmark = pytest.mark.django_db

THAI_HEADERS = [
    "ลำดับ",
    "ชื่อ",
    "นามสกุล",
    "ชื่อ (อักษรโรมัน)",
    "เพศ",
    "วันเกิด",
    "เลขประจำตัวประชาชน",
    "รหัสหมู่บ้าน",
    "วันที่ประเมิน",
    "SOC-SEX",
    "HLT-ACCESS",
    "EDU-SCHOOL",
]


def thai_rows(world: Any) -> list[list[str]]:
    v, on = world.village_1.code, "15/01/2568"
    return [
        ["1", "สมหญิง", "ใจดี", "Somying Jaidee", "หญิง", "07/03/2553", "1101700207366", v, on, "2", "1", "1"],
        ["2", "สมชาย", "ใจดี", "Somchai Jaidee", "ชาย", "12/11/2551", "", v, on, "1", "2", "3"],
        # A score that is not 1, 2 or 3: the person lands, their assessment is held back.
        ["3", "มาลี", "ศรีสุข", "Malee Srisuk", "หญิง", "01/06/2554", "", v, on, "2", "7", "1"],
        # A bad row: a date that does not exist and a sex word not known.
        ["4", "ดวงใจ", "ดี", "Duangjai Dee", "อื่นๆๆ", "31/02/2553", "", v, on, "2", "1", "1"],
    ]


def encode(header: list[str], rows: list[list[str]], encoding: str = "utf-8-sig") -> bytes:
    out = io.StringIO()
    csv.writer(out).writerows([header, *rows])
    return out.getvalue().encode(encoding)


def upload(world: Any, data: bytes, kind: str = "people", **options: Any) -> ImportJob:
    job = services.job_create(
        actor=world.coordinator_a, kind=kind, file_name="list.csv", content=io.BytesIO(data), **options
    )
    return services.job_check(job)


def test_thai_headers_are_known_and_an_indicator_column_is_never_the_persons_sex(world):
    job = upload(world, encode(THAI_HEADERS, thai_rows(world)))
    mapping = services.job_mapping(job)
    assert mapping == {
        "given_name": "ชื่อ",
        "family_name": "นามสกุล",
        "full_name_latin": "ชื่อ (อักษรโรมัน)",
        "sex": "เพศ",
        "birth_date": "วันเกิด",
        "national_id": "เลขประจำตัวประชาชน",
        "village_code": "รหัสหมู่บ้าน",
        "assessed_on": "วันที่ประเมิน",
    }
    assert job.summary["unused"] == ["ลำดับ"]
    # SOC-SEX alone: an indicator, never the sex of the person.
    header = ["given_name", "village_code", "SOC-SEX"]
    job = upload(world, encode(header, [["Kham", world.village_1.code, "2"]]))
    assert "sex" not in services.job_mapping(job)
    assert job.status == ImportJob.Status.CHECKED, list(job.problems.all())


def test_a_thai_list_with_scores_lands_people_and_their_first_assessment_with_no_mapping(world):
    job = upload(world, encode(THAI_HEADERS, thai_rows(world)))
    # The bad row is reported with all its problems, under the file's own columns.
    assert {(p.row, p.column) for p in job.problems.filter(assessment_only=False)} == {
        (5, "เพศ"),
        (5, "วันเกิด"),
    }
    held = list(job.problems.filter(assessment_only=True))
    assert [(p.row, p.column) for p in held] == [(4, "HLT-ACCESS")]
    job = services.job_apply(actor=world.coordinator_a, job=job, valid_only=True)
    assert job.status == ImportJob.Status.APPLIED, job.message
    made = {p.given_name: p for p in Person.objects.filter(agency=world.agency_a)}
    assert set(made) == {"สมหญิง", "สมชาย", "มาลี"}
    somying = made["สมหญิง"]
    assert (somying.given_name_latin, somying.family_name_latin) == ("Somying", "Jaidee")
    assert somying.birth_date == date(2010, 3, 7) and somying.sex == "female"
    assert somying.national_id == "1101700207366"
    first = Assessment.objects.get(person=somying)
    assert first.assessed_on == date(2025, 1, 15)
    assert first.scores == {"SOC-SEX": 2, "HLT-ACCESS": 1, "EDU-SCHOOL": 1}
    assert Assessment.objects.filter(person=made["สมชาย"]).count() == 1
    assert not Assessment.objects.filter(person=made["มาลี"]).exists()  # held back, the person kept
    assert job.summary["assessments"] == 2 and job.summary["assessments_held"] == 1
    rows = dict(
        Provenance.objects.filter(job=job, object_type="registry.person").values_list("row", "object_id")
    )
    assert rows == {2: somying.pk, 3: made["สมชาย"].pk, 4: made["มาลี"].pk}


def test_the_same_file_in_tis_620_gives_the_same_people(world):
    header, rows = THAI_HEADERS, thai_rows(world)[:3]
    job = upload(world, encode(header, rows, "cp874"))
    assert job.file_info["encoding"] == "cp874"
    services.job_apply(actor=world.coordinator_a, job=job, valid_only=True)
    first = sorted(Person.objects.values_list("given_name", "family_name_latin", "birth_date", "national_id"))
    Alert.objects.all().delete()
    Person.objects.update(current_assessment=None)
    Assessment.objects.all().delete()
    Person.objects.all().delete()
    job = upload(world, encode(header, rows))
    services.job_apply(actor=world.coordinator_a, job=job, valid_only=True)
    again = sorted(Person.objects.values_list("given_name", "family_name_latin", "birth_date", "national_id"))
    assert first == again and len(first) == 3


def test_every_peoples_field_is_known_by_its_label_in_seven_languages():
    people = KINDS["people"]
    from django.utils import translation

    for language in ("en", "th", "lo", "km", "my", "vi", "zh-hans"):
        with translation.override(language):
            labels = {c.name: str(c.label) for c in people.columns}
        headers = list(labels.values())
        if len(set(headers)) < len(headers):  # two fields share a word in this language: skip the pair
            headers = [h for h in headers if headers.count(h) == 1]
        mapping = people.mapping_for(headers, {})
        for name, label in labels.items():
            if label in headers:
                assert mapping.get(name) == label, (language, name, label)
    # Spaces, brackets and case do not matter.
    assert known.normal("  ชื่อ（ตัวอักษรอังกฤษ） ") == known.normal("ชื่อ (ตัวอักษรอังกฤษ)")
    assert known.normal("Date of  Birth") == known.normal("date_of_birth")


def test_columns_found_from_their_values_are_applied_and_shown(world):
    header = ["A", "B", "C", "D", "E"]
    rows = [
        ["ນາງ ແກ້ວ", "ຍິງ", "1101700207366", "02/03/2010", world.village_1.code],
        ["ທ້າວ ຄຳ", "ຊາຍ", "3100600123450", "2011-05-04", world.village_1.code],
        ["မမ", "မ", "", "", world.village_1.code],
        ["ស្រីពៅ", "ស្រី", "", "", world.village_1.code],
    ]
    client = api_client(world.coordinator_a)
    response = client.client.post(
        "/api/v1/imports",
        {"kind": "people", "file": io.BytesIO(encode(header, rows, "utf-8"))},
        headers=client.headers,
    )
    body = response.json()
    assert response.status_code == 201, body
    # Sex words in Lao, Burmese and Khmer, a Thai ID with its check digit, dates: found without asking.
    assert body["detected"] == {"sex": "B", "national_id": "C", "birth_date": "D"}
    assert body["mapping"]["sex"] == "B" and body["mapping"]["birth_date"] == "D"
    job = ImportJob.objects.get(pk=body["id"])
    page = web_client(world.coordinator_a).get(reverse("imports:detail", args=[job.pk])).content.decode()
    assert "found from its values" in page


def test_a_full_name_column_is_split_into_given_and_family_names_and_the_split_is_shown(world):
    header = ["Full name", "Full name (Latin)", "Village code"]
    rows = [
        ["นางสาว สมหญิง ใจดี", "Somying Jaidee", world.village_1.code],
        ["Kham", "Kham", world.village_1.code],
    ]
    job = upload(world, encode(header, rows))
    assert job.status == ImportJob.Status.CHECKED, list(job.problems.all())
    first = job.preview[0]["values"]
    assert (first["given_name"], first["family_name"]) == ("สมหญิง", "ใจดี")
    assert (first["given_name_latin"], first["family_name_latin"]) == ("Somying", "Jaidee")
    page = web_client(world.coordinator_a).get(reverse("imports:detail", args=[job.pk])).content.decode()
    assert "Somying" in page and "Jaidee" in page and "split into" in page
    services.job_apply(actor=world.coordinator_a, job=job)
    assert set(Person.objects.values_list("given_name", "family_name")) == {("สมหญิง", "ใจดี"), ("Kham", "")}


def test_survey_answers_in_words_are_read_by_value_tables(world):
    person = Person.objects.create(agency=world.agency_a, village=world.village_1, given_name="Kham")
    header = ["person_id", "assessed_on", "HLT-ACCESS", "BMN-DEBT", "EDU-SCHOOL", "BMN-INCOME"]
    rows = [[str(person.pk), "2025-01-10", "ผ่าน", "ไม่ผ่าน", "low", "สูง"]]
    job = upload(world, encode(header, rows), kind="assessments")
    assert job.status == ImportJob.Status.CHECKED, list(job.problems.all())
    services.job_apply(actor=world.coordinator_a, job=job)
    expected = {"HLT-ACCESS": 1, "BMN-DEBT": 3, "EDU-SCHOOL": 1, "BMN-INCOME": 3}
    assert Assessment.objects.get().scores == expected
    # An indicator's own answer text (its rubric) in any language.
    rubric = known.answer_score("HLT-ILL", "ไม่มี")
    assert rubric == 1


def test_row_to_person_number_on_the_page_the_api_and_as_csv(world):
    job = upload(world, encode(THAI_HEADERS, thai_rows(world)[:2]))
    job = services.job_apply(actor=world.coordinator_a, job=job)
    people = dict(
        Provenance.objects.filter(job=job, object_type="registry.person").values_list("row", "object_id")
    )
    body = api_client(world.coordinator_a).get(f"/api/v1/imports/{job.pk}/people").json()
    assert [(r["row"], r["person"]) for r in body["items"]] == sorted(people.items())
    client = web_client(world.coordinator_a)
    text = client.get(reverse("imports:people_csv", args=[job.pk])).content.decode().lstrip("\ufeff")
    assert text.splitlines()[0].startswith("row,person")
    assert text.splitlines()[1].startswith(f"2,{people[2]}")
    page = client.get(reverse("imports:detail", args=[job.pk])).content.decode()
    assert reverse("registry:person_detail", args=[people[2]]) in page
    assert api_client(world.coordinator_b).get(f"/api/v1/imports/{job.pk}/people").status_code == 404


def test_apply_writes_the_rows_as_checked_without_reading_the_file_again(world):
    job = upload(world, encode(THAI_HEADERS, thai_rows(world)[:2]))
    assert job.status == ImportJob.Status.CHECKED
    # The upload is no longer what was checked (or is gone): what the check read is what is written.
    (services.imports_dir() / job.stored_as).write_bytes(b"not,the,same\n1,2,3\n")
    job = services.job_apply(actor=world.coordinator_a, job=job)
    assert job.status == ImportJob.Status.APPLIED and job.created == 2, job.message
    assert set(Person.objects.values_list("given_name", flat=True)) == {"สมหญิง", "สมชาย"}
    assert Assessment.objects.count() == 2
    assert not list(services.imports_dir().glob(f"{job.pk}.*"))  # nothing left behind


def test_one_date_for_every_row_dates_the_scores_and_scores_without_a_date_are_held_back(world):
    header = ["ชื่อ", "รหัสหมู่บ้าน", "HLT-ACCESS", "EDU-SCHOOL"]
    rows = [["Kham", world.village_1.code, "1", "2"], ["Noi", world.village_1.code, "", ""]]
    job = upload(world, encode(header, rows))
    # Scores but no date: the person is kept, the assessment held back with the reason.
    assert job.status == ImportJob.Status.CHECKED
    assert [(p.row, p.assessment_only) for p in job.problems.all()] == [(2, True)]
    assert "no date of assessment" in job.problems.get().reason
    job = upload(world, encode(header, rows), defaults={"assessed_on": "01/02/2568"})
    assert job.status == ImportJob.Status.CHECKED and not job.problems.exists()
    job = services.job_apply(actor=world.coordinator_a, job=job)
    kham = Person.objects.get(given_name="Kham", assessments__isnull=False)
    assert kham.assessments.get().assessed_on == date(2025, 2, 1)
    assert not Person.objects.filter(given_name="Noi", assessments__isnull=False).exists()  # nothing answered
    assert job.summary["assessments"] == 1


def test_a_column_named_like_an_indicator_that_is_not_one_is_named_with_or_without_a_group(world):
    person = Person.objects.create(agency=world.agency_a, village=world.village_1, given_name="Kham")
    header = ["person_id", "assessed_on", "HLT-ILL", "d_health/HLT-XYZ"]
    job = upload(world, encode(header, [[str(person.pk), "2025-01-10", "1", "2"]]), kind="assessments")
    assert [p.column for p in job.problems.all()] == ["d_health/HLT-XYZ"]
