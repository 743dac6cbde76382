"""Report pages: risk by group, priorities, trend, displacement, drivers and the vulnerability map."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from safepassage.core import replica
from safepassage.core.pdf import pdf_response
from safepassage.core.replica import reading_replica
from safepassage.core.validation import csv_writer, safe_cell
from safepassage.geo.models import Level
from safepassage.registry.selectors import active_catalogue_or_none
from safepassage.reports import maps, selectors
from safepassage.reports.documentation import documentation_report as documents_report
from safepassage.reports.documents import capped, risk_pdf
from safepassage.reports.drivers import area_drivers
from safepassage.reports.forms import PrioritiesForm, default_month_periods, default_periods
from safepassage.reports.params import parse_area, parse_group_by


def _require_reporter(request: HttpRequest) -> None:
    if not selectors.may_report(request.user):
        raise Http404


def csv_response(filename: str, columns: Sequence[str], rows: Sequence[dict[str, Any]]) -> HttpResponse:
    """A table as CSV, with spreadsheet formulas neutralised, "<11" as shown, withheld figures left empty."""
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.write("\ufeff")  # so spreadsheet programs read Thai and Burmese as UTF-8
    writer = csv_writer(response)
    writer.writerow(columns)
    for row in rows:
        writer.writerow([safe_cell(row.get(c)) for c in columns])
    return response


@login_required
@reading_replica()
def risk(request: HttpRequest) -> HttpResponse:
    """Current risk grouped as the user chooses; CSV with ?format=csv, PDF with ?format=pdf."""
    _require_reporter(request)
    group_by = parse_group_by(",".join(request.GET.getlist("group_by")) or request.GET.get("by", ""))
    error = ""
    try:
        area = parse_area(request.GET.get("area", ""))
        report = selectors.risk_report(viewer=request.user, group_by=group_by, area=area)
    except ValidationError as exc:
        if request.GET.get("format") in ("csv", "pdf"):
            return _bad_request(exc)
        error = " ".join(exc.messages)
        group_by = ["district"]
        report = {"rows": [], "suppressed_below": None, "perturbed": not _exact(request)}
    columns = [
        *group_by,
        *[f"{g}_name" for g in group_by if g not in ("sex", "age_band")],
        "n",
        "low",
        "medium",
        "high",
        "incomplete",
        "mean_index",
    ]
    if request.GET.get("format") == "csv":
        return csv_response("risk.csv", columns, report["rows"])
    if request.GET.get("format") == "pdf":
        return risk_pdf(request, report, group_by, request.GET.get("area", ""))
    allowed = selectors.dimensions_for(request.user)
    return render(
        request,
        "reports/risk.html",
        {
            "report": report,
            "group_by": group_by,
            "dimensions": [(d, label) for d, label in selectors.DIMENSION_LABELS.items() if d in allowed],
            "labels": selectors.DIMENSION_LABELS,
            "error": error,
            "area_code": request.GET.get("area", ""),
            "perturbed": report["perturbed"],
            # read from the replica, which may lag a few seconds behind (core/replica.py)
            "from_replica": replica.configured() and not replica.pinned(),
        },
    )


def _exact(request: HttpRequest) -> bool:
    """The viewer sees exact figures (case staff of the owning agency)."""
    return selectors.report_scope(request.user).exact


def _bad_request(exc: ValidationError) -> JsonResponse:
    """A 400 naming each parameter that is not right (for the downloads and the map's data)."""
    return JsonResponse(
        {
            "detail": _("Some fields are not right."),
            "errors": [{"field": f, "message": m} for f, ms in exc.message_dict.items() for m in ms],
        },
        status=400,
    )


def _priorities_data(request: HttpRequest) -> dict[str, str]:
    """The page's choices: what the query string says, else the defaults (the last re-assessment period
    and the one before). An older link's `first=a..b&second=c..d` still reads."""
    catalogue = active_catalogue_or_none()
    months = int((catalogue.parameters if catalogue else {}).get("reassess_months", 6))
    periods = default_periods if _exact(request) else default_month_periods
    first, second = periods(timezone.localdate(), months)
    data = {
        "level": Level.DISTRICT,
        "first_from": first[0].isoformat(),
        "first_to": first[1].isoformat(),
        "second_from": second[0].isoformat(),
        "second_to": second[1].isoformat(),
    }
    for name in ("first", "second"):
        older = request.GET.get(name, "")
        if ".." in older:
            start, _sep, end = older.partition("..")
            data[f"{name}_from"], data[f"{name}_to"] = start.strip(), end.strip()
    for name in request.GET:
        if name in PrioritiesForm.base_fields or name.endswith("_be"):
            data[name] = request.GET.get(name, "")
    return data


@login_required
@reading_replica()
def priorities(request: HttpRequest) -> HttpResponse:
    """Areas ranked for programming, with the change and displacement between two periods: by default the
    last re-assessment period against the one before."""
    _require_reporter(request)
    exact = _exact(request)
    form = PrioritiesForm(_priorities_data(request), whole_months=not exact)
    error = ""
    rows: list[dict[str, Any]] = []
    moved: list[dict[str, Any]] = []
    wants_csv = request.GET.get("format") == "csv"
    wants_pdf = request.GET.get("format") == "pdf"
    if form.is_valid():
        first, second = form.periods()
        level = form.cleaned_data["level"]
        try:
            # the two periods are read once for the ranking and the displacement below it
            both = selectors.level_trend(viewer=request.user, level=level, first=first, second=second)
            rows = selectors.prioritisation(
                viewer=request.user, level=level, first=first, second=second, trend=both
            )
            if not wants_csv:
                moved = selectors.displacement(
                    viewer=request.user, level=level, first=first, second=second, trend=both
                )
        except ValidationError as exc:
            if wants_csv or wants_pdf:
                return _bad_request(exc)
            error = " ".join(exc.messages)
    elif wants_csv or wants_pdf:
        return _bad_request(ValidationError({name: list(errors) for name, errors in form.errors.items()}))
    columns = [
        "area",
        "area_name",
        "n",
        "high",
        "mean_index",
        "H",
        "A",
        "M0",
        "high_change",
        "mean_index_change",
    ]
    if wants_csv:
        return csv_response("priorities.csv", columns, rows)
    if wants_pdf:
        context = {
            "table": capped(rows),
            "moved": moved,
            "compared": True,
            "periods": form.periods(),
            "perturbed": not exact,
        }
        return pdf_response(request, "reports/pdf/priorities.html", context, "priorities.pdf")
    query = {name: form.data.get(name, "") for name in PrioritiesForm.base_fields}
    return render(
        request,
        "reports/priorities.html",
        {
            "form": form,
            "rows": rows,
            "moved": moved,
            "compared": form.is_valid(),
            "error": error,
            "perturbed": not exact,
            "csv_query": urlencode({**query, "format": "csv"}),
            "pdf_query": urlencode({**query, "format": "pdf"}),
        },
    )


@login_required
@reading_replica()
def drivers(request: HttpRequest, code: str) -> HttpResponse:
    """Which indicators drive an area's risk."""
    _require_reporter(request)
    try:
        area = parse_area(code)
    except ValidationError as error:
        raise Http404 from error
    catalogue = active_catalogue_or_none()
    if area is None or catalogue is None:
        raise Http404
    result = area_drivers(viewer=request.user, area=area, catalogue=catalogue)
    titles = {i.code: i.title for i in catalogue.indicators.all()}
    for row in result["indicators"]:
        row["title"] = titles.get(row["code"], row["code"])
    if request.GET.get("format") == "csv":
        return csv_response(
            f"drivers-{area.code}.csv",
            ["code", "title", "answered", "at_3", "share_at_3", "contribution"],
            result["indicators"],
        )
    if request.GET.get("format") == "pdf":
        context = {"result": result, "area": area, "perturbed": result["perturbed"]}
        return pdf_response(request, "reports/pdf/drivers.html", context, f"drivers-{area.code}.pdf")
    return render(
        request, "reports/drivers.html", {"result": result, "area": area, "perturbed": result["perturbed"]}
    )


@login_required
@reading_replica()
def risk_map(request: HttpRequest) -> HttpResponse:
    """The vulnerability map: areas coloured by the band of their mean index on a fixed 0-100 scale."""
    _require_reporter(request)
    return render(
        request,
        "reports/map.html",
        {
            "levels": [(v, lbl) for v, lbl in Level.choices if v in selectors.AREA_LOOKUPS],
            "tile_url": getattr(settings, "MAP_TILE_URL", ""),
            "tile_attribution": getattr(settings, "MAP_TILE_ATTRIBUTION", ""),
            "perturbed": not _exact(request),
            "bands": maps.band_parameters(),
        },
    )


@login_required
@reading_replica()
def risk_map_data(request: HttpRequest) -> JsonResponse:
    """The map's GeoJSON (areas only)."""
    _require_reporter(request)
    try:
        data = maps.risk_geojson(
            viewer=request.user,
            level=request.GET.get("level", Level.DISTRICT),
            within=parse_area(request.GET.get("area", "")),
        )
    except ValidationError as exc:
        return _bad_request(exc)
    return JsonResponse(data)


@login_required
@reading_replica()
def documentation(request: HttpRequest) -> HttpResponse:
    """Stateless children, citizenship applied for and open civil-registration problems, by district: never
    for an enforcement agency (404), protected outside the owning agency's case staff."""
    _require_reporter(request)
    report = documents_report(viewer=request.user)
    return render(request, "reports/documentation.html", report)
