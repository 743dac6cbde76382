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
from tests.scripts import is_in_script

pytestmark = pytest.mark.django_db

SEVEN = [
    ("en", "English (en)"),
    ("th", "Thai (th)"),
    ("lo", "Lao (lo)"),
    ("km", "Khmer (km)"),
    ("my", "Burmese (my)"),
    ("vi", "Vietnamese (vi)"),
    ("zh-hans", "Chinese (zh-Hans)"),
]
# pyxform's one complaint about the form: it checks "zh-Hans" against bare language subtags only.
FULL_TAG_WARNING = (
    "The following language declarations do not contain valid machine-readable codes: Chinese (zh-Hans). "
    "Learn more: http://xlsform.org#multiple-language-support"
)


def person_codes() -> list[str]:
    catalogue = Catalogue.objects.get(status="active")
    return [i.code for i in catalogue.indicators.order_by("position", "code") if i.level in "IH"]


def test_the_form_compiles_with_pyxform_without_warnings_and_asks_every_person_indicator():
    form = build()
    warnings: list[str] = []
    result = convert(xlsform=form.xlsx, warnings=warnings, validate=False, file_type=".xlsx")
    assert warnings in ([], [FULL_TAG_WARNING])
    assert form.warnings == ()
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


def sheet_rows(xlsx: bytes, name: str) -> list[dict[str, str]]:
    rows = list(load_workbook(io.BytesIO(xlsx))[name].iter_rows(values_only=True))
    return [
        {str(h): ("" if v is None else str(v)) for h, v in zip(rows[0], row, strict=True)} for row in rows[1:]
    ]


def assert_in_seven_languages(row: dict[str, str], column: str, where: str) -> None:
    """Text in every language's column; each one in its own script (Vietnamese: not the English)."""
    texts = {lang: row[f"{column}::{name}"] for lang, name in SEVEN}
    assert all(texts.values()), f"{where}: a {column} is empty in {[k for k, v in texts.items() if not v]}"
    wrong = [lang for lang in ("th", "lo", "km", "my", "zh-hans") if not is_in_script(texts[lang], lang)]
    assert not wrong, f"{where}: {column} not in the script of {wrong}: {texts}"
    assert texts["vi"] != texts["en"], f"{where}: the Vietnamese {column} is the English"


def test_every_label_hint_and_choice_of_the_default_catalogue_is_in_the_seven_languages():
    form = build()
    assert form.warnings == ()
    survey = sheet_rows(form.xlsx, "survey")
    header = list(survey[0])
    for column in ("label", "hint", "constraint_message"):
        assert [h for h in header if h.startswith(f"{column}::")] == [
            f"{column}::{name}" for _l, name in SEVEN
        ]
    assert "label" not in header and "hint" not in header  # no column without a language
    questions = [r for r in survey if r["type"] not in ("start", "end", "end_group")]
    assert len(questions) == len(person_codes()) + 4 + 5  # the indicators, who (4 rows), five domains
    for row in questions:
        assert_in_seven_languages(row, "label", row["name"])
    indicators = [r for r in questions if r["type"].startswith("select_one ")]
    assert len(indicators) == len(person_codes())
    for row in indicators:
        assert_in_seven_languages(row, "hint", row["name"])
    assert [r["name"] for r in survey if r["hint::English (en)"]] == [r["name"] for r in indicators]
    dated = next(r for r in survey if r["name"] == "assessed_on")
    assert_in_seven_languages(dated, "constraint_message", "assessed_on")

    choices = sheet_rows(form.xlsx, "choices")
    assert [h for h in choices[0] if h.startswith("label")] == [f"label::{name}" for _l, name in SEVEN]
    assert len(choices) == sum(4 if c != "SOC-SEX" else 3 for c in person_codes())
    for row in choices:
        assert_in_seven_languages(row, "label", f"{row['list_name']} {row['name']}")
    leave = next(r for r in choices if (r["list_name"], r["name"]) == ("r_mig_alone", "3"))
    assert leave["label::Lao (lo)"] == "3 – ໄປຜູ້ດຽວ (ເດັກທີ່ບໍ່ມີຜູ້ໃຫຍ່ໄປນຳ)"

    settings = sheet_rows(form.xlsx, "settings")
    assert settings[0]["default_language"] == "English (en)"
    # The compiled form carries the seven translations, English first and the default.
    translations = re.findall(r"<translation ([^>]*)>", form.xml)
    assert translations == [
        f'lang="{name}" default="true()"' if lang == "en" else f'lang="{name}"' for lang, name in SEVEN
    ]


def test_a_text_a_catalogue_lacks_in_a_language_is_given_in_english_there(world):
    catalogue = Catalogue.objects.get(status="active")
    indicator = catalogue.indicators.get(code="HLT-ILL")
    indicator.label = {"en": indicator.label["en"]}
    indicator.save(update_fields=["label"])
    form = build(catalogue)
    assert form.warnings == ()
    row = next(r for r in sheet_rows(form.xlsx, "survey") if r["name"] == "hlt_ill")
    assert {row[f"label::{name}"] for _l, name in SEVEN} == {"Serious illness or disability in household"}
