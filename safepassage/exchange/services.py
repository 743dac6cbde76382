"""Exchange between installations: peers, sending a case (request, a coordinator's approval, the outbox with
retries), receiving one (the inbox: verify, refuse, take in), accepting it into a real case, answering and
following up. Every step is audited on the side it happens on; a refused message leaves only an audit event
with its reason."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.http import Http404
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _

from safepassage.accounts import profiles
from safepassage.accounts.models import Agency, User
from safepassage.audit.services import audit_read, audit_record
from safepassage.cases import htcds
from safepassage.cases import services as case_services
from safepassage.cases.models import (
    Case,
    CaseNote,
    FollowUp,
    Repatriation,
    ReturnMeasureKind,
    ReturnPartner,
)
from safepassage.core.access import viewer_for
from safepassage.core.models import get_for_user
from safepassage.core.roles import Action, Role
from safepassage.exchange import aggregates, keys, message, packet, transport
from safepassage.exchange.message import Opened, Refused
from safepassage.exchange.models import Envelope, Peer, Transfer
from safepassage.geo.models import Area, level_label
from safepassage.linkage import matching
from safepassage.linkage.models import MatchCandidate
from safepassage.linkage.services import PERSON_VALUES
from safepassage.registry.models import Person

log = logging.getLogger("safepassage.exchange")
Post = Callable[[str, str], tuple[int, str]]
MAX_BACKOFF = timedelta(hours=6)
MATCH_THRESHOLD = 0.9
PEER_INACTIVE = "peer deactivated: waiting until a coordinator reactivates it"


def _fail(field: str, text: str) -> ValidationError:
    return ValidationError({field: [text]})


def is_coordinator(actor: User | None, agency_id: int) -> bool:
    return viewer_for(actor).has_role(Role.COORDINATOR, agency_id=agency_id)


def coordinator_agencies(actor: User | None) -> list[Agency]:
    ids = [g.agency_id for g in viewer_for(actor).grants if g.role == Role.COORDINATOR]
    return list(Agency.objects.filter(pk__in=ids, active=True).order_by("name"))


# ------------------------------------------------------------------------------------------------- peers


@transaction.atomic
def peer_register(
    *,
    actor: User | None,
    name: str,
    country: str,
    signing_key: Any,
    encryption_key: Any,
    receiving_agency: Agency,
    address: str = "",
    profile: str = profiles.ReceivingProfile.ORIGIN_AGENCY,
) -> Peer:
    """Register another installation by its public keys (and address). A coordinator of the agency that will
    receive its cases does it (or the server's operator, actor None)."""
    if actor is not None and not is_coordinator(actor, receiving_agency.pk):
        raise Http404
    if not name.strip():
        raise _fail("name", _("Give the installation's name."))
    country = country.strip().upper()
    if len(country) != 2:
        raise _fail("country", _("Give the country's two-letter code."))
    address = address.strip().rstrip("/")
    if address and not address.startswith("https://"):
        raise _fail("address", _("The address must start with https:// (messages travel only over HTTPS)."))
    if profiles.get_profile(profile) is None:
        raise _fail("profile", _("Choose what it may receive."))
    try:
        signing = keys.import_public(signing_key, "signing key")
    except ValueError as exc:
        raise _fail("signing_key", str(exc)) from None
    try:
        encryption = keys.import_public(encryption_key, "encryption key")
    except ValueError as exc:
        raise _fail("encryption_key", str(exc)) from None
    key_id = str(signing.thumbprint())
    if key_id == keys.own_signing_id():
        raise _fail("signing_key", _("This is this installation's own key."))
    if Peer.objects.filter(key_id=key_id).exists():
        raise _fail("signing_key", _("A peer with this signing key is registered already."))
    peer = Peer.objects.create(
        name=name.strip(),
        country=country,
        address=address,
        signing_key=keys.public_jwk(signing),
        encryption_key=keys.public_jwk(encryption),
        key_id=key_id,
        profile=profile,
        receiving_agency=receiving_agency,
        registered_by=actor,
    )
    audit_record(
        actor=actor,
        action="exchange.peer.create",
        obj=peer,
        agency=receiving_agency,
        changes={"key_id": key_id, "country": country, "profile": profile, "address": address},
        plain=("address",),
    )
    return peer


def _peer_status(*, actor: User | None, peer: Peer, active: bool, reason: str) -> Peer:
    """Deactivate or reactivate a peer, with the reason (a coordinator of the agency that receives its
    cases, or the server's operator, actor None; audited)."""
    peer = Peer.objects.select_for_update().get(pk=peer.pk)
    if actor is not None and not is_coordinator(actor, peer.receiving_agency_id):
        raise Http404
    if not reason.strip():
        raise _fail("reason", _("Say why."))
    if peer.active == active:
        raise _fail(
            "active",
            _("This installation is active already.")
            if active
            else _("This installation is deactivated already."),
        )
    waiting = Envelope.objects.filter(
        peer=peer, direction=Envelope.Direction.OUT, status=Envelope.Status.WAITING
    ).count()
    peer.active = active
    peer.status_reason = reason.strip()
    peer.status_changed_by, peer.status_changed_at = actor, timezone.now()
    peer.save(update_fields=["active", "status_reason", "status_changed_by", "status_changed_at"])
    audit_record(
        actor=actor,
        action="exchange.peer.reactivate" if active else "exchange.peer.deactivate",
        obj=peer,
        agency=peer.receiving_agency_id,
        changes={"reason": peer.status_reason, "waiting_messages": waiting},
        plain=("reason",),
    )
    return peer


@transaction.atomic
def peer_deactivate(*, actor: User | None, peer: Peer, reason: str) -> Peer:
    """Stop exchanging with a peer: its messages are refused (each refusal audited with its reason) and
    nothing is sent to it; what waits for it in the outbox stays waiting and goes out only if it is
    reactivated (a coordinator may cancel the transfers instead)."""
    return _peer_status(actor=actor, peer=peer, active=False, reason=reason)


@transaction.atomic
def peer_reactivate(*, actor: User | None, peer: Peer, reason: str) -> Peer:
    """Exchange with a deactivated peer again: its messages are taken and the outbox's go out."""
    return _peer_status(actor=actor, peer=peer, active=True, reason=reason)


# ----------------------------------------------------------------------------------------- sending a case


def _basis_check(
    case: Case, basis: str, repatriation: Repatriation | None, covers: list[str], profile: str
) -> None:
    """A child's case travels on a recorded best-interests decision; an adult's on their own consent. To
    police, immigration or a prosecutor, only once the person is confirmed as a victim (as referrals)."""
    if profiles.is_enforcement(profile) and case.trafficking_status != htcds.TraffickingStatus.ACTUAL:
        raise _fail(
            "trafficking_status",
            _(
                "This installation receives cases as police, immigration or a prosecutor: only once the "
                "person is confirmed as a victim of trafficking. Record the trafficking status first."
            ),
        )
    if case.is_child:
        if basis != Transfer.Basis.BEST_INTERESTS:
            raise _fail("basis", _("A child's case is sent on their recorded best-interests decision."))
        assessment = repatriation.assessment if repatriation is not None else case.assessments.first()
        if assessment is None:
            raise _fail("basis", _("Record the child's safety and best-interests assessment first."))
        if repatriation is not None and not assessment.supports_return:
            raise _fail("basis", _("The best-interests assessment does not support the return."))
    else:
        if basis != Transfer.Basis.CONSENT:
            raise _fail("basis", _("An adult's case is sent only with their own consent."))
        if not case.consent_to_share or case.consent_withdrawn_on:
            raise _fail(
                "basis",
                _("The person has not agreed to their case being shared: record their agreement first."),
            )
    if covers and basis != Transfer.Basis.CONSENT:
        raise _fail("consent_covers", _("Only the person's own consent opens more than the profile."))


def _packet_for(transfer: Transfer, case: Case) -> dict[str, Any]:
    parts = packet.parts_for(transfer.profile, basis=transfer.basis, covers=list(transfer.consent_covers))
    return packet.build(
        case, kind=transfer.kind, basis=transfer.basis, parts=parts, repatriation=transfer.repatriation
    )


@transaction.atomic
def transfer_request(
    *,
    actor: User | None,
    case: Case,
    peer: Peer,
    kind: str,
    basis: str,
    repatriation: Repatriation | None = None,
    consent_covers: Iterable[str] = (),
) -> Transfer:
    """Ask to send a case to a peer: the owner's case staff ask, a coordinator approves (transfer_approve)."""
    case = get_for_user(
        Case.objects.select_related("person", "stage", "agency"), actor, case.pk, Action.CHANGE
    )
    if not peer.active:
        raise _fail("peer", _("This peer is not active."))
    if kind not in Transfer.Kind.values:
        raise _fail("kind", _("Choose what is sent."))
    if kind == Transfer.Kind.REPATRIATION:
        if repatriation is None or repatriation.case_id != case.pk:
            raise _fail("repatriation", _("Choose the return this packet is for."))
        if repatriation.status in (Repatriation.Status.COMPLETED, Repatriation.Status.CANCELLED):
            raise _fail("repatriation", _("This return is finished."))
        if repatriation.destination_country != peer.country:
            raise _fail("peer", _("The return goes to another country than this peer's."))
    covers = sorted(set(consent_covers))
    found = profiles.get_profile(peer.profile)
    if found is None or set(covers) - found.with_consent:
        raise _fail("consent_covers", _("The consent can open only what the peer's profile allows."))
    _basis_check(case, basis, repatriation, covers, peer.profile)
    transfer = Transfer(
        agency=case.agency,
        side=Transfer.Side.SENT,
        kind=kind,
        peer=peer,
        case=case,
        repatriation=repatriation if kind == Transfer.Kind.REPATRIATION else None,
        profile=peer.profile,
        basis=basis,
        consent_covers=covers,
        status=Transfer.Status.REQUESTED,
        requested_by=actor,
    )
    transfer.packet = _packet_for(transfer, case)
    transfer.save()
    audit_record(
        actor=actor,
        action="exchange.transfer.request",
        obj=transfer,
        changes={
            "case": case.pk,
            "peer": peer.pk,
            "kind": kind,
            "basis": basis,
            "fields": sorted(transfer.packet),
        },
    )
    return transfer


def _queue(transfer: Transfer | None, peer: Peer, type: str, body: dict[str, Any]) -> Envelope:
    return Envelope.objects.create(
        peer=peer,
        transfer=transfer,
        direction=Envelope.Direction.OUT,
        type=type,
        body=body,
        status=Envelope.Status.WAITING,
        next_attempt_at=timezone.now(),
    )


@transaction.atomic
def transfer_approve(*, actor: User | None, transfer: Transfer) -> Transfer:
    """A coordinator of the sending agency approves: the basis is checked again, the packet made again from
    the case as it is now, and the message waits in the outbox."""
    transfer = Transfer.objects.select_for_update().get(pk=transfer.pk)
    if transfer.side != Transfer.Side.SENT or not is_coordinator(actor, transfer.agency_id):
        raise Http404
    if transfer.status != Transfer.Status.REQUESTED:
        raise _fail("status", _("This was decided already."))
    if transfer.case_id is None:
        raise Http404
    if not transfer.peer.active:
        raise _fail("peer", _("This installation was deactivated: nothing is sent to it."))
    case = Case.objects.select_related("person", "stage", "agency").get(pk=transfer.case_id)
    _basis_check(case, transfer.basis, transfer.repatriation, list(transfer.consent_covers), transfer.profile)
    transfer.packet = _packet_for(transfer, case)
    envelope = _queue(
        transfer,
        transfer.peer,
        Envelope.Type.PACKET,
        {
            "kind": transfer.kind,
            "profile": transfer.profile,
            "basis": transfer.basis,
            "consent_covers": list(transfer.consent_covers),
            "packet": transfer.packet,
        },
    )
    transfer.status = Transfer.Status.WAITING
    transfer.approved_by, transfer.approved_at = actor, timezone.now()
    transfer.message_id = envelope.message_id
    transfer.save()
    audit_record(
        actor=actor,
        action="exchange.transfer.approve",
        obj=transfer,
        changes={"message": str(envelope.message_id), "fields": sorted(transfer.packet)},
    )
    return transfer


# ------------------------------------------------------------------------------------------------ outbox


@dataclass
class OutboxRun:
    delivered: int = 0
    failed: int = 0


def _sealed(envelope: Envelope) -> str:
    transfer = envelope.transfer
    return message.seal(
        envelope.peer,
        type=envelope.type,
        transfer=str(transfer.uid) if transfer is not None else "",
        body=envelope.body,
        message_id=str(envelope.message_id),
    )


def _delivered(envelope: Envelope, status: str = Envelope.Status.DELIVERED) -> None:
    """The message reached the peer (or a file for it): the transfer moves on."""
    with transaction.atomic():
        envelope.status = status
        envelope.delivered_at = timezone.now()
        envelope.attempts += 1
        envelope.last_error = ""
        envelope.save()
        transfer = envelope.transfer
        if envelope.type == Envelope.Type.PACKET and transfer is not None:
            if transfer.status == Transfer.Status.WAITING:
                transfer.status = Transfer.Status.SENT
                transfer.save(update_fields=["status", "updated_at"])
            repatriation = transfer.repatriation
            if repatriation is not None and repatriation.status == Repatriation.Status.PREPARED:
                repatriation.status = Repatriation.Status.SENT
                repatriation.sent_on = timezone.localdate()
                repatriation.save(update_fields=["status", "sent_on"])
        audit_record(
            actor=None,
            action="exchange.message.deliver",
            obj=envelope,
            agency=transfer.agency_id if transfer is not None else envelope.peer.receiving_agency_id,
            changes={
                "message": str(envelope.message_id),
                "type": envelope.type,
                "peer": envelope.peer_id,
                "how": status,
            },
        )


def _failed(envelope: Envelope, error: str) -> None:
    envelope.attempts += 1
    envelope.last_error = error[:300]
    wait = min(timedelta(minutes=2**envelope.attempts), MAX_BACKOFF)
    envelope.next_attempt_at = timezone.now() + wait
    envelope.save(update_fields=["attempts", "last_error", "next_attempt_at"])
    log.warning("exchange: message %s to %s not delivered: %s", envelope.message_id, envelope.peer, error)


def deliver(envelope: Envelope, *, post: Post | None = None) -> bool:
    """Send one waiting message to its peer's inbox over HTTPS; the peer's signed receipt is taken in."""
    post = post or transport.post
    if not envelope.peer.active:  # it waits, untried, until the peer is reactivated
        envelope.last_error = PEER_INACTIVE
        envelope.save(update_fields=["last_error"])
        return False
    if not envelope.peer.address:
        _failed(envelope, "no address: export it to a file (safepassage exchange export)")
        return False
    token = _sealed(envelope)
    try:
        status, answer = post(envelope.peer.address, token)
    except OSError as exc:
        _failed(envelope, f"not reached: {exc}")
        return False
    if status == 202:
        _delivered(envelope)
        if answer.strip():
            try:
                receive(answer, channel="api")
            except Refused as refused:
                log.warning(
                    "exchange: the receipt for %s was refused: %s", envelope.message_id, refused.reason
                )
        return True
    if status == 409:  # the peer has it already (an earlier attempt arrived; its answer did not)
        _delivered(envelope)
        return True
    _failed(envelope, f"answered {status}: {answer[:200]}")
    return False


def outbox_run(*, now: datetime | None = None, post: Post | None = None, limit: int = 100) -> OutboxRun:
    """Deliver the messages whose time has come (the worker runs this every minute)."""
    now = now or timezone.now()
    done = OutboxRun()
    if not keys.own_signing_id():
        return done  # nothing can be sealed before `safepassage exchange keys`
    waiting = (
        Envelope.objects.select_related("peer", "transfer")
        .filter(direction=Envelope.Direction.OUT, status=Envelope.Status.WAITING, next_attempt_at__lte=now)
        .exclude(peer__address="")
        .filter(peer__active=True)  # a deactivated peer's messages wait (see peer_deactivate)
        .order_by("next_attempt_at", "id")[:limit]
    )
    for envelope in waiting:
        if deliver(envelope, post=post):
            done.delivered += 1
        else:
            done.failed += 1
    return done


def export_file(*, actor: User | None, peer: Peer) -> str:
    """Every message waiting for `peer`, one sealed message a line, for a peer reached only by hand: the
    messages count as delivered once written. Nothing for a deactivated peer."""
    if not Peer.objects.filter(pk=peer.pk, active=True).exists():
        return ""
    waiting = list(
        Envelope.objects.select_related("peer", "transfer").filter(
            peer=peer, direction=Envelope.Direction.OUT, status=Envelope.Status.WAITING
        )
    )
    lines = [_sealed(e) for e in waiting]
    for envelope in waiting:
        _delivered(envelope, Envelope.Status.EXPORTED)
    return "".join(line + "\n" for line in lines)


# ------------------------------------------------------------------------------------------------- inbox


@dataclass(frozen=True)
class Received:
    opened: Opened
    answer: str  # the signed receipt to send back ("" for a receipt)
    transfer: Transfer | None


def _refused(refused: Refused, channel: str) -> None:
    with transaction.atomic():
        peer = refused.peer
        audit_record(
            actor=None,
            action="exchange.message.refuse",
            agency=peer.receiving_agency_id if peer is not None else None,
            object_type="exchange.peer",
            object_id=peer.pk if peer is not None else "",
            changes={"reason": refused.reason, "message": refused.message_id, "channel": channel},
            plain=("reason",),
        )
    log.warning("exchange: message refused (%s) from %s", refused.reason, refused.peer or "unknown")


def receive(token: str, *, channel: str = "api", now: datetime | None = None) -> Received:
    """Open one message and take it in (a packet, a receipt, an answer or a follow-up), or refuse it: the
    reason goes to the audit trail only, and `Refused` to the caller."""
    try:
        with transaction.atomic():
            opened = message.open_message(token, now=now)
            envelope = Envelope(
                peer=opened.peer,
                direction=Envelope.Direction.IN,
                type=opened.type,
                message_id=uuid.UUID(opened.message_id),
                status=Envelope.Status.TAKEN,
                delivered_at=timezone.now(),
            )
            try:
                with transaction.atomic():
                    envelope.save()
            except IntegrityError:
                raise Refused("replayed", peer=opened.peer, message_id=opened.message_id) from None
            transfer = _take(opened)
            if transfer is not None:
                envelope.transfer = transfer
                envelope.save(update_fields=["transfer"])
            audit_record(
                actor=None,
                action="exchange.message.receive",
                obj=envelope,
                agency=transfer.agency_id if transfer is not None else opened.peer.receiving_agency_id,
                changes={
                    "message": opened.message_id,
                    "type": opened.type,
                    "peer": opened.peer.pk,
                    "transfer": transfer.pk if transfer is not None else None,
                    "channel": channel,
                },
            )
    except Refused as refused:
        _refused(refused, channel)
        raise
    answer = ""
    if opened.type != Envelope.Type.RECEIPT:
        answer = message.seal(
            opened.peer,
            type=Envelope.Type.RECEIPT,
            transfer=opened.transfer,
            body={"message": opened.message_id},
        )
    return Received(opened=opened, answer=answer, transfer=transfer)


def _own_transfer(opened: Opened, side: str | None) -> Transfer:
    try:
        found = Transfer.objects.select_for_update(of=("self",)).filter(
            peer=opened.peer, uid=uuid.UUID(opened.transfer)
        )
        if side is not None:
            found = found.filter(side=side)
        transfer = found.select_related("case", "repatriation").first()
    except ValueError:
        transfer = None
    if transfer is None:
        raise Refused("malformed", peer=opened.peer, message_id=opened.message_id)
    return transfer


def _note(transfer: Transfer, text: str) -> None:
    """What the other side answered, on the sender's case page (a note of its own agency, audited)."""
    assert transfer.case is not None
    note = CaseNote.objects.create(case=transfer.case, agency=transfer.case.agency, text=text)
    audit_record(
        actor=None,
        action="cases.note.create",
        obj=note,
        agency=transfer.case.agency_id,
        changes={"exchange": transfer.pk, "peer": transfer.peer_id},
    )


def _take(opened: Opened) -> Transfer | None:
    body = opened.body
    if opened.type == Envelope.Type.PACKET:
        try:
            uid = uuid.UUID(opened.transfer)
            kind, basis = str(body["kind"]), str(body["basis"])
            content = body["packet"]
            if kind not in Transfer.Kind.values or basis not in Transfer.Basis.values:
                raise ValueError(kind)
            if not isinstance(content, dict):
                raise ValueError("packet")
        except (KeyError, ValueError, TypeError):
            raise Refused("malformed", peer=opened.peer, message_id=opened.message_id) from None
        if Transfer.objects.filter(peer=opened.peer, side=Transfer.Side.RECEIVED, uid=uid).exists():
            raise Refused("replayed", peer=opened.peer, message_id=opened.message_id)
        return Transfer.objects.create(
            uid=uid,
            agency=opened.peer.receiving_agency,
            side=Transfer.Side.RECEIVED,
            kind=kind,
            peer=opened.peer,
            profile=str(body.get("profile", "")),
            basis=basis,
            consent_covers=list(body.get("consent_covers", [])),
            packet=content,
            status=Transfer.Status.RECEIVED,
            message_id=uuid.UUID(opened.message_id),
        )
    if opened.type == Envelope.Type.RECEIPT:
        if not opened.transfer:
            return None
        # a receipt for the packet (a transfer sent from here), or for an answer or a follow-up (received)
        transfer = _own_transfer(opened, None)
        if transfer.side == Transfer.Side.SENT and transfer.status in (
            Transfer.Status.WAITING,
            Transfer.Status.SENT,
        ):
            transfer.status = Transfer.Status.RECEIVED
            transfer.save(update_fields=["status", "updated_at"])
        return transfer
    if opened.type == Envelope.Type.ANSWER:
        transfer = _own_transfer(opened, Transfer.Side.SENT)
        decision = body.get("decision")
        if decision not in (Transfer.Status.ACCEPTED, Transfer.Status.DECLINED):
            raise Refused("malformed", peer=opened.peer, message_id=opened.message_id)
        transfer.status = str(decision)
        transfer.remote_reference = str(body.get("case_reference", ""))[:60]
        transfer.decision_note = str(body.get("note", ""))
        transfer.decided_at = timezone.now()
        transfer.save()
        repatriation = transfer.repatriation
        if (
            decision == Transfer.Status.ACCEPTED
            and repatriation is not None
            and repatriation.status == Repatriation.Status.SENT
        ):
            repatriation.status = Repatriation.Status.ACKNOWLEDGED
            repatriation.acknowledged_on = timezone.localdate()
            repatriation.acknowledged_by = f"{opened.peer.name} ({transfer.remote_reference})"[:200]
            repatriation.save(update_fields=["status", "acknowledged_on", "acknowledged_by"])
        if transfer.case is not None:
            if decision == Transfer.Status.ACCEPTED:
                text = _("%(peer)s accepted the %(kind)s (their case %(reference)s).")
            else:
                text = _("%(peer)s declined the %(kind)s: %(note)s")
            _note(
                transfer,
                text
                % {
                    "peer": opened.peer.name,
                    "kind": transfer.get_kind_display().lower(),
                    "reference": transfer.remote_reference,
                    "note": transfer.decision_note,
                },
            )
        return transfer
    if opened.type == Envelope.Type.FOLLOW_UP:
        transfer = _own_transfer(opened, Transfer.Side.SENT)
        done_on = parse_date(str(body.get("done_on", "")))
        wellbeing = str(body.get("wellbeing", ""))
        if done_on is None or wellbeing not in FollowUp.Wellbeing.values or transfer.case is None:
            raise Refused("malformed", peer=opened.peer, message_id=opened.message_id)
        named = body.get("partner") if isinstance(body.get("partner"), dict) else {}
        partner = (
            ReturnPartner.objects.filter(
                repatriation=transfer.repatriation,
                role=str(named.get("role", "")),
                name=str(named.get("name", "")),
            ).first()
            if named and transfer.repatriation is not None
            else None
        )
        follow_up = FollowUp.objects.create(
            case=transfer.case,
            partner=partner,
            kind=FollowUp.Kind.REPORT_BACK,
            done_on=done_on,
            by=(f"{opened.peer.name}: {body['by']}" if body.get("by") else opened.peer.name)[:200],
            wellbeing=wellbeing,
            summary=str(body.get("summary", "")),
        )
        audit_record(
            actor=None,
            action="cases.follow_up.create",
            obj=follow_up,
            agency=transfer.agency_id,
            changes={
                "kind": follow_up.kind,
                "wellbeing": wellbeing,
                "peer": opened.peer.pk,
                "partner": partner.pk if partner is not None else None,
            },
        )
        return transfer
    if opened.type == Envelope.Type.AGGREGATE:
        aggregates.take(opened)
        return None
    raise Refused("malformed", peer=opened.peer, message_id=opened.message_id)


# ------------------------------------------------------------------------------- the receiving side decides


def _received(actor: User | None, transfer: Transfer) -> Transfer:
    transfer = Transfer.objects.select_for_update(of=("self",)).select_related("peer").get(pk=transfer.pk)
    if transfer.side != Transfer.Side.RECEIVED or not is_coordinator(actor, transfer.agency_id):
        raise Http404
    if transfer.status != Transfer.Status.RECEIVED:
        raise _fail("status", _("This was decided already."))
    return transfer


def _record_of(values: dict[str, Any], pk: int, agency_id: int) -> dict[str, Any]:
    birth = values.get("birth_date")
    return matching.record(
        {
            "id": pk,
            "agency_id": agency_id,
            "given_name": values.get("given_name", "") or "",
            "family_name": values.get("family_name", "") or "",
            "given_name_latin": values.get("given_name_latin", "") or "",
            "family_name_latin": values.get("family_name_latin", "") or "",
            "sex": values.get("sex", "") or "",
            "birth_date": parse_date(birth) if isinstance(birth, str) else birth,
            "birth_year": values.get("birth_year"),
            "village_code": values.get("village__code") or values.get("village_code"),
        }
    )


def matches(transfer: Transfer, agency: Agency) -> list[tuple[int, float]]:
    """People of `agency` the linkage matcher finds likely to be the person of the packet: (id, probability),
    the likeliest first."""
    return [(other, pair.probability) for other, pair in _pairs(transfer, agency)]


def _pairs(transfer: Transfer, agency: Agency) -> list[tuple[int, matching.Pair]]:
    """The matcher's pairs of the packet's person (id 0) with people of `agency`. Nobody is merged: a
    coordinator chooses, or a new person's pairs wait for review."""
    content = transfer.packet
    if not content.get("given_name"):
        return []
    latin = str(content.get("name_latin", "") or "").split(" ", 1)
    values = {
        **content,
        "given_name_latin": latin[0] if latin else "",
        "family_name_latin": latin[1] if len(latin) > 1 else "",
    }
    year = content.get("birth_year") or (
        int(content["birth_date"][:4]) if isinstance(content.get("birth_date"), str) else None
    )
    people = Person.objects.filter(agency=agency)
    if year:
        people = people.filter(birth_year__in=[year - 1, year, year + 1])
    rows = list(people.values(*PERSON_VALUES)[:5000])
    if not rows:
        return []
    records = [_record_of(values, 0, agency.pk)]
    records += [matching.record({**row, "village_code": row["village__code"]}) for row in rows]
    # A few thousand records while a message is received: in this process, never on Spark (LINKAGE_BACKEND).
    pairs = matching.find_pairs(records, threshold=MATCH_THRESHOLD, backend="duckdb")
    found = [(p.b if p.a == 0 else p.a, p) for p in pairs if 0 in (p.a, p.b)]
    return sorted(found, key=lambda item: -item[1].probability)


@transaction.atomic
def transfer_accept(
    *,
    actor: User,
    transfer: Transfer,
    agency: Agency | None = None,
    village_code: str = "",
    person: Person | None = None,
    on: date | None = None,
) -> Case:
    """Accept a received case into an agency the coordinator chooses: a real case for the person (one the
    matcher found and the coordinator chose, or a new one, whose likely matches wait for review), with its
    journey, the best-interests assessment and the return steps, and its provenance; a signed answer goes
    back to the sender."""
    transfer = _received(actor, transfer)
    agency = agency or transfer.agency
    if not is_coordinator(actor, agency.pk):
        raise Http404
    on = on or timezone.localdate()
    content = dict(transfer.packet)
    suggestions = [] if person is not None else _pairs(transfer, agency)
    person_fields: dict[str, Any] | None = None
    if person is not None:
        person = get_for_user(Person.objects.all(), actor, person.pk)
        if person.agency_id != agency.pk:
            raise Http404
    else:
        if not content.get("given_name"):
            raise _fail("person", _("The packet names nobody: choose the person it is about."))
        if not village_code:
            raise _fail("village_code", _("Say which village the person returns to."))
        person_fields = {
            "given_name": content["given_name"],
            "family_name": content.get("family_name", "") or "",
            "sex": content.get("sex") or "unknown",
            "birth_date": parse_date(content["birth_date"]) if content.get("birth_date") else None,
            "birth_year": content.get("birth_year"),
            "languages": list(content.get("languages") or []),
            "village_code": village_code,
        }
        person_fields = {k: v for k, v in person_fields.items() if v not in (None, "", [])}
    case = case_services.case_open(
        actor=actor,
        opened_on=on,
        person=person,
        person_fields=person_fields,
        agency=agency,
        nationality=str(content.get("nationality", "") or ""),
    )
    for event in content.get("journey") or []:
        case_services.event_add(
            actor=actor,
            case=case,
            kind=event["kind"],
            occurred_on=parse_date(event["occurred_on"]) or on,
            country=event.get("country", "") or "",
            place=event.get("place", "") or "",
        )
    assessed = content.get("best_interests")
    assessment = None
    if assessed:
        assessed_on = min(parse_date(assessed["assessed_on"]) or on, on)
        assessment = case_services.best_interests_record(
            actor=actor,
            case=case,
            assessed_on=assessed_on,
            assessor=f"{assessed.get('assessor', '')} ({transfer.peer.name})"[:200],
            views=_("Assessed by %(agency)s before the return; their packet carries the recommendation.")
            % {"agency": content.get("sending_agency", transfer.peer.name)},
            recommendation=assessed["recommendation"],
            family_traced=bool(assessed.get("family_traced")),
            home_safe=bool(assessed.get("home_safe")),
        )
        if transfer.kind == Transfer.Kind.REPATRIATION and assessed["recommendation"] == "return":
            for stage in ("best_interests", "return"):
                case_services.step_record(
                    actor=actor,
                    case=case,
                    stage_code=stage,
                    started_on=on,
                    notes=_("Received from %(peer)s.") % {"peer": transfer.peer.name},
                )
    coming = content.get("return")
    if transfer.kind == Transfer.Kind.REPATRIATION and assessment is not None and isinstance(coming, dict):
        _return_received(actor, transfer, case, assessment, content, coming)
    case_services.note_add(
        actor=actor,
        case=case,
        text=_("Received from peer %(peer)s, message id %(message)s (their case %(reference)s).")
        % {
            "peer": transfer.peer.name,
            "message": transfer.message_id,
            "reference": content.get("case_reference"),
        },
    )
    if person is None:
        for other, pair in suggestions:
            a, b = sorted((case.person_id, other))
            MatchCandidate.objects.get_or_create(
                person_a_id=a,
                person_b_id=b,
                defaults={
                    "agency": agency,
                    "other_agency": agency,
                    "match_weight": pair.match_weight,
                    "probability": pair.probability,
                    "evidence": pair.evidence,
                    "involves_child": bool(content.get("child")),
                },
            )
    transfer.agency, transfer.case = agency, case
    transfer.status = Transfer.Status.ACCEPTED
    transfer.decided_by, transfer.decided_at = actor, timezone.now()
    transfer.remote_reference = str(content.get("case_reference", ""))[:60]
    transfer.save()
    _queue(
        transfer,
        transfer.peer,
        Envelope.Type.ANSWER,
        {"decision": Transfer.Status.ACCEPTED, "case_reference": case.reference},
    )
    audit_record(
        actor=actor,
        action="exchange.transfer.accept",
        obj=transfer,
        changes={
            "case": case.pk,
            "person": case.person_id,
            "matched": person is not None,
            "likely_matches": len(suggestions),
            "message": str(transfer.message_id),
        },
    )
    return case


def destination_of(coming: dict[str, Any], fallback_country: str) -> tuple[str, Area | None, str]:
    """Where a received return goes: (country, the area of our tree, or the place as the other side named
    it). The area is looked up by its code within that country's own tree (its levels are the country's,
    not Thai ones); one we do not hold is recorded as they named it, never refused."""
    country = str(coming.get("destination_country") or fallback_country or "").upper()[:2]
    code = str(coming.get("destination_area") or "")
    if not code:
        return country, None, ""
    area = Area.objects.filter(code=code, path__startswith=f"{country}/").first()
    if area is not None:
        return country, area, ""
    level = str(coming.get("destination_area_level") or "")
    name = str(coming.get("destination_area_name") or "") or code
    return country, None, f"{name} ({level_label(level)}, {code})" if level else f"{name} ({code})"


def _return_received(
    actor: User | None,
    transfer: Transfer,
    case: Case,
    assessment: Any,
    content: dict[str, Any],
    coming: dict[str, Any],
) -> Repatriation:
    """The sending side's return, on the receiving case: its destination, measures and partners."""
    country, area, place = destination_of(coming, transfer.peer.country)
    given = content.get("return_measures") or {}
    measures = given.get("measures") if isinstance(given, dict) else []
    codes = [str(m.get("code", "")) for m in measures or [] if isinstance(m, dict)]
    known = set(ReturnMeasureKind.objects.filter(code__in=codes).values_list("code", flat=True))
    # a measure the sender lists that our list lacks is kept, in their words, in the note
    others = [str(m.get("name") or m.get("code")) for m in measures or [] if isinstance(m, dict)]
    others = [name for m, name in zip(codes, others, strict=True) if m not in known]
    note = str(given.get("note", "") if isinstance(given, dict) else "")
    if others:
        note = "\n".join(
            filter(None, [note, _("Also agreed by the sending side: %(list)s") % {"list": "; ".join(others)}])
        )
    partners = content.get("return_partners") or []
    planned = coming.get("planned_on")
    return case_services.return_received(
        actor=actor,
        case=case,
        assessment=assessment,
        destination_country=country,
        destination_area=area,
        destination_place=place,
        planned_on=parse_date(planned) if isinstance(planned, str) else None,
        measures=[c for c in codes if c in known],
        measures_note=note,
        partners=[p for p in partners if isinstance(p, dict)],
        acknowledged_by=_("%(peer)s (their case %(reference)s)")
        % {"peer": transfer.peer.name, "reference": content.get("case_reference", "")},
    )


@transaction.atomic
def transfer_decline(*, actor: User, transfer: Transfer, reason: str) -> Transfer:
    """Decline a received case, with a reason that goes back (signed) to the sender."""
    transfer = _received(actor, transfer)
    if not reason.strip():
        raise _fail("reason", _("Say why it is declined."))
    transfer.status = Transfer.Status.DECLINED
    transfer.decision_note = reason
    transfer.decided_by, transfer.decided_at = actor, timezone.now()
    transfer.save()
    _queue(
        transfer, transfer.peer, Envelope.Type.ANSWER, {"decision": Transfer.Status.DECLINED, "note": reason}
    )
    audit_record(actor=actor, action="exchange.transfer.decline", obj=transfer, changes={"note": reason})
    return transfer


@transaction.atomic
def follow_up_send(
    *,
    actor: User,
    transfer: Transfer,
    done_on: date,
    wellbeing: str,
    summary: str = "",
    by: str = "",
    partner: ReturnPartner | None = None,
) -> FollowUp:
    """A reintegration follow-up on a received case: recorded here and reported back to the sender. It may
    name the partner of the return who did it (a partner both sides recorded from the packet)."""
    transfer = Transfer.objects.select_related("peer", "case").get(pk=transfer.pk)
    if transfer.side != Transfer.Side.RECEIVED or transfer.status != Transfer.Status.ACCEPTED:
        raise Http404
    assert transfer.case is not None
    follow_up = case_services.follow_up_record(
        actor=actor,
        case=transfer.case,
        kind=FollowUp.Kind.REINTEGRATION,
        done_on=done_on,
        wellbeing=wellbeing,
        summary=summary,
        by=by,
        partner_id=partner.pk if partner is not None else None,
    )
    body: dict[str, Any] = {
        "done_on": done_on.isoformat(),
        "wellbeing": wellbeing,
        "summary": summary,
        "by": by,
    }
    if follow_up.partner is not None:
        body["partner"] = {"role": follow_up.partner.role, "name": follow_up.partner.name}
    _queue(transfer, transfer.peer, Envelope.Type.FOLLOW_UP, body)
    audit_record(
        actor=actor, action="exchange.follow_up.send", obj=transfer, changes={"wellbeing": wellbeing}
    )
    return follow_up


# ------------------------------------------------------------------------------------------------- reads


def transfers_for(actor: User | None) -> Any:
    return Transfer.objects.visible_to(actor).select_related("peer", "case", "agency")


def transfer_read(*, actor: User | None, pk: Any) -> Transfer:
    """One transfer with its packet, for those who may see it (its agency's case staff): an audited read."""
    transfer = get_for_user(transfers_for(actor), actor, pk)
    audit_read(actor=actor, obj=transfer, what="packet")
    return transfer


def messages_of(transfer: Transfer) -> list[Envelope]:
    return list(transfer.envelopes.order_by("created_at", "id"))
