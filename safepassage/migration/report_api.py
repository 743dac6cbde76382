"""API: GET /api/v1/migration/reports — the safe-migration report's tables, protected for analysts as on the
page (reports.migration_report)."""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest
from ninja import Router

from safepassage.core.api import ErrorOut
from safepassage.migration import reports

router = Router(tags=["safe migration"])


@router.get("/migration/reports", response={200: dict[str, Any], 400: ErrorOut, 404: ErrorOut})
def migration_reports(
    request: HttpRequest, channel: str = "", travel_from: str = "", travel_to: str = ""
) -> Any:
    """Registrations by home district, destination, kind of work and recruiter; arrivals confirmed; days to
    the first check-in; people out of contact now; problems reported at check-ins by workplace and recruiter.

    Scope: channels at whose ends your agencies are (administrators, coordinators, caseworkers) or that your
    agency runs (analysts); never through an enforcement agency. Filters: `channel` (an id), `travel_from` /
    `travel_to` (YYYY or YYYY-MM-DD). Counts only. Staff at the channels' ends read exact figures. For
    analysts (`perturbed`: true) every count is moved a little by the cell-key method and shown as "<11"
    when small, the share, the days to the first check-in and the problems per person are perturbed averages,
    workplaces are grouped by sector and recruiters lettered, a travel period must be whole months with both
    ends (else 400 naming the parameter), each row lists in `suppressed` what it shows as "<11" or withholds,
    and each request is audited (see docs/disclosure-control.md)."""
    # As the other report endpoints: without the role this answers 404, like something that is not there.
    if not request.user.has_perm("migration.view_reports"):
        raise Http404
    filters = reports.parse_filters(
        {"channel": channel, "travel_from": travel_from, "travel_to": travel_to}, viewer=request.user
    )
    return reports.migration_report(request.user, filters)
