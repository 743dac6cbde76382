"""Exchange between two installations (in one test database; see conftest): sending with approval and a basis,
the inbox's refusals, acceptance into a real case, answers and follow-ups, files, the outbox's retries."""

from __future__ import annotations

import json
import os
import uuid
from datetime import timedelta

import pytest
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.core.management import call_command
from django.http import Http404
from django.test import Client
from django.utils import timezone
from joserfc import jwe, jwk, jws

from safepassage.audit.models import AuditEvent
from safepassage.cases.models import Case, FollowUp, Step
from safepassage.exchange import keys, message, packet, services
from safepassage.exchange.message import Refused
from safepassage.exchange.models import Envelope, Peer, Transfer
from safepassage.testing import api_client, web_client
from tests.exchange.conftest import returning_case

pytestmark = pytest.mark.django_db


def _send_child_case(world, sides):
    """Side a sends a child's repatriation packet to side b, approved by a coordinator, delivered."""
    case, repatriation = returning_case(
        world, caseworker=world.caseworker_a, village=world.village_1, to="MM", birth_year=2012
    )
    transfer = services.transfer_request(
        actor=world.caseworker_a,
        case=case,
        peer=sides.peers["b"],
        kind="repatriation",
        basis="best_interests",
        repatriation=repatriation,
    )
    assert transfer.status == "requested"
    with pytest.raises(Http404):  # a caseworker does not approve
        services.transfer_approve(actor=world.caseworker_a, transfer=transfer)
    services.transfer_approve(actor=world.coordinator_a, transfer=transfer)
    run = services.outbox_run(post=sides.post_to("b"))
    assert (run.delivered, run.failed) == (1, 0)
    transfer.refresh_from_db()
    repatriation.refresh_from_db()
    return case, repatriation, transfer


def test_a_childs_repatriation_packet_goes_across_is_accepted_and_followed_up(world, sides):
    case, repatriation, sent = _send_child_case(world, sides)
    assert sent.status == "received"  # the peer's signed receipt came back with the delivery
    assert repatriation.status == "sent"

    with sides.side("b"):
        received = Transfer.objects.get(side="received", uid=sent.uid)
        assert received.agency == world.agency_b and received.peer == sides.peers["a"]
        # Only the fields of the origin-agency profile arrived, with the sender's values.
        allowed = packet.allowed_fields(packet.parts_for("origin_agency", basis="best_interests", covers=[]))
        assert set(received.packet) <= allowed
        assert received.packet == sent.packet
        for never in ("address", "health", "immigration_status", "journey", "perpetrators"):
            assert never not in received.packet
        assert received.packet["given_name"] == "Mya" and received.packet["child"] is True
        assert received.packet["return"]["summary"].startswith("(summary")
        with pytest.raises(Http404):  # the caseworker of B cannot accept; only a coordinator
            services.transfer_accept(actor=world.caseworker_b, transfer=received, village_code="50020101")
        new_case = services.transfer_accept(
            actor=world.coordinator_b, transfer=received, village_code=world.village_3.code
        )
        assert new_case.agency == world.agency_b
        assert new_case.person.given_name == "Mya" and new_case.person.birth_year == 2012
        assert new_case.address == "" and new_case.health == ""
        assert new_case.assessments.get().recommendation == "return"
        assert set(Step.objects.filter(case=new_case).values_list("stage__code", flat=True)) >= {
            "best_interests",
            "return",
        }
        note = new_case.notes.get()
        assert "Installation A" in note.text and str(sent.message_id) in note.text
        received.refresh_from_db()
        assert received.case == new_case and received.status == "accepted"
        run = services.outbox_run(post=sides.post_to("a"))  # the signed answer goes back
        assert run.delivered == 1

    sent.refresh_from_db()
    repatriation.refresh_from_db()
    assert sent.status == "accepted" and sent.remote_reference == new_case.reference
    assert repatriation.status == "acknowledged" and "Installation B" in repatriation.acknowledged_by
    assert [n.text for n in case.notes.all()] == [
        f"Installation B accepted the repatriation packet (their case {new_case.reference})."
    ]

    with sides.side("b"):
        services.follow_up_send(
            actor=world.coordinator_b,
            transfer=received,
            done_on=timezone.localdate(),
            wellbeing="good",
            summary="Back at school.",
            by="Ms Phone",
        )
        assert services.outbox_run(post=sides.post_to("a")).delivered == 1
    report = FollowUp.objects.get(case=case, kind="report_back")
    assert report.wellbeing == "good" and report.summary == "Back at school."
    assert "Installation B" in report.by

    # Every receipt (of the packet, the answer and the follow-up) was taken: nothing refused on the way.
    assert not AuditEvent.objects.filter(action="exchange.message.refuse").exists()
    # Both sides audited each step.
    actions = set(AuditEvent.objects.values_list("action", flat=True))
    for action in (
        "exchange.transfer.request",
        "exchange.transfer.approve",
        "exchange.message.deliver",
        "exchange.message.receive",
        "exchange.transfer.accept",
        "exchange.follow_up.send",
    ):
        assert action in actions


