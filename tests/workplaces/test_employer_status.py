"""Employers earn their status (docs/prevention.md, G-19, R-058, R-014): granted from evidence with a review
date, withdrawn only by a finding notified to the employer, never by a tip, which the employer cannot detect;
periodic returns with wages and training, on a schedule, with reminders."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from safepassage.audit.models import AuditEvent
from safepassage.notify.models import Notification
from safepassage.testing import api_client, web_client
from safepassage.workplaces import services, status_services
from safepassage.workplaces.models import EmployerStatus, ReturnReminder
from tests.workplaces.test_partner_blind import CSRF, _everything_the_partner_reads

pytestmark = pytest.mark.django_db
TODAY = date.today()


def _earn(world, mine):
    """Everything the criteria ask for: registered, a commitment kept, a clean inspection, training."""
    employer = mine.employer
    employer.registered = True
    employer.save(update_fields=["registered"])
    commitment = services.commitment_add(
        actor=world.coordinator_a,
        employer=employer,
        signed_on=TODAY - timedelta(days=200),
        text="No worker under 18; wages on time",
        signatories=["Owner"],
    )
    status_services.commitment_check(
        actor=world.caseworker_a, commitment=commitment, kept=True, checked_on=TODAY - timedelta(days=10)
    )
    services.observation_record(
        actor=world.caseworker_a,
        workplace=mine,
        observed_on=TODAY - timedelta(days=30),
        source="inspection",
        reliability="A",
        indicators=[],
    )
    services.submission_create(
        actor=world.users["employer_user"],
        workplace=mine,
        period="2026-Q1",
        vacancies={},
        workforce={},
        lowest_daily_wage=357,
        usual_daily_wage=380,
        wages_on_time=True,
        training_sessions=2,
        people_trained=40,
        training_topics="labour rights",
    )
    return employer


def _partner_reads(world, mine):
    """Every page and API answer the employer's own user can ask for, with the new standing and returns."""
    seen = _everything_the_partner_reads(world, mine)
    api = api_client(world.users["employer_user"])
    web = web_client(world.users["employer_user"])
    for path in (
        f"/api/v1/employers/{mine.employer_id}/standing",
        f"/api/v1/employers/{mine.employer_id}/returns",
    ):
        response = api.get(path)
        seen[path] = (response.status_code, response.content)
    for path in (f"/workplaces/employers/{mine.employer_id}/", "/notify/"):
        response = web.get(path)
        seen[path] = (response.status_code, CSRF.sub(rb"\1-", response.content))
    return seen


def test_the_status_is_granted_only_from_evidence_with_a_review_date(employer_world):
    world, mine, _ = employer_world
    with pytest.raises(ValidationError) as refused:
        status_services.employer_status_grant(actor=world.coordinator_a, employer=mine.employer)
    assert "Registered" in str(refused.value) and "Trains its workers" in str(refused.value)
    employer = _earn(world, mine)
    criteria = {c.code: c.met for c in status_services.employer_criteria(employer)}
    assert all(criteria.values()), criteria
    status_services.employer_status_grant(actor=world.coordinator_a, employer=employer, note="seminar 2026")
    employer.refresh_from_db()
    assert employer.status == EmployerStatus.GOOD
    assert (employer.status_from, employer.status_review_on) == (TODAY, TODAY + timedelta(days=365))
    event = AuditEvent.objects.filter(action="workplaces.employer.status_grant").get()
    assert event.object_id == str(employer.pk) and "seminar" not in str(event.changes)
    mine_seen = (
        api_client(world.users["employer_user"]).get(f"/api/v1/employers/{employer.pk}/standing").json()
    )
    assert mine_seen == {
        "employer_id": employer.pk,
        "status": "good",
        "status_from": TODAY.isoformat(),
        "status_review_on": (TODAY + timedelta(days=365)).isoformat(),
    }


def test_a_broken_commitment_or_a_recent_finding_bars_the_status(employer_world):
    world, mine, _ = employer_world
    employer = _earn(world, mine)
    services.commitment_add(
        actor=world.coordinator_a, employer=employer, signed_on=TODAY, text="Rest day", signatories=[]
    )
    broken = employer.commitments.get(text="Rest day")
    status_services.commitment_check(
        actor=world.coordinator_a, commitment=broken, kept=False, checked_on=TODAY
    )
    assert not {c.code: c.met for c in status_services.employer_criteria(employer)}["commitments"]
    broken.kept = True
    broken.save()
    status_services.employer_violation_add(
        actor=world.coordinator_a, employer=employer, found_on=TODAY - timedelta(days=400), law="Overtime"
    )
    with pytest.raises(ValidationError, match="No finding"):
        status_services.employer_status_grant(actor=world.coordinator_a, employer=employer)


