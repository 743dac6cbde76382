"""The exchange API: the inbox other installations post to (no token: the message's signature is its proof),
and, with a token, peers and transfers (request, approve, accept, decline, follow-up, the packet again)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from uuid import UUID

from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext as _
from ninja import Router, Schema, Status

from safepassage.accounts.models import Agency
from safepassage.accounts.selectors import signed_in_user
from safepassage.cases.models import Case, Repatriation
from safepassage.core.api import ErrorOut, error_body
from safepassage.core.models import get_for_user
from safepassage.core.roles import Action
from safepassage.exchange import aggregates, publications, services
from safepassage.exchange.message import Refused
from safepassage.exchange.models import Peer, Transfer
from safepassage.geo.models import Area
from safepassage.registry.models import Person

router = Router(tags=["exchange"])
ERRORS: dict[int, Any] = {400: ErrorOut, 404: ErrorOut, 422: ErrorOut}
MAX_MESSAGE = 2 * 1024 * 1024


@router.post(
    "/exchange/inbox",
    auth=None,
    response={202: str, 400: ErrorOut, 409: ErrorOut},
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {"application/jose": {"schema": {"type": "string", "description": "a compact JWE"}}},
        }
    },
)
def inbox(request: HttpRequest) -> HttpResponse:
    """A sealed message from a peer (`Content-Type: application/jose`, the compact JWE as the body). Answers
    202 with a signed receipt (a compact JWE to the sender), or 400/409 with the reason it was refused."""
    if len(request.body) > MAX_MESSAGE:
        return JsonResponse(error_body(_("The message is too large.")), status=400)
    try:
        received = services.receive(request.body.decode("ascii", "replace"), channel="api")
    except Refused as refused:
        body = {**error_body(refused.text), "reason": refused.reason}
        return JsonResponse(body, status=409 if refused.reason == "replayed" else 400)
    return HttpResponse(received.answer, status=202, content_type="application/jose")


class PeerIn(Schema):
    name: str
    country: str
    address: str = ""
    signing_key: dict[str, Any]
    encryption_key: dict[str, Any]
    receiving_agency_id: int
    profile: str = "origin_agency"


class PeerOut(Schema):
    id: int
    name: str
    country: str
    address: str
    key_id: str
    profile: str
    receiving_agency_id: int
    active: bool


@router.get("/exchange/peers", response=list[PeerOut])
def peer_list(request: HttpRequest) -> Any:
    user = signed_in_user(request)
    if not services.coordinator_agencies(user):
        raise Http404
    return list(Peer.objects.all())


@router.post("/exchange/peers", response={201: PeerOut, **ERRORS})
def peer_create(request: HttpRequest, payload: PeerIn) -> Any:
    user = signed_in_user(request)
    agency = Agency.objects.filter(pk=payload.receiving_agency_id).first()
    if agency is None:
        raise Http404
    data = payload.dict()
    data.pop("receiving_agency_id")
    return Status(201, services.peer_register(actor=user, receiving_agency=agency, **data))


class TransferIn(Schema):
    case_id: int
    peer_id: int
    kind: str
    basis: str
    repatriation_id: int | None = None
    consent_covers: list[str] = []


class MessageOut(Schema):
    message_id: UUID
    direction: str
    type: str
    status: str
    attempts: int
    last_error: str
    created_at: datetime
    delivered_at: datetime | None


class TransferOut(Schema):
    id: int
    uid: UUID
    side: str
    kind: str
    status: str
    peer_id: int
    peer: str
    agency_id: int
    case_id: int | None
    profile: str
    basis: str
    message_id: UUID | None
    remote_reference: str
    created_at: datetime


class TransferDetail(TransferOut):
    packet: dict[str, Any]
    decision_note: str
    messages: list[MessageOut]


def _out(transfer: Transfer) -> dict[str, Any]:
    return {
        **{f: getattr(transfer, f) for f in TransferOut.model_fields if f != "peer"},
        "peer": transfer.peer.name,
    }


def _detail(transfer: Transfer) -> dict[str, Any]:
    return {
        **_out(transfer),
        "packet": transfer.packet,
        "decision_note": transfer.decision_note,
        "messages": services.messages_of(transfer),
    }


@router.get("/exchange/transfers", response=list[TransferOut])
def transfer_list(request: HttpRequest) -> Any:
    return [_out(t) for t in services.transfers_for(signed_in_user(request))[:200]]


@router.get("/exchange/transfers/{transfer_id}", response={200: TransferDetail, **ERRORS})
def transfer_detail(request: HttpRequest, transfer_id: int) -> Any:
    """The transfer with its packet (an audited read): the packet can be fetched again by those who may see
    it."""
    return _detail(services.transfer_read(actor=signed_in_user(request), pk=transfer_id))


@router.post("/exchange/transfers", response={201: TransferDetail, **ERRORS})
def transfer_create(request: HttpRequest, payload: TransferIn) -> Any:
    user = signed_in_user(request)
    case = get_for_user(Case.objects.all(), user, payload.case_id, Action.CHANGE)
    peer = Peer.objects.filter(pk=payload.peer_id).first()
    if peer is None:
        raise Http404
    repatriation = (
        Repatriation.objects.filter(case=case, pk=payload.repatriation_id).first()
        if payload.repatriation_id
        else None
    )
    transfer = services.transfer_request(
        actor=user,
        case=case,
        peer=peer,
        kind=payload.kind,
        basis=payload.basis,
        repatriation=repatriation,
        consent_covers=payload.consent_covers,
    )
    return Status(201, _detail(transfer))


def _transfer(request: HttpRequest, transfer_id: int) -> Transfer:
    return get_for_user(services.transfers_for(signed_in_user(request)), signed_in_user(request), transfer_id)


@router.post("/exchange/transfers/{transfer_id}/approve", response={200: TransferDetail, **ERRORS})
def transfer_approve(request: HttpRequest, transfer_id: int) -> Any:
    transfer = services.transfer_approve(
        actor=signed_in_user(request), transfer=_transfer(request, transfer_id)
    )
    return _detail(transfer)


class AcceptIn(Schema):
    agency_id: int | None = None
    village_code: str = ""
    person_id: int | None = None


@router.post("/exchange/transfers/{transfer_id}/accept", response={200: TransferDetail, **ERRORS})
def transfer_accept(request: HttpRequest, transfer_id: int, payload: AcceptIn) -> Any:
    user = signed_in_user(request)
    transfer = _transfer(request, transfer_id)
    agency = Agency.objects.filter(pk=payload.agency_id).first() if payload.agency_id else None
    person = Person.objects.filter(pk=payload.person_id).first() if payload.person_id else None
    if (payload.agency_id and agency is None) or (payload.person_id and person is None):
        raise Http404
    services.transfer_accept(
        actor=user, transfer=transfer, agency=agency, village_code=payload.village_code, person=person
    )
    return _detail(Transfer.objects.get(pk=transfer.pk))


class DeclineIn(Schema):
    reason: str


@router.post("/exchange/transfers/{transfer_id}/decline", response={200: TransferDetail, **ERRORS})
def transfer_decline(request: HttpRequest, transfer_id: int, payload: DeclineIn) -> Any:
    transfer = services.transfer_decline(
        actor=signed_in_user(request), transfer=_transfer(request, transfer_id), reason=payload.reason
    )
    return _detail(transfer)


class FollowUpIn(Schema):
    done_on: date
    wellbeing: str
    summary: str = ""
    by: str = ""


@router.post("/exchange/transfers/{transfer_id}/follow-ups", response={201: TransferDetail, **ERRORS})
def transfer_follow_up(request: HttpRequest, transfer_id: int, payload: FollowUpIn) -> Any:
    transfer = _transfer(request, transfer_id)
    services.follow_up_send(actor=signed_in_user(request), transfer=transfer, **payload.dict())
    return Status(201, _detail(transfer))


# --------------------------------------------------------------------- roll-up and publications (part 7)


class AggregateIn(Schema):
    agency_id: int
    area_code: str
    start: date
    end: date
    to_agency_id: int | None = None
    peer_id: int | None = None


class AggregateOut(Schema):
    id: int
    uid: UUID
    side: str
    agency_id: int
    from_name: str
    to_agency_id: int | None
    peer_id: int | None
    area_code: str
    area_name: str
    level: str
    period_start: date
    period_end: date
    figures: dict[str, Any]
    message_id: UUID | None
    created_at: datetime


class RollupOut(Schema):
    rows: list[dict[str, Any]]
    reports: list[AggregateOut]


@router.get("/exchange/aggregates", response={200: RollupOut, 404: ErrorOut})
def aggregate_list(request: HttpRequest) -> Any:
    """The roll-up: the reports the caller's agencies made and received (figures protected by the agency
    that made them), and each area's figures from the centres below with their totals."""
    user = signed_in_user(request)
    if not aggregates.may_read(user):
        raise Http404
    rows = [
        {
            **{k: row[k] for k in ("area", "area_name", "total", "at_least")},
            "parts": [
                {**{k: v for k, v in part.items() if k != "report"}, "report_id": part["report"].pk}
                for part in row["parts"]
            ],
        }
        for row in aggregates.read_rollup(user)
    ]
    return {"rows": rows, "reports": list(aggregates.reports_for(user)[:200])}


