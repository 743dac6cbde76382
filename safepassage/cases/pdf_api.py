"""API: the case summary and the repatriation packet as PDFs (cases.documents), in `lang` or the language
saved on the reader's account."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from ninja import Router

from safepassage.cases import break_glass, documents
from safepassage.cases.models import Case
from safepassage.core.pdf import MEDIA_TYPE, user_language

router = Router(tags=["cases"])
PDF = {"responses": {200: {"description": "A PDF", "content": {MEDIA_TYPE: {}}}}}


def _case(request: HttpRequest, case_id: int) -> Case:
    qs = Case.objects.select_related("person", "stage", "agency", "caseworker")
    return break_glass.case_for_reader(qs, request, case_id, what=request.path)


@router.get("/cases/{case_id}/summary.pdf", openapi_extra=PDF)
def case_summary_pdf(request: HttpRequest, case_id: int, lang: str = "") -> HttpResponse:
    """The case on paper, with what your access to it opens (no address, health notes, documentation status,
    notes or who reported it). Each one is an audited read; 404 for a case that is not yours."""
    case = _case(request, case_id)
    return documents.case_summary_pdf(request, case, language=user_language(request.user, lang))


@router.get("/cases/{case_id}/repatriations/{repatriation_id}/packet.pdf", openapi_extra=PDF)
def packet_pdf(request: HttpRequest, case_id: int, repatriation_id: int, lang: str = "") -> HttpResponse:
    """A return's transfer packet (what `POST /cases/{case_id}/repatriations` prepared) to print and sign.
    An audited read; 404 when the case or its returns are not yours to read."""
    repatriation = documents.repatriation_for(request, _case(request, case_id), repatriation_id)
    return documents.packet_pdf(request, repatriation, language=user_language(request.user, lang))