def test_the_packet_is_fetched_again_by_its_agency_only_and_each_read_is_audited(world, sides):
    _case, _repatriation, sent = _send_child_case(world, sides)
    mine = api_client(world.caseworker_a).get(f"/api/v1/exchange/transfers/{sent.pk}")
    assert mine.status_code == 200
    assert mine.json()["packet"]["given_name"] == "Mya"
    assert [(m["direction"], m["type"]) for m in mine.json()["messages"]] == [
        ("out", "packet"),
        ("in", "receipt"),
    ]
    assert AuditEvent.objects.filter(action="exchange.transfer.view", object_id=str(sent.pk)).exists()
    for outsider in (world.caseworker_b, world.analyst_a, world.volunteer_a):
        assert api_client(outsider).get(f"/api/v1/exchange/transfers/{sent.pk}").status_code == 404


def test_an_adult_case_needs_their_own_consent_and_a_child_case_a_best_interests_decision(world, sides):
    adult, repatriation = returning_case(
        world, caseworker=world.caseworker_a, village=world.village_1, to="MM", birth_year=1990
    )
    with pytest.raises(ValidationError) as error:
        services.transfer_request(
            actor=world.caseworker_a,
            case=adult,
            peer=sides.peers["b"],
            kind="repatriation",
            basis="best_interests",
            repatriation=repatriation,
        )
    assert "basis" in error.value.message_dict
    Case.objects.filter(pk=adult.pk).update(consent_to_share=False)
    adult.refresh_from_db()
    with pytest.raises(ValidationError):
        services.transfer_request(
            actor=world.caseworker_a,
            case=adult,
            peer=sides.peers["b"],
            kind="repatriation",
            basis="consent",
            repatriation=repatriation,
        )
    child = returning_case(
        world,
        caseworker=world.caseworker_a,
        village=world.village_1,
        to="MM",
        birth_year=2014,
        given_name="Su",
    )[0]
    with pytest.raises(ValidationError):
        services.transfer_request(
            actor=world.caseworker_a, case=child, peer=sides.peers["b"], kind="transfer", basis="consent"
        )
    # consent naming the peer opens the address, which the profile alone never does
    Case.objects.filter(pk=adult.pk).update(consent_to_share=True)
    transfer = services.transfer_request(
        actor=world.caseworker_a,
        case=adult,
        peer=sides.peers["b"],
        kind="repatriation",
        basis="consent",
        repatriation=repatriation,
        consent_covers=["address"],
    )
    assert transfer.packet["address"] == "12 Secret Lane" and "health" not in transfer.packet
    # to a peer that receives as police: only once the person is confirmed as a victim
    Peer.objects.filter(pk=sides.peers["b"].pk).update(profile="police")
    sides.peers["b"].refresh_from_db()
    with pytest.raises(ValidationError) as error:
        services.transfer_request(
            actor=world.caseworker_a, case=adult, peer=sides.peers["b"], kind="transfer", basis="consent"
        )
    assert "trafficking_status" in error.value.message_dict


def _refusal(token, reason, now=None):
    before = AuditEvent.objects.filter(action="exchange.message.refuse").count()
    counts = (
        Transfer.objects.filter(side="received").count(),
        Envelope.objects.filter(direction="in").count(),
    )
    with pytest.raises(Refused) as refused:
        services.receive(token, now=now)
    assert refused.value.reason == reason
    event = AuditEvent.objects.filter(action="exchange.message.refuse").order_by("-id").first()
    assert AuditEvent.objects.filter(action="exchange.message.refuse").count() == before + 1
    assert event is not None and event.changes["reason"] == reason
    assert counts == (
        Transfer.objects.filter(side="received").count(),
        Envelope.objects.filter(direction="in").count(),
    )


