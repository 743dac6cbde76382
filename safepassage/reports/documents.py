"""The reports as PDFs (core.pdf draws them): the figures each report's one protected function published, the
same as its page shows, never worked out again here."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.http import HttpRequest, HttpResponse

from safepassage.core.pdf import pdf_response
from safepassage.reports import selectors


def risk_pdf(
    request: HttpRequest, report: dict[str, Any], group_by: Sequence[str], area_code: str, **options: Any
) -> HttpResponse:
    """The risk table as a PDF: the figures risk_report published (the same protected ones as the page)."""
    context = {
        "report": report,
        "group_by": group_by,
        "labels": selectors.DIMENSION_LABELS,
        "area_code": area_code,
        "perturbed": report["perturbed"],
    }
    return pdf_response(request, "reports/pdf/risk.html", context, "risk.pdf", **options)
