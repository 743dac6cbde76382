"""Referrals: consent, and access that opens on acceptance, covers that case only, and ends on revocation."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.http import Http404

from safepassage.accounts.models import Agency
from safepassage.audit.models import AuditEvent
from safepassage.cases import services
from safepassage.cases.models import Case, Referral
from safepassage.registry.models import Person
from safepassage.testing import api_client, directory_entry, open_case

pytestmark = pytest.mark.django_db


def refer(world, case, **overrides):
    office_b = directory_entry(world, world.agency_b)
    values = {
        "to_organisation_id": office_b.pk,
        "reason": "AdditionalServicesRequired",
        "services": ["legal_aid"],
        "consent": "person",
        "consent_on": date(2026, 1, 6),
        "details": "Needs a lawyer who speaks Burmese.",
    }
    return services.referral_create(actor=world.caseworker_a, case=case, **(values | overrides))


def test_referral_opens_the_case_to_the_receiving_agency_only_while_accepted(world):
    case = open_case(world, given_name="Hnin", address="Room 4, Soi 7", health="Asthma")
    other = open_case(world, given_name="Other")
    referral = refer(world, case)
    b = api_client(world.caseworker_b)

    # Before acceptance: the inbox shows the referral but no personal data, and the case is closed to B.
    inbox = b.get("/api/v1/referrals?direction=incoming").json()["items"]
    assert [r["id"] for r in inbox] == [referral.pk]
    assert "Hnin" not in str(inbox) and "Soi 7" not in str(inbox)
    assert b.get(f"/api/v1/cases/{case.pk}").status_code == 404
    assert not Person.objects.visible_to(world.caseworker_b).filter(pk=case.person_id).exists()

    # Accepted: that case, with the person's identity; nothing else of agency A.
    assert b.post(f"/api/v1/referrals/{referral.pk}/accept", {"note": "We take it."}).status_code == 200
    seen = b.get(f"/api/v1/cases/{case.pk}")
    assert seen.status_code == 200
    body = seen.json()
    assert body["person"]["given_name"] == "Hnin" and body["address"] == "Room 4, Soi 7"
    assert body["access"] == "referral" and body["referrals"] == [] and body["viewed_by"] == []
    assert b.get(f"/api/v1/cases/{other.pk}").status_code == 404
    assert [c["id"] for c in b.get("/api/v1/cases").json()["items"]] == [case.pk]
    # Seeing is not changing.
    assert (
        b.post(f"/api/v1/cases/{case.pk}/deadlines", {"what": "x", "due_on": "2026-03-01"}).status_code == 404
    )

    # Revoked: nothing again.
    services.referral_close(
        actor=world.caseworker_a, referral=referral, to="revoked", note="Moved to a shelter."
    )
    assert b.get(f"/api/v1/cases/{case.pk}").status_code == 404
    assert b.get("/api/v1/cases").json()["items"] == []

    actions = list(
        AuditEvent.objects.filter(object_type="cases.referral", object_id=str(referral.pk))
        .order_by("at", "id")
        .values_list("action", flat=True)
    )
    assert actions == ["cases.referral.create", "cases.referral.accept", "cases.referral.revoke"]
    assert (
        AuditEvent.objects.filter(
            action="cases.case.view", object_id=str(case.pk), actor=world.caseworker_b
        ).count()
        == 1
    )


def test_completing_a_referral_ends_the_access_too(world):
    case = open_case(world)
    referral = refer(world, case)
    services.referral_respond(actor=world.coordinator_b, referral=referral, accept=True)
    assert Case.objects.visible_to(world.caseworker_b).filter(pk=case.pk).exists()
    services.referral_close(
        actor=world.caseworker_b, referral=referral, to="completed", note="Lawyer assigned."
    )
    assert not Case.objects.visible_to(world.caseworker_b).filter(pk=case.pk).exists()


def test_a_referral_needs_consent_or_a_coordinators_override_with_a_reason(world):
    case = open_case(world)
    with pytest.raises(ValidationError) as error:
        refer(world, case, consent="", consent_on=None)
    assert "consent" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        refer(world, case, consent="person", consent_on=None)
    assert "consent_on" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        refer(world, case, consent="override", consent_on=None, override_reason="Child in danger tonight.")
    assert "Only a coordinator" in error.value.message_dict["consent"][0]
    with pytest.raises(ValidationError) as error:
        services.referral_create(
            actor=world.coordinator_a,
            case=case,
            to_organisation_id=directory_entry(world, world.agency_b).pk,
            reason="Other",
            consent="override",
        )
    assert "override_reason" in error.value.message_dict
    assert not Referral.objects.exists()
    referral = services.referral_create(
        actor=world.coordinator_a,
        case=case,
        to_organisation_id=directory_entry(world, world.agency_b).pk,
        reason="Other",
        consent="override",
        override_reason="Child in danger tonight.",
    )
    assert referral.consent == "override"


def test_only_the_receiving_agency_answers_and_only_the_referring_agency_revokes(world):
    case = open_case(world)
    referral = refer(world, case)
    with pytest.raises(Http404):
        services.referral_respond(actor=world.caseworker_a, referral=referral, accept=True)
    with pytest.raises(Http404):
        services.referral_respond(actor=world.volunteer_b, referral=referral, accept=True)
    with pytest.raises(ValidationError) as error:
        services.referral_respond(actor=world.caseworker_b, referral=referral, accept=False)
    assert "note" in error.value.message_dict
    services.referral_respond(actor=world.caseworker_b, referral=referral, accept=True)
    with pytest.raises(ValidationError):
        services.referral_close(actor=world.caseworker_b, referral=referral, to="revoked", note="no")


def test_an_enforcement_agency_never_sees_documentation_status(world):
    police = Agency.objects.create(
        code="police", name="Police", kind=Agency.Kind.ENFORCEMENT, country="TH", profile="police"
    )
    from safepassage.accounts.models import Membership

    Membership.objects.create(user=world.outsider, agency=police, role="caseworker")
    case = open_case(world, immigration_status="undocumented", address="Room 4")
    services.status_decide(
        actor=world.caseworker_a, case=case, status="ActualVictimOfTrafficking", decided_by_org="NGO"
    )
    referral = refer(
        world,
        case,
        to_organisation_id=directory_entry(world, police).pk,
        consent_names_agency=True,
        consent_covers=["address"],
    )
    outsider = type(world.outsider).objects.get(pk=world.outsider.pk)
    services.referral_respond(actor=outsider, referral=referral, accept=True)
    body = api_client(outsider).get(f"/api/v1/cases/{case.pk}").json()
    assert body["address"] == "Room 4"
    assert body["immigration_status"] == ""
    owner = api_client(world.caseworker_a).get(f"/api/v1/cases/{case.pk}").json()
    assert owner["immigration_status"] == "undocumented"
    assert [v["user"] for v in owner["viewed_by"]] == ["caseworker_a", "outsider"]


def test_no_referral_to_your_own_agency_or_to_an_employer(world):
    case = open_case(world)
    with pytest.raises(ValidationError) as error:
        refer(world, case, to_organisation_id=directory_entry(world, world.agency_a).pk)
    assert "own agency" in error.value.message_dict["to_organisation_id"][0]
    employer = Agency.objects.create(code="fishco", name="Fish Co", kind=Agency.Kind.EMPLOYER, country="TH")
    with pytest.raises(ValidationError):
        refer(world, case, to_organisation_id=directory_entry(world, employer).pk)
