"""API: GET /api/v1/migration/reports — the safe-migration report's tables, hidden from analysts as on the
page."""

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
    `travel_to` (YYYY or YYYY-MM-DD). Counts only: for analysts every count under 11 is null, workplaces are
    grouped by sector and recruiters numbered, and each row lists in `suppressed` what it hides."""
    # As the other report endpoints: without the role this answers 404, like something that is not there.
    if not request.user.has_perm("migration.view_reports"):
        raise Http404
    filters = reports.parse_filters(
        {"channel": channel, "travel_from": travel_from, "travel_to": travel_to}, viewer=request.user
    )
    return reports.migration_report(request.user, filters)
