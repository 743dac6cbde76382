"""The directory's writes: who may change what, bad input refused whole, every change audited and masked."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from safepassage.audit.models import AuditEvent
from safepassage.audit.services import MASK
from safepassage.network import services
from safepassage.network.models import (
    Committee,
    CommitteeMember,
    FocalPoint,
    Hotline,
    Organisation,
    Responder,
    Training,
)

pytestmark = pytest.mark.django_db
TODAY = date.today()


def test_a_coordinator_adds_a_responder_kept_by_their_agency_and_the_trail_hides_the_contacts(
    world, directory
):
    responder = services.responder_create(
        actor=world.coordinator_b,
        organisation_id=directory.centre.pk,  # another agency's organisation: the directory is shared
        name="  Nang Aye  ",
        role_type="interpreter",
        phone="+66 81 234 5678",
        email="aye@example.org",
        messaging="LINE: aye.k",
        languages=["MY", "shn", "my"],
        expertise=["interpretation", "child_protection"],
        area_codes=["5002", "50020101"],
        username="volunteer_b",
    )
    responder.refresh_from_db()
    assert responder.agency == world.agency_b
    assert responder.name == "Nang Aye"
    assert responder.languages == ["my", "shn"]
    assert responder.expertise == ["child_protection", "interpretation"]
    assert sorted(a.code for a in responder.areas.all()) == ["5002", "50020101"]
    assert responder.user == world.volunteer_b
    event = AuditEvent.objects.get(action="network.responder.create", object_id=str(responder.pk))
    assert event.agency_id == world.agency_b.pk
    assert event.changes["phone"] == event.changes["email"] == event.changes["messaging"] == MASK
    assert "5678" not in str(event.changes) and "aye@example.org" not in str(event.changes)
    assert event.changes["areas"] == ["5002", "50020101"]


def test_bad_input_names_every_field_and_stores_nothing(world, directory):
    before = (Responder.objects.count(), AuditEvent.objects.count())
    with pytest.raises(ValidationError) as caught:
        services.responder_create(
            actor=world.coordinator_a,
            organisation_id=999_999,
            name=" ",
            role_type="sheriff",
            email="not-an-address",
            phone="call me",
            languages=["Burmese language"],
            expertise=["magic"],
            area_codes=["50010101", "nowhere"],
            availability="sometimes",
            country="Thailand",
            username="nobody-by-this-name",
        )
    assert set(caught.value.message_dict) == {
        "organisation_id",
        "name",
        "role_type",
        "email",
        "phone",
        "languages",
        "expertise",
        "area_codes",
        "availability",
        "country",
        "username",
    }
    assert "nowhere" in caught.value.message_dict["area_codes"][0]
    assert (Responder.objects.count(), AuditEvent.objects.count()) == before


def test_only_the_keeping_agencys_coordinators_and_administrators_change_an_entry(world, directory):
    with pytest.raises(PermissionDenied):
        services.responder_create(
            actor=world.caseworker_a, organisation_id=directory.centre.pk, name="X", role_type="police"
        )
    with pytest.raises(PermissionDenied):
        services.organisation_create(actor=world.volunteer_a, name="X", kind="ngo")
    with pytest.raises(PermissionDenied):
        services.responder_update(actor=world.coordinator_b, responder=directory.village, name="Renamed")
    with pytest.raises(PermissionDenied):
        services.training_add(
            actor=world.admin_b,
            responder=directory.village,
            course="Victim identification",
            completed_on=TODAY,
        )
    services.responder_update(actor=world.admin_a, responder=directory.village, availability="on_call")
    directory.village.refresh_from_db()
    assert directory.village.availability == "on_call"


def test_an_update_changes_only_what_is_given_and_records_the_difference(world, directory):
    responder = directory.village
    services.responder_update(
        actor=world.coordinator_a,
        responder=responder,
        phone="089 999 0000",
        area_codes=["50010101", "50010102"],
        availability="busy",
        available_note="At a training until Friday",
    )
    responder.refresh_from_db()
    assert responder.name == "Vee Village" and responder.languages == ["th", "my"]
    assert sorted(a.code for a in responder.areas.all()) == ["50010101", "50010102"]
    event = AuditEvent.objects.filter(action="network.responder.update").latest("id")
    assert event.changes["phone"] == MASK
    assert event.changes["availability"] == ["available", "busy"]
    assert event.changes["areas"] == [["50010101"], ["50010101", "50010102"]]
    with pytest.raises(ValidationError) as caught:
        services.responder_update(actor=world.coordinator_a, responder=responder, name="", area_codes=["x"])
    assert set(caught.value.message_dict) == {"name", "area_codes"}
    responder.refresh_from_db()
    assert responder.name == "Vee Village"


def test_a_training_is_completed_in_the_past_and_expires_after_it(world, directory):
    with pytest.raises(ValidationError) as caught:
        services.training_add(
            actor=world.coordinator_a,
            responder=directory.village,
            course="Victim identification",
            completed_on=TODAY + timedelta(days=1),
        )
    assert set(caught.value.message_dict) == {"completed_on"}
    with pytest.raises(ValidationError) as caught:
        services.training_add(
            actor=world.coordinator_a,
            responder=directory.village,
            course=" ",
            completed_on=TODAY,
            expires_on=TODAY - timedelta(days=1),
        )
    assert set(caught.value.message_dict) == {"course", "expires_on"}
    assert Training.objects.count() == 0
    training = services.training_add(
        actor=world.coordinator_a,
        responder=directory.village,
        course="Child-friendly interviewing",
        provider="Provincial Centre",
        completed_on=TODAY - timedelta(days=30),
        expires_on=TODAY + timedelta(days=700),
    )
    assert list(directory.village.trainings.all()) == [training]
    assert AuditEvent.objects.filter(action="network.training.add").count() == 1


def test_organisations_are_checked_and_a_shelters_address_stays_out_of_the_trail(world, directory):
    with pytest.raises(ValidationError) as caught:
        services.organisation_create(
            actor=world.coordinator_a,
            name="Legal aid",
            kind="law_firm",
            services=["everything"],
            area_code="nowhere",
            member_agency_code="nope",
        )
    assert set(caught.value.message_dict) == {"kind", "services", "area_code", "member_agency_code"}
    event = AuditEvent.objects.get(action="network.organisation.create", object_id=str(directory.shelter.pk))
    assert event.changes["address"] == MASK and "Hidden" not in str(event.changes)
    services.organisation_update(
        actor=world.coordinator_a,
        organisation=directory.centre,
        area_code="5001",
        member_agency_code="agency-a",
        services=["shelter", "child_protection"],
    )
    directory.centre.refresh_from_db()
    assert directory.centre.area.code == "5001" and directory.centre.member_agency == world.agency_a
    assert directory.centre.services == ["child_protection", "shelter"]
    services.organisation_update(actor=world.coordinator_a, organisation=directory.centre, area_code="")
    directory.centre.refresh_from_db()
    assert directory.centre.area is None
    assert Organisation.objects.count() == 2


def test_committee_seats_are_set_changed_and_removed(world, directory):
    committee = services.committee_create(
        actor=world.coordinator_a, name="District 1 MDT", kind="mdt", area_code="5001", meets="Every Monday"
    )
    seat, created = services.committee_seat_set(
        actor=world.coordinator_a, committee=committee, responder_id=directory.district.pk, seat="chair"
    )
    assert created and seat.seat == "chair"
    seat, created = services.committee_seat_set(
        actor=world.coordinator_a, committee=committee, responder_id=directory.district.pk, seat="member"
    )
    assert not created and CommitteeMember.objects.get().seat == "member"
    with pytest.raises(ValidationError) as caught:
        services.committee_seat_set(
            actor=world.coordinator_a,
            committee=committee,
            responder_id=directory.inactive.pk,
            seat="king",
            since=TODAY + timedelta(days=3),
        )
    assert set(caught.value.message_dict) == {"responder_id", "seat", "since"}
    with pytest.raises(PermissionDenied):
        services.committee_seat_set(
            actor=world.coordinator_b, committee=committee, responder_id=directory.village.pk
        )
    services.committee_seat_remove(
        actor=world.coordinator_a, committee=committee, responder_id=directory.district.pk
    )
    assert not committee.seats.exists()
    with pytest.raises(ValidationError):
        services.committee_seat_remove(
            actor=world.coordinator_a, committee=committee, responder_id=directory.district.pk
        )
    actions = list(
        AuditEvent.objects.filter(object_type="network.committee").values_list("action", flat=True)
    )
    assert sorted(actions) == sorted(
        [
            "network.committee.create",
            "network.committee.seat",
            "network.committee.seat",
            "network.committee.unseat",
        ]
    )
    with pytest.raises(ValidationError) as caught:
        services.committee_create(actor=world.coordinator_a, name="", kind="club")
    assert set(caught.value.message_dict) == {"name", "kind"}
    assert Committee.objects.count() == 1


def test_a_focal_points_country_must_be_party_to_its_agreement(world, directory):
    with pytest.raises(ValidationError) as caught:
        services.focal_point_create(
            actor=world.coordinator_a,
            country="LA",
            purpose="repatriation",
            responder_id=directory.anywhere.pk,
            agreement_code="th-mm-2009",
        )
    assert "agreement_code" in caught.value.message_dict
    focal_point = services.focal_point_create(
        actor=world.coordinator_a,
        country="la",
        purpose="repatriation",
        responder_id=directory.anywhere.pk,
        agreement_code="th-la-2005",
    )
    assert focal_point.agreement is not None
    assert (focal_point.country, focal_point.agreement.code) == ("LA", "th-la-2005")
    with pytest.raises(ValidationError) as caught:
        services.focal_point_update(actor=world.coordinator_a, focal_point=focal_point, country="KH")
    assert "country" in caught.value.message_dict
    services.focal_point_update(
        actor=world.coordinator_a, focal_point=focal_point, country="KH", agreement_code="th-kh-2003"
    )
    assert FocalPoint.objects.get().country == "KH"


def test_hotlines_are_seeded_and_kept_by_system_administrators_only(world):
    assert set(Hotline.objects.filter(country="TH").values_list("number", flat=True)) >= {
        "1300",
        "1506",
        "191",
    }
    with pytest.raises(PermissionDenied):
        services.hotline_create(
            actor=world.admin_a, country="TH", number="1111", name="Government call centre"
        )
    hotline = services.hotline_create(
        actor=world.sysadmin, country="th", number="1111", name="Government call centre", languages=["th"]
    )
    assert hotline.country == "TH"
    with pytest.raises(ValidationError) as caught:
        services.hotline_create(actor=world.sysadmin, country="TH", number="1300", name="Duplicate")
    assert set(caught.value.message_dict) == {"number"}
    with pytest.raises(ValidationError) as caught:
        services.hotline_update(actor=world.sysadmin, hotline=hotline, number="call us", name="")
    assert set(caught.value.message_dict) == {"number", "name"}
    services.hotline_update(actor=world.sysadmin, hotline=hotline, hours="08:00-20:00")
    hotline.refresh_from_db()
    assert hotline.hours == "08:00-20:00"
    assert AuditEvent.objects.filter(action__startswith="network.hotline.").count() == 2


def test_the_directory_command_loads_hotlines_and_agreements_all_or_nothing(world, tmp_path):
    import json

    from django.core.management import CommandError, call_command

    from safepassage.network.models import Agreement

    good = {
        "hotlines": [
            {"country": "TH", "number": "1300", "name": "Prachabodi Centre 1300", "hours": "24 hours"},
            {"country": "LA", "number": "1362", "name": "Lao women's union hotline", "languages": ["lo"]},
        ],
        "agreements": [{"code": "th-cn-2023", "name": "Thailand–China MOU", "countries": ["TH", "CN"]}],
    }
    path = tmp_path / "directory.json"
    path.write_text(json.dumps(good), encoding="utf-8")
    call_command("directory", "load", str(path))
    assert Hotline.objects.get(country="LA", number="1362").languages == ["lo"]
    assert Agreement.objects.get(code="th-cn-2023").countries == ["TH", "CN"]
    bad = {
        "hotlines": [
            {"country": "KH", "number": "1280", "name": "Child helpline"},
            {"country": "TH", "number": "x"},
        ]
    }
    path.write_text(json.dumps(bad), encoding="utf-8")
    with pytest.raises(CommandError, match=r"hotlines\.1\.number"):
        call_command("directory", "load", str(path))
    assert not Hotline.objects.filter(country="KH", number="1280").exists()
    with pytest.raises(PermissionDenied):
        services.directory_load(actor=world.admin_a, data=good)