def _packet_token(sides, **seal):
    with sides.side("a"):
        return message.seal(
            sides.peers["b"],
            type="packet",
            transfer=str(uuid.uuid4()),
            body={
                "kind": "transfer",
                "basis": "consent",
                "profile": "origin_agency",
                "packet": {"kind": "transfer"},
            },
            **seal,
        )


def test_tampered_replayed_expired_unknown_and_forged_messages_are_refused(world, sides, settings, tmp_path):
    token = _packet_token(sides)
    with sides.side("b"):
        # tampered: one character of the ciphertext changed
        head, rest = token[:-30], token[-30:]
        changed = rest[0] + ("A" if rest[1] != "A" else "B") + rest[2:]
        _refusal(head + changed, "not_decrypting")
        _refusal("not a message", "not_decrypting")
        services.receive(token)  # the real one is taken
        _refusal(token, "replayed")
        answer = Client().post("/api/v1/exchange/inbox", data=token, content_type="application/jose")
        assert answer.status_code == 409 and answer.json()["reason"] == "replayed"
    expired = _packet_token(sides, now=timezone.now() - timedelta(days=30))
    with sides.side("b"):
        _refusal(expired, "expired")
        late = _packet_token(sides, lifetime=timedelta(minutes=5))
        _refusal(late, "expired", now=timezone.now() + timedelta(minutes=10))

    # unknown: an installation c that b never registered
    settings.EXCHANGE_KEYS_FILE = str(tmp_path / "keys-c.json")
    keys.reset()
    keys.create()
    from_c = message.seal(sides.peers["b"], type="packet", transfer=str(uuid.uuid4()), body={})
    c_pairs = keys.load()
    with sides.side("b"):
        _refusal(from_c, "unknown_peer")
        # forged: c signs but names a's key; encrypted properly to b
        with sides.side("a"):
            a_id = keys.load().signing_id
        claims = json.dumps(
            {"iss": a_id, "aud": "x", "jti": str(uuid.uuid4()), "iat": 0, "exp": 9e9, "body": {}}
        )
        signed = jws.serialize_compact({"alg": "ES256", "kid": a_id}, claims, c_pairs.signing)
        b_public = jwk.import_key(keys.load().public()["encryption_key"], "EC")
        forged = jwe.encrypt_compact({"alg": "ECDH-ES+A256KW", "enc": "A256GCM"}, signed.encode(), b_public)
        _refusal(forged, "bad_signature")


def test_a_peer_that_is_down_gets_the_message_later(world, sides):
    case, repatriation = returning_case(
        world, caseworker=world.caseworker_a, village=world.village_1, to="MM", birth_year=2012
    )
    transfer = services.transfer_request(
        actor=world.caseworker_a,
        case=case,
        peer=sides.peers["b"],
        kind="repatriation",
        basis="best_interests",
        repatriation=repatriation,
    )
    services.transfer_approve(actor=world.coordinator_a, transfer=transfer)

    def down(address, token):
        raise ConnectionRefusedError("connection refused")

    assert services.outbox_run(post=down).failed == 1
    envelope = Envelope.objects.get(transfer=transfer, direction="out")
    assert envelope.status == "waiting" and envelope.attempts == 1 and "refused" in envelope.last_error
    assert services.outbox_run(post=sides.post_to("b")).delivered == 0  # not yet: it waits its turn
    later = timezone.now() + timedelta(minutes=3)
    assert services.outbox_run(post=sides.post_to("b"), now=later).delivered == 1
    envelope.refresh_from_db()
    transfer.refresh_from_db()
    assert envelope.status == "delivered" and transfer.status == "received"


def test_a_file_carries_the_packet_and_another_the_receipts_back(world, sides, tmp_path):
    adult, repatriation = returning_case(
        world,
        caseworker=world.caseworker_b,
        village=world.village_3,
        to="TH",
        birth_year=1992,
        given_name="Noi",
    )
    with sides.side("b"):
        transfer = services.transfer_request(
            actor=world.caseworker_b,
            case=adult,
            peer=sides.peers["a"],
            kind="repatriation",
            basis="consent",
            repatriation=repatriation,
        )
        services.transfer_approve(actor=world.coordinator_b, transfer=transfer)
        out = tmp_path / "to-a.jose"
        call_command("exchange", "export", "--peer", str(sides.peers["a"].pk), "--out", str(out))
        assert oct(os.stat(out).st_mode & 0o777) == "0o600"
    transfer.refresh_from_db()
    assert transfer.status == "sent"
    answer = tmp_path / "receipts.jose"
    with sides.side("a"):
        call_command("exchange", "import", str(out), "--answer", str(answer))
        received = Transfer.objects.get(side="received", uid=transfer.uid)
        assert received.agency == world.agency_a and received.packet["given_name"] == "Noi"
        assert received.basis == "consent"
    with sides.side("b"):
        call_command("exchange", "import", str(answer))
    transfer.refresh_from_db()
    assert transfer.status == "received"


