"""A return's child-friendly measures and its partners on both sides: recorded by the sender, carried in the
repatriation packet (only when the peer's profile reads returns), created on the receiver's case, named by
the follow-ups; and a return to a Lao district, whose levels are Laos's own, lands on the receiving side."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from safepassage.audit.models import AuditEvent
from safepassage.cases import services as case_services
from safepassage.cases.models import FollowUp, Repatriation, ReturnMeasureKind, ReturnPartner
from safepassage.exchange import services
from safepassage.exchange.models import Peer, Transfer
from safepassage.testing import area, web_client
from tests.exchange.conftest import approve_repatriation, returning_case

pytestmark = pytest.mark.django_db


def _send(world, sides, case, repatriation):
    transfer = approve_repatriation(world, sides, case, repatriation)
    assert services.outbox_run(post=sides.post_to("b")).delivered == 1
    transfer.refresh_from_db()
    return transfer


def _prepare_measures(world, repatriation):
    case_services.return_measures_record(
        actor=world.caseworker_a,
        repatriation=repatriation,
        measures=["same_sex_escort", "own_language_interpreter", "no_police_uniform", "child_told"],
        note="She asked to travel with Ms Noi.",
    )
    for role, name, country in (
        ("sending_agency", "Shelter for Children, Chiang Mai", "TH"),
        ("sending_escort", "Ms Noi, social worker", "TH"),
        ("receiving_agency", "Department of Social Welfare, Tachileik", "MM"),
        ("receiving_shelter", "Tachileik Girls' Home", "MM"),
    ):
        case_services.return_partner_add(
            actor=world.caseworker_a, repatriation=repatriation, role=role, name=name, country=country
        )


def test_the_sender_records_measures_and_partners_and_the_receiver_gets_them_on_its_case(world, sides):
    case, repatriation = returning_case(
        world, caseworker=world.caseworker_a, village=world.village_1, to="MM", birth_year=2012
    )
    assert ReturnMeasureKind.objects.filter(code="same_sex_escort", active=True).exists()  # the seed list
    with pytest.raises(ValidationError):
        case_services.return_measures_record(
            actor=world.caseworker_a, repatriation=repatriation, measures=["x"]
        )
    with pytest.raises(ValidationError):
        case_services.return_partner_add(
            actor=world.caseworker_a, repatriation=repatriation, role="x", name="A"
        )
    _prepare_measures(world, repatriation)
    assert AuditEvent.objects.filter(action="cases.return_measures.record").count() == 1
    assert AuditEvent.objects.filter(action="cases.return_partner.create").count() == 4
    page = web_client(world.caseworker_a).get(f"/cases/{case.pk}/").content.decode()
    assert "No police in uniform at the hand-over" in page and "Tachileik Girls&#x27; Home" in page

    sent = _send(world, sides, case, repatriation)
    assert sent.packet["return_measures"]["measures"][0]["code"] == "same_sex_escort"
    assert len(sent.packet["return_partners"]) == 4

    with sides.side("b"):
        received = Transfer.objects.get(side="received", uid=sent.uid)
        assert received.packet["return_partners"] == sent.packet["return_partners"]
        new_case = services.transfer_accept(
            actor=world.coordinator_b, transfer=received, village_code=world.village_3.code
        )
        coming = Repatriation.objects.get(case=new_case)
        assert coming.incoming and coming.status == "acknowledged" and coming.destination_country == "MM"
        assert coming.measures == [
            "same_sex_escort",
            "own_language_interpreter",
            "no_police_uniform",
            "child_told",
        ]
        assert "Ms Noi" in coming.measures_note
        assert [(p.role, p.name) for p in coming.partners.all()] == [
            (p.role, p.name) for p in repatriation.partners.all()
        ]
        shown = web_client(world.coordinator_b).get(f"/cases/{new_case.pk}/").content.decode()
        assert "An interpreter in the child&#x27;s own language" in shown and "Ms Noi, social worker" in shown
        # the follow-up names the shelter that received her, on both sides
        shelter = coming.partners.get(role="receiving_shelter")
        services.follow_up_send(
            actor=world.coordinator_b,
            transfer=received,
            done_on=timezone.localdate(),
            wellbeing="good",
            summary="Settled at the home.",
            partner=shelter,
        )
        assert FollowUp.objects.get(case=new_case).partner == shelter
        assert services.outbox_run(post=sides.post_to("a")).delivered >= 1
    report = FollowUp.objects.get(case=case, kind="report_back")
    assert report.partner == repatriation.partners.get(role="receiving_shelter")
    page = web_client(world.caseworker_a).get(f"/cases/{case.pk}/").content.decode()
    assert "Settled at the home." in page


def test_measures_and_partners_never_arrive_where_the_profile_does_not_read_returns(world, sides):
    Peer.objects.filter(pk=sides.peers["b"].pk).update(profile="health")
    sides.peers["b"].refresh_from_db()
    case, repatriation = returning_case(
        world, caseworker=world.caseworker_a, village=world.village_1, to="MM", birth_year=2012
    )
    _prepare_measures(world, repatriation)
    sent = _send(world, sides, case, repatriation)
    with sides.side("b"):
        received = Transfer.objects.get(side="received", uid=sent.uid)
        for never in ("return_measures", "return_partners", "return", "best_interests", "address"):
            assert never not in received.packet
        new_case = services.transfer_accept(
            actor=world.coordinator_b, transfer=received, village_code=world.village_3.code
        )
        assert not Repatriation.objects.filter(case=new_case).exists()
        assert not ReturnPartner.objects.filter(case=new_case).exists()


def _lao_tree():
    country = area("LA", "country", name="Laos")
    province = area("LA01", "province", country, name="Vientiane Capital")
    district = area("LA0101", "district", province, name="Chanthabuly")
    village = area("LA010101", "village", district, name="Ban Haysok")
    return district, village


def test_a_return_to_a_lao_district_lands_on_the_receiving_side(world, sides):
    district, village = _lao_tree()
    Peer.objects.filter(pk=sides.peers["b"].pk).update(country="LA")
    sides.peers["b"].refresh_from_db()
    with pytest.raises(ValidationError):  # a Thai place is not in Laos
        returning_case(
            world,
            caseworker=world.caseworker_a,
            village=world.village_1,
            to="LA",
            birth_year=2012,
            agreement="th-la-2005",
            destination_area_code=world.village_2.code,
        )
    case, repatriation = returning_case(
        world,
        caseworker=world.caseworker_a,
        village=world.village_1,
        to="LA",
        birth_year=2012,
        agreement="th-la-2005",
        destination_area_code=district.code,
    )
    assert repatriation.destination_area == district
    sent = _send(world, sides, case, repatriation)
    assert sent.packet["return"]["destination_area"] == "LA0101"
    assert sent.packet["return"]["destination_area_level"] == "district"
    with sides.side("b"):
        received = Transfer.objects.get(side="received", uid=sent.uid)
        assert received.status == "received"
        assert not AuditEvent.objects.filter(action="exchange.message.refuse").exists()
        new_case = services.transfer_accept(
            actor=world.coordinator_b, transfer=received, village_code=village.code
        )
        coming = Repatriation.objects.get(case=new_case)
        assert coming.destination_area == district and coming.destination_country == "LA"
        assert new_case.person.village == village
        page = web_client(world.coordinator_b).get(f"/cases/{new_case.pk}/").content.decode()
        assert "Chanthabuly" in page


def test_a_destination_the_receiver_does_not_hold_is_recorded_as_named(world, sides):
    district, village = _lao_tree()
    Peer.objects.filter(pk=sides.peers["b"].pk).update(country="LA")
    sides.peers["b"].refresh_from_db()
    case, repatriation = returning_case(
        world,
        caseworker=world.caseworker_a,
        village=world.village_1,
        to="LA",
        birth_year=2012,
        agreement="th-la-2005",
        destination_area_code=district.code,
    )
    sent = _send(world, sides, case, repatriation)
    with sides.side("b"):
        received = Transfer.objects.get(side="received", uid=sent.uid)
        content = dict(received.packet)
        content["return"] = {**content["return"], "destination_area": "LA0999"}  # not in the tree here
        received.packet = content
        received.save()
        new_case = services.transfer_accept(
            actor=world.coordinator_b, transfer=received, village_code=village.code
        )
        coming = Repatriation.objects.get(case=new_case)
        assert coming.destination_area is None
        assert coming.destination_place == "Chanthabuly (District, LA0999)"


def test_a_system_administrator_extends_the_list_of_measures_and_a_return_records_the_new_one(world):
    """The measures are a list kept as data: a new one added on its page is offered and recorded without a
    release; a caseworker or a coordinator cannot edit the list (404)."""
    from django.urls import reverse

    from safepassage.cases.services.protection import return_measure_choices

    url = reverse("cases:return_measures_list")
    for persona in ("caseworker_a", "coordinator_a"):
        assert web_client(world.users[persona]).get(url).status_code == 404
    client = web_client(world.users["sysadmin"])
    assert client.get(url).status_code == 200
    response = client.post(
        url,
        {
            "code": "toy_for_the_journey",
            "name": "A toy or book for the journey",
            "in_language": "lo",
            "translated_name": "ເຄື່ອງຫຼິ້ນ ຫຼື ປຶ້ມ ສຳລັບການເດີນທາງ",
            "order": 200,
            "active": "on",
        },
    )
    assert response.status_code == 302
    assert AuditEvent.objects.filter(action="cases.returnmeasurekind.create").exists()
    assert ("toy_for_the_journey", "A toy or book for the journey") in return_measure_choices()
    case, repatriation = returning_case(
        world, caseworker=world.caseworker_a, village=world.village_1, to="MM", birth_year=2012
    )
    case_services.return_measures_record(
        actor=world.caseworker_a, repatriation=repatriation, measures=["toy_for_the_journey"]
    )
    repatriation.refresh_from_db()
    assert repatriation.measures == ["toy_for_the_journey"]
    page = web_client(world.caseworker_a).get(reverse("cases:case_detail", args=[case.pk])).content.decode()
    assert "A toy or book for the journey" in page
