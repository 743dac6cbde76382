"""Consent withdrawn: in the migration channel (the registry person goes too, unless something else rests
on them, and the answer says what), for a whole case and for one referral (the receiving agencies lose
access at once, onward referrals too)."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from django.core.exceptions import ValidationError

from safepassage.accounts.models import Agency, Membership, User
from safepassage.audit.models import AuditEvent
from safepassage.cases import services as cases
from safepassage.cases.models import Referral
from safepassage.core.roles import Role
from safepassage.migration import services as migration
from safepassage.privacy.models import ErasureLog
from safepassage.registry.models import Person
from safepassage.registry.services import assessment_record
from safepassage.testing import api_client, directory_entry, open_case, web_client

pytestmark = pytest.mark.django_db
TODAY = date.today()


def channel(world):
    return migration.channel_create(
        actor=world.coordinator_a,
        name="Mae Ai – Bangkok",
        origin_area_code=world.district_1.code,
        destination_country="TH",
        destination_place="Bangkok",
        destination_organisation_id=directory_entry(world, world.agency_b).pk,
    )


def register(world, **person: Any):
    return migration.registration_create(
        actor=world.caseworker_a,
        channel=channel(world),
        purpose="work",
        travel_date=TODAY - timedelta(days=5),
        consent="person",
        person_fields={
            "given_name": "Nok",
            "birth_year": TODAY.year - 22,
            "village_code": world.village_1.code,
        }
        | person,
        phone="089 000 1111",
    )


def test_withdrawing_in_the_channel_erases_the_person_it_made(world):
    registration = register(world)
    person_id = registration.person_id

    answer = api_client(world.caseworker_a).post(
        f"/api/v1/migration/registrations/{registration.pk}/withdraw", {"reason": "changed her mind"}
    )

    assert answer.status_code == 200, answer.content
    body = answer.json()
    assert body["person_erased"] is True and body["person_kept_because"] == ""
    assert "Nok" not in answer.content.decode()
    person = Person.objects.get(pk=person_id)
    assert person.given_name == "" and person.erased_at is not None
    log = ErasureLog.objects.get(person_id=person_id)
    assert log.kind == "withdrawal" and log.reason == "consent_withdrawn"
    assert registration.pk in log.records["migration.registration"]


def test_withdrawing_keeps_a_person_assessed_elsewhere_and_says_why(world):
    registration = register(world)
    assessment_record(
        actor=world.volunteer_a, person=registration.person, assessed_on=TODAY, scores={"EDU-LANG": 2}
    )

    client = web_client(world.caseworker_a)
    page = client.post(
        f"/migration/registrations/{registration.pk}/do/withdraw/", {"reason": ""}, follow=True
    )

    assert Person.objects.get(pk=registration.person_id).given_name == "Nok"
    assert "assessed outside the channel" in page.content.decode()
    assert not ErasureLog.objects.exists()


def test_a_person_with_a_case_or_another_registration_is_kept(world):
    registration = register(world)
    open_case(world, given_name="Other")  # someone else's case does not count
    assert migration.withdrawal_keeps_person(registration) == ""
    cases.case_open(actor=world.caseworker_a, opened_on=TODAY, person=registration.person)
    assert "case" in migration.withdrawal_keeps_person(registration)


def agency_c(world) -> User:
    agency = Agency.objects.create(code="agency-c", name="Agency C", kind=Agency.Kind.NGO, country="TH")
    user = User.objects.create_user(username="caseworker_c", password="x")
    Membership.objects.create(user=user, agency=agency, role=Role.CASEWORKER)
    return user


def refer_on(world):
    """A refers the case to B, B accepts and refers it on to C, C accepts."""
    case = open_case(world, given_name="Hnin")
    first = cases.referral_create(
        actor=world.caseworker_a,
        case=case,
        to_organisation_id=directory_entry(world, world.agency_b).pk,
        purpose="legal_aid",
        consent="person",
        consent_on=date(2026, 1, 6),
    )
    cases.referral_respond(actor=world.caseworker_b, referral=first, accept=True)
    caseworker_c = agency_c(world)
    onward = cases.referral_create(
        actor=world.caseworker_b,
        case=case,
        to_organisation_id=directory_entry(world, caseworker_c.memberships.get().agency).pk,
        purpose="shelter",
        consent="person",
        consent_on=date(2026, 1, 7),
    )
    cases.referral_respond(actor=caseworker_c, referral=onward, accept=True)
    return case, first, onward, caseworker_c


def test_withdrawing_consent_for_a_case_ends_every_referral_at_once(world):
    case, first, _onward, caseworker_c = refer_on(world)
    for user in (world.caseworker_b, caseworker_c):
        assert api_client(user).get(f"/api/v1/cases/{case.pk}").status_code == 200

    answer = api_client(world.caseworker_a).post(f"/api/v1/cases/{case.pk}/withdraw-consent", {})

    assert answer.status_code == 200 and answer.json()["consent_withdrawn_on"] == TODAY.isoformat()
    for user in (world.caseworker_b, caseworker_c):
        assert api_client(user).get(f"/api/v1/cases/{case.pk}").status_code == 404
    assert set(Referral.objects.values_list("status", flat=True)) == {"revoked"}
    first.refresh_from_db()
    assert first.consent_withdrawn_on == TODAY
    assert AuditEvent.objects.filter(action="cases.case.consent_withdraw").count() == 1
    # A new referral needs a coordinator's override for the person's safety.
    with pytest.raises(ValidationError) as error:
        cases.referral_create(
            actor=world.caseworker_a,
            case=case,
            to_organisation_id=directory_entry(world, world.agency_b).pk,
            purpose="medical",
            consent="person",
            consent_on=TODAY,
        )
    assert "consent" in error.value.message_dict
    again = api_client(world.caseworker_a).post(f"/api/v1/cases/{case.pk}/withdraw-consent", {})
    assert again.status_code == 400
    assert (
        api_client(world.caseworker_b).post(f"/api/v1/cases/{case.pk}/withdraw-consent", {}).status_code
        == 404
    )


def test_the_receiving_agency_records_a_withdrawal_of_its_referral_and_loses_access(world):
    case, first, onward, caseworker_c = refer_on(world)

    answer = api_client(world.caseworker_b).post(f"/api/v1/referrals/{first.pk}/withdraw-consent", {})

    assert answer.status_code == 200 and answer.json()["status"] == "revoked"
    first.refresh_from_db()
    onward.refresh_from_db()
    assert first.consent_withdrawn_on == TODAY and onward.status == "revoked"
    for user in (world.caseworker_b, caseworker_c):
        assert api_client(user).get(f"/api/v1/cases/{case.pk}").status_code == 404
    assert api_client(world.caseworker_a).get(f"/api/v1/cases/{case.pk}").status_code == 200
    outsider = api_client(world.coordinator_b).post(f"/api/v1/referrals/{first.pk}/withdraw-consent", {})
    assert outsider.status_code in (400, 404)
