"""The case pages as a caseworker uses them: log a call, open a case, record, refer; who sees what."""

from datetime import date

import pytest
from django.urls import reverse

from safepassage.audit.models import AuditEvent
from safepassage.cases import services
from safepassage.cases.models import Case, IntakeReport
from safepassage.testing import directory_entry, open_case, web_client

pytestmark = pytest.mark.django_db


def test_call_log_to_case_to_next_stage(world):
    client = web_client(world.caseworker_a)
    response = client.post(
        reverse("cases:intake_new"),
        {
            "channel": "call",
            "summary": "A girl from Mae Ai called: her cousin was taken to work in a bar.",
            "area_code": world.village_1.code,
            "people_involved": 1,
            "child_involved": "on",
            "notifier_name": "Cousin Fon",
        },
    )
    report = IntakeReport.objects.get()
    assert response.status_code == 302
    page = client.get(reverse("cases:intake_detail", args=[report.pk])).content.decode()
    assert "Cousin Fon" in page
    response = client.post(
        reverse("cases:case_new") + f"?intake={report.pk}",
        {
            "opened_on": "2026-01-05",
            "given_name": "Dao",
            "sex": "female",
            "birth_year": 2011,
            "village_code": world.village_1.code,
            "intake": report.pk,
        },
    )
    case = Case.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse(
        "cases:case_detail", args=[case.pk]
    )
    assert case.intake == report
    response = client.post(
        reverse("cases:case_add", args=[case.pk, "screening"]),
        {
            "screened_on": "2026-01-06",
            "age_at_exploitation": 14,
            "acts": ["recruitment"],
            "purposes": ["sexual"],
        },
    )
    assert response.status_code == 302
    response = client.post(
        reverse("cases:case_add", args=[case.pk, "step"]),
        {"stage_code": "screening", "started_on": "2026-01-04"},
    )
    assert response.status_code == 200  # before the current stage's date: the form says why
    assert "before the case entered its current stage" in response.content.decode()
    client.post(
        reverse("cases:case_add", args=[case.pk, "step"]),
        {"stage_code": "shelter", "started_on": "2026-01-07"},
    )
    case.refresh_from_db()
    assert case.stage.code == "shelter"
    page = client.get(reverse("cases:case_detail", args=[case.pk])).content.decode()
    assert "Act and exploitation of a child" in page
    assert "caseworker_a" in page  # the "who opened this case" list
    assert AuditEvent.objects.filter(action="cases.case.view", object_id=str(case.pk)).count() == 1


def test_case_pages_are_not_there_for_volunteers_analysts_or_other_agencies(world):
    case = open_case(world)
    for persona in ("volunteer_a", "analyst_a", "partner_a", "admin_a", "caseworker_b"):
        client = web_client(world.users[persona])
        assert client.get(reverse("cases:case_detail", args=[case.pk])).status_code == 404, persona
    assert web_client(world.volunteer_a).get(reverse("cases:case_list")).status_code == 404
    assert web_client(world.volunteer_a).get(reverse("cases:intake_list")).status_code == 200


def test_referral_inbox_shows_no_personal_data_until_accepted(world):
    case = open_case(world, given_name="Hnin")
    referral = services.referral_create(
        actor=world.caseworker_a,
        case=case,
        to_organisation_id=directory_entry(world, world.agency_b).pk,
        reason="AdditionalServicesRequired",
        services=["legal_aid"],
        consent="person",
        consent_on=date(2026, 1, 6),
    )
    client = web_client(world.caseworker_b)
    inbox = client.get(reverse("cases:referrals")).content.decode()
    assert case.reference in inbox and "Hnin" not in inbox
    response = client.post(reverse("cases:referral_answer", args=[referral.pk, "accept"]))
    assert response["Location"] == reverse("cases:case_detail", args=[case.pk])
    page = client.get(response["Location"]).content.decode()
    assert "Hnin" in page and "referred to your agency" in page
    assert "Who opened this case" not in page


def test_the_notifier_is_hidden_from_other_readers(world):
    report = services.intake_record(
        actor=world.volunteer_a,
        channel="volunteer",
        summary="Strangers asking about girls for work in the city.",
        notifier_name="Aunt Mali",
        area_code=world.village_1.code,
    )
    # The coordinator of the agency sees it; a caseworker of the agency sees it; the report stays in agency A.
    assert (
        "Aunt Mali"
        in web_client(world.coordinator_a)
        .get(reverse("cases:intake_detail", args=[report.pk]))
        .content.decode()
    )
    assert (
        web_client(world.coordinator_b).get(reverse("cases:intake_detail", args=[report.pk])).status_code
        == 404
    )
    assert AuditEvent.objects.filter(action="cases.intakereport.view", object_id=str(report.pk)).count() == 1
