"""Reads for the network directory, through the viewer: the ranked responder search, organisations,
committees, focal points, hotlines, and who an alert about a village reaches through the directory."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils.translation import gettext as _

from safepassage.core.access import Viewer, viewer_for
from safepassage.core.models import get_for_user
from safepassage.core.roles import Action
from safepassage.geo.models import Area, Level
from safepassage.network.kinds import expertise_codes, expertise_labels
from safepassage.network.languages import clean_language, language_name
from safepassage.network.models import (
    DIRECTORY_ROLES,
    MAINTAINER_ROLES,
    Agreement,
    Committee,
    CommitteeMember,
    FocalPoint,
    Hotline,
    Organisation,
    Responder,
    may_see_contacts,
)

# How well a responder's areas fit the village asked about: the narrower the area, the closer they are.
COVERAGE_ORDER = (Level.VILLAGE, Level.SUBDISTRICT, Level.DISTRICT, Level.PROVINCE, Level.COUNTRY)
ANYWHERE = "anywhere"  # no areas recorded: the responder takes calls from anywhere
COVERAGE_RANK: dict[str, int] = {str(level): rank for rank, level in enumerate(COVERAGE_ORDER)}
COVERAGE_RANK[ANYWHERE] = len(COVERAGE_ORDER)
AVAILABILITY_RANK: dict[str, int] = {
    Responder.Availability.AVAILABLE: 0,
    Responder.Availability.ON_CALL: 1,
    Responder.Availability.BUSY: 2,
    Responder.Availability.AWAY: 3,
}


def ancestor_paths(path: str) -> list[str]:
    """Every area path that contains `path`, from the country down to the area itself."""
    parts = [p for p in path.split("/") if p]
    return ["/".join(parts[: n + 1]) + "/" for n in range(len(parts))]


@dataclass(frozen=True)
class Match:
    """One responder found by the search, with how well they cover the village and why they matched."""

    responder: Responder
    coverage: str | None  # a Level value, "anywhere", or None when no village was asked about
    area: Area | None  # the covered area that reached the village (the narrowest one)
    reasons: tuple[str, ...] = field(default_factory=tuple)

    @property
    def coverage_rank(self) -> int:
        return COVERAGE_RANK.get(self.coverage or ANYWHERE, len(COVERAGE_RANK))

    @property
    def sort_key(self) -> tuple[int, int, str, int]:
        r = self.responder
        return (self.coverage_rank, AVAILABILITY_RANK.get(r.availability, 9), r.name.casefold(), r.pk)


def _check_filters(language: str | None, expertise: str | None, role_type: str | None) -> str | None:
    """Refuse unknown filter values, naming the parameter; returns the language code in stored form."""
    code = None
    if language:
        code = clean_language(language)
        if code is None:
            raise ValidationError({"language": _("Give a language code, e.g. th, my, lo, km.")})
    if expertise and expertise not in expertise_codes(active=False):
        raise ValidationError({"expertise": _("Unknown expertise %(value)s.") % {"value": expertise}})
    if role_type and role_type not in Responder.RoleType.values:
        raise ValidationError({"role_type": _("Unknown role %(value)s.") % {"value": role_type}})
    return code


def _filtered(
    qs: QuerySet[Responder],
    *,
    language: str | None,
    expertise: str | None,
    role_type: str | None,
    text: str | None,
) -> QuerySet[Responder]:
    code = _check_filters(language, expertise, role_type)
    # Languages and expertise are JSON lists of plain codes: matching the quoted code is exact and works
    # the same on SQLite and PostgreSQL.
    if code:
        qs = qs.filter(languages__icontains=f'"{code}"')
    if expertise:
        qs = qs.filter(expertise__icontains=f'"{expertise}"')
    if role_type:
        qs = qs.filter(role_type=role_type)
    if text and text.strip():
        words = text.strip()
        qs = qs.filter(
            Q(name__icontains=words) | Q(title__icontains=words) | Q(organisation__name__icontains=words)
        )
    return qs


def responder_list(
    *,
    viewer: Any,
    language: str | None = None,
    expertise: str | None = None,
    role_type: str | None = None,
    text: str | None = None,
    include_inactive: bool = False,
) -> QuerySet[Responder]:
    """Responders of the directory the viewer may read, by language, expertise, role or words."""
    qs = (
        Responder.objects.visible_to(viewer)
        .select_related("organisation", "agency")
        .prefetch_related("areas")
    )
    if not include_inactive:
        qs = qs.filter(active=True)
    return _filtered(qs, language=language, expertise=expertise, role_type=role_type, text=text).order_by(
        "name", "pk"
    )


def _coverage(responder: Responder, village: Area) -> tuple[str, Area | None]:
    """The narrowest of the responder's areas that contains the village (from the prefetched areas)."""
    areas = list(responder.areas.all())
    if not areas:
        return ANYWHERE, None
    inside = [a for a in areas if village.path.startswith(a.path)]
    best = max(inside, key=lambda a: len(a.path))  # the search only returns responders with one
    return best.level, best


