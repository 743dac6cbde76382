"""Reads for areas. Area names and shapes are public facts, open to every signed-in member."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db.models import Q, QuerySet
from django.http import Http404

from safepassage.core.access import Viewer
from safepassage.geo.models import Area, Level


def area_list(*, parent: Area | None = None, level: str = "", query: str = "") -> QuerySet[Area]:
    """Areas, optionally the children of one, of one level, or matching a name or code."""
    qs = Area.objects.all()
    if parent is not None:
        qs = qs.filter(parent=parent)
    if level:
        qs = qs.filter(level=level)
    if query:
        qs = qs.filter(Q(code__iexact=query) | Q(name_en__icontains=query) | Q(name_th__icontains=query))
    return qs


def get_area(code: str) -> Area:
    """One area by its official code, else 404."""
    area = Area.objects.select_related("parent").filter(code=code).first()
    if area is None:
        raise Http404
    return area


def ancestors(area: Area) -> list[Area]:
    """The chain from the country down to the area's parent."""
    codes = [c for c in area.path.strip("/").split("/")[:-1] if c]
    found = {a.code: a for a in Area.objects.filter(code__in=codes)}
    return [found[c] for c in codes if c in found]


def villages_covered(viewer: Viewer) -> QuerySet[Area]:
    """The villages inside the areas a viewer's memberships are limited to."""
    q = Q(pk__in=[])
    for grant in viewer.grants:
        for path in grant.area_paths:
            q |= Q(path__startswith=path)
    return Area.objects.filter(q, level=Level.VILLAGE)


def boundaries_around(paths: Iterable[str], level: str = Level.DISTRICT) -> dict[str, Any]:
    """The boundaries (GeoJSON) of the areas of `level` in the provinces holding the given area paths, and of
    those provinces (with no such path, every province's): a map's base layer that needs no tile server.
    Areas without a boundary are left out."""
    provinces = {"/".join(path.strip("/").split("/")[:2]) + "/" for path in paths if path.count("/") >= 2}
    inside = Q(level=Level.PROVINCE) if not provinces else Q()
    for province in sorted(provinces):
        inside |= Q(path=province, level=Level.PROVINCE) | Q(path__startswith=province, level=level)
    areas = Area.objects.filter(inside, boundary__isnull=False).only(
        "code", "level", "name_en", "name_th", "names", "boundary"
    )
    return {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "geometry": area.boundary,
                "properties": {"code": area.code, "name": area.name, "level": area.level},
            }
            for area in areas
        ],
    }
