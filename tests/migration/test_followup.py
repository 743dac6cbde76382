"""Labour disputes and their escalation path (R-040); a returned worker's experience and reintegration in the
community (R-065, R-067). Issue 22 part 8."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.http import Http404

from safepassage.audit.models import AuditEvent
from safepassage.migration import followup
from safepassage.migration.models import DisputeLevel, LabourDispute, Registration
from safepassage.testing import web_client
from tests.migration.test_channel_services import channel_ab, register
from tests.migration.test_demo import demo_agencies as demo_agencies  # a fixture

pytestmark = pytest.mark.django_db
TODAY = date.today()


def test_the_escalation_levels_are_seeded_as_data_in_the_seeds_order():
    codes = list(DisputeLevel.objects.filter(active=True).values_list("code", flat=True))
    assert codes[:3] == ["community_staff", "village_committee", "employer_negotiation"]
    assert codes[-2:] == ["labour_inspector", "labour_court"]
    assert set(DisputeLevel.objects.filter(formal=True).values_list("code", flat=True)) == {
        "labour_inspector",
        "labour_court",
    }


def test_a_dispute_climbs_the_path_and_is_grouped_by_the_level_it_reached(world):
    registration = register(world, channel_ab(world))
    start = TODAY - timedelta(days=10)
    dispute = followup.dispute_open(
        actor=world.caseworker_a,
        registration=registration,
        opened_on=start,
        about=["unlawful_deposits", "breach_of_contract"],
        employer_name="Golden Garment",
        first_level="community_staff",
        handled_by="Ms Lan, community worker",
    )
    followup.dispute_escalate(
        actor=world.caseworker_b,
        dispute=dispute,
        level="township_government",
        taken_on=start + timedelta(days=3),
    )
    assert dispute.current_step is not None and dispute.current_step.level.code == "township_government"
    groups = followup.open_disputes_by_level(viewer=world.coordinator_a)
    assert [(g[0].code if g[0] else None, [d.pk for d in g[1]]) for g in groups] == [
        ("township_government", [dispute.pk])
    ]
    # a configured level reached later groups it again; a retired level cannot be used
    followup.dispute_escalate(actor=world.caseworker_a, dispute=dispute, level="labour_court", taken_on=TODAY)
    DisputeLevel.objects.filter(code="village_committee").update(active=False)
    with pytest.raises(ValidationError):
        followup.dispute_escalate(
            actor=world.caseworker_a, dispute=dispute, level="village_committee", taken_on=TODAY
        )
    with pytest.raises(ValidationError):  # no step before the dispute began
        followup.dispute_escalate(
            actor=world.caseworker_a,
            dispute=dispute,
            level="labour_court",
            taken_on=start - timedelta(days=1),
        )
    top = followup.open_disputes_by_level(viewer=world.coordinator_a)[0][0]
    assert top is not None and top.code == "labour_court"
    with pytest.raises(ValidationError):
        followup.dispute_close(
            actor=world.caseworker_a, dispute=dispute, status="resolved", closed_on=TODAY, outcome=""
        )
    followup.dispute_close(
        actor=world.caseworker_a,
        dispute=dispute,
        status="resolved",
        closed_on=TODAY,
        outcome="Deposit returned",
        amount_recovered=4500,
    )
    assert followup.open_disputes_by_level(viewer=world.coordinator_a) == []
    with pytest.raises(ValidationError):  # closed: no more steps
        followup.dispute_escalate(
            actor=world.caseworker_a, dispute=dispute, level="labour_court", taken_on=TODAY
        )
    assert AuditEvent.objects.filter(action="migration.dispute.escalate").count() == 3


def test_disputes_are_seen_only_where_the_registration_is(world):
    registration = register(world, channel_ab(world))
    with pytest.raises(ValidationError):
        followup.dispute_open(
            actor=world.caseworker_a, registration=registration, opened_on=TODAY, about=["nonsense"]
        )
    followup.dispute_open(
        actor=world.caseworker_a, registration=registration, opened_on=TODAY, about=["dismissal"]
    )
    assert followup.open_disputes_by_level(viewer=world.analyst_a) == []
    assert followup.open_disputes_by_level(viewer=world.users["outsider"]) == []
    with pytest.raises(Http404):
        followup.dispute_open(
            actor=world.analyst_a, registration=registration, opened_on=TODAY, about=["dismissal"]
        )


def test_a_returned_worker_tells_their_experience_and_is_followed_after_return(world):
    registration = register(world, channel_ab(world))
    interview = followup.return_interview_record(
        actor=world.caseworker_a,
        registration=registration,
        returned_on=TODAY - timedelta(days=2),
        why="escaped",
        paid_as_promised=False,
        problems=["withholding_of_wages", "retention_of_documents"],
        would_go_again="unsure",
        experience="They kept my passport for six months.",
        advice_for_others="Keep a copy of your contract.",
    )
    registration.refresh_from_db()
    assert registration.status == Registration.Status.RETURNED
    event = AuditEvent.objects.get(action="migration.return.interview")
    assert "passport" not in str(event.changes) and "contract" not in str(event.changes)
    assert interview.experience == "They kept my passport for six months."
    with pytest.raises(ValidationError):  # cannot come back before leaving
        followup.return_interview_record(
            actor=world.caseworker_a,
            registration=registration,
            returned_on=registration.travel_date - timedelta(days=1),
            why="chose",
        )
    step = followup.reintegration_add(
        actor=world.caseworker_a,
        registration=registration,
        kind="school",
        started_on=TODAY - timedelta(days=1),
    )
    followup.reintegration_follow_up(
        actor=world.caseworker_a,
        step=step,
        followed_up_on=TODAY,
        status="ongoing",
        back_in_child_labour=False,
    )
    step.refresh_from_db()
    assert (step.followed_up_on, step.back_in_child_labour) == (TODAY, False)
    with pytest.raises(ValidationError):
        followup.reintegration_add(
            actor=world.caseworker_a, registration=registration, kind="magic", started_on=TODAY
        )


def test_the_registration_page_records_a_dispute_and_a_return(world):
    registration = register(world, channel_ab(world))
    client = web_client(world.caseworker_a)
    url = f"/migration/registrations/{registration.pk}/"
    response = client.post(
        f"{url}after/dispute/",
        {
            "dispute-opened_on": TODAY.isoformat(),
            "dispute-about": ["withholding_of_wages"],
            "dispute-employer_name": "Pier 9",
            "dispute-first_level": "village_committee",
        },
    )
    assert response.status_code == 302
    dispute = LabourDispute.objects.get()
    client.post(
        f"{url}after/step/",
        {"dispute": dispute.pk, "step-level": "labour_inspector", "step-taken_on": TODAY.isoformat()},
    )
    page = client.get(url).content.decode()
    assert "Village committee" in page and "Labour inspector or labour office" in page
    assert "Pier 9" in client.get("/migration/disputes/").content.decode()
    client.post(
        f"{url}after/return/",
        {
            "return-returned_on": TODAY.isoformat(),
            "return-why": "contract_ended",
            "return-experience": "All fine",
        },
    )
    assert "All fine" in client.get(url).content.decode()
    # another agency's caseworker at neither end of the channel cannot write
    outsider = web_client(world.users["outsider"])
    assert outsider.post(f"{url}after/dispute/", {}).status_code == 404


def test_the_api_records_a_dispute_its_steps_and_a_return(world):
    from safepassage.testing import api_client

    registration = register(world, channel_ab(world))
    client = api_client(world.caseworker_b)  # the destination end
    base = f"/api/v1/migration/registrations/{registration.pk}"
    made = client.post(f"{base}/disputes", {"opened_on": str(TODAY), "about": ["unlawful_deposits"]})
    assert made.status_code == 201 and made.json()["level"] is None
    stepped = client.post(
        f"{base}/disputes/{made.json()['id']}/steps", {"level": "employer_visit", "taken_on": str(TODAY)}
    )
    assert stepped.status_code == 201 and stepped.json()["level"] == "employer_visit"
    assert client.get(f"{base}/disputes").json()[0]["steps"][0]["level"] == "employer_visit"
    assert client.get("/api/v1/migration/dispute-levels").json()[0]["code"] == "community_staff"
    back = client.post(f"{base}/return-interviews", {"returned_on": str(TODAY), "why": "chose"})
    assert back.status_code == 201
    assert api_client(world.analyst_a).get(f"{base}/disputes").status_code == 404
    bad = client.post(f"{base}/disputes", {"opened_on": str(TODAY), "about": []})
    assert bad.status_code == 400


def test_the_demo_has_disputes_up_the_path_and_returned_workers(demo_agencies):
    from safepassage.migration.demo import generate_followup, generate_migration
    from safepassage.migration.models import ReintegrationStep, ReturnInterview

    generate_migration(agencies=demo_agencies, count=30, today=TODAY)
    made = generate_followup(agencies=demo_agencies, today=TODAY)
    assert made["disputes"] >= 1 and made["returned"] >= 1
    assert LabourDispute.objects.filter(steps__isnull=False).exists()
    assert ReturnInterview.objects.count() == made["returned"] == ReintegrationStep.objects.count()
    assert not LabourDispute.objects.filter(steps__taken_on__gt=TODAY).exists()
    from safepassage.migration.models import RecruiterFlag

    assert RecruiterFlag.objects.count() == made["red_flags"] >= 1


def test_a_system_administrator_changes_the_escalation_path(world):
    sysadmin = world.users["sysadmin"]
    assert sysadmin.is_superuser
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        followup.level_save(actor=world.coordinator_a, code="ombudsman", name="Ombudsman", order=65)
    client = web_client(sysadmin)
    response = client.post(
        "/migration/disputes/",
        {
            "level-code": "ombudsman",
            "level-name": "Ombudsman",
            "level-order": "65",
            "level-formal": "on",
            "level-active": "on",
        },
    )
    assert response.status_code == 302
    codes = list(DisputeLevel.objects.filter(active=True).values_list("code", flat=True))
    assert codes[-3:] == ["labour_inspector", "ombudsman", "labour_court"]
    assert (
        web_client(world.coordinator_a).post("/migration/disputes/", {"level-code": "x"}).status_code == 404
    )


def test_erasing_the_person_blanks_their_words_after_return(world):
    from safepassage.migration.models import ReintegrationStep, ReturnInterview
    from safepassage.privacy.services import erase_person

    registration = register(world, channel_ab(world))
    followup.return_interview_record(
        actor=world.caseworker_a,
        registration=registration,
        returned_on=TODAY,
        why="chose",
        experience="My boss was Mr X",
        advice_for_others="Ask Ms Y",
    )
    followup.reintegration_add(
        actor=world.caseworker_a,
        registration=registration,
        kind="school",
        started_on=TODAY,
        note="At Z school",
    )
    dispute = followup.dispute_open(
        actor=world.caseworker_a, registration=registration, opened_on=TODAY, about=["dismissal"]
    )
    followup.dispute_escalate(
        actor=world.caseworker_a,
        dispute=dispute,
        level="village_committee",
        taken_on=TODAY,
        handled_by="Mr W",
    )
    erase_person(actor=world.coordinator_a, person=registration.person, reason="person_asked")
    interview = ReturnInterview.objects.get()
    assert (interview.experience, interview.advice_for_others, interview.why) == ("", "", "chose")
    assert ReintegrationStep.objects.get().note == ""
    assert dispute.steps.get().handled_by == ""