def _coverage_reason(level: str, area: Area | None) -> str:
    name = area.name if area else ""
    reasons: dict[str, str] = {
        Level.VILLAGE: _("Covers the village, %(name)s") % {"name": name},
        Level.SUBDISTRICT: _("Covers the subdistrict, %(name)s") % {"name": name},
        Level.DISTRICT: _("Covers the district, %(name)s") % {"name": name},
        Level.PROVINCE: _("Covers the province, %(name)s") % {"name": name},
        Level.COUNTRY: _("Covers the whole country"),
    }
    return reasons.get(level, _("No area recorded: responds anywhere"))


def responders_search(
    viewer_or_user: Any,
    *,
    village: Area | None = None,
    language: str | None = None,
    expertise: str | None = None,
    role_type: str | None = None,
    text: str | None = None,
) -> list[Match]:
    """Who can respond in a village: active responders covering it (or with no area limit), speaking the
    language, with the expertise and role asked for; ranked by how closely they cover the village, then by
    availability, then by name. Three queries, however many results."""
    qs = responder_list(
        viewer=viewer_or_user, language=language, expertise=expertise, role_type=role_type, text=text
    )
    if village is not None:
        qs = qs.filter(Q(areas__path__in=ancestor_paths(village.path)) | Q(areas__isnull=True)).distinct()
    code = clean_language(language) if language else None
    matches = []
    for responder in qs:
        reasons: list[str] = []
        coverage: str | None = None
        area: Area | None = None
        if village is not None:
            coverage, area = _coverage(responder, village)
            reasons.append(_coverage_reason(coverage, area))
        if code:
            reasons.append(_("Speaks %(language)s") % {"language": language_name(code)})
        if expertise:
            reasons.append(
                _("Expertise: %(expertise)s") % {"expertise": expertise_labels().get(expertise, expertise)}
            )
        if role_type:
            reasons.append(str(Responder.RoleType(role_type).label))
        if text and text.strip():
            reasons.append(_("Name, title or organisation matches “%(text)s”") % {"text": text.strip()})
        matches.append(Match(responder, coverage, area, tuple(reasons)))
    return sorted(matches, key=lambda m: m.sort_key)


def responder_detail_queryset() -> QuerySet[Responder]:
    """A responder with everything its card shows, in a handful of queries."""
    return Responder.objects.select_related("organisation", "agency", "user").prefetch_related(
        "areas",
        "trainings",
        Prefetch("seats", queryset=CommitteeMember.objects.select_related("committee")),
        Prefetch("focal_points", queryset=FocalPoint.objects.select_related("agreement")),
    )


def get_responder_for_user(user: Any, pk: Any, action: str = Action.VIEW) -> Responder:
    """One responder of the directory, else 404."""
    return get_for_user(responder_detail_queryset(), user, pk, action)


def contacts_for(viewer: Any, responder: Responder) -> dict[str, str] | None:
    """The responder's personal contacts if the viewer may see them (from the prefetched areas), else None."""
    seer = viewer if isinstance(viewer, Viewer) else viewer_for(viewer)
    paths = tuple(a.path for a in responder.areas.all())
    if not may_see_contacts(seer, responder, paths):
        return None
    return {name: getattr(responder, name) for name in Responder.CONTACT_FIELDS}


def may_change(viewer: Any, entry: Any) -> bool:
    """The viewer coordinates or administers the agency that keeps this entry."""
    seer = viewer if isinstance(viewer, Viewer) else viewer_for(viewer)
    return seer.has_role(*MAINTAINER_ROLES, agency_id=entry.agency_id)


# ------------------------------------------------------------------------------------------ organisations


def organisation_list(
    *,
    viewer: Any,
    kind: str = "",
    country: str = "",
    text: str = "",
    area: Area | None = None,
    include_inactive: bool = False,
) -> QuerySet[Organisation]:
    """Organisations of the directory the viewer may read, by kind, country, area or name."""
    qs = Organisation.objects.visible_to(viewer).select_related("area", "member_agency")
    if not include_inactive:
        qs = qs.filter(active=True)
    if kind:
        if kind not in Organisation.Kind.values:
            raise ValidationError({"kind": _("Unknown kind %(value)s.") % {"value": kind}})
        qs = qs.filter(kind=kind)
    if country:
        qs = qs.filter(country=country.strip().upper())
    if text.strip():
        qs = qs.filter(name__icontains=text.strip())
    if area is not None:
        qs = qs.filter(area__path__startswith=area.path)
    return qs.order_by("name", "pk")


