"""The import pipeline end to end: check, preview, all-or-nothing apply, provenance, audit, bad input."""

from __future__ import annotations

import csv
import io
from datetime import date, timedelta
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError

from safepassage.audit.models import AuditEvent
from safepassage.imports import services
from safepassage.imports.models import ImportJob, Provenance
from safepassage.registry.models import Assessment, Catalogue, Person
from safepassage.workplaces.models import Workplace

pytestmark = pytest.mark.django_db
TODAY = date.today()


def codes() -> list[str]:
    catalogue = Catalogue.objects.get(status="active")
    return [i.code for i in catalogue.indicators.order_by("code") if i.level in "IH"]


def csv_bytes(header: list[str], rows: list[list[Any]], delimiter: str = ",") -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter)
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue().encode("utf-8")


def upload(actor: Any, kind: str, data: bytes, name: str = "file.csv", **options: Any) -> ImportJob:
    job = services.job_create(actor=actor, kind=kind, file_name=name, content=io.BytesIO(data), **options)
    return services.job_check(job)


def people(world: Any, n: int) -> list[Person]:
    made = Person.objects.bulk_create(
        Person(agency=world.agency_a, village=world.village_1, given_name=f"P{i}", birth_year=2000)
        for i in range(n)
    )
    return list(made)


def test_people_keep_their_script_and_their_provenance(world):
    data = csv_bytes(
        ["given_name", "family_name", "sex", "birth_date", "village_code", "national_id"],
        [
            ["สมหญิง", "ใจดี", "หญิง", "07/03/2553", world.village_1.code, "1101700207366"],
            ["ນາງ ແກ້ວ", "", "F", "", world.village_1.code, ""],
            ["ေမာင္ေမာင္", "", "m", "2012-01-02", world.village_2.code, ""],
            ["Lan 兰", "Nguyễn", "female", "45000", world.village_1.code, ""],
        ],
    )
    job = upload(world.coordinator_a, "people", data, name="district-list.csv", source="District office")
    assert job.status == ImportJob.Status.CHECKED, list(job.problems.all())
    assert job.rows_total == 4 and job.rows_valid == 4
    assert job.summary["flags"] == {"zawgyi_converted": 1}
    assert [p["values"]["given_name"] for p in job.preview][2] == "မောင်မောင်"
    job = services.job_apply(actor=world.coordinator_a, job=job)
    assert job.status == ImportJob.Status.APPLIED and job.created == 4
    made = {p.given_name: p for p in Person.objects.filter(agency=world.agency_a)}
    assert set(made) == {"สมหญิง", "ນາງ ແກ້ວ", "မောင်မောင်", "Lan 兰"}
    assert made["สมหญิง"].birth_date == date(2010, 3, 7) and made["สมหญิง"].sex == "female"
    assert made["Lan 兰"].family_name == "Nguyễn" and made["Lan 兰"].birth_date == date(2023, 3, 15)
    where = Provenance.objects.get(object_type="registry.person", object_id=made["สมหญิง"].pk)
    assert (where.job.file_name, where.job.source, where.row) == ("district-list.csv", "District office", 2)
    assert AuditEvent.objects.filter(action="imports.job.apply", object_id=str(job.pk)).exists()


def test_one_bad_row_in_ten_thousand_applies_nothing_and_names_the_row_and_column(world):
    everyone = people(world, 1000)
    indicators = codes()
    header = ["person_id", "assessed_on", *indicators]
    rows = []
    for day in range(10):
        for person in everyone:
            rows.append(
                [person.pk, (TODAY - timedelta(days=400 - day * 30)).isoformat(), *["1"] * len(indicators)]
            )
    bad = 7_777
    rows[bad - 2][2 + indicators.index("HLT-ILL")] = "4"
    job = upload(world.coordinator_a, "assessments", csv_bytes(header, rows))
    assert job.rows_total == 10_000 and job.rows_invalid == 1 and job.status == ImportJob.Status.PROBLEMS
    problem = job.problems.get()
    assert (problem.row, problem.column) == (bad, "HLT-ILL") and "1, 2 or 3" in problem.reason
    with pytest.raises(ValidationError) as refused:
        services.job_apply(actor=world.coordinator_a, job=job)
    assert "nothing was applied" in str(refused.value)
    assert Assessment.objects.count() == 0
    lines = list(csv.reader(io.StringIO(services.problems_csv(job).lstrip("\ufeff"))))
    assert lines == [["row", "column", "reason"], [str(bad), "HLT-ILL", problem.reason]]


def test_the_valid_rows_only_when_asked_and_duplicates_refused(world):
    a, b = people(world, 2)
    header = ["person_id", "assessed_on", "HLT-ILL", "BMN-DEBT"]
    rows = [
        [a.pk, "2025-01-10", "1", "3"],
        [a.pk, "10/01/2025", "2", "2"],  # the same person on the same date again
        [b.pk, "2568-01-10", "2", ""],
        [999_999, "2025-01-10", "1", "1"],
        [b.pk, (TODAY + timedelta(days=3)).isoformat(), "1", "1"],
    ]
    job = upload(world.coordinator_a, "assessments", csv_bytes(header, rows))
    found = {(p.row, p.column) for p in job.problems.all()}
    assert found == {(3, ""), (5, "person_id"), (6, "assessed_on")}
    job = services.job_apply(actor=world.coordinator_a, job=job, valid_only=True)
    assert job.status == ImportJob.Status.APPLIED and (job.created, job.skipped) == (2, 3)
    stored = {(x.person_id, x.assessed_on): x.scores for x in Assessment.objects.all()}
    assert stored == {
        (a.pk, date(2025, 1, 10)): {"HLT-ILL": 1, "BMN-DEBT": 3},
        (b.pk, date(2025, 1, 10)): {"HLT-ILL": 2},
    }
    assert set(Provenance.objects.values_list("row", flat=True)) == {2, 4}
    assert Person.objects.get(pk=a.pk).current_assessed_on == date(2025, 1, 10)


