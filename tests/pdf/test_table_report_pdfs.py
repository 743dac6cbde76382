"""The safe-migration and lessons-learned reports as PDFs: the pages' tables, cell for cell, the protected
ones for an analyst."""

from __future__ import annotations

import pytest
from django.urls import reverse

from safepassage.audit.models import AuditEvent
from safepassage.testing import web_client

from ..cases.test_lessons import cases_a  # noqa: F401 (a fixture)
from ..migration.test_reports import FAMILY, NAMES, build
from .reading import read

pytestmark = pytest.mark.django_db


def _cells(page):
    return [text for table in page.context["tables"] for row in table["body"] for _title, text in row]


def test_the_pdf_holds_every_cell_the_page_shows(world):
    build(world)
    client = web_client(world.coordinator_a)
    page = client.get(reverse("migration:reports"))
    assert reverse("migration:reports_pdf") in page.content.decode()  # the page's PDF button
    response = client.get(reverse("migration:reports_pdf"))
    assert response.status_code == 200 and response["Cache-Control"] == "no-store"
    document = read(response.content)
    text = " ".join(document.text.split())
    assert "Registrations counted: 5" in text and "75%" in text and "=Orchard 9" in text
    for cell in _cells(page):
        assert cell in text, cell


def test_an_analysts_pdf_shows_small_counts_as_under_eleven_and_no_names(world):
    build(world)
    client = web_client(world.analyst_a)
    page = client.get(reverse("migration:reports"))
    before = AuditEvent.objects.filter(actor=world.analyst_a, action__startswith="reports.").count()
    document = read(client.get(reverse("migration:reports_pdf")).content)
    text = " ".join(document.text.split())
    assert "Registrations counted: <11" in text
    for cell in _cells(page):
        assert cell in text, cell
    for name in (*NAMES, FAMILY, "Golden Jobs", "Orchard 9"):
        assert name not in text
    after = AuditEvent.objects.filter(actor=world.analyst_a, action__startswith="reports.")
    last = after.order_by("pk").last()
    assert after.count() == before + 1 and last is not None and last.changes["output"] == "pdf"


def test_without_the_reports_role_the_pdf_is_not_there(world):
    build(world)
    assert web_client(world.volunteer_a).get(reverse("migration:reports_pdf")).status_code == 404


def test_lessons_learned_print_every_table_as_the_page_shows_it(world, cases_a):  # noqa: F811
    client = web_client(world.analyst_a)
    page = client.get(reverse("cases:lessons"), {"section": "all"})
    assert reverse("cases:lessons_pdf") in page.content.decode()  # the page's PDF button
    response = client.get(reverse("cases:lessons_pdf"))
    assert response.status_code == 200 and response["Cache-Control"] == "no-store"
    text = " ".join(read(response.content).text.split())
    cells = [
        text
        for f in page.context["figures"]
        for t in f["tables"]
        for r in t["body"]
        for _, text in r["cells"]
    ]
    assert "<11" in cells
    for cell in cells:
        assert cell in text, cell
    assert web_client(world.volunteer_a).get(reverse("cases:lessons_pdf")).status_code == 404
