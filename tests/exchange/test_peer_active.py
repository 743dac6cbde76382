"""Deactivating a peer from the peers page: a coordinator of its receiving agency does it with a reason; its
messages are refused (the reason kept in the audit trail), nothing goes out to it until it is reactivated."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.http import Http404

from safepassage.audit.models import AuditEvent
from safepassage.exchange import services
from safepassage.exchange.models import Envelope, Peer, Transfer
from safepassage.testing import web_client
from tests.exchange.conftest import approve_repatriation, returning_case
from tests.exchange.test_exchange import _packet_token, _refusal

pytestmark = pytest.mark.django_db


def _approved(world, sides):
    case, repatriation = returning_case(
        world, caseworker=world.caseworker_a, village=world.village_1, to="MM", birth_year=2012
    )
    return approve_repatriation(world, sides, case, repatriation)


def test_a_coordinator_deactivates_a_peer_from_the_page_with_a_reason_and_reactivates_it(world, sides):
    peer = sides.peers["b"]  # registered on side a, its cases received by agency A
    coordinator = web_client(world.coordinator_a)
    page = coordinator.get("/exchange/peers/").content.decode()
    assert f"/exchange/peers/{peer.pk}/deactivate/" in page
    confirm = coordinator.get(f"/exchange/peers/{peer.pk}/deactivate/")
    assert confirm.status_code == 200
    shown = confirm.content.decode()
    assert "csrfmiddlewaretoken" in shown and "reason" in shown and "Installation B" in shown

    # no reason, or not confirmed: nothing changes
    coordinator.post(f"/exchange/peers/{peer.pk}/deactivate/", {"reason": "", "confirm": "yes"})
    coordinator.post(f"/exchange/peers/{peer.pk}/deactivate/", {"reason": "Keys lost"})
    peer.refresh_from_db()
    assert peer.active is True
    assert not AuditEvent.objects.filter(action="exchange.peer.deactivate").exists()

    answer = coordinator.post(
        f"/exchange/peers/{peer.pk}/deactivate/", {"reason": "Their server was stolen", "confirm": "yes"}
    )
    assert answer.status_code == 302
    peer.refresh_from_db()
    assert peer.active is False and peer.status_reason == "Their server was stolen"
    assert peer.status_changed_by == world.coordinator_a and peer.status_changed_at is not None
    event = AuditEvent.objects.get(action="exchange.peer.deactivate")
    assert event.actor_id == world.coordinator_a.pk and event.agency_id == world.agency_a.pk
    assert event.changes["reason"] == "Their server was stolen"
    listed = coordinator.get("/exchange/peers/").content.decode()
    assert "Their server was stolen" in listed and f"/exchange/peers/{peer.pk}/reactivate/" in listed

    coordinator.post(
        f"/exchange/peers/{peer.pk}/reactivate/", {"reason": "New keys checked", "confirm": "yes"}
    )
    peer.refresh_from_db()
    assert peer.active is True
    assert AuditEvent.objects.get(action="exchange.peer.reactivate").changes["reason"] == "New keys checked"


def test_only_a_coordinator_of_its_receiving_agency_changes_a_peer(world, sides):
    peer = sides.peers["b"]
    for user in (world.caseworker_a, world.coordinator_b):
        client = web_client(user)
        assert client.get(f"/exchange/peers/{peer.pk}/deactivate/").status_code == 404
        answer = client.post(f"/exchange/peers/{peer.pk}/deactivate/", {"reason": "x", "confirm": "yes"})
        assert answer.status_code == 404
    with pytest.raises(Http404):
        services.peer_deactivate(actor=world.caseworker_a, peer=peer, reason="x")
    # a POST without the CSRF token is refused
    strict = web_client(world.coordinator_a)
    strict.handler.enforce_csrf_checks = True
    assert (
        strict.post(f"/exchange/peers/{peer.pk}/deactivate/", {"reason": "x", "confirm": "yes"}).status_code
        == 403
    )
    peer.refresh_from_db()
    assert peer.active is True


def test_a_deactivated_peers_messages_are_refused_with_the_reason_in_the_audit_trail(world, sides):
    with sides.side("b"):
        services.peer_deactivate(actor=world.coordinator_b, peer=sides.peers["a"], reason="Suspended")
    token = _packet_token(sides)
    with sides.side("b"):
        _refusal(token, "peer_inactive")
        event = AuditEvent.objects.filter(action="exchange.message.refuse").order_by("-id").first()
        assert event is not None
        assert event.object_id == str(sides.peers["a"].pk) and event.agency_id == world.agency_b.pk
        from django.test import Client

        answer = Client().post("/api/v1/exchange/inbox", data=token, content_type="application/jose")
        assert answer.status_code == 400 and answer.json()["reason"] == "peer_inactive"
        assert "deactivated" in answer.json()["detail"] or "deactivated" in str(answer.json())
        services.peer_reactivate(actor=world.coordinator_b, peer=sides.peers["a"], reason="Back")
        services.receive(token)  # taken once it is active again
    assert Transfer.objects.filter(side="received").count() == 1


def test_nothing_is_sent_to_a_deactivated_peer_its_messages_wait(world, sides):
    transfer = _approved(world, sides)
    services.peer_deactivate(actor=world.coordinator_a, peer=sides.peers["b"], reason="Suspended")
    posted = []

    def post(address, token):
        posted.append(token)
        return 202, ""

    run = services.outbox_run(post=post)
    assert (run.delivered, run.failed, posted) == (0, 0, [])
    envelope = Envelope.objects.get(transfer=transfer, direction="out")
    assert envelope.status == "waiting" and envelope.attempts == 0
    assert services.deliver(envelope, post=post) is False and posted == []
    envelope.refresh_from_db()
    assert envelope.status == "waiting" and envelope.attempts == 0 and "deactivated" in envelope.last_error
    assert services.export_file(actor=world.coordinator_a, peer=sides.peers["b"]) == ""
    assert Envelope.objects.get(pk=envelope.pk).status == "waiting"
    with pytest.raises(ValidationError):  # nothing new is approved for it either
        case, repatriation = returning_case(
            world, caseworker=world.caseworker_a, village=world.village_1, to="MM", birth_year=2011
        )
        Peer.objects.filter(pk=sides.peers["b"].pk).update(active=True)
        asked = services.transfer_request(
            actor=world.caseworker_a,
            case=case,
            peer=sides.peers["b"],
            kind="repatriation",
            basis="best_interests",
            repatriation=repatriation,
        )
        Peer.objects.filter(pk=sides.peers["b"].pk).update(active=False)
        services.transfer_approve(actor=world.coordinator_a, transfer=asked)
    # reactivated: the waiting message goes out at the next run
    services.peer_reactivate(actor=world.coordinator_a, peer=sides.peers["b"], reason="Back")
    assert services.outbox_run(post=sides.post_to("b")).delivered == 1
    transfer.refresh_from_db()
    assert transfer.status == "received"