def test_keys_are_made_once_private_and_shown_with_a_fingerprint(settings, tmp_path, db, capsys):
    settings.EXCHANGE_KEYS_FILE = str(tmp_path / "mine.json")
    keys.reset()
    call_command("exchange", "keys")
    first = capsys.readouterr().out
    assert oct(os.stat(settings.EXCHANGE_KEYS_FILE).st_mode & 0o777) == "0o600"
    fingerprint = keys.fingerprint(keys.load().signing_id)
    assert fingerprint in first and '"d"' not in first
    call_command("exchange", "keys", "--json")
    shown = json.loads(capsys.readouterr().out)
    assert set(shown["signing_key"]) == {"kty", "crv", "x", "y"}
    keys.reset()
    assert keys.fingerprint(keys.load().signing_id) == fingerprint  # read again, not made again
    os.chmod(settings.EXCHANGE_KEYS_FILE, 0o644)
    keys.reset()
    with pytest.raises(ImproperlyConfigured, match="other accounts"):
        keys.load()


def test_a_peer_is_registered_by_a_coordinator_over_https_only(world, sides):
    public = sides.peers["b"].signing_key
    with pytest.raises(Http404):
        services.peer_register(
            actor=world.caseworker_a,
            name="X",
            country="LA",
            signing_key=public,
            encryption_key=public,
            receiving_agency=world.agency_a,
        )
    fresh = jwk.ECKey.generate_key("P-256", private=True)
    with pytest.raises(ValidationError) as error:
        services.peer_register(
            actor=world.coordinator_a,
            name="X",
            country="LA",
            address="http://plain.example",
            signing_key=fresh.as_dict(private=False),
            encryption_key=fresh.as_dict(private=False),
            receiving_agency=world.agency_a,
        )
    assert "address" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        services.peer_register(
            actor=world.coordinator_a,
            name="X",
            country="LA",
            signing_key=fresh.as_dict(private=True),
            encryption_key=fresh.as_dict(private=False),
            receiving_agency=world.agency_a,
        )
    assert "signing_key" in error.value.message_dict


def test_pages_send_approve_accept_and_show_the_peers(world, sides):
    case, repatriation = returning_case(
        world, caseworker=world.caseworker_a, village=world.village_1, to="MM", birth_year=2012
    )
    caseworker = web_client(world.caseworker_a)
    page = caseworker.get(f"/exchange/send/{case.pk}/")
    assert page.status_code == 200 and "Installation B will see" in page.content.decode()
    answer = caseworker.post(
        f"/exchange/send/{case.pk}/",
        {
            "peer": sides.peers["b"].pk,
            "kind": "repatriation",
            "basis": "best_interests",
            "repatriation": repatriation.pk,
        },
    )
    transfer = Transfer.objects.get(side="sent", case=case)
    assert answer.status_code == 302 and transfer.status == "requested"
    assert web_client(world.caseworker_b).get(f"/exchange/transfers/{transfer.pk}/").status_code == 404
    coordinator = web_client(world.coordinator_a)
    assert "Approve and send" in coordinator.get(f"/exchange/transfers/{transfer.pk}/").content.decode()
    coordinator.post(f"/exchange/transfers/{transfer.pk}/approve/")
    transfer.refresh_from_db()
    assert transfer.status == "waiting"
    services.outbox_run(post=sides.post_to("b"))
    with sides.side("b"):
        received = Transfer.objects.get(side="received", uid=transfer.uid)
        b = web_client(world.coordinator_b)
        shown = b.get(f"/exchange/transfers/{received.pk}/").content.decode()
        assert "Mya" in shown and "Received from Installation A" in shown
        b.post(f"/exchange/transfers/{received.pk}/accept/", {"village_code": world.village_3.code})
        received.refresh_from_db()
        assert received.status == "accepted" and received.case is not None
        peers = b.get("/exchange/peers/").content.decode()
        assert keys.fingerprint(keys.load().signing_id) in peers
        assert keys.fingerprint(sides.peers["a"].key_id) in peers
    assert web_client(world.caseworker_a).get("/exchange/peers/").status_code == 404