@router.post("/exchange/aggregates", response={201: AggregateOut, **ERRORS})
def aggregate_send(request: HttpRequest, payload: AggregateIn) -> Any:
    """Send the agency's protected figures for whole months and an area to an agency here or to a peer
    (coordinators of the agency)."""
    user = signed_in_user(request)
    agency = Agency.objects.filter(pk=payload.agency_id, active=True).first()
    area = Area.objects.filter(code=payload.area_code).first()
    if agency is None or area is None:
        raise Http404
    to_agency = Agency.objects.filter(pk=payload.to_agency_id or 0, active=True).first()
    peer = Peer.objects.filter(pk=payload.peer_id or 0).first()
    report = aggregates.report_send(
        actor=user,
        agency=agency,
        area=area,
        start=payload.start,
        end=payload.end,
        to_agency=to_agency,
        peer=peer,
    )
    return Status(201, report)


class PublicationIn(Schema):
    agency_id: int
    kind: str
    title: str
    text: str
    case_id: int | None = None
    reviewer_agency_id: int | None = None


class PublicationOut(Schema):
    id: int
    agency_id: int
    kind: str
    title: str
    status: str
    case_id: int | None
    reviewer_agency_id: int | None
    drafted_by_id: int | None
    approved_by_id: int | None
    created_at: datetime


