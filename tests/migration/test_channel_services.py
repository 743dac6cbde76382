"""The safe-migration channel: voluntary registration, tracing by schedule, consent withdrawal, problems
turned into evidence or cases, and the rule that nothing records a refusal to travel."""

from datetime import date, timedelta
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.http import Http404

from safepassage.accounts.models import Agency, Membership
from safepassage.audit.models import AuditEvent
from safepassage.cases.models import Case
from safepassage.migration import services
from safepassage.migration.models import (
    CheckIn,
    MigrationAlert,
    Registration,
    SiteRegistration,
)
from safepassage.testing import directory_entry
from safepassage.workplaces.services import recruiter_create, workplace_create

pytestmark = pytest.mark.django_db
TODAY = date.today()


def channel_ab(world, **overrides):
    """A channel run by agency A from district 1 to Bangkok, whose destination organisation is agency B."""
    values = {
        "name": "Mae Ai – Bangkok",
        "origin_area_code": world.district_1.code,
        "destination_country": "TH",
        "destination_place": "Bangkok",
        "destination_organisation_id": directory_entry(world, world.agency_b).pk,
    }
    return services.channel_create(actor=world.coordinator_a, **(values | overrides))


def register(world, channel, **overrides):
    values: dict[str, Any] = {
        "purpose": "work",
        "travel_date": TODAY - timedelta(days=20),
        "consent": "person",
        "person_fields": {
            "given_name": "Nok",
            "birth_year": TODAY.year - 22,
            "village_code": world.village_1.code,
        },
        "phone": "089 000 1111",
        "family_contact": "Mother, 081 222 3333",
        "documents": [{"kind": "ID card", "number": "1-2345-67890-12-1"}],
        "orientation": {"rights": True, "hotlines": True, "fees": True},
    }
    return services.registration_create(actor=world.caseworker_a, channel=channel, **(values | overrides))


def test_check_ins_follow_the_channels_schedule_and_missed_ones_alert_both_ends(world):
    channel = channel_ab(world, checkin_days=[7, 30])
    registration = register(world, channel)
    arrived = TODAY - timedelta(days=18)
    services.arrival_confirm(actor=world.caseworker_b, registration=registration, arrived_on=arrived)
    due = list(registration.checkins.filter(kind="scheduled").values_list("due_on", flat=True))
    assert due == [arrived + timedelta(days=7), arrived + timedelta(days=30)]
    # The clock is given to the scan: before the first due date nothing; after it, one alert, once.
    assert services.alerts_scan(today=arrived + timedelta(days=7))["missed"] == 0
    assert services.alerts_scan(today=arrived + timedelta(days=8))["missed"] == 1
    assert services.alerts_scan(today=arrived + timedelta(days=9))["missed"] == 0
    alert = MigrationAlert.objects.get(kind="missed")
    recipients = set(alert.recipients.values_list("username", flat=True))
    assert {"coordinator_a", "coordinator_b", "caseworker_a"} <= recipients
    first = registration.checkins.filter(kind="scheduled").order_by("due_on").first()
    services.checkin_record(
        actor=world.caseworker_b,
        registration=registration,
        checkin=first,
        done_on=TODAY,
        reached=True,
        pay_ok=True,
    )
    alert.refresh_from_db()
    assert alert.status == "resolved"


def test_a_changed_schedule_applies_to_later_arrivals(world):
    channel = channel_ab(world)
    assert channel.checkin_days == [14, 90, 180]
    services.channel_update(actor=world.coordinator_a, channel=channel, checkin_days=[3, 60])
    registration = register(world, channel)
    registration = services.arrival_confirm(
        actor=world.caseworker_a, registration=registration, arrived_on=TODAY - timedelta(days=1)
    )
    arrived_on = registration.arrived_on
    assert arrived_on is not None
    due = registration.checkins.filter(kind="scheduled").values_list("due_on", flat=True)
    assert sorted((d - arrived_on).days for d in due if d is not None) == [3, 60]


def test_arrival_not_confirmed_and_cannot_reach_escalate_after_their_days(world):
    channel = channel_ab(world, unreachable_days=10, arrival_grace_days=5)
    registration = register(
        world, channel, travel_date=TODAY - timedelta(days=10), expected_arrival=TODAY - timedelta(days=9)
    )
    assert services.alerts_scan(today=TODAY - timedelta(days=4))["arrival"] == 0
    assert services.alerts_scan(today=TODAY - timedelta(days=3))["arrival"] == 1
    services.checkin_record(
        actor=world.caseworker_a, registration=registration, done_on=TODAY - timedelta(days=2), reached=False
    )
    registration.refresh_from_db()
    assert registration.unreachable_since == TODAY - timedelta(days=2)
    assert services.alerts_scan(today=TODAY + timedelta(days=7))["unreachable"] == 0
    assert services.alerts_scan(today=TODAY + timedelta(days=8))["unreachable"] == 1


