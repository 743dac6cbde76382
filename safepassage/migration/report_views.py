"""The safe-migration report page (each table with what its numbers mean), each table as CSV, all in a PDF."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from safepassage.core.disclosure import SMALL
from safepassage.core.pdf import pdf_response
from safepassage.migration import reports
from safepassage.reports.views import csv_response


def _require_reports(request: HttpRequest) -> None:
    # As the other report pages: a page you may not see looks like one that does not exist.
    if not request.user.has_perm("migration.view_reports"):
        raise Http404


def _cell(row: dict[str, Any], column: dict[str, Any]) -> str:
    """What one cell shows: "<11" for a small count, "hidden" for a withheld share or days, "—" for none."""
    key = column["key"]
    value = row.get(key)
    if key in row["suppressed"]:
        return SMALL if column["kind"] == "count" else _("hidden")
    if value is None or value == "":
        return "—"
    if column["kind"] == "percent":
        return f"{value}%"
    return str(value)


def _for_page(table: dict[str, Any]) -> dict[str, Any]:
    """A table with each row's cells worked out, so the template only loops."""
    body = [[(c["title"], _cell(row, c)) for c in table["columns"]] for row in table["rows"]]
    return {**table, "body": body}


@require_GET
@login_required
def reports_page(request: HttpRequest) -> HttpResponse:
    """Registrations, arrivals, check-ins, contact and problems, each with a sentence on what it counts."""
    _require_reports(request)
    errors: dict[str, list[str]] = {}
    result: dict[str, Any] | None = None
    try:
        filters = reports.parse_filters(request.GET, viewer=request.user)
        result = reports.migration_report(request.user, filters)
    except ValidationError as exc:
        errors = exc.message_dict
    tables = [_for_page(t) for t in result["tables"].values()] if result else []
    query = {name: request.GET.get(name, "") for name in reports.FILTER_PARAMS}
    return render(
        request,
        "migration/reports.html",
        {
            "result": result,
            "tables": tables,
            "errors": [m for messages in errors.values() for m in messages],
            "bad_fields": list(errors),
            "query": query,
            "querystring": request.GET.urlencode(),
            "channels": reports.report_channels(request.user),
        },
        status=400 if errors else 200,
    )


@require_GET
@login_required
def reports_csv(request: HttpRequest, table: str) -> HttpResponse:
    """One table as CSV: small counts as "<11", withheld values empty, and a last column naming them."""
    _require_reports(request)
    if table not in reports.TABLES:
        raise Http404
    try:
        filters = reports.parse_filters(request.GET, viewer=request.user)
        data = reports.migration_report(request.user, filters, output=f"csv:{table}")["tables"][table]
    except ValidationError as exc:
        return HttpResponse(" ".join(exc.messages), status=400, content_type="text/plain; charset=utf-8")
    rows = [{**row, "suppressed": " ".join(row["suppressed"])} for row in data["rows"]]
    return csv_response(f"migration-{table}.csv", reports.csv_columns(data), rows)


@require_GET
@login_required
def reports_pdf(request: HttpRequest) -> HttpResponse:
    """Every table as the page shows it (the same protected figures), as a PDF to file or print."""
    _require_reports(request)
    try:
        filters = reports.parse_filters(request.GET, viewer=request.user)
        result = reports.migration_report(request.user, filters, output="pdf")
    except ValidationError as exc:
        return HttpResponse(" ".join(exc.messages), status=400, content_type="text/plain; charset=utf-8")
    context = {
        "result": result,
        "tables": [_for_page(t) for t in result["tables"].values()],
        "filters": filters.as_dict(),
    }
    return pdf_response(request, "migration/reports_pdf.html", context, "migration-reports.pdf")
