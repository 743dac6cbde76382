"""API: links between establishments, supply chains, hot spots over time and media items (staff only)."""

from datetime import date
from typing import Any

from django.http import Http404, HttpRequest
from ninja import Router, Schema, Status

from safepassage.accounts.selectors import signed_in_user
from safepassage.core.access import viewer_for
from safepassage.core.api import ErrorOut
from safepassage.core.models import get_for_user
from safepassage.core.roles import Action, Role
from safepassage.geo.selectors import get_area
from safepassage.workplaces import links, selectors
from safepassage.workplaces.models import MediaItem, Workplace

router = Router(tags=["sin space"])
ERRORS: dict[int, Any] = {400: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut}


def _staff_workplace(request: HttpRequest, workplace_id: int, action: str = Action.VIEW) -> Workplace:
    workplace = selectors.get_workplace_for_user(request.user, workplace_id, action)
    if not selectors.is_staff_of(viewer_for(request.user), workplace):
        raise Http404  # a partner employer sees its workplace, never what is known about it
    return workplace


class LinkIn(Schema):
    to_workplace_id: int
    kind: str
    started_on: date
    ended_on: date | None = None
    source: str
    reliability: str
    note: str = ""


class LinkOut(Schema):
    id: int
    from_workplace_id: int
    to_workplace_id: int
    kind: str
    started_on: date
    ended_on: date | None
    source: str
    reliability: str
    note: str


@router.get("/workplaces/{workplace_id}/links", response={200: list[LinkOut], 404: ErrorOut})
def link_list(request: HttpRequest, workplace_id: int) -> Any:
    """Links from and to a workplace (e.g. women moved between venues)."""
    return list(links.links_of(viewer=request.user, workplace=_staff_workplace(request, workplace_id)))


@router.post("/workplaces/{workplace_id}/links", response={201: LinkOut, **ERRORS})
def link_create(request: HttpRequest, workplace_id: int, payload: LinkIn) -> Status[Any]:
    """Record a link from this workplace to another of yours."""
    workplace = _staff_workplace(request, workplace_id, Action.CHANGE)
    return Status(
        201, links.link_record(actor=signed_in_user(request), from_workplace=workplace, **payload.dict())
    )


class SupplyIn(Schema):
    product: str
    source: str
    buyer_id: int | None = None
    buyer_name: str = ""
    buyer_country: str = ""
    since: date | None = None
    until: date | None = None
    note: str = ""


class SupplyOut(Schema):
    id: int
    workplace_id: int
    buyer_id: int | None
    buyer_name: str
    buyer_country: str
    product: str
    since: date | None
    until: date | None
    source: str
    note: str


@router.get("/workplaces/{workplace_id}/supplies", response={200: list[SupplyOut], 404: ErrorOut})
def supply_list(request: HttpRequest, workplace_id: int) -> Any:
    """What a workplace supplies, to which employer or buyer."""
    return list(links.supplies_of(viewer=request.user, workplace=_staff_workplace(request, workplace_id)))


@router.post("/workplaces/{workplace_id}/supplies", response={201: SupplyOut, **ERRORS})
def supply_create(request: HttpRequest, workplace_id: int, payload: SupplyIn) -> Status[Any]:
    """Record a supply link from this workplace."""
    workplace = _staff_workplace(request, workplace_id, Action.CHANGE)
    return Status(
        201, links.supply_record(actor=signed_in_user(request), workplace=workplace, **payload.dict())
    )


class HotSpotRowOut(Schema):
    workplace_id: int
    name: str
    counts: list[int]
    total: int


class HotSpotsOut(Schema):
    months: list[date]
    rows: list[HotSpotRowOut]
    totals: list[int]


@router.get("/workplace-hotspots", response={200: HotSpotsOut, 404: ErrorOut})
def hotspot_list(
    request: HttpRequest, area: str = "", workplace_id: int | None = None, months: int = 12
) -> Any:
    """Evidence by month per workplace, in an area or for one workplace (the viewer's agencies' evidence)."""
    if not viewer_for(request.user).has_role(Role.ADMIN, Role.COORDINATOR, Role.CASEWORKER):
        raise Http404
    workplace = _staff_workplace(request, workplace_id) if workplace_id else None
    return links.hotspots(
        viewer=request.user, area=get_area(area) if area else None, workplace=workplace, months=months
    )


class MediaIn(Schema):
    published_on: date
    outlet: str
    title: str
    url: str = ""
    summary: str = ""
    workplace_id: int | None = None
    indicators: list[str] = []


class MediaOut(Schema):
    id: int
    published_on: date
    outlet: str
    title: str
    url: str
    summary: str
    workplace_id: int | None
    indicators: list[str]
    status: str
    reject_reason: str
    observation_id: int | None


class AcceptIn(Schema):
    reliability: str
    workplace_id: int | None = None
    indicators: list[str] | None = None


class RejectIn(Schema):
    reason: str


@router.get("/media-items", response={200: list[MediaOut], 404: ErrorOut})
def media_list(request: HttpRequest, status: str = MediaItem.Status.PENDING) -> Any:
    """Media items of your agencies in one state ('' for all); the review queue by default."""
    if not viewer_for(request.user).has_role(Role.ADMIN, Role.COORDINATOR, Role.CASEWORKER):
        raise Http404
    return list(links.media_queue(viewer=request.user, status=status)[:500])


@router.post("/media-items", response={201: MediaOut, **ERRORS})
def media_create(request: HttpRequest, payload: MediaIn) -> Status[Any]:
    """Put a media item in the review queue."""
    return Status(201, links.media_add(actor=signed_in_user(request), **payload.dict()))


@router.post("/media-items/{item_id}/accept", response={200: MediaOut, **ERRORS})
def media_accept(request: HttpRequest, item_id: int, payload: AcceptIn) -> Any:
    """A coordinator accepts the item: it becomes evidence on its workplace."""
    item = get_for_user(MediaItem.objects.all(), request.user, item_id)
    links.media_accept(actor=signed_in_user(request), item=item, **payload.dict())
    item.refresh_from_db()
    return item


@router.post("/media-items/{item_id}/reject", response={200: MediaOut, **ERRORS})
def media_reject(request: HttpRequest, item_id: int, payload: RejectIn) -> Any:
    """A coordinator rejects the item with a reason."""
    item = get_for_user(MediaItem.objects.all(), request.user, item_id)
    return links.media_reject(actor=signed_in_user(request), item=item, reason=payload.reason)