def test_withdrawing_consent_stops_tracing_and_erases_contacts_with_an_audit_event(world):
    channel = channel_ab(world)
    registration = register(world, channel)
    services.arrival_confirm(
        actor=world.caseworker_b, registration=registration, arrived_on=TODAY - timedelta(days=18)
    )
    services.consent_withdraw(
        actor=world.caseworker_a, registration=registration, reason="Does not want calls."
    )
    registration.refresh_from_db()
    assert registration.status == "withdrawn" and registration.tracing is False
    assert registration.phone == registration.family_contact == registration.messaging == ""
    assert registration.documents == []
    assert not registration.checkins.filter(done_on__isnull=True).exists()
    event = AuditEvent.objects.get(action="migration.registration.withdraw")
    assert set(event.changes["erased"]) == {"phone", "family_contact", "documents"}
    assert "089" not in str(event.changes) and "1-2345" not in str(event.changes)
    assert services.alerts_scan(today=TODAY + timedelta(days=400)) == {
        "arrival": 0,
        "missed": 0,
        "unreachable": 0,
    }
    with pytest.raises(ValidationError) as error:
        services.checkin_record(
            actor=world.caseworker_b, registration=registration, done_on=TODAY, reached=True
        )
    assert "registration" in error.value.message_dict


def test_no_status_or_code_path_records_a_refusal_to_travel(world):
    """PRODUCT.md rule 1: registration informs and traces; it never records 'not allowed to leave'."""
    refusal_words = ("deny", "denied", "refus", "block", "forbid", "reject", "ban", "stop", "not_allowed")
    for model in (Registration, CheckIn, SiteRegistration):
        for field in model._meta.get_fields():
            for value, _label in getattr(field, "choices", None) or []:
                assert not any(word in str(value).lower() for word in refusal_words), (
                    model,
                    field.name,
                    value,
                )
    assert not [name for name in dir(services) if any(word in name.lower() for word in refusal_words)]
    # A child who has not finished school is registered all the same, with counselling and a school referral.
    child = register(
        world,
        channel_ab(world),
        consent="guardian",
        completed_compulsory_education=False,
        person_fields={
            "given_name": "Fah",
            "birth_year": TODAY.year - 15,
            "village_code": world.village_1.code,
        },
    )
    assert child.status in ("registered", "travelling")
    counselling = child.counselling.get()
    assert counselling.back_to_school is True


def test_bad_input_names_the_field_and_stores_nothing(world):
    channel = channel_ab(world)
    unregistered = recruiter_create(actor=world.coordinator_a, name="Broker X")
    cases: list[tuple[dict[str, Any], str]] = [
        ({"consent": ""}, "consent"),
        ({"travel_date": TODAY - timedelta(days=90)}, "travel_date"),
        ({"destination_area_code": "99999999"}, "destination_area_code"),
        ({"recruiter_id": unregistered.pk}, "recruiter_id"),
        (
            {
                "person_fields": {
                    "given_name": "Kid",
                    "birth_year": TODAY.year - 14,
                    "village_code": world.village_1.code,
                }
            },
            "consent",
        ),
    ]
    for overrides, field in cases:
        with pytest.raises(ValidationError) as error:
            register(world, channel, **overrides)
        assert field in error.value.message_dict, (overrides, error.value.message_dict)
    assert not Registration.objects.exists()


def test_volunteers_register_in_their_villages_and_enforcement_agencies_see_nothing(world):
    channel = channel_ab(world)
    register(world, channel)
    with pytest.raises(ValidationError) as error:
        services.registration_create(
            actor=world.volunteer_a,
            channel=channel,
            purpose="work",
            travel_date=TODAY,
            consent="person",
            person_fields={"given_name": "Far", "birth_year": 1999, "village_code": world.village_2.code},
        )
    assert "village_code" in error.value.message_dict
    police = Agency.objects.create(
        code="police", name="Immigration police", kind="enforcement", country="TH", profile="immigration"
    )
    Membership.objects.create(user=world.outsider, agency=police, role="coordinator")
    channel.destination_organisation = directory_entry(world, police)
    channel.save()
    outsider = type(world.outsider).objects.get(pk=world.outsider.pk)
    assert not Registration.objects.visible_to(outsider).exists()
    assert Registration.objects.visible_to(world.caseworker_b).count() == 0  # B is no longer an end
    assert Registration.objects.visible_to(world.volunteer_a).count() == 1


def test_contacts_only_for_the_registering_and_destination_agencies(world):
    from safepassage.core.access import viewer_for
    from safepassage.migration.models import may_see_contacts

    origin_org = directory_entry(world, world.agency_b, kind="member", name="B origin office")
    channel = channel_ab(world, destination_organisation_id=None, origin_organisation_id=origin_org.pk)
    registration = register(world, channel)
    assert may_see_contacts(viewer_for(world.caseworker_a), registration)
    assert Registration.objects.visible_to(world.caseworker_b).filter(pk=registration.pk).exists()
    assert not may_see_contacts(viewer_for(world.caseworker_b), registration)


