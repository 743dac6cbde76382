"""A case summary and a repatriation packet as PDFs an office can file (core.pdf draws them).

What a PDF holds is what its reader may read of the case (selectors.access, as on the case page), and each
one drawn is an audited read of a sensitive record. The summary leaves out what stays on the screen: the
address, health notes, documentation status, notes and who reported the case. The packet is the transfer
packet prepared for the receiving side (services.transfer_packet), nothing more.
"""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest, HttpResponse

from safepassage.accounts.models import User
from safepassage.audit.services import audit_read
from safepassage.cases import selectors, sharing
from safepassage.cases.models import BestInterestsAssessment, Case, Repatriation, SupportService
from safepassage.core.countries import country_name
from safepassage.core.pdf import pdf_response
from safepassage.registry.models import Person


def _actor(request: HttpRequest) -> User | None:
    return request.user if isinstance(request.user, User) else None


def case_summary_pdf(request: HttpRequest, case: Case, *, language: str | None = None) -> HttpResponse:
    """The case on paper: who (when the reader may see it), where the case is, the screening outcome, the
    support plan, the legal deadlines, returns and referrals, each part only when the reader's access opens
    it."""
    reach = selectors.access(request.user, case)
    if not reach.parts:
        raise Http404
    audit_read(actor=_actor(request), obj=case, what="case summary PDF")
    sees = reach.sees
    context: dict[str, Any] = {
        "case": case,
        "parts": reach.parts,
        "steps": case.steps.select_related("stage", "responsible_organisation")
        if sees(selectors.LIFECYCLE)
        else [],
        "services": case.services.select_related("provider") if sees(selectors.SUPPORT) else [],
        "deadlines": case.deadlines.all() if sees(selectors.LEGAL) else [],
        "repatriations": case.repatriations.select_related("agreement") if sees(selectors.RETURNS) else [],
        "follow_ups": case.follow_ups.all() if sees(selectors.RETURNS) else [],
        "referrals": sharing.described(case.referrals.select_related("to_organisation"))
        if reach.owner
        else [],
    }
    return pdf_response(
        request, "cases/pdf/summary.html", context, f"case-{case.reference}.pdf", language=language
    )


def repatriation_for(request: HttpRequest, case: Case, pk: int) -> Repatriation:
    """One return of a case whose returns the reader may read (404 otherwise)."""
    if not selectors.access(request.user, case).sees(selectors.RETURNS):
        raise Http404
    repatriation = (
        case.repatriations.select_related("case", "agreement", "receiving_focal_point").filter(pk=pk).first()
    )
    if repatriation is None or not repatriation.packet:
        raise Http404
    return repatriation


def packet_pdf(
    request: HttpRequest, repatriation: Repatriation, *, language: str | None = None
) -> HttpResponse:
    """The transfer packet as the receiving side gets it, to print and sign."""
    audit_read(actor=_actor(request), obj=repatriation, what="repatriation packet PDF")
    packet = repatriation.packet
    best_interests = packet.get("best_interests") or {}
    recommendations = dict(BestInterestsAssessment.Recommendation.choices)
    kinds = dict(SupportService.Kind.choices)
    context = {
        "repatriation": repatriation,
        "packet": packet,
        "best_interests": best_interests,
        "recommendation": recommendations.get(str(best_interests.get("recommendation") or ""), ""),
        "sex": dict(Person.Sex.choices).get(packet.get("sex"), packet.get("sex") or ""),
        "nationality": country_name(packet.get("nationality") or ""),
        "destination": country_name(packet.get("destination_country") or ""),
        "support_needed": [kinds.get(k, k) for k in packet.get("support_needed") or []],
    }
    reference = packet.get("case_reference") or repatriation.case.reference
    return pdf_response(
        request, "cases/pdf/packet.html", context, f"packet-{reference}.pdf", language=language
    )
