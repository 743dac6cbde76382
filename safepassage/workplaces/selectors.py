"""Reads for sin space, through the viewer."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from safepassage.core.access import Viewer, viewer_for
from safepassage.core.models import get_for_user
from safepassage.core.roles import Action, Role
from safepassage.geo.models import Area
from safepassage.workplaces.kinds import sector_codes
from safepassage.workplaces.models import Employer, Observation, Recruiter, Workplace


def parse_bbox(value: str) -> tuple[float, float, float, float]:
    """`west,south,east,north` (GeoJSON order) → numbers, with a clear error."""
    try:
        west, south, east, north = (float(part) for part in value.split(","))
    except ValueError:
        raise ValidationError({"bbox": _("Give bbox as west,south,east,north in degrees.")}) from None
    if not (-180 <= west <= 180 and -180 <= east <= 180 and -90 <= south <= 90 and -90 <= north <= 90):
        raise ValidationError({"bbox": _("bbox is out of range: west,south,east,north in degrees.")})
    if south > north or west > east:
        raise ValidationError(
            {"bbox": _("bbox must be west,south,east,north, with west < east and south < north.")}
        )
    return west, south, east, north


def workplace_list(
    *,
    viewer: Any,
    bbox: str = "",
    sector: str = "",
    band: str = "",
    watch_listed: bool | None = None,
    area: Area | None = None,
    query: str = "",
) -> QuerySet[Workplace]:
    """Workplaces the viewer may see, filtered by map box, sector, band, watch list, area or name.

    The band and watch-list filters reach only workplaces the viewer is staff of: a partner employer who
    filtered its own workplaces by band would read the band from what comes back (PRODUCT.md invariant 3).
    """
    qs = Workplace.objects.visible_to(viewer).select_related("employer", "village")
    if band or watch_listed is not None:
        qs = qs.filter(agency_id__in=staff_agency_ids(viewer_for(viewer)))
    if bbox:
        west, south, east, north = parse_bbox(bbox)
        qs = qs.filter(lat__gte=south, lat__lte=north, lon__gte=west, lon__lte=east)
    if sector:
        if sector not in sector_codes(active=False):
            raise ValidationError({"sector": _("Unknown sector %(sector)s.") % {"sector": sector}})
        qs = qs.filter(sector=sector)
    if band:
        qs = qs.filter(Q(override_band=band) | Q(override_band="", risk_band=band))
    if watch_listed is not None:
        qs = qs.filter(watch_listed=watch_listed)
    if area is not None:
        qs = qs.filter(village__path__startswith=area.path)
    if query:
        qs = qs.filter(name__icontains=query)
    return qs.order_by("name", "pk")


def as_geojson(workplaces: QuerySet[Workplace], *, viewer: Any) -> dict[str, Any]:
    """A FeatureCollection of the workplaces that have a location (points only). The band and the watch
    list only for workplaces of the viewer's own agencies: a partner employer's points carry neither."""
    staff = staff_agency_ids(viewer_for(viewer))
    features = []
    for pk, agency_id, name, sector, lat, lon, band, override, watched in workplaces.filter(
        lat__isnull=False, lon__isnull=False
    ).values_list(
        "pk", "agency_id", "name", "sector", "lat", "lon", "risk_band", "override_band", "watch_listed"
    ):
        properties: dict[str, Any] = {"id": pk, "name": name, "sector": sector}
        if agency_id in staff:
            properties.update(band=override or band, watch_listed=watched)
        features.append(
            {
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": [lon, lat]},
                "properties": properties,
            }
        )
    return {"type": "FeatureCollection", "features": features}


STAFF_ROLES = (Role.ADMIN, Role.COORDINATOR, Role.CASEWORKER)


def staff_agency_ids(viewer: Viewer) -> frozenset[int]:
    """The agencies the viewer works for as staff: only their workplaces show a rating or the watch list."""
    return frozenset(g.agency_id for g in viewer.grants if g.role in STAFF_ROLES)


def get_workplace_for_user(user: Any, pk: Any, action: str = Action.VIEW) -> Workplace:
    """One workplace the user may see or change, else 404."""
    return get_for_user(Workplace.objects.select_related("employer", "village", "agency"), user, pk, action)


def is_staff_of(viewer: Viewer, workplace: Workplace) -> bool:
    """The viewer works for the agency that owns the workplace (not merely its employer's partner)."""
    return workplace.agency_id in staff_agency_ids(viewer)


def observation_list(*, viewer: Any, workplace: Workplace) -> QuerySet[Observation]:
    """The evidence on a workplace the viewer may see (never for partners or employers)."""
    return Observation.objects.visible_to(viewer).filter(workplace=workplace).order_by("-observed_on", "-id")


def employer_list(*, viewer: Any) -> QuerySet[Employer]:
    """Employers the viewer may see."""
    return Employer.objects.visible_to(viewer).prefetch_related("commitments").order_by("legal_name", "pk")


def get_employer_for_user(user: Any, pk: Any, action: str = Action.VIEW) -> Employer:
    """One employer, else 404."""
    return get_for_user(Employer.objects.prefetch_related("commitments"), user, pk, action)


def recruiter_list(*, viewer: Any, screening: str = "") -> QuerySet[Recruiter]:
    """Recruiters the viewer may see."""
    qs = Recruiter.objects.visible_to(viewer).prefetch_related("villages").order_by("name", "pk")
    return qs.filter(screening=screening) if screening else qs


def get_recruiter_for_user(user: Any, pk: Any, action: str = Action.VIEW) -> Recruiter:
    """One recruiter, else 404."""
    return get_for_user(Recruiter.objects.prefetch_related("villages"), user, pk, action)


def tips_since_status(employer: Employer) -> int:
    """Tips about the employer's workplaces since its status was set: for the keeping agency's staff only,
    to prompt an inspection (a tip alone never changes the status the employer sees)."""
    tips = Observation.objects.filter(workplace__employer=employer, source=Observation.Source.TIP)
    if employer.status_from is not None:
        tips = tips.filter(observed_on__gte=employer.status_from)
    return tips.count()