class PublicationText(PublicationOut):
    text: str


@router.get("/exchange/publications", response=list[PublicationOut])
def publication_list(request: HttpRequest) -> Any:
    """Publications, case stories and cross-agency reports of the caller's agencies, and those they are
    asked to approve (without their text)."""
    return list(publications.visible(signed_in_user(request))[:200])


@router.post("/exchange/publications", response={201: PublicationOut, **ERRORS})
def publication_draft(request: HttpRequest, payload: PublicationIn) -> Any:
    """Draft one (a coordinator or caseworker of the agency); a story names its case and must not name its
    people."""
    user = signed_in_user(request)
    agency = Agency.objects.filter(pk=payload.agency_id, active=True).first()
    if agency is None:
        raise Http404
    case = None
    if payload.case_id is not None:
        case = get_for_user(Case.objects.all(), user, payload.case_id)
    reviewer = Agency.objects.filter(pk=payload.reviewer_agency_id or 0, active=True).first()
    return Status(
        201,
        publications.draft(
            actor=user,
            agency=agency,
            kind=payload.kind,
            title=payload.title,
            text=payload.text,
            case=case,
            reviewer_agency=reviewer,
        ),
    )


@router.get("/exchange/publications/{publication_id}", response={200: PublicationText, 404: ErrorOut})
def publication_read(request: HttpRequest, publication_id: int) -> Any:
    """One publication with its text (an audited read)."""
    return publications.read(actor=signed_in_user(request), pk=publication_id)


@router.post("/exchange/publications/{publication_id}/approve", response={200: PublicationOut, **ERRORS})
def publication_approve(request: HttpRequest, publication_id: int) -> Any:
    """Approve it: a coordinator of the agency asked to review it, or of its own, never its author."""
    user = signed_in_user(request)
    return publications.approve(actor=user, publication=publications.read(actor=user, pk=publication_id))


@router.get(
    "/exchange/publications/{publication_id}/download", response={200: PublicationText, 404: ErrorOut}
)
def publication_download(request: HttpRequest, publication_id: int) -> Any:
    """The approved text, to publish: 404 until approved (audited)."""
    return publications.download(actor=signed_in_user(request), pk=publication_id)
