"""The case summary and the repatriation packet as PDFs (cases.documents), from the case page."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.views.decorators.http import require_GET

from safepassage.cases import break_glass, documents
from safepassage.cases.models import Case


def _case(request: HttpRequest, pk: int, what: str) -> Case:
    # As the case page: 404 for roles without cases and for cases that are not the reader's.
    if not request.user.has_perm("cases.view_cases"):
        raise Http404
    qs = Case.objects.select_related("person", "stage", "agency", "caseworker")
    return break_glass.case_for_reader(qs, request, pk, what=what)


@require_GET
@login_required
def case_summary_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    """The case summary to file or print, in the reader's language."""
    return documents.case_summary_pdf(request, _case(request, pk, "case summary PDF"))


@require_GET
@login_required
def packet_pdf(request: HttpRequest, pk: int, item: int) -> HttpResponse:
    """A return's transfer packet, to print for the receiving side."""
    case = _case(request, pk, "repatriation packet PDF")
    return documents.packet_pdf(request, documents.repatriation_for(request, case, item))
