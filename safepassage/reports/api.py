"""API: risk aggregates and the map's GeoJSON. Each endpoint calls its report's one protected function: exact
figures for the owning agency's case staff, the cell-key method (and whole months, and an audit event) for
every other reader."""

from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from ninja import Router

from safepassage.core.pdf import MEDIA_TYPE, user_language
from safepassage.core.replica import reading_replica
from safepassage.geo.models import Level
from safepassage.registry.selectors import active_catalogue_or_none
from safepassage.reports import maps, selectors
from safepassage.reports.documentation import documentation_report
from safepassage.reports.documents import risk_pdf
from safepassage.reports.drivers import area_drivers
from safepassage.reports.params import parse_area, parse_group_by, parse_period

router = Router(tags=["reports"])


def _require_reporter(request: HttpRequest) -> None:
    if not selectors.may_report(request.user):
        raise Http404


def _perturbed(request: HttpRequest) -> bool:
    return not selectors.report_scope(request.user).exact


@router.get("/reports/risk")
@reading_replica()
def risk(request: HttpRequest, group_by: str = "district", area: str = "") -> dict[str, Any]:
    """Counts by band and mean index of current risk, grouped by up to three of province, district,
    subdistrict, village, sex, age_band and (for the owning agency's case staff) hometown, comma-separated.
    Outside the owning agency's case staff, counts are perturbed and "<11" when small (see
    docs/disclosure-control.md)."""
    _require_reporter(request)
    return selectors.risk_report(
        viewer=request.user, group_by=parse_group_by(group_by), area=parse_area(area)
    )


@router.get(
    "/reports/risk.pdf",
    openapi_extra={"responses": {200: {"description": "The report as a PDF", "content": {MEDIA_TYPE: {}}}}},
)
@reading_replica()
def risk_as_pdf(
    request: HttpRequest, group_by: str = "district", area: str = "", lang: str = ""
) -> HttpResponse:
    """The risk report above as a PDF to file or print, in `lang` or the language saved on your account:
    the same figures as `GET /reports/risk` (protected the same way for readers outside the owning agency's
    case staff), with the fonts for Thai, Lao, Khmer, Burmese and Chinese embedded."""
    _require_reporter(request)
    groups = parse_group_by(group_by)
    report = selectors.risk_report(viewer=request.user, group_by=groups, area=parse_area(area))
    return risk_pdf(request, report, groups, area, language=user_language(request.user, lang))


@router.get("/reports/risk/trend")
@reading_replica()
def risk_trend(
    request: HttpRequest, first: str, second: str, group_by: str = "district", area: str = ""
) -> dict[str, Any]:
    """Two periods (`YYYY-MM-DD..YYYY-MM-DD`) side by side, each person's latest assessment in each; whole
    calendar months outside the owning agency's case staff."""
    _require_reporter(request)
    rows = selectors.trend(
        viewer=request.user,
        group_by=parse_group_by(group_by),
        first=parse_period(first, "first"),
        second=parse_period(second, "second"),
        area=parse_area(area),
    )
    return {"group_by": parse_group_by(group_by), "perturbed": _perturbed(request), "rows": rows}


@router.get("/reports/risk/priorities")
@reading_replica()
def risk_priorities(
    request: HttpRequest, level: str = Level.DISTRICT, first: str = "", second: str = "", area: str = ""
) -> dict[str, Any]:
    """Areas ranked by M0 and high-risk count, with the change between two periods when given."""
    _require_reporter(request)
    rows = selectors.prioritisation(
        viewer=request.user,
        level=level,
        first=parse_period(first, "first") if first else None,
        second=parse_period(second, "second") if second else None,
        area=parse_area(area),
    )
    return {"level": level, "perturbed": _perturbed(request), "rows": rows}


@router.get("/reports/risk/displacement")
@reading_replica()
def risk_displacement(
    request: HttpRequest, first: str, second: str, level: str = Level.SUBDISTRICT, programme_areas: str = ""
) -> dict[str, Any]:
    """Areas whose risk rose while a neighbouring area's fell ("push down, pop up")."""
    _require_reporter(request)
    rows = selectors.displacement(
        viewer=request.user,
        level=level,
        first=parse_period(first, "first"),
        second=parse_period(second, "second"),
        programme_areas=[c for c in programme_areas.split(",") if c],
    )
    return {"level": level, "perturbed": _perturbed(request), "rows": rows}


@router.get("/reports/risk/drivers/{code}")
@reading_replica()
def risk_drivers(request: HttpRequest, code: str) -> dict[str, Any]:
    """Which indicators drive an area's risk."""
    _require_reporter(request)
    area = parse_area(code)
    catalogue = active_catalogue_or_none()
    if area is None or catalogue is None:
        raise Http404
    return area_drivers(viewer=request.user, area=area, catalogue=catalogue)


@router.get("/reports/risk/map")
@reading_replica()
def risk_map(request: HttpRequest, level: str = Level.DISTRICT, area: str = "") -> dict[str, Any]:
    """A GeoJSON FeatureCollection of areas with their risk figures (areas only, never people's homes)."""
    _require_reporter(request)
    return maps.risk_geojson(viewer=request.user, level=level, within=parse_area(area))


@router.get("/reports/documentation")
@reading_replica()
def documentation(request: HttpRequest) -> dict[str, Any]:
    """Per district: children, stateless children, children whose citizenship is applied for, and people
    with an open citizenship or civil-registration problem. Never for an enforcement agency (404); outside
    the owning agency's case staff, counts are perturbed and "<11" when small."""
    _require_reporter(request)
    return documentation_report(viewer=request.user)
