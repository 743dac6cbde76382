"""What a phone shows holds no name, place or story: every kind of notification, raised by the real services
from records full of marker words, renders to a fixed sentence, a reference and a link only."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.utils import timezone

from safepassage.cases import services as case_services
from safepassage.cases.models import CaseAlert, Referral
from safepassage.core.notices import NoticeKind
from safepassage.migration import services as migration_services
from safepassage.notify import texts
from safepassage.notify.models import Notification
from safepassage.registry import services as registry_services
from safepassage.registry.models import Person
from safepassage.testing import directory_entry, open_case
from tests.migration.test_channel_services import channel_ab, register

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()
MARKERS = ("Wanpen", "Saengdao", "Moonlight", "beaten", "lawyer", "Soi Seven", "0899999999", "scars")


def _raise_every_kind(world) -> None:
    # An urgent report whose story, teller and place are full of markers.
    case_services.intake_record(
        actor=world.volunteer_a,
        channel="volunteer",
        urgency="immediate",
        summary="Wanpen Saengdao was beaten at Moonlight, Soi Seven; scars on her arms.",
        notifier_name="Wanpen's aunt",
        notifier_contact="0899999999",
        area_code=world.village_1.code,
    )
    # A case of a child named with markers, a deadline and a referral that say more.
    case = open_case(world, given_name="Wanpen", address="Soi Seven, Moonlight", health="scars")
    case_services.deadline_add(
        actor=world.caseworker_a, case=case, what="Moonlight police: Wanpen's statement", due_on=TODAY
    )
    referral = case_services.referral_create(
        actor=world.caseworker_a,
        case=case,
        to_organisation_id=directory_entry(world, world.agency_b).pk,
        reason="AdditionalServicesRequired",
        services=["legal_aid"],
        consent="person",
        consent_on=date(2026, 1, 6),
        details="Wanpen Saengdao needs a lawyer; beaten at Moonlight.",
        urgent=True,
    )
    Referral.objects.filter(pk=referral.pk).update(created_at=timezone.now() - timedelta(days=10))
    raised = case_services.alerts_scan(today=TODAY + timedelta(days=1))
    assert raised["deadline"] == 1 and raised["referral"] == 1
    case_services.referral_respond(
        actor=world.caseworker_b, referral=referral, accept=False, note="Wanpen: no lawyer free."
    )
    # A red flag for a teenager named with markers, and a high-risk adult not re-assessed.
    teen = registry_services.person_create(
        actor=world.coordinator_a,
        village_code=world.village_1.code,
        given_name="Wanpen",
        family_name="Saengdao",
        sex="female",
        birth_year=TODAY.year - 15,
    )
    recorded = registry_services.assessment_record(
        actor=world.volunteer_a,
        person=teen,
        assessed_on=TODAY,
        scores={"MIG-ALONE": 3, "MIG-INTENT": 3, "EDU-SCHOOL": 3, "SOC-WORK": 3, "EDU-AWARE": 3},
    )
    assert recorded.alert is not None
    adult = registry_services.person_create(
        actor=world.coordinator_a, village_code=world.village_1.code, given_name="Saengdao", birth_year=1980
    )
    Person.objects.filter(pk=adult.pk).update(current_band="high", current_assessed_on=date(2020, 1, 1))
    assert registry_services.alerts_overdue_scan(today=TODAY) == 1
    # Someone on a safe-migration channel who has not arrived.
    channel = channel_ab(world, arrival_grace_days=1)
    register(
        world,
        channel,
        travel_date=TODAY - timedelta(days=10),
        expected_arrival=TODAY - timedelta(days=9),
        person_fields={
            "given_name": "Wanpen",
            "birth_year": TODAY.year - 22,
            "village_code": world.village_1.code,
        },
        phone="0899999999",
    )
    assert migration_services.alerts_scan(today=TODAY)["arrival"] == 1
    # An employer whose periodic return is overdue: its own user is reminded.
    from safepassage.accounts.models import Agency, Membership, User
    from safepassage.workplaces import services as workplace_services
    from safepassage.workplaces import status_services

    company = Agency.objects.create(code="moonlight", name="Moonlight", kind="employer", country="TH")
    boss = User.objects.create_user(username="moonlight_boss", password="x-long-password")
    Membership.objects.create(user=boss, agency=company, role="partner")
    employer = workplace_services.employer_create(
        actor=world.coordinator_a, legal_name="Moonlight, Soi Seven", partner_agency=company
    )
    workplace_services.workplace_create(
        actor=world.coordinator_a, name="Moonlight bar", sector="entertainment", employer_id=employer.pk
    )
    status_services.return_schedule_set(
        actor=world.coordinator_a, employer=employer, every_months=3, starts_on=TODAY - timedelta(days=200)
    )
    assert status_services.return_reminders_send(today=TODAY) >= 1


def test_every_kind_of_notification_says_what_happened_with_a_reference_and_a_link_only(world, settings):
    settings.NOTIFY_BASE_URL = "https://sp.example.org"
    _raise_every_kind(world)
    notifications = list(Notification.objects.all())
    assert {n.kind for n in notifications} == set(NoticeKind.values)
    for language in ("en", "th", "my"):
        for n in notifications:
            text = texts.message_text(kind=n.kind, reference=n.reference, link=n.link, language=language)
            assert n.reference in text and f"https://sp.example.org{n.link}" in text
            assert [m for m in MARKERS if m.lower() in text.lower()] == [], text
        digest = texts.digest_text(references=[n.reference for n in notifications], language=language)
        assert [m for m in MARKERS if m.lower() in digest.lower()] == [], digest
    # Each is a record's own reference or number, and a link to its page.
    assert {n.link.split("/")[1] for n in notifications} == {"cases", "risk", "migration", "workplaces"}


def test_the_referral_waiting_alert_is_raised_once_and_goes_when_the_referral_is_answered(world):
    case = open_case(world)
    referral = case_services.referral_create(
        actor=world.caseworker_a,
        case=case,
        to_organisation_id=directory_entry(world, world.agency_b).pk,
        reason="AdditionalServicesRequired",
        services=["legal_aid"],
        consent="person",
        consent_on=date(2026, 1, 6),
    )
    assert case_services.alerts_scan(today=TODAY)["referral"] == 0  # just sent
    Referral.objects.filter(pk=referral.pk).update(created_at=timezone.now() - timedelta(days=4))
    assert case_services.alerts_scan(today=TODAY)["referral"] == 1
    assert case_services.alerts_scan(today=TODAY)["referral"] == 0
    alert = CaseAlert.objects.get(kind="referral")
    assert set(alert.recipients.values_list("username", flat=True)) >= {"caseworker_a", "coordinator_a"}
    waiting = Notification.objects.filter(kind="referral_waiting")
    assert set(waiting.values_list("recipient__username", flat=True)) == {"coordinator_b", "caseworker_b"}
    case_services.referral_respond(actor=world.caseworker_b, referral=referral, accept=True)
    alert.refresh_from_db()
    assert alert.status == "resolved"
    answered = Notification.objects.filter(kind="referral_answered")
    assert "caseworker_a" in set(answered.values_list("recipient__username", flat=True))