def test_only_coordinators_decide_and_other_agencies_see_nothing(employer_world):
    world, mine, _ = employer_world
    employer = _earn(world, mine)
    with pytest.raises(PermissionDenied):
        status_services.employer_status_grant(actor=world.caseworker_a, employer=employer)
    for user in (world.coordinator_b, world.analyst_a, world.volunteer_a):
        assert api_client(user).get(f"/api/v1/employers/{employer.pk}/standing").status_code == 404
        assert web_client(user).get(f"/workplaces/employers/{employer.pk}/").status_code == 404
    partner_api = api_client(world.users["employer_user"])
    assert partner_api.post(f"/api/v1/employers/{employer.pk}/standing/grant", {}).status_code == 404
    partner_web = web_client(world.users["employer_user"])
    response = partner_web.post(f"/workplaces/employers/{employer.pk}/", {"action": "grant"})
    assert response.status_code == 404
    employer.refresh_from_db()
    assert employer.status == EmployerStatus.NONE
    staff = api_client(world.coordinator_a).post(
        f"/api/v1/employers/{employer.pk}/standing/grant", {"note": ""}
    )
    assert staff.status_code == 200 and staff.json()["status"] == "good"


def test_a_tip_alone_changes_nothing_the_employer_can_see(employer_world):
    world, mine, _ = employer_world
    employer = _earn(world, mine)
    status_services.employer_status_grant(actor=world.coordinator_a, employer=employer)
    status_services.return_schedule_set(
        actor=world.coordinator_a, employer=employer, every_months=3, starts_on=TODAY - timedelta(days=200)
    )
    status_services.return_reminders_send()
    before = _partner_reads(world, mine)
    assert before[f"/workplaces/employers/{employer.pk}/"][0] == 200
    assert b"Good employer" in before[f"/workplaces/employers/{employer.pk}/"][1]
    for reliability in ("A", "B"):
        services.observation_record(
            actor=world.caseworker_a,
            workplace=mine,
            observed_on=TODAY,
            source="tip",
            reliability=reliability,
            indicators=["debt_bondage", "child_workers", "withholding_of_wages"],
            text="Wages held back for three months.",
            informant="A worker's sister",
        )
    # The nightly jobs run after the tips: nothing they do may follow a tip.
    services.workplaces_rerate()
    status_services.employer_statuses_review()
    status_services.return_reminders_send()
    after = _partner_reads(world, mine)
    assert [path for path in before if before[path] != after[path]] == []
    employer.refresh_from_db()
    assert employer.status == EmployerStatus.GOOD
    staff = api_client(world.coordinator_a).get(f"/api/v1/employers/{employer.pk}/standing").json()
    assert staff["tips_since_status"] == 3  # the fixture's tip of today and these two: staff should inspect


def test_a_finding_withdraws_the_status_only_once_notified_to_the_employer(employer_world):
    world, mine, _ = employer_world
    employer = _earn(world, mine)
    status_services.employer_status_grant(actor=world.coordinator_a, employer=employer)
    before = _partner_reads(world, mine)
    finding = status_services.employer_violation_add(
        actor=world.caseworker_a,
        employer=employer,
        found_on=TODAY,
        law="Labour Protection Act s.70 (wages)",
        kind="inspection",
        case_reference="INS-7",
    )
    employer.refresh_from_db()
    assert employer.status == EmployerStatus.GOOD
    assert [p for p in before if before[p] != _partner_reads(world, mine)[p]] == []
    with pytest.raises(ValidationError):
        status_services.employer_finding_notified(
            actor=world.caseworker_a, finding=finding, notified_on=TODAY, notified_how=""
        )
    response = api_client(world.caseworker_a).post(
        f"/api/v1/employers/{employer.pk}/findings/{finding.pk}/notified",
        {"notified_on": TODAY.isoformat(), "notified_how": "Inspection report handed to the manager"},
    )
    assert response.status_code == 200 and response.json()["status"] == "withdrawn"
    employer.refresh_from_db()
    assert (employer.status, employer.status_from, employer.status_review_on) == ("withdrawn", TODAY, None)
    seen = api_client(world.users["employer_user"]).get(f"/api/v1/employers/{employer.pk}").json()
    assert seen["status"] == "withdrawn"
    assert seen["violations"] == [
        {
            "found_on": TODAY.isoformat(),
            "law": "Labour Protection Act s.70 (wages)",
            "outcome": "",
            "kind": "inspection",
            "notified_on": TODAY.isoformat(),
        }
    ]
    assert AuditEvent.objects.filter(action="workplaces.employer.status_withdraw").count() == 1


