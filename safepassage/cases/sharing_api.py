"""API: what an organisation will see of a case before the case is referred to it."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema

from safepassage.accounts.selectors import signed_in_user
from safepassage.cases import selectors, services, sharing
from safepassage.cases.models import Referral
from safepassage.cases.services._common import _fail, _organisation
from safepassage.core.api import ErrorOut

router = Router(tags=["cases"])
ERRORS: dict[int, Any] = {400: ErrorOut, 401: ErrorOut, 404: ErrorOut}


class PreviewQuery(Schema):
    to_organisation_id: int
    consent: str = Referral.Consent.PERSON
    consent_names_agency: bool = False
    consent_covers: list[str] = []


@router.get("/cases/{case_id}/referral-preview", response={200: dict, **ERRORS})
def referral_preview(request: HttpRequest, case_id: int, query: Query[PreviewQuery]) -> Any:
    """What the organisation would read if the case were referred to it now under this consent: `will_see`
    (its receiving profile's parts, no more than the referral a receiver refers on under),
    `only_with_consent`, `never`, whether it is police, immigration or a prosecutor, and the sharing
    agreements with it. The sender's case staff (owner, or a receiver referring on) only."""
    actor = signed_in_user(request)
    case, via = services.case_to_work_on(actor, case_id, "referral")
    organisation = _organisation(actor, query.to_organisation_id, "to_organisation_id")
    if organisation is None:
        raise _fail("to_organisation_id", _("Choose who the case is referred to."))
    found = sharing.preview(
        organisation,
        sender_id=via.to_agency_id if via is not None else case.agency_id,
        via=via,
        consent=query.consent,
        consent_names_agency=query.consent_names_agency,
        consent_covers=query.consent_covers,
    )
    return {
        "organisation_id": organisation.pk,
        "on_safepassage": found.on_safepassage,
        "profile": found.profile,
        "profile_label": found.profile_label,
        "enforcement": found.enforcement,
        "will_see": sorted(found.parts),
        "only_with_consent": sorted(found.consent_could_open),
        "never": sorted(selectors.SHARED_PARTS - found.parts - found.consent_could_open),
        "sentence": found.sentence,
        "agreements": [
            {
                "id": a.pk,
                "title": a.title,
                "agencies": [a.agency.code, a.partner.code],
                "signed_on": a.signed_on,
                "ends_on": a.ends_on,
                "reference": a.reference,
            }
            for a in found.agreements
        ],
    }
