"""Risk figures as GeoJSON areas for the vulnerability map. Areas only: never people's homes or shelters."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from safepassage.geo.models import Area
from safepassage.reports import selectors


def risk_geojson(*, viewer: Any, level: str, within: Area | None = None) -> dict[str, Any]:
    """Every area of `level` (inside `within`) with n, high-risk count and mean index where known: the risk
    report's own published figures (perturbed, "<11" when small, outside the owning agency's case staff),
    and the request audited for those readers."""
    if level not in selectors.AREA_LOOKUPS:
        raise ValidationError({"level": _("Choose village, subdistrict, district or province.")})
    scope = selectors.report_scope(viewer)
    selectors.audit_request(viewer, scope, "map", {"level": level, "area": within.code if within else ""})
    report = selectors.risk_rows(scope, [level], within, None)
    figures = {row[level]: row for row in report["rows"]}
    areas = Area.objects.filter(level=level)
    if within is not None:
        areas = areas.filter(path__startswith=within.path)
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
                },
            }
        )
    return {
        "type": "FeatureCollection",
        "features": features,
        "suppressed_below": report["suppressed_below"],
        "perturbed": report["perturbed"],
    }
