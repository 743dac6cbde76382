"""The reports as PDFs (core.pdf draws them): the figures each report's one protected function published, the
same as its page shows, never worked out again here."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.http import HttpRequest, HttpResponse

from safepassage.core.pdf import pdf_response
from safepassage.reports import selectors

# A PDF holds at most this many rows of a table: drawing takes about a second per hundred rows on a small
# server (scripts/bench pdf), and a request must end well within gunicorn's 30 s. Past it, the PDF says how
# many rows it left out and points to the area filter and the CSV, which hold them all.
MAX_ROWS = 500


def capped(rows: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """The rows a PDF prints, with how many there are in all."""
    return {"rows": list(rows[:MAX_ROWS]), "total": len(rows), "left_out": max(0, len(rows) - MAX_ROWS)}


def risk_pdf(
    request: HttpRequest, report: dict[str, Any], group_by: Sequence[str], area_code: str, **options: Any
) -> HttpResponse:
    """The risk table as a PDF: the figures risk_report published (the same protected ones as the page)."""
    context = {
        "report": report,
        "table": capped(report["rows"]),
        "group_by": group_by,
        "labels": selectors.DIMENSION_LABELS,
        "area_code": area_code,
        "perturbed": report["perturbed"],
    }
    return pdf_response(request, "reports/pdf/risk.html", context, "risk.pdf", **options)
