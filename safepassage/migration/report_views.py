"""The safe-migration report page and its tables as CSV."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from safepassage.migration import reports
from safepassage.migration.models import Channel
from safepassage.reports.views import csv_response


def _require(request: HttpRequest) -> None:
    if not request.user.has_perm("migration.view_reports"):
        raise Http404


@require_GET
@login_required
def reports_page(request: HttpRequest) -> HttpResponse:
    """Registrations, arrivals, check-ins, contact and problems, with what each number means."""
    _require(request)
    error: dict[str, Any] = {}
    report = None
    try:
        filters = reports.parse_filters(request.GET)
    except ValidationError as exc:
        error = exc.message_dict
    else:
        report = reports.migration_report(request.user, filters)
    channels = Channel.objects.filter(
        pk__in=reports._registrations(reports.report_scope(request.user), reports.Filters()).values(
            "channel_id"
        )
    )
    return render(
        request,
        "migration/reports.html",
        {"report": report, "error": error, "params": request.GET, "channels": channels, "k": reports.K},
        status=400 if error else 200,
    )


@require_GET
@login_required
def reports_csv(request: HttpRequest, table: str) -> HttpResponse:
    _require(request)
    if table not in reports.TABLES:
        raise Http404
    try:
        filters = reports.parse_filters(request.GET)
    except ValidationError as exc:
        return HttpResponse("; ".join(f"{k}: {' '.join(v)}" for k, v in exc.message_dict.items()), status=400)
    report = reports.migration_report(request.user, filters)
    columns, rows = reports.summary_rows(report, table)
    return csv_response(f"migration-{table}.csv", columns, rows)
