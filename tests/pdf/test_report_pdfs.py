"""Report PDFs: they open, hold the report's figures (the same protected ones an analyst's page shows), speak
the reader's language in its script, and embed the Noto font of that script."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from safepassage.audit.models import AuditEvent
from safepassage.testing import api_client, web_client

from ..reports.test_risk_reports import population  # noqa: F401 (a fixture)
from .reading import SCRIPTS, numbers, read

pytestmark = pytest.mark.django_db

CELLS = ("n", "low", "medium", "high", "incomplete")


def _shown(value):
    return "<11" if value in (None, "<11") else str(value)


def _row_numbers(row, with_mean=True):
    shown = [_shown(row[c]) for c in CELLS]
    if with_mean and row.get("mean_index") is not None:
        shown.append(str(row["mean_index"]))
    return shown


def _lines_with(text, *words):
    """The lines holding each of these words (whole words: "male" is not in "female")."""
    return [
        line
        for line in text.splitlines()
        if all(re.search(rf"(^|\s){re.escape(w)}(\s|$)", line) for w in words)
    ]


def test_a_coordinators_risk_pdf_holds_the_reports_exact_figures(world, population):  # noqa: F811
    report = api_client(world.coordinator_a).get("/api/v1/reports/risk?group_by=district").json()
    response = web_client(world.coordinator_a).get(reverse("reports:risk") + "?group_by=district&format=pdf")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Cache-Control"] == "no-store"
    document = read(response.content)
    assert document.pages == 1
    assert report["rows"], "the fixture gives the report rows"
    for row in report["rows"]:
        (line,) = _lines_with(document.text, row["district_name"])
        assert numbers(line)[-len(_row_numbers(row)) :] == _row_numbers(row)


def test_an_analysts_pdf_carries_the_pages_protected_figures_and_no_exact_ones(world, population):  # noqa: F811
    query = "?group_by=district&group_by=sex"
    page = web_client(world.analyst_a).get(reverse("reports:risk") + query).content.decode()
    report = api_client(world.analyst_a).get("/api/v1/reports/risk?group_by=district,sex").json()
    assert report["perturbed"] is True
    boys = next(r for r in report["rows"] if r["sex"] == "male")
    assert boys["n"] == "<11" and "&lt;11" in page  # three boys: hidden on the page
    body = web_client(world.analyst_a).get(reverse("reports:risk") + query + "&format=pdf").content
    document = read(body)
    for row in report["rows"]:
        (line,) = _lines_with(document.text, row["district_name"], row["sex"])
        assert numbers(line)[-len(_row_numbers(row)) :] == _row_numbers(row)
    (boys_line,) = _lines_with(document.text, boys["district_name"], "male")
    assert "<11" in boys_line and " 3 " not in f" {boys_line} "
    # The exact count of the twelve girls is nowhere: the analyst reads the perturbed one.
    girls = next(r for r in report["rows"] if r["sex"] == "female" and r["district"] == world.district_1.code)
    assert girls["n"] != 12
    assert "To protect people" in document.text


def test_the_api_gives_the_risk_report_as_a_pdf_with_the_same_figures(world, population):  # noqa: F811
    client = api_client(world.coordinator_a)
    report = client.get("/api/v1/reports/risk?group_by=district").json()
    response = client.get("/api/v1/reports/risk.pdf?group_by=district")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    document = read(response.content)
    for row in report["rows"]:
        (line,) = _lines_with(document.text, row["district_name"])
        assert numbers(line)[-len(_row_numbers(row)) :] == _row_numbers(row)


def test_a_role_without_reports_gets_404_and_bad_grouping_a_400(world, population):  # noqa: F811
    assert api_client(world.volunteer_a).get("/api/v1/reports/risk.pdf").status_code == 404
    assert web_client(world.volunteer_a).get(reverse("reports:risk") + "?format=pdf").status_code == 404
    response = api_client(world.coordinator_a).get("/api/v1/reports/risk.pdf?group_by=shoe_size")
    assert response.status_code in (400, 422)
    assert response["Content-Type"].startswith("application/json")


def test_an_analysts_pdf_request_is_audited_like_the_page(world, population):  # noqa: F811
    before = AuditEvent.objects.filter(actor=world.analyst_a).count()
    api_client(world.analyst_a).get("/api/v1/reports/risk.pdf?group_by=province")
    event = AuditEvent.objects.filter(actor=world.analyst_a).order_by("pk").last()
    assert AuditEvent.objects.filter(actor=world.analyst_a).count() == before + 1
    assert event is not None and event.action == "reports.risk.request" and "province" in str(event.changes)


@pytest.mark.parametrize("language", list(SCRIPTS))
def test_each_language_prints_in_its_script_with_its_noto_font_embedded(world, population, language):  # noqa: F811
    script, letters, font = SCRIPTS[language]
    response = api_client(world.coordinator_a).get(
        f"/api/v1/reports/risk.pdf?group_by=district&lang={language}"
    )
    assert response["Content-Language"] == language
    document = read(response.content)
    assert letters.search(document.text), f"no {script} letters in: {document.text[:200]}"
    assert document.embedded(font), f"{font} not embedded; fonts: {document.fonts}"
    assert all(document.fonts.values()), f"a font is not embedded: {document.fonts}"


def test_the_language_saved_on_the_account_is_the_api_pdfs_language(world, population):  # noqa: F811
    world.coordinator_a.language = "th"
    world.coordinator_a.save(update_fields=["language"])
    document = read(api_client(world.coordinator_a).get("/api/v1/reports/risk.pdf").content)
    assert SCRIPTS["th"][1].search(document.text) and document.embedded("NotoSansThai")


def test_the_page_and_its_pdf_speak_the_language_the_reader_chose(world, population):  # noqa: F811
    client = web_client(world.coordinator_a)
    page = client.get(reverse("reports:risk") + "?lang=km").content.decode()
    assert "format=pdf" in page  # the page's PDF button
    document = read(client.get(reverse("reports:risk") + "?lang=km&format=pdf").content)
    assert SCRIPTS["km"][1].search(document.text) and document.embedded("NotoSansKhmer")


def test_where_to_act_and_drivers_print_their_figures(world, population):  # noqa: F811
    client = web_client(world.coordinator_a)
    page = client.get(reverse("reports:priorities"))
    assert "format=pdf" in page.content.decode()
    rows = page.context["rows"]
    response = client.get(reverse("reports:priorities") + "?" + page.context["pdf_query"])
    document = read(response.content)
    assert rows
    for row in rows:
        (line,) = _lines_with(document.text, row["area_name"])
        assert _shown(row["n"]) in numbers(line) and str(row["M0"]) in numbers(line)
    drivers = client.get(reverse("reports:drivers", args=[world.district_1.code]))
    assert "format=pdf" in drivers.content.decode()
    result = drivers.context["result"]
    document = read(
        client.get(reverse("reports:drivers", args=[world.district_1.code]) + "?format=pdf").content
    )
    assert f"{result['n']} " in document.text
    codes = [row["code"] for row in result["indicators"]]
    for row, after in zip(result["indicators"], [*codes[1:], "\n"], strict=True):
        # A row's text runs from its code to the next row's (long questions wrap over several lines).
        start = document.text.index(row["code"])
        part = document.text[start : document.text.index(after, start + len(row["code"]))]
        shown = numbers(part)
        assert _shown(row["answered"]) in shown and _shown(row["at_3"]) in shown


def test_a_long_table_prints_its_first_rows_and_says_how_many_it_left_out(world, population, monkeypatch):  # noqa: F811
    from safepassage.reports import documents

    monkeypatch.setattr(documents, "MAX_ROWS", 1)
    report = api_client(world.coordinator_a).get("/api/v1/reports/risk?group_by=district,sex").json()
    first, *rest = report["rows"]
    assert rest
    url = reverse("reports:risk") + "?group_by=district,sex&format=pdf"
    document = read(web_client(world.coordinator_a).get(url).content)
    assert _lines_with(document.text, first["district_name"], first["sex"])
    for row in rest:
        assert not _lines_with(document.text, row["district_name"], row["sex"])
    text = " ".join(document.text.split())
    assert f"This PDF holds the first 1 of {len(report['rows'])} rows." in text
