"""API: the area tree."""

from typing import Any

from django.http import Http404, HttpRequest
from ninja import Router, Schema
from ninja.pagination import PageNumberPagination, paginate

from safepassage.geo import selectors
from safepassage.geo.models import Area

router = Router(tags=["areas"])


class AreaOut(Schema):
    code: str
    parent_code: str | None
    level: str
    level_name: str
    name: str
    name_en: str
    name_th: str
    names: dict[str, str]
    centroid: list[float] | None

    @staticmethod
    def resolve_parent_code(obj: Area) -> str | None:
        return obj.parent.code if obj.parent_id else None  # type: ignore[union-attr]

    @staticmethod
    def resolve_centroid(obj: Area) -> list[float] | None:
        if obj.centroid_lat is None or obj.centroid_lon is None:
            return None
        return [obj.centroid_lat, obj.centroid_lon]


class AreaDetailOut(AreaOut):
    boundary: dict[str, Any] | None
    country: str
    levels: list[str]

    @staticmethod
    def resolve_country(obj: Area) -> str:
        return obj.country_code

    @staticmethod
    def resolve_levels(obj: Area) -> list[str]:
        """The levels of the area's country, from the top down."""
        return list(obj.levels)


def _require_member(request: HttpRequest) -> None:
    if not request.user.has_perm("geo.view_areas"):
        raise Http404


@router.get("/areas", response=list[AreaOut])
@paginate(PageNumberPagination)
def area_list(request: HttpRequest, parent: str = "", level: str = "", q: str = "") -> Any:
    """Areas, filtered by parent code, level or a name/code search."""
    _require_member(request)
    parent_area = selectors.get_area(parent) if parent else None
    return selectors.area_list(parent=parent_area, level=level, query=q).select_related("parent")


@router.get("/areas/{code}", response=AreaDetailOut)
def area_get(request: HttpRequest, code: str) -> Area:
    """One area with its boundary."""
    _require_member(request)
    return selectors.get_area(code)
