"""Risk figures as GeoJSON areas for the vulnerability map. Areas only: never people's homes or shelters."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from safepassage.geo.models import Area
from safepassage.registry.scoring import Parameters, band_of
from safepassage.registry.selectors import active_catalogue_or_none
from safepassage.reports import selectors

# What an area without a band shows: nobody assessed there, or a figure withheld by disclosure control.
NO_PEOPLE = "no_people"
HIDDEN = "hidden"


def band_parameters() -> Parameters:
    """The active catalogue's band thresholds (the defaults when there is none): the map's fixed scale."""
    catalogue = active_catalogue_or_none()
    return catalogue.params() if catalogue is not None else Parameters()


def shade(n: Any, mean_index: float | None, params: Parameters, *, protected: bool) -> str:
    """The band an area is coloured by, from its published mean index on the fixed 0-100 scale; "no_people"
    when nobody there has a risk index (none assessed, or only incomplete answer sheets); "hidden" when
    disclosure control withholds its figures ("<11", or a mean from too few people)."""
    if mean_index is not None:
        return band_of(mean_index, 1.0, params)
    return HIDDEN if protected and n != 0 else NO_PEOPLE


def risk_geojson(*, viewer: Any, level: str, within: Area | None = None) -> dict[str, Any]:
    """Every area of `level` (inside `within`) with n, high-risk count and mean index where known: the risk
    report's own published figures (perturbed, "<11" when small, outside the owning agency's case staff),
    and the request audited for those readers. `band` colours the area: the band of its mean index under the
    active catalogue's thresholds (a fixed 0-100 scale, the same for every area and every reader), or why it
    has none."""
    if level not in selectors.AREA_LOOKUPS:
        raise ValidationError({"level": _("Choose village, subdistrict, district or province.")})
    scope = selectors.report_scope(viewer)
    selectors.audit_request(viewer, scope, "map", {"level": level, "area": within.code if within else ""})
    report = selectors.risk_rows(scope, [level], within, None)
    figures = {row[level]: row for row in report["rows"]}
    areas = Area.objects.filter(level=level)
    if within is not None:
        areas = areas.filter(path__startswith=within.path)
    params = band_parameters()
    features = []
    for area in areas.only("code", "name_en", "name_th", "names", "boundary", "centroid_lat", "centroid_lon"):
        row = figures.get(area.code, {})
        geometry = area.boundary
        if geometry is None and area.centroid_lat is not None and area.centroid_lon is not None:
            geometry = {"type": "Point", "coordinates": [area.centroid_lon, area.centroid_lat]}
        if geometry is None:
            continue
        features.append(
            {
                "type": "Feature",
                "geometry": geometry,
                "properties": {
                    "code": area.code,
                    "name": area.name,
                    "n": row.get("n", 0),
                    "high": row.get("high", 0),
                    "mean_index": row.get("mean_index"),
                    "suppressed": bool(row.get("suppressed")),
                    "band": shade(
                        row.get("n", 0), row.get("mean_index"), params, protected=report["perturbed"]
                    ),
                },
            }
        )
    return {
        "type": "FeatureCollection",
        "features": features,
        "suppressed_below": report["suppressed_below"],
        "perturbed": report["perturbed"],
        "bands": {"medium_from": params.medium_from, "high_above": params.high_above},
    }
