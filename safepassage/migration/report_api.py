"""API: GET /api/v1/migration/reports — the same tables as the report page, suppressed the same way."""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest
from ninja import Router

from safepassage.core.api import ErrorOut
from safepassage.migration import reports

router = Router(tags=["safe migration"])


@router.get("/migration/reports", response={200: dict, 400: ErrorOut, 404: ErrorOut})
def migration_reports(
    request: HttpRequest, channel: str = "", travel_from: str = "", travel_to: str = ""
) -> Any:
    """Registrations by origin, destination, sector, recruiter; arrivals; first check-in; contact; problems.
    Analysts get every count under 11 hidden (`null`) and no workplace or recruiter names."""
    if not request.user.has_perm("migration.view_reports"):
        raise Http404
    filters = reports.parse_filters({"channel": channel, "travel_from": travel_from, "travel_to": travel_to})
    report = reports.migration_report(request.user, filters)
    tables = {
        name: {
            "title": str(t["title"]),
            "explain": str(t["explain"]),
            "rows": [
                {"label": str(r["label"]), "n": r["n"], "suppressed": r["suppressed"]} for r in t["rows"]
            ],
        }
        for name, t in report["tables"].items()
    }
    return {
        "exact": report["exact"],
        "count": report["count"],
        "as_of": report["as_of"],
        "arrivals": report["arrivals"],
        "first_checkin": report["first_checkin"],
        "contact": report["contact"],
        "tables": tables,
    }
