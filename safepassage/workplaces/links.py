"""Links between establishments, hot spots over time, supply chains and media items (issue 22 part 8).

R-015: women moved between venues (a link with kind, dates and source) and hot spots over time (a
workplace's or an area's evidence counted by month). R-097: the employers or buyers a workplace supplies.
R-099: media items as a source of evidence, through a review queue.

All of it is evidence about workplaces: staff of the owning agency only (the observations' roles), never a
partner employer (docs/sin-space.md, "Employers never see surveillance"). Counts stay inside the agency
that recorded the evidence, so they are exact.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, Q, QuerySet
from django.db.models.functions import TruncMonth
from django.utils import timezone
from django.utils.translation import gettext as _

from safepassage.accounts.models import Agency, User
from safepassage.audit.services import audit_record
from safepassage.core.access import viewer_for
from safepassage.core.roles import Action, Role
from safepassage.geo.models import Area
from safepassage.workplaces.models import (
    Employer,
    LabourIndicator,
    MediaItem,
    Observation,
    SupplyLink,
    Workplace,
    WorkplaceLink,
)
from safepassage.workplaces.services import _owner, observation_record

# --- links between establishments (R-015) ---------------------------------------------------------------


def _check_dates(first: date | None, last: date | None, first_field: str, last_field: str) -> None:
    today = timezone.localdate()
    errors: dict[str, list[str]] = {}
    for value, name in ((first, first_field), (last, last_field)):
        if value is not None and value > today:
            errors[name] = [_("The date cannot be in the future.")]
    if first is not None and last is not None and last < first:
        errors[last_field] = [_("The end cannot be before the start.")]
    if errors:
        raise ValidationError(errors)


def _check_source(source: str, reliability: str | None = None) -> None:
    errors: dict[str, list[str]] = {}
    if source not in Observation.Source.values:
        errors["source"] = [_("Unknown source %(source)s.") % {"source": source}]
    if reliability is not None and reliability not in Observation.Reliability.values:
        errors["reliability"] = [_("Reliability is A, B, C, D or E.")]
    if errors:
        raise ValidationError(errors)


def _changeable(actor: User | None, pk: Any, name: str = "to_workplace") -> Workplace:
    """A workplace the actor may change (any, for the system: demo and imports run with no actor)."""
    qs = Workplace.objects.all() if actor is None else Workplace.objects.visible_to(actor, Action.CHANGE)
    workplace = qs.filter(pk=pk).first()
    if workplace is None:
        raise ValidationError({name: _("No such workplace of yours.")})
    return workplace


def _owner_of(actor: User | None, workplace: Workplace) -> Agency:
    return workplace.agency if actor is None else _owner(actor, workplace.agency)


@transaction.atomic
def link_record(
    *,
    actor: User | None,
    from_workplace: Workplace,
    to_workplace_id: int,
    kind: str,
    started_on: date,
    source: str,
    reliability: str,
    ended_on: date | None = None,
    note: str = "",
) -> WorkplaceLink:
    """Record that two establishments are linked, e.g. women moved from one to the other."""
    to_workplace = _changeable(actor, to_workplace_id)
    if to_workplace.pk == from_workplace.pk:
        raise ValidationError({"to_workplace": _("A workplace cannot be linked to itself.")})
    if kind not in WorkplaceLink.Kind.values:
        raise ValidationError({"kind": _("Unknown kind %(kind)s.") % {"kind": kind}})
    _check_source(source, reliability)
    _check_dates(started_on, ended_on, "started_on", "ended_on")
    owner = _owner_of(actor, from_workplace)
    link = WorkplaceLink.objects.create(
        agency=owner,
        from_workplace=from_workplace,
        to_workplace=to_workplace,
        kind=kind,
        started_on=started_on,
        ended_on=ended_on,
        source=source,
        reliability=reliability,
        note=note.strip(),
        recorded_by=actor,
    )
    audit_record(
        actor=actor,
        action="workplaces.link.record",
        obj=link,
        changes={
            "from": from_workplace.pk,
            "to": to_workplace.pk,
            "kind": kind,
            "started_on": started_on,
            "ended_on": ended_on,
            "source": source,
            "note": link.note,
        },
    )
    return link


def links_of(*, viewer: Any, workplace: Workplace) -> QuerySet[WorkplaceLink]:
    """The links from and to a workplace the viewer may see (staff only), each with both ends."""
    return (
        WorkplaceLink.objects.visible_to(viewer)
        .filter(Q(from_workplace=workplace) | Q(to_workplace=workplace))
        .select_related("from_workplace", "to_workplace")
    )


# --- supply chains (R-097) --------------------------------------------------------------------------------


@transaction.atomic
def supply_record(
    *,
    actor: User | None,
    workplace: Workplace,
    product: str,
    source: str,
    buyer_id: int | None = None,
    buyer_name: str = "",
    buyer_country: str = "",
    since: date | None = None,
    until: date | None = None,
    note: str = "",
) -> SupplyLink:
    """Record that a workplace supplies an employer on record or a named buyer, with what product."""
    buyer: Employer | None = None
    if buyer_id is not None:
        employers = Employer.objects.all() if actor is None else Employer.objects.visible_to(actor)
        buyer = employers.filter(pk=buyer_id).first()
        if buyer is None:
            raise ValidationError({"buyer": _("No such employer of yours.")})
    errors: dict[str, list[str]] = {}
    if buyer is None and not buyer_name.strip():
        errors["buyer_name"] = [_("Choose an employer on record or name the buyer.")]
    if not product.strip():
        errors["product"] = [_("Say what is supplied.")]
    country = buyer_country.strip().upper()
    if country and (len(country) != 2 or not country.isalpha()):
        errors["buyer_country"] = [_("A country is a two-letter code, e.g. TH.")]
    if errors:
        raise ValidationError(errors)
    _check_source(source)
    _check_dates(since, until, "since", "until")
    owner = _owner_of(actor, workplace)
    link = SupplyLink.objects.create(
        agency=owner,
        workplace=workplace,
        buyer=buyer,
        buyer_name="" if buyer else buyer_name.strip(),
        buyer_country=country,
        product=product.strip(),
        since=since,
        until=until,
        source=source,
        note=note.strip(),
        recorded_by=actor,
    )
    audit_record(
        actor=actor,
        action="workplaces.supply.record",
        obj=link,
        changes={
            "workplace": workplace.pk,
            "buyer": buyer.pk if buyer else link.buyer_name,
            "product": link.product,
            "source": source,
            "note": link.note,
        },
    )
    return link


def supplies_of(*, viewer: Any, workplace: Workplace) -> QuerySet[SupplyLink]:
    """What a workplace supplies to whom, as far as the viewer may see."""
    return SupplyLink.objects.visible_to(viewer).filter(workplace=workplace).select_related("buyer")


def suppliers_of(*, viewer: Any, employer: Employer) -> QuerySet[SupplyLink]:
    """The workplaces that supply an employer, as far as the viewer may see (the chain upstream)."""
    return SupplyLink.objects.visible_to(viewer).filter(buyer=employer).select_related("workplace")


# --- hot spots over time (R-015) --------------------------------------------------------------------------


def _month_start(day: date, back: int) -> date:
    """The first day of the month `back` months before `day`'s month."""
    index = day.year * 12 + day.month - 1 - back
    return date(index // 12, index % 12 + 1, 1)


@dataclass
class HotSpotRow:
    workplace_id: int
    name: str
    counts: list[int]
    total: int = 0


@dataclass
class HotSpots:
    months: list[date]
    rows: list[HotSpotRow] = field(default_factory=list)
    totals: list[int] = field(default_factory=list)


def hotspots(
    *, viewer: Any, area: Area | None = None, workplace: Workplace | None = None, months: int = 12
) -> HotSpots:
    """Evidence counted by month for each workplace (in an area, or one workplace), the most evidence first,
    over the last `months` months including this one: where the hot spots are and whether they move."""
    months = max(1, min(int(months), 36))
    today = timezone.localdate()
    first = _month_start(today, months - 1)
    month_list = [_month_start(today, back) for back in range(months - 1, -1, -1)]
    qs = Observation.objects.visible_to(viewer).filter(observed_on__gte=first, observed_on__lte=today)
    if workplace is not None:
        qs = qs.filter(workplace=workplace)
    if area is not None:
        qs = qs.filter(workplace__village__path__startswith=area.path)
    grouped = (
        qs.annotate(month=TruncMonth("observed_on"))
        .values("workplace_id", "workplace__name", "month")
        .annotate(n=Count("id"))
    )
    position = {m: i for i, m in enumerate(month_list)}
    by_workplace: dict[int, HotSpotRow] = {}
    for row in grouped:
        month = row["month"]
        month = month.date() if hasattr(month, "date") and callable(month.date) else month
        entry = by_workplace.setdefault(
            row["workplace_id"], HotSpotRow(row["workplace_id"], row["workplace__name"], [0] * months)
        )
        entry.counts[position[month]] += row["n"]
        entry.total += row["n"]
    rows = sorted(by_workplace.values(), key=lambda r: (-r.total, r.name, r.workplace_id))
    totals = [sum(r.counts[i] for r in rows) for i in range(months)]
    return HotSpots(months=month_list, rows=rows, totals=totals)


# --- media items and their review queue (R-099) ------------------------------------------------------------


def _may_review(actor: User | None, item: MediaItem) -> bool:
    return viewer_for(actor).has_role(Role.COORDINATOR, Role.ADMIN, agency_id=item.agency_id)


def _indicators(codes: list[str]) -> list[str]:
    unknown = [c for c in codes if c not in LabourIndicator.values]
    if unknown:
        raise ValidationError(
            {"indicators": [_("Unknown indicators: %(codes)s") % {"codes": ", ".join(unknown)}]}
        )
    return sorted(set(codes))


@transaction.atomic
def media_add(
    *,
    actor: User | None,
    published_on: date,
    outlet: str,
    title: str,
    url: str = "",
    summary: str = "",
    workplace_id: int | None = None,
    indicators: list[str] | tuple[str, ...] = (),
) -> MediaItem:
    """Put a media item in the review queue of the actor's agency."""
    errors: dict[str, list[str]] = {}
    if not outlet.strip():
        errors["outlet"] = [_("Name the outlet.")]
    if not title.strip():
        errors["title"] = [_("Give the title or headline.")]
    if url and not url.startswith(("http://", "https://")):
        errors["url"] = [_("A link starts with http:// or https://.")]
    if errors:
        raise ValidationError(errors)
    _check_dates(published_on, None, "published_on", "published_on")
    workplace = _changeable(actor, workplace_id, "workplace_id") if workplace_id else None
    if actor is None and workplace is None:
        raise ValidationError({"workplace_id": _("Choose the workplace this item is about.")})
    owner = _owner(actor, workplace.agency if workplace else None) if actor else workplace.agency  # type: ignore[union-attr]
    item = MediaItem.objects.create(
        agency=owner,
        published_on=published_on,
        outlet=outlet.strip(),
        title=title.strip(),
        url=url.strip(),
        summary=summary.strip(),
        workplace=workplace,
        indicators=_indicators(list(indicators)),
        recorded_by=actor,
    )
    audit_record(
        actor=actor,
        action="workplaces.media.add",
        obj=item,
        changes={
            "title": item.title,
            "outlet": item.outlet,
            "workplace": workplace.pk if workplace else None,
        },
    )
    return item


def _pending(actor: User | None, item: MediaItem) -> None:
    if not _may_review(actor, item):
        raise PermissionDenied(_("Only the agency's coordinators review media items."))
    if item.status != MediaItem.Status.PENDING:
        raise ValidationError({"status": _("This item has already been reviewed.")})


@transaction.atomic
def media_accept(
    *,
    actor: User | None,
    item: MediaItem,
    reliability: str,
    workplace_id: int | None = None,
    indicators: list[str] | None = None,
) -> Observation:
    """A coordinator accepts a media item: it becomes evidence (source "media") on its workplace, which is
    rated again. The observation's text names the outlet, title and link; the item points to it."""
    item = MediaItem.objects.select_for_update().get(pk=item.pk)
    _pending(actor, item)
    workplace = _changeable(actor, workplace_id, "workplace") if workplace_id else item.workplace
    if workplace is None:
        raise ValidationError({"workplace": _("Choose the workplace this item is about.")})
    codes = _indicators(list(item.indicators if indicators is None else indicators))
    text = f"{item.outlet}, {item.published_on:%Y-%m-%d}: {item.title}"
    if item.url:
        text += f"\n{item.url}"
    if item.summary:
        text += f"\n{item.summary}"
    observation = observation_record(
        actor=actor,
        workplace=workplace,
        observed_on=item.published_on,
        source=Observation.Source.MEDIA,
        reliability=reliability,
        indicators=codes,
        text=text,
    )
    item.status, item.workplace, item.indicators = MediaItem.Status.ACCEPTED, workplace, codes
    item.observation, item.reviewed_by, item.reviewed_at = observation, actor, timezone.now()
    item.save()
    audit_record(
        actor=actor,
        action="workplaces.media.accept",
        obj=item,
        changes={"observation": observation.pk, "workplace": workplace.pk, "reliability": reliability},
    )
    return observation


@transaction.atomic
def media_reject(*, actor: User | None, item: MediaItem, reason: str) -> MediaItem:
    """A coordinator rejects a media item with a reason; it stays on record, never as evidence."""
    item = MediaItem.objects.select_for_update().get(pk=item.pk)
    _pending(actor, item)
    if not reason.strip():
        raise ValidationError({"reason": _("Say why the item is rejected.")})
    item.status, item.reject_reason = MediaItem.Status.REJECTED, reason.strip()[:300]
    item.reviewed_by, item.reviewed_at = actor, timezone.now()
    item.save()
    audit_record(
        actor=actor, action="workplaces.media.reject", obj=item, changes={"reason": item.reject_reason}
    )
    return item


def media_queue(*, viewer: Any, status: str = MediaItem.Status.PENDING) -> QuerySet[MediaItem]:
    """Media items of the viewer's agencies in one state (the queue: waiting for review)."""
    qs = MediaItem.objects.visible_to(viewer).select_related("workplace", "reviewed_by")
    if status:
        qs = qs.filter(status=status)
    return qs.order_by("published_on", "id") if status == MediaItem.Status.PENDING else qs


def media_counts(*, viewer: Any) -> dict[str, int]:
    """How many items the viewer's agencies hold in each state."""
    counts: dict[str, int] = defaultdict(int)
    for row in MediaItem.objects.visible_to(viewer).values("status").annotate(n=Count("id")):
        counts[row["status"]] = row["n"]
    return dict(counts)
