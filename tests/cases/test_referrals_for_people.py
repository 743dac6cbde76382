"""Referrals for people (issue 19, item 5): the form says who is on SafePassage, the reasons are the
network's, urgency stands out, and the receiving agency of an accepted referral works on what was shared:
services, notes, follow-ups and an onward referral, each resting on a referral and its consent. It never
reads more than before."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from safepassage.accounts.models import Agency, Membership, User
from safepassage.accounts.profiles import default_profile
from safepassage.audit.models import AuditEvent
from safepassage.cases import services
from safepassage.cases.models import CaseNote, FollowUp, Referral, SupportService
from safepassage.cases.selectors import RECEIVER_ADDS
from safepassage.cases.views import RECORDERS
from safepassage.testing import api_client, directory_entry, open_case, web_client

pytestmark = pytest.mark.django_db


def refer(world, case, to=None, actor=None, **overrides):
    values = {
        "to_organisation_id": (to or directory_entry(world, world.agency_b)).pk,
        "purpose": "shelter",
        "services": ["shelter", "psychosocial"],
        "consent": "person",
        "consent_on": date(2026, 1, 6),
        "details": "Needs a safe place tonight.",
        "urgent": True,
    }
    return services.referral_create(actor=actor or world.caseworker_a, case=case, **(values | overrides))


def agency_c(world, kind=Agency.Kind.NGO):
    """A third agency on SafePassage with one caseworker, Charlie."""
    agency = Agency.objects.create(
        code=f"agency-c-{kind}",
        name=f"Agency C ({kind})",
        kind=kind,
        country="TH",
        profile=default_profile(kind),
    )
    charlie = User.objects.create_user(username=f"charlie-{kind}", password="x" * 12)
    Membership.objects.create(user=charlie, agency=agency, role="caseworker")
    return agency, charlie


# ----------------------------------------------------------------------------------------------- the form


def test_the_referral_form_shows_who_is_on_safepassage_and_who_is_in_the_directory_only(world):
    case = open_case(world)
    on = directory_entry(world, world.agency_b)
    off = directory_entry(world, world.agency_a, kind="legal_aid", name="Lawyers for Migrants")
    employer = Agency.objects.create(code="fishco", name="Fish Co", kind=Agency.Kind.EMPLOYER, country="TH")
    directory_entry(world, employer)
    page = web_client(world.caseworker_a).get(reverse("cases:case_add", args=[case.pk, "referral"]))
    html = page.content.decode()
    members = html.index('optgroup label="On SafePassage')
    directory = html.index('optgroup label="Directory only')
    assert members < html.index(on.name) < directory < html.index(off.name)
    assert "Fish Co" not in html  # never to an employer
    assert "Agency A member" not in html  # nor to the agency's own office


def test_the_reasons_are_the_networks_and_each_maps_to_its_htcds_reason(world):
    case = open_case(world)
    html = web_client(world.caseworker_a).get(reverse("cases:case_add", args=[case.pk, "referral"])).content
    for reason in (
        "Shelter",
        "Medical care",
        "Legal aid",
        "psychosocial",
        "Family tracing",
        "Return home or repatriation",
        "Education or vocational training",
        "livelihood",
        "Protection and safety",
        "labour complaint",
        "Investigation",
    ):
        assert reason in html.decode(), reason
    shelter = refer(world, case)
    home = refer(world, case, purpose="repatriation")
    assert (shelter.reason, home.reason) == ("AdditionalServicesRequired", "MigrationOrChangeOfLocation")
    with pytest.raises(ValidationError) as error:
        refer(world, case, purpose="")
    assert "purpose" in error.value.message_dict


def test_urgency_stands_out_and_is_not_shaped_like_the_status(world):
    refer(world, open_case(world))
    html = web_client(world.caseworker_b).get(reverse("cases:referrals")).content.decode()
    assert '<span class="urgency urgency-high">Urgent</span>' in html
    assert '<span class="badge">urgent</span>' not in html
    assert "Shelter or a safe place to stay" in html and "asks for Shelter, Psychosocial support" in html


# ----------------------------------------------------------------------------------------------- receiving


def test_an_accepted_referral_lets_the_receiver_add_a_service_and_a_note_and_refer_on(world):
    """Acceptance: the referral is accepted, the receiver adds a service and a note and refers on."""
    case = open_case(world, given_name="Hnin", address="Room 4", health="Asthma")
    referral = refer(world, case)
    b = web_client(world.caseworker_b)
    b.post(reverse("cases:referral_answer", args=[referral.pk, "accept"]))
    referral.refresh_from_db()
    assert referral.status == "accepted"

    # The receiver sees what it was asked for, and the consent it works under.
    page = b.get(reverse("cases:case_detail", args=[case.pk])).content.decode()
    for text in (
        "Referred to you",
        "Shelter or a safe place to stay",
        "Psychosocial support",
        "The person agreed",
    ):
        assert text in page, text

    response = b.post(
        reverse("cases:case_add", args=[case.pk, "service"]),
        {"kind": "shelter", "status": "ongoing", "starts_on": "2026-01-07"},
    )
    assert response.status_code == 302
    service = SupportService.objects.get()
    assert service.via_referral == referral and service.recorded_by == world.caseworker_b

    response = b.post(
        reverse("cases:case_add", args=[case.pk, "note"]), {"text": "Settled in; sleeps badly."}
    )
    assert response.status_code == 302
    note = CaseNote.objects.get()
    assert (note.agency, note.via_referral) == (world.agency_b, referral)

    b.post(
        reverse("cases:case_add", args=[case.pk, "follow_up"]),
        {"kind": "call", "done_on": "2026-01-08", "wellbeing": "fair"},
    )
    assert FollowUp.objects.get().via_referral == referral

    agency, charlie = agency_c(world)
    office_c = directory_entry(world, agency)
    form = b.get(reverse("cases:case_add", args=[case.pk, "referral"])).content.decode()
    assert office_c.name in form and "Agency A member" not in form  # not back to the case's owner
    response = b.post(
        reverse("cases:case_add", args=[case.pk, "referral"]),
        {
            "to_organisation_id": office_c.pk,
            "purpose": "legal_aid",
            "services": ["legal_aid"],
            "consent": "person",
            "consent_on": "2026-01-08",
        },
    )
    assert response.status_code == 302
    onward = Referral.objects.get(to_agency=agency)
    assert (onward.parent, onward.from_agency, onward.case) == (referral, world.agency_b, case)

    # Each step is in the owner's trail, naming the referral and the consent it rests on.
    for action in ("cases.service.create", "cases.note.create", "cases.follow_up.create"):
        event = AuditEvent.objects.get(action=action)
        assert event.changes["referral"] == referral.pk and event.changes["consent"] == "person"
        assert event.agency == world.agency_a
    assert (
        AuditEvent.objects.get(action="cases.referral.create", object_id=str(onward.pk)).changes[
            "referred_on_from"
        ]
        == referral.pk
    )

    # The owner sees all of it; the onward agency sees the case once it accepts, and its own notes only.
    owner = web_client(world.caseworker_a).get(reverse("cases:case_detail", args=[case.pk])).content.decode()
    assert "Settled in; sleeps badly." in owner and "by Agency B, under a referral" in owner
    assert "Agency C" in owner and "referred on" in owner
    assert api_client(charlie).get(f"/api/v1/cases/{case.pk}").status_code == 404
    services.referral_respond(actor=charlie, referral=onward, accept=True)
    body = api_client(charlie).get(f"/api/v1/cases/{case.pk}").json()
    assert body["person"]["given_name"] == "Hnin" and body["referred"][0]["purpose"] == "legal_aid"
    assert api_client(charlie).get(f"/api/v1/cases/{case.pk}/notes").json() == []
    assert [
        n["text"] for n in api_client(world.caseworker_b).get(f"/api/v1/cases/{case.pk}/notes").json()
    ] == ["Settled in; sleeps badly."]


def test_the_receivers_add_pages_answer_only_for_an_accepted_referral(world):
    case = open_case(world)
    directory_entry(world, world.agency_b)
    b = web_client(world.caseworker_b)

    def statuses():
        return {
            kind: b.get(reverse("cases:case_add", args=[case.pk, kind])).status_code for kind in RECORDERS
        }

    assert set(statuses().values()) == {404}  # no referral
    referral = refer(world, case)
    assert set(statuses().values()) == {404}  # pending
    services.referral_respond(actor=world.caseworker_b, referral=referral, accept=True)
    accepted = statuses()
    assert (
        {k for k, v in accepted.items() if v == 200}
        == RECEIVER_ADDS
        == {"service", "note", "follow_up", "referral"}
    )
    assert {v for k, v in accepted.items() if k not in RECEIVER_ADDS} == {404}  # the case stays the owner's
    # Through the API too.
    api = api_client(world.caseworker_b)
    assert api.post(f"/api/v1/cases/{case.pk}/services", {"kind": "medical"}).status_code == 201
    assert api.post(f"/api/v1/cases/{case.pk}/notes", {"text": "Seen by the nurse."}).status_code == 201
    assert (
        api.post(f"/api/v1/cases/{case.pk}/follow-ups", {"kind": "call", "due_on": "2026-12-01"}).status_code
        == 201
    )
    assert (
        api.post(f"/api/v1/cases/{case.pk}/deadlines", {"what": "x", "due_on": "2026-03-01"}).status_code
        == 404
    )
    # Another agency, a volunteer of the receiving agency: nothing.
    _agency, charlie = agency_c(world)
    for user in (charlie, world.volunteer_b, world.admin_b):
        client = web_client(user)
        assert {
            client.get(reverse("cases:case_add", args=[case.pk, k])).status_code for k in RECEIVER_ADDS
        } == {404}

    services.referral_close(actor=world.caseworker_a, referral=referral, to="revoked", note="Moved.")
    assert set(statuses().values()) == {404}  # revoked: over at once


def test_a_rejected_referral_opens_nothing(world):
    case = open_case(world)
    referral = refer(world, case)
    services.referral_respond(actor=world.caseworker_b, referral=referral, accept=False, note="No room.")
    b = web_client(world.caseworker_b)
    assert {b.get(reverse("cases:case_add", args=[case.pk, k])).status_code for k in RECEIVER_ADDS} == {404}
    with pytest.raises(Exception):  # noqa: B017 - Http404
        services.service_add(actor=world.caseworker_b, case=case, kind="medical")


def test_referring_on_needs_consent_and_only_the_receivers_coordinator_overrides_it(world):
    case = open_case(world)
    referral = refer(world, case)
    services.referral_respond(actor=world.caseworker_b, referral=referral, accept=True)
    agency, _charlie = agency_c(world)
    office_c = directory_entry(world, agency)
    with pytest.raises(ValidationError) as error:
        refer(world, case, to=office_c, actor=world.caseworker_b, consent_on=None)
    assert "consent_on" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        refer(
            world, case, to=office_c, actor=world.caseworker_b, consent="override", override_reason="Danger."
        )
    assert "Only a coordinator" in error.value.message_dict["consent"][0]
    onward = refer(
        world, case, to=office_c, actor=world.coordinator_b, consent="override", override_reason="Danger."
    )
    assert onward.parent == referral and onward.consent == "override"
    with pytest.raises(ValidationError) as error:  # not back to the agency that has the case
        refer(world, case, to=directory_entry(world, world.agency_a), actor=world.caseworker_b)
    assert "to_organisation_id" in error.value.message_dict


def test_revoking_a_referral_revokes_those_made_on_from_it(world):
    case = open_case(world)
    referral = refer(world, case)
    services.referral_respond(actor=world.caseworker_b, referral=referral, accept=True)
    agency, charlie = agency_c(world)
    onward = refer(world, case, to=directory_entry(world, agency), actor=world.caseworker_b)
    services.referral_respond(actor=charlie, referral=onward, accept=True)
    assert api_client(charlie).get(f"/api/v1/cases/{case.pk}").status_code == 200
    # The receiver that referred on follows its onward referral and may withdraw it too.
    outgoing = api_client(world.caseworker_b).get("/api/v1/referrals?direction=outgoing").json()["items"]
    assert [r["id"] for r in outgoing] == [onward.pk]
    services.referral_close(
        actor=world.caseworker_a, referral=referral, to="revoked", note="Consent withdrawn."
    )
    onward.refresh_from_db()
    assert onward.status == "revoked"
    assert api_client(charlie).get(f"/api/v1/cases/{case.pk}").status_code == 404


def test_an_onward_referral_opens_no_more_than_the_referral_it_comes_from(world):
    police, officer = agency_c(world, kind=Agency.Kind.ENFORCEMENT)
    case = open_case(world, immigration_status="undocumented", address="Room 4")
    services.status_decide(
        actor=world.caseworker_a, case=case, status="ActualVictimOfTrafficking", decided_by_org="NGO"
    )
    referral = refer(
        world,
        case,
        to=directory_entry(world, police),
        purpose="investigation",
        consent_names_agency=True,
        consent_covers=["address"],
    )
    services.referral_respond(actor=officer, referral=referral, accept=True)
    ngo, charlie = agency_c(world)
    onward = refer(world, case, to=directory_entry(world, ngo), actor=officer, purpose="shelter")
    services.referral_respond(actor=charlie, referral=onward, accept=True)
    body = api_client(charlie).get(f"/api/v1/cases/{case.pk}").json()
    assert body["address"] == "Room 4"
    assert body["immigration_status"] == ""  # the police never read it, so nor does whom they refer to
    assert (
        "Documentation status"
        not in web_client(charlie).get(reverse("cases:case_detail", args=[case.pk])).content.decode()
    )


def test_the_receiver_reads_no_more_than_before(world):
    """What a receiving agency reads of the case is what it read before it could add anything."""
    case = open_case(world, address="Room 4", health="Asthma")
    services.note_add(actor=world.caseworker_a, case=case, text="The owner's own note.")
    refer(
        world,
        case,
        to=directory_entry(
            world, Agency.objects.create(code="x", name="X", kind="ngo", country="TH", profile="ngo")
        ),
    )
    referral = refer(world, case)
    services.referral_respond(actor=world.caseworker_b, referral=referral, accept=True)
    body = api_client(world.caseworker_b).get(f"/api/v1/cases/{case.pk}").json()
    assert body["referrals"] == [] and body["viewed_by"] == []
    assert {"report", "intake_id", "urgency", "caseworker_id"}.isdisjoint(body)
    page = web_client(world.caseworker_b).get(reverse("cases:case_detail", args=[case.pk])).content.decode()
    assert "The owner&#x27;s own note." not in page and "The owner's own note." not in page
    assert "Who opened this case" not in page
    assert not CaseNote.visible_to(world.caseworker_b).exists()