def test_a_labour_case_recorded_as_notified_withdraws_at_once(employer_world):
    world, mine, _ = employer_world
    employer = _earn(world, mine)
    status_services.employer_status_grant(actor=world.coordinator_a, employer=employer)
    response = api_client(world.coordinator_a).post(
        f"/api/v1/employers/{employer.pk}/violations",
        {
            "found_on": TODAY.isoformat(),
            "law": "Unpaid overtime",
            "kind": "labour_case",
            "case_reference": "C-2026-00042",
            "notified_on": TODAY.isoformat(),
            "notified_how": "Letter from the labour office",
        },
    )
    assert response.status_code == 201 and response.json()["status"] == "withdrawn"


def test_the_status_ends_on_its_review_date(employer_world):
    world, mine, _ = employer_world
    employer = _earn(world, mine)
    status_services.employer_status_grant(actor=world.coordinator_a, employer=employer)
    review = TODAY + timedelta(days=365)
    assert status_services.employer_statuses_review(today=review) == 0
    assert status_services.employer_statuses_review(today=review + timedelta(days=1)) == 1
    employer.refresh_from_db()
    assert (employer.status, employer.status_from) == (EmployerStatus.LAPSED, review)


def test_returns_carry_wages_and_training_on_a_schedule_with_reminders(employer_world):
    world, mine, _ = employer_world
    employer = mine.employer
    start = date(TODAY.year - 1, 1, 1)
    rows = api_client(world.coordinator_a).request(
        "PUT",
        f"/api/v1/employers/{employer.pk}/return-schedule",
        {"every_months": 3, "starts_on": start.isoformat(), "due_days": 15, "remind_days": 7},
    )
    assert rows.status_code == 200
    body = rows.json()
    assert body[0]["period"] == f"{TODAY.year}-Q{(TODAY.month + 2) // 3}" and body[0]["state"] == "open"
    assert {r["state"] for r in body[1:]} == {"overdue"}
    last = body[1]["period"]
    sent = status_services.return_reminders_send()
    assert sent >= 1
    assert (
        Notification.objects.filter(recipient=world.users["employer_user"], kind="return_due").count() == sent
    )
    assert not Notification.objects.exclude(recipient=world.users["employer_user"]).filter(kind="return_due")
    assert status_services.return_reminders_send() == 0  # each reminder once
    response = api_client(world.users["employer_user"]).post(
        f"/api/v1/workplaces/{mine.pk}/submissions",
        {
            "period": last,
            "lowest_daily_wage": 340,
            "usual_daily_wage": 357,
            "wages_on_time": False,
            "training_sessions": 1,
            "people_trained": 12,
            "training_topics": "safety at work",
        },
    )
    assert response.status_code == 201 and response.json()["people_trained"] == 12
    rows = api_client(world.users["employer_user"]).get(f"/api/v1/employers/{employer.pk}/returns").json()
    assert {r["state"] for r in rows if r["period"] == last} == {"received"}
    bad = api_client(world.users["employer_user"]).post(
        f"/api/v1/workplaces/{mine.pk}/submissions",
        {"period": last, "lowest_daily_wage": 400, "usual_daily_wage": 300},
    )
    assert bad.status_code == 400 and bad.json()["errors"][0]["field"] == "lowest_daily_wage"
    assert ReturnReminder.objects.filter(schedule__employer=employer).count() == sent
    page = (
        web_client(world.users["employer_user"]).get(f"/workplaces/employers/{employer.pk}/").content.decode()
    )
    assert "Overdue" in page and f"?period={last}" not in page and "Send it" in page


def test_a_return_is_sent_from_the_page_with_its_period(employer_world):
    world, mine, _ = employer_world
    web = web_client(world.users["employer_user"])
    form = web.get(f"/workplaces/{mine.pk}/report/?period=2026-Q2").content.decode()
    assert 'value="2026-Q2"' in form and "Workers trained" in form
    response = web.post(
        f"/workplaces/{mine.pk}/report/",
        {
            "period": "2026-Q2",
            "women": 1,
            "men": 1,
            "under_18": 0,
            "adults": 2,
            "documented": 2,
            "undocumented": 0,
            "health_cover": 2,
            "usual_daily_wage": 380,
            "wages_on_time": "true",
            "people_trained": 2,
        },
    )
    assert response.status_code == 302
    submission = mine.submissions.get()
    assert (submission.usual_daily_wage, submission.wages_on_time, submission.people_trained) == (
        380,
        True,
        2,
    )