def get_organisation_for_user(user: Any, pk: Any, action: str = Action.VIEW) -> Organisation:
    """One organisation of the directory, else 404."""
    return get_for_user(
        Organisation.objects.select_related("area", "member_agency", "agency"), user, pk, action
    )


def organisation_responders(*, viewer: Any, organisation: Organisation) -> QuerySet[Responder]:
    """The active responders of one organisation."""
    return responder_list(viewer=viewer).filter(organisation=organisation)


# --------------------------------------------------------------------------------------------- committees


def committee_list(*, viewer: Any, kind: str = "", area: Area | None = None) -> QuerySet[Committee]:
    """Committees the viewer may read, with how many members each has."""
    qs = (
        Committee.objects.visible_to(viewer)
        .filter(active=True)
        .select_related("area")
        .annotate(member_count=Count("seats"))
    )
    if kind:
        if kind not in Committee.Kind.values:
            raise ValidationError({"kind": _("Unknown kind %(value)s.") % {"value": kind}})
        qs = qs.filter(kind=kind)
    if area is not None:
        qs = qs.filter(area__path__startswith=area.path)
    return qs.order_by("name", "pk")


SEAT_ORDER: dict[str, int] = {
    CommitteeMember.Seat.CHAIR: 0,
    CommitteeMember.Seat.SECRETARY: 1,
    CommitteeMember.Seat.MEMBER: 2,
}


def get_committee_for_user(user: Any, pk: Any, action: str = Action.VIEW) -> Committee:
    """One committee with its seats, else 404."""
    seats = CommitteeMember.objects.select_related("responder__organisation")
    return get_for_user(
        Committee.objects.select_related("area", "agency").prefetch_related(
            Prefetch("seats", queryset=seats)
        ),
        user,
        pk,
        action,
    )


def seats_in_order(committee: Committee) -> list[CommitteeMember]:
    """Chair, secretary, then members by name."""
    return sorted(committee.seats.all(), key=lambda s: (SEAT_ORDER.get(s.seat, 9), s.responder.name))


# ------------------------------------------------------------------------------- focal points and hotlines


def focal_point_list(*, viewer: Any, country: str = "", purpose: str = "") -> QuerySet[FocalPoint]:
    """Cross-border focal points the viewer may read, by country and purpose."""
    qs = (
        FocalPoint.objects.visible_to(viewer)
        .filter(active=True, responder__active=True)
        .select_related("responder__organisation", "agreement")
    )
    if country:
        qs = qs.filter(country=country.strip().upper())
    if purpose:
        if purpose not in FocalPoint.Purpose.values:
            raise ValidationError({"purpose": _("Unknown purpose %(value)s.") % {"value": purpose}})
        qs = qs.filter(purpose=purpose)
    return qs.order_by("country", "purpose", "pk")


def agreement_list() -> QuerySet[Agreement]:
    """The return agreements in force: public documents, open to every signed-in user."""
    return Agreement.objects.filter(active=True).order_by("name")


def hotline_list(*, country: str = "", include_inactive: bool = False) -> QuerySet[Hotline]:
    """Hotlines people can call: public numbers, open to every signed-in user."""
    qs = Hotline.objects.select_related("organisation")
    if not include_inactive:
        qs = qs.filter(active=True)
    if country:
        qs = qs.filter(country=country.strip().upper())
    return qs.order_by("country", "number")


def get_hotline(pk: Any) -> Hotline:
    """One hotline, else 404."""
    from django.http import Http404

    hotline = Hotline.objects.filter(pk=pk).first() if str(pk).isdigit() else None
    if hotline is None:
        raise Http404
    return hotline


# ----------------------------------------------------------------------------------------- alert routing


def alert_recipients(agency_id: int, village: Area) -> Iterable[int]:
    """Accounts of active responders, not away, covering the village, who can open the agency's alerts.

    Registered with the risk index's alert routing (`registry.services.RECIPIENT_SOURCES`) at start-up.
    A responder's account must hold an active people-role membership in the alert's agency, so routing never
    hands an alert to someone who cannot open it. One query.
    """
    return (
        Responder.objects.filter(
            active=True, user__is_active=True, areas__path__in=ancestor_paths(village.path)
        )
        .exclude(availability=Responder.Availability.AWAY)
        .filter(
            user__memberships__agency_id=agency_id,
            user__memberships__active=True,
            user__memberships__agency__active=True,
            user__memberships__role__in=DIRECTORY_ROLES,
        )
        .values_list("user_id", flat=True)
        .distinct()
    )