def test_a_problem_at_a_check_in_becomes_evidence_or_a_labour_case_linked_back(world):
    workplace = workplace_create(
        actor=world.coordinator_a, name="Orchard 9", sector="agriculture", lat=18.5, lon=99.0
    )
    registration = register(world, channel_ab(world), planned_workplace_id=workplace.pk)
    services.arrival_confirm(
        actor=world.caseworker_a, registration=registration, arrived_on=TODAY - timedelta(days=18)
    )
    checkin = services.checkin_record(
        actor=world.caseworker_a,
        registration=registration,
        done_on=TODAY,
        reached=True,
        pay_ok=False,
        problems=["withholding_of_wages", "unlawful_deposits", "housing"],
        notes="Two months unpaid; 3,000 baht deposit kept.",
    )
    observation = services.problem_to_observation(actor=world.coordinator_a, checkin=checkin)
    assert observation.workplace == workplace
    assert set(observation.indicators) == {"withholding_of_wages", "unlawful_deposits"}
    # No registration number and none of the worker's words outside the protected who-informed field.
    assert str(registration.pk) not in observation.text and "Nok" not in observation.text
    assert "unpaid" not in observation.text and "baht" not in observation.text
    assert observation.informant == "Two months unpaid; 3,000 baht deposit kept."
    case = services.problem_to_case(actor=world.caseworker_a, checkin=checkin)
    checkin.refresh_from_db()
    assert checkin.observation == observation and checkin.case == case
    assert case.track == "labour"
    assert set(case.screenings.get().labour_issues) == {"unpaid_wages", "irregular_deposit"}
    assert list(case.events.values_list("kind", flat=True)) == ["recruitment", "exploitation"]
    with pytest.raises(ValidationError):
        services.problem_to_case(actor=world.caseworker_a, checkin=checkin)
    assert Case.objects.count() == 1


def test_vacancies_need_a_registered_recruiter_and_placements_link_them(world):
    unregistered = recruiter_create(actor=world.coordinator_a, name="Broker X")
    with pytest.raises(ValidationError) as error:
        services.vacancy_create(
            actor=world.coordinator_a,
            recruiter_id=unregistered.pk,
            village_code=world.village_1.code,
            posted_on=TODAY,
            title="Packer",
        )
    assert "recruiter_id" in error.value.message_dict
    registered = recruiter_create(
        actor=world.coordinator_a,
        name="Licensed Agency",
        registered_on=TODAY,
        registration_office="Mae Ai district",
    )
    vacancy = services.vacancy_create(
        actor=world.coordinator_a,
        recruiter_id=registered.pk,
        village_code=world.village_1.code,
        posted_on=TODAY,
        title="Packer",
        places=5,
        fee_charged=True,
    )
    registration = register(world, channel_ab(world))
    services.placement_create(
        actor=world.caseworker_a, registration=registration, vacancy_id=vacancy.pk, placed_on=TODAY
    )
    registration.refresh_from_db()
    assert registration.recruiter == registered


def test_site_registration_traces_the_family_and_hands_over_to_a_case(world):
    site = services.site_registration_create(
        actor=world.caseworker_a,
        site_kind="market",
        site_name="Morning market",
        site_area_code=world.village_1.code,
        found_on=TODAY - timedelta(days=3),
        person_fields={"given_name": "Boy", "birth_year": TODAY.year - 12},
        employer="Noodle stall",
        origin_country="MM",
        family_contact="Uncle in Tachileik",
    )
    services.tracing_step_add(
        actor=world.caseworker_a,
        site=site,
        done_on=TODAY,
        action="Called the uncle",
        result="Mother found",
        tracing="found",
    )
    site.refresh_from_db()
    assert site.tracing == "found"
    case = services.site_hand_over(actor=world.caseworker_a, site=site, to="case")
    assert case.person == site.person
    with pytest.raises(Http404):
        services.site_hand_over(actor=world.caseworker_b, site=site, to="case")


def test_the_scan_command_raises_each_alert_once(world):
    from io import StringIO

    from django.core.management import call_command

    register(world, channel_ab(world, arrival_grace_days=1), expected_arrival=TODAY - timedelta(days=5))
    out = StringIO()
    call_command("migration", "scan", stdout=out)
    assert "arrival: 1" in out.getvalue()
    out = StringIO()
    call_command("migration", "scan", stdout=out)
    assert "arrival: 0" in out.getvalue()


def test_an_enforcement_agency_at_an_end_gets_404_on_individual_registrations(world):
    from safepassage.testing import api_client, web_client

    police = Agency.objects.create(
        code="police", name="Immigration police", kind="enforcement", country="TH", profile="immigration"
    )
    Membership.objects.create(user=world.outsider, agency=police, role="coordinator")
    channel = channel_ab(world, destination_organisation_id=directory_entry(world, police).pk)
    registration = register(world, channel)
    outsider = type(world.outsider).objects.get(pk=world.outsider.pk)
    assert api_client(outsider).get(f"/api/v1/migration/registrations/{registration.pk}").status_code == 404
    assert api_client(outsider).get("/api/v1/migration/registrations").json()["items"] == []
    assert web_client(outsider).get(f"/migration/registrations/{registration.pk}/").status_code == 404
    assert (
        api_client(world.caseworker_a).get(f"/api/v1/migration/registrations/{registration.pk}").status_code
        == 200
    )