def test_the_person_is_matched_through_the_linkage_matcher(world, sides):
    _case, _repatriation, sent = _send_child_case(world, sides)
    from safepassage.linkage.models import MatchCandidate
    from safepassage.registry.services import person_create

    with sides.side("b"):
        known = person_create(
            actor=world.caseworker_b,
            village_code=world.village_3.code,
            given_name="Mya",
            family_name="Aung",
            given_name_latin="Mya",
            family_name_latin="Aung",
            sex="female",
            birth_year=2012,
        )
        received = Transfer.objects.get(side="received", uid=sent.uid)
        found = services.matches(received, world.agency_b)
        assert found and found[0][0] == known.pk
        # accepted as a new person: the likely match waits for a person to review it (nothing is merged)
        case = services.transfer_accept(
            actor=world.coordinator_b, transfer=received, village_code=world.village_3.code
        )
        assert case.person_id != known.pk
        pair = MatchCandidate.objects.get(
            person_a_id=min(known.pk, case.person_id), person_b_id=max(known.pk, case.person_id)
        )
        assert pair.status == "pending" and pair.involves_child and pair.agency == world.agency_b


def test_the_demo_shows_a_peer_and_a_case_waiting_to_be_accepted(world, settings, tmp_path):
    from safepassage.exchange.demo import generate_exchange

    settings.EXCHANGE_KEYS_FILE = str(tmp_path / "demo-keys.json")
    keys.reset()
    assert generate_exchange(agencies={"cc": world.agency_a}) >= 1
    page = web_client(world.coordinator_a).get("/exchange/").content.decode()
    assert "Lao PDR" in page and "Received" in page
    received = Transfer.objects.get(side="received")
    shown = web_client(world.coordinator_a).get(f"/exchange/transfers/{received.pk}/").content.decode()
    assert "Noy" in shown and "Accept" in shown


def test_an_installation_without_keys_refuses_what_it_cannot_open(settings, tmp_path, db):
    settings.EXCHANGE_KEYS_FILE = str(tmp_path / "none-yet.json")
    keys.reset()
    answer = Client().post("/api/v1/exchange/inbox", data="a.b.c.d.e", content_type="application/jose")
    assert answer.status_code == 400 and answer.json()["reason"] == "not_decrypting"
    assert services.outbox_run().delivered == 0


def test_a_declined_case_comes_back_with_the_reason(world, sides):
    case, repatriation, sent = _send_child_case(world, sides)
    with sides.side("b"):
        received = Transfer.objects.get(side="received", uid=sent.uid)
        with pytest.raises(ValidationError):
            services.transfer_decline(actor=world.coordinator_b, transfer=received, reason=" ")
        services.transfer_decline(
            actor=world.coordinator_b, transfer=received, reason="Family not found yet."
        )
        with pytest.raises(ValidationError):  # decided once
            services.transfer_accept(actor=world.coordinator_b, transfer=received, village_code="50020101")
        assert services.outbox_run(post=sides.post_to("a")).delivered == 1
    sent.refresh_from_db()
    repatriation.refresh_from_db()
    assert sent.status == "declined" and sent.decision_note == "Family not found yet."
    assert repatriation.status == "sent"  # not acknowledged
    assert "declined" in case.notes.get().text and "Family not found yet." in case.notes.get().text
    assert Case.objects.filter(agency=world.agency_b).count() == 0


def test_a_coordinator_may_accept_the_case_for_a_person_already_recorded(world, sides):
    from safepassage.registry.services import person_create

    _case, _repatriation, sent = _send_child_case(world, sides)
    with sides.side("b"):
        known = person_create(
            actor=world.caseworker_b, village_code=world.village_3.code, given_name="Mya", birth_year=2012
        )
        received = Transfer.objects.get(side="received", uid=sent.uid)
        with pytest.raises(Http404):  # a person of another agency is not theirs to choose
            other = person_create(
                actor=world.caseworker_a, village_code=world.village_1.code, given_name="Mya", birth_year=2012
            )
            services.transfer_accept(actor=world.coordinator_b, transfer=received, person=other)
        case = services.transfer_accept(actor=world.coordinator_b, transfer=received, person=known)
        assert case.person == known and case.agency == world.agency_b
