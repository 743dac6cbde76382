"""The lessons-learned routes map: the routes table as GeoJSON lines, under the same protection as lessons().

For the owning agency's coordinators (an exact scope) the routes join districts, as the table does. For
everyone else (analysts: figures under disclosure control, docs/disclosure-control.md) they are rolled up to
province or country pairs before the cell-key method is applied, so that a route has a chance of holding 11
cases or more; a route shown as "<11" is never drawn, whatever the level.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from safepassage.cases.lessons import Filters, audit_request, cases_in_scope, rank, routes
from safepassage.core.disclosure import THRESHOLD
from safepassage.geo.models import Area, Level
from safepassage.geo.selectors import boundaries_around


def route_features(table: Mapping[str, Any]) -> dict[str, Any]:
    """The routes table as GeoJSON for the map: a line per flow between the ends' map positions (a point
    when both ends are the same place). Flows shown as "<11", with an unknown end or with no position for an
    end are not drawn; `not_drawn` says how many flows (not cases) that is."""
    features = []
    not_drawn = 0
    places = table["places"]
    for row in table["rows"]:
        origin, destination = places.get(row["origin"]), places.get(row["destination"])
        if not rank(row["cases"]) or not origin or not destination:
            not_drawn += 1
            continue
        a, b = origin["position"], destination["position"]
        if not a or not b:
            not_drawn += 1
            continue
        if row["origin"] == row["destination"]:
            geometry: dict[str, Any] = {"type": "Point", "coordinates": [a[1], a[0]]}
        else:
            geometry = {"type": "LineString", "coordinates": [[a[1], a[0]], [b[1], b[0]]]}
        features.append(
            {
                "type": "Feature",
                "geometry": geometry,
                "properties": {
                    "origin": row["origin"],
                    "origin_name": row["origin_name"],
                    "destination": row["destination"],
                    "destination_name": row["destination_name"],
                    "cases": row["cases"],
                },
            }
        )
    return {"type": "FeatureCollection", "features": features, "not_drawn": not_drawn}


def route_map(viewer: Any, filters: Filters | None = None) -> dict[str, Any]:
    """Only the routes, as GeoJSON for the map (see route_features): the other protected function, with the
    same rules as lessons(). `level` in the answer says which areas the routes join."""
    filters = filters or Filters()
    cases, scope = cases_in_scope(viewer, filters)
    audit_request(viewer, scope, filters, "routes")
    keys = dict(cases.values_list("pk", "record_key").order_by())
    level = Level.DISTRICT if scope.exact else Level.PROVINCE
    data = route_features(routes(cases, keys, scope.exact, level=level))
    data["level"] = str(level)
    # The base layer when no tiles load: the districts and outlines of the provinces the drawn routes touch.
    ends = {f["properties"][end] for f in data["features"] for end in ("origin", "destination")}
    data["boundaries"] = boundaries_around(Area.objects.filter(code__in=ends).values_list("path", flat=True))
    data["perturbed"] = not scope.exact
    data["suppressed_below"] = None if scope.exact else THRESHOLD
    return data
