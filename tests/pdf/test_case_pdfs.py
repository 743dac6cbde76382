"""The case summary and the repatriation packet as PDFs: only for who may read the case (404 otherwise),
each one an audited read, in the reader's language, names in their own script with its font embedded."""

from __future__ import annotations

from datetime import date

import pytest
from django.urls import reverse

from safepassage.audit.models import AuditEvent
from safepassage.cases import services
from safepassage.testing import api_client, open_case, web_client

from ..cases.test_case_services import _focal_point
from .reading import SCRIPTS, read

pytestmark = pytest.mark.django_db
THAI_NAME = "มยุรี"
BURMESE_SUMMARY = "သူမသည် အိမ်ပြန်လိုသည်။"


@pytest.fixture
def case(world):
    case = open_case(
        world,
        given_name=THAI_NAME,
        birth_year=2012,
        nationality="MM",
        address="12 Secret Lane",
        health="Asthma",
        consent_to_share=True,
    )
    services.best_interests_record(
        actor=world.caseworker_a,
        case=case,
        assessed_on=date(2026, 1, 25),
        assessor="S.",
        views="Wants to see her grandmother.",
        recommendation="return",
        family_traced=True,
        home_safe=True,
    )
    return case


@pytest.fixture
def repatriation(world, case):
    return services.repatriation_prepare(
        actor=world.caseworker_a,
        case=case,
        kind="cross_border",
        destination_country="MM",
        agreement_code="th-mm-2009",
        receiving_focal_point_id=_focal_point(world).pk,
        summary_language="my",
        translated_summary=BURMESE_SUMMARY,
    )


def _reads(case, what):
    return AuditEvent.objects.filter(action="cases.case.view", object_id=str(case.pk), changes__read=what)


def test_the_case_summary_prints_the_case_and_is_an_audited_read(world, case):
    client = web_client(world.caseworker_a)
    page = client.get(reverse("cases:case_detail", args=[case.pk])).content.decode()
    url = reverse("cases:case_summary_pdf", args=[case.pk])
    assert url in page  # the case page's button
    response = client.get(url)
    assert response.status_code == 200 and response["Cache-Control"] == "no-store"
    assert response["Content-Type"] == "application/pdf"
    document = read(response.content)
    assert case.reference in document.text and THAI_NAME in document.text
    assert document.embedded("NotoSansThai") and all(document.fonts.values())
    for private in ("12 Secret Lane", "Asthma"):
        assert private not in document.text
    assert _reads(case, "case summary PDF").filter(actor=world.caseworker_a).count() == 1


def test_another_agencys_case_is_not_there(world, case):
    url = reverse("cases:case_summary_pdf", args=[case.pk])
    assert web_client(world.caseworker_b).get(url).status_code == 404
    assert web_client(world.analyst_a).get(url).status_code == 404
    assert api_client(world.caseworker_b).get(f"/api/v1/cases/{case.pk}/summary.pdf").status_code == 404
    assert not _reads(case, "case summary PDF").exists()


def test_the_api_prints_the_summary_in_the_language_asked_for(world, case):
    response = api_client(world.caseworker_a).get(f"/api/v1/cases/{case.pk}/summary.pdf?lang=zh-hans")
    assert response.status_code == 200 and response["Content-Language"] == "zh-hans"
    document = read(response.content)
    assert SCRIPTS["zh-hans"][1].search(document.text.replace(THAI_NAME, ""))
    assert document.embedded("NotoSansCJKSC") and document.embedded("NotoSansThai")
    assert _reads(case, "case summary PDF").count() == 1


def test_the_packet_prints_what_the_receiving_side_gets_in_burmese(world, case, repatriation):
    client = web_client(world.caseworker_a)
    page = client.get(reverse("cases:case_detail", args=[case.pk])).content.decode()
    url = reverse("cases:packet_pdf", args=[case.pk, repatriation.pk])
    assert url in page
    document = read(client.get(url + "?lang=my").content)
    text = document.text
    assert THAI_NAME in text and case.reference in text
    assert SCRIPTS["my"][1].search(text) and document.embedded("NotoSansMyanmar")
    assert all(document.fonts.values())
    for private in ("12 Secret Lane", "Asthma"):
        assert private not in text
    events = AuditEvent.objects.filter(action="cases.repatriation.view", object_id=str(repatriation.pk))
    assert events.filter(actor=world.caseworker_a, changes__read="repatriation packet PDF").count() == 1


def test_the_packet_is_not_there_for_another_agency_nor_under_another_case(world, case, repatriation):
    other = open_case(world, given_name="Other")
    api = api_client(world.caseworker_b)
    assert api.get(f"/api/v1/cases/{case.pk}/repatriations/{repatriation.pk}/packet.pdf").status_code == 404
    mine = api_client(world.caseworker_a)
    assert mine.get(f"/api/v1/cases/{other.pk}/repatriations/{repatriation.pk}/packet.pdf").status_code == 404
    response = mine.get(f"/api/v1/cases/{case.pk}/repatriations/{repatriation.pk}/packet.pdf")
    assert response.status_code == 200 and read(response.content).pages >= 1