def test_odk_and_kobo_submissions_import_as_assessments_with_the_right_scores(world):
    person, _other = people(world, 2)
    all_codes = codes()
    # ODK Central's export joins groups with "-" and keeps meta columns; KoboToolbox uses "/".
    header = ["SubmissionDate", "start", "group_who/person_id", "group_who/assessed_on"]
    header += [f"grp_{code.split('-')[0].lower()}/{code.replace('-', '_').lower()}" for code in all_codes]
    header += ["meta/instanceID", "_uuid"]
    scores = {code: str(1 + n % 3) if code != "SOC-SEX" else "2" for n, code in enumerate(all_codes)}
    scores["MIG-RECRUIT"] = "na"
    row = ["2025-02-03T10:00:00Z", "2025-02-03T09:40:00Z", person.pk, "2025-02-03"]
    row += [scores[c] for c in all_codes] + ["uuid:1", "abc"]
    job = upload(world.coordinator_a, "assessments", csv_bytes(header, [row]))
    assert job.status == ImportJob.Status.CHECKED, list(job.problems.all())
    services.job_apply(actor=world.coordinator_a, job=job)
    stored = Assessment.objects.get(person=person)
    expected = {c: int(s) for c, s in scores.items() if s != "na"}
    assert stored.scores == expected and stored.source == Assessment.Source.SURVEY
    assert "MIG-RECRUIT" not in stored.scores and stored.completeness < 1


def test_a_column_named_like_an_indicator_that_is_not_one_is_refused(world):
    (person,) = people(world, 1)
    job = upload(
        world.coordinator_a,
        "assessments",
        csv_bytes(["person_id", "assessed_on", "HLT-ILL", "HLT-XYZ"], [[person.pk, "2025-01-01", "1", "2"]]),
    )
    assert job.status == ImportJob.Status.PROBLEMS
    assert [(p.row, p.column) for p in job.problems.all()] == [(1, "HLT-XYZ")]
    assert job.rows_total == 0  # nothing is read from a file whose columns are wrong


def test_missing_required_columns_formulas_and_other_agencies_people(world):
    job = upload(world.coordinator_a, "people", csv_bytes(["family_name"], [["Test"]]))
    assert {p.column for p in job.problems.all()} >= {"Given name", "Village code"}
    (theirs,) = Person.objects.bulk_create(
        [Person(agency=world.agency_b, village=world.village_3, given_name="B")]
    )
    job = upload(
        world.coordinator_a,
        "assessments",
        csv_bytes(["person_id", "assessed_on", "HLT-ILL"], [[theirs.pk, "2025-01-01", "1"]]),
    )
    assert [(p.row, p.column) for p in job.problems.all()] == [(2, "person_id")]
    job = upload(
        world.coordinator_a,
        "people",
        csv_bytes(["given_name", "village_code"], [['=HYPERLINK("http://x","click")', world.village_1.code]]),
    )
    assert [(p.row, p.column) for p in job.problems.all()] == [(2, "given_name")]
    assert "formula" in job.problems.get().reason
    job = upload(
        world.coordinator_a, "people", csv_bytes(["given_name", "village_code"], [["A", "99999999"]])
    )
    assert [(p.row, p.column, p.reason) for p in job.problems.all()] == [
        (2, "village_code", "There is no village with the code 99999999.")
    ]


def test_workplaces_go_through_their_own_rules_and_a_failure_leaves_nothing(world):
    data = csv_bytes(
        ["name", "sector", "lat", "lon"],
        [
            ["Orchard 9", "agriculture", "18.8", "98.9"],
            ["Boat 3", "fishing", "", ""],
            ["Bar", "nightlife", "", ""],
        ],
    )
    job = upload(world.coordinator_a, "workplaces", data)
    assert [(p.row, p.column) for p in job.problems.all()] == [(4, "sector")]
    assert Workplace.objects.count() == 0  # checking wrote nothing
    job = services.job_apply(actor=world.coordinator_a, job=job, valid_only=True)
    assert sorted(Workplace.objects.values_list("name", flat=True)) == ["Boat 3", "Orchard 9"]
    assert Provenance.objects.filter(object_type="workplaces.workplace").count() == 2


def test_who_may_import(world):
    for name in ("caseworker_a", "volunteer_a", "analyst_a", "partner_a", "outsider"):
        with pytest.raises(Exception) as refused:
            upload(world.users[name], "people", b"given_name\nA\n")
        assert refused.type.__name__ in ("PermissionDenied",), name
    with pytest.raises(ValidationError) as refused:
        upload(world.coordinator_a, "passports", b"a\n1\n")
    assert "kind" in refused.value.message_dict


def test_the_command_checks_and_applies_with_the_problems_listed(world, tmp_path):
    path = tmp_path / "people.csv"
    path.write_bytes(
        csv_bytes(["given_name", "village_code"], [["Malai", world.village_1.code], ["Kham", "nowhere"]])
    )
    out = io.StringIO()
    with pytest.raises(CommandError, match="Nothing was applied"):
        call_command("import", "people", str(path), "--user", "coordinator_a", stdout=out)
    assert "row 3, column village_code" in out.getvalue()
    assert Person.objects.count() == 0
    call_command("import", "people", str(path), "--user", "coordinator_a", "--apply-valid", stdout=out)
    assert list(Person.objects.values_list("given_name", flat=True)) == ["Malai"]
    assert "1 records created" in out.getvalue()
