"""The generated XLSForm compiles with pyxform, and submissions of it import as assessments."""

from __future__ import annotations

import csv
import io
import re
from datetime import date

import pytest
from django.core.management import call_command
from openpyxl import load_workbook
from pyxform.xls2xform import convert

from safepassage.imports import services
from safepassage.imports.xlsform import build
from safepassage.registry.models import Assessment, Catalogue, Person

pytestmark = pytest.mark.django_db


def person_codes() -> list[str]:
    catalogue = Catalogue.objects.get(status="active")
    return [i.code for i in catalogue.indicators.order_by("position", "code") if i.level in "IH"]


def test_the_form_compiles_with_pyxform_without_warnings_and_asks_every_person_indicator():
    form = build()
    warnings: list[str] = []
    result = convert(xlsform=form.xlsx, warnings=warnings, validate=False, file_type=".xlsx")
    assert warnings == []
    xml = result.xform
    fields = re.findall(r'<bind nodeset="/[^/"]+/(d_[a-z_]+)/([a-z_]+)"', xml)
    assert sorted(name for _group, name in fields) == sorted(
        c.replace("-", "_").lower() for c in person_codes()
    )
    assert 'nodeset="/' in xml and "assessed_on" in xml and "today()" in xml
    sheet = load_workbook(io.BytesIO(form.xlsx))["choices"]
    rows = [r for r in sheet.iter_rows(values_only=True) if r[0] == "r_hlt_ill"]
    assert [r[1] for r in rows] == ["1", "2", "3", "na"]
    assert rows[2][2].startswith("3 – ")  # the rubric text beside the choice
    sex = [r[1] for r in sheet.iter_rows(values_only=True) if r[0] == "r_soc_sex"]
    assert sex == ["1", "2", "na"]  # never scored above 2


@pytest.mark.parametrize("separator", ["/", "-"])  # KoboToolbox and ODK Central group separators
def test_submissions_of_the_form_import_with_the_right_scores(world, separator):
    form = build()
    paths = re.findall(r'<bind nodeset="/[^/"]+/([a-z_]+)/([a-z_]+)"', form.xml)
    header = [f"{group}{separator}{name}" for group, name in paths] + ["meta-instanceID", "KEY"]
    person = Person.objects.create(agency=world.agency_a, village=world.village_1, given_name="Malai")
    by_name = {}
    for n, code in enumerate(person_codes()):
        by_name[code.replace("-", "_").lower()] = str(1 + n % 2)
    values = {"person_id": str(person.pk), "assessed_on": "2025-02-03", "national_id": ""}
    row = []
    for _group, name in paths:
        row.append(values.get(name, by_name.get(name, "")))
    out = io.StringIO()
    csv.writer(out).writerows([header, [*row, "uuid:x", "uuid:x"]])
    job = services.job_create(
        actor=world.coordinator_a,
        kind="assessments",
        file_name="submissions.csv",
        content=io.BytesIO(out.getvalue().encode()),
    )
    job = services.job_check(job)
    assert job.errors_total == 0, list(job.problems.all())
    services.job_apply(actor=world.coordinator_a, job=job)
    stored = Assessment.objects.get(person=person)
    assert stored.assessed_on == date(2025, 2, 3)
    assert stored.scores == {code: 1 + n % 2 for n, code in enumerate(person_codes())}


def test_the_command_writes_the_form_and_its_xform(tmp_path):
    out = io.StringIO()
    call_command(
        "forms", "xlsform", "--out", str(tmp_path / "f.xlsx"), "--xml", str(tmp_path / "f.xml"), stdout=out
    )
    assert "0 warnings" in out.getvalue()
    assert load_workbook(tmp_path / "f.xlsx").sheetnames == ["survey", "choices", "settings"]
    assert (tmp_path / "f.xml").read_text().startswith("<?xml")
