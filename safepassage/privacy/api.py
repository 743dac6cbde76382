"""The API of people's rights: erasure, the subject-access file, corrections, a guardian's consent, the
"turning 18" review, and consent withdrawn for a case or a referral."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import Router, Schema, Status

from safepassage.accounts.selectors import signed_in_user
from safepassage.cases import services as case_services
from safepassage.cases.models import Case
from safepassage.core.api import ErrorOut
from safepassage.core.models import get_for_user
from safepassage.core.roles import Action
from safepassage.privacy import selectors, services
from safepassage.privacy.models import CorrectionRequest, ErasureLog
from safepassage.registry.models import Person
from safepassage.registry.services import guardian_consent_record

router = Router(tags=["people's rights"])
ERRORS: dict[int, Any] = {400: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut}


class EraseIn(Schema):
    reason: str
    confirm: bool = False


class ErasureOut(Schema):
    id: int
    kind: str
    reason: str
    person_id: int | None
    erased_at: Any
    records: dict[str, list[int]]


class CorrectionIn(Schema):
    fields: list[str]
    details: str
    requested_on: date | None = None


class CorrectionOut(Schema):
    id: int
    person_id: int
    fields: list[str]
    details: str
    status: str
    requested_on: date
    note: str


class ResolveIn(Schema):
    corrected: bool
    note: str


class GuardianIn(Schema):
    guardian_consent_by: str
    guardian_relation: str
    guardian_consent_on: date | None = None


class OwnConsentIn(Schema):
    on: date | None = None


class WithdrawIn(Schema):
    on: date | None = None


class TurningOut(Schema):
    id: int
    village_code: str
    birth_year: int | None
    turns_18_on: date | None


@router.post("/people/{person_id}/erase", response={200: ErasureOut, **ERRORS})
def person_erase(request: HttpRequest, person_id: int, payload: EraseIn) -> ErasureLog:
    """Erase a person's identity from every store (a coordinator of the holding agency; `confirm` must be
    true: it cannot be undone). The answer lists the rows erased, never the values."""
    user = signed_in_user(request)
    person = services.coordinated_person(user, person_id)
    if not payload.confirm:
        raise ValidationError({"confirm": [_("Confirm the erasure: it cannot be undone.")]})
    return services.erase_person(actor=user, person=person, reason=payload.reason)


@router.get("/people/{person_id}/access-export", response={200: None, **ERRORS})
def person_access_export(request: HttpRequest, person_id: int) -> HttpResponse:
    """Everything the agencies hold about the person, as a plain-text file (a coordinator; audited)."""
    user = signed_in_user(request)
    person = services.coordinated_person(user, person_id)
    response = HttpResponse(
        selectors.subject_access_text(actor=user, person=person), content_type="text/plain; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="person-{person.pk}-what-we-hold.txt"'
    return response


@router.post("/people/{person_id}/corrections", response={201: CorrectionOut, **ERRORS})
def correction_create(request: HttpRequest, person_id: int, payload: CorrectionIn) -> Any:
    """The person says something held about them is wrong (recorded for the holding agency)."""
    user = signed_in_user(request)
    person = services.person_for(user, person_id)
    return Status(201, services.correction_request_record(actor=user, person=person, **payload.dict()))


@router.get("/privacy/corrections", response={200: list[CorrectionOut], **ERRORS})
def correction_list(request: HttpRequest, status: str = "") -> Any:
    """My agencies' correction requests (coordinators and caseworkers)."""
    user = signed_in_user(request)
    if not selectors.answers_corrections(user):
        raise Http404
    return list(selectors.correction_requests(viewer=user, status=status))


@router.post("/privacy/corrections/{request_id}/resolve", response={200: CorrectionOut, **ERRORS})
def correction_resolve(request: HttpRequest, request_id: int, payload: ResolveIn) -> CorrectionRequest:
    """Answer a correction request: corrected, or not, with a note."""
    user = signed_in_user(request)
    item = get_for_user(CorrectionRequest.objects.all(), user, request_id, Action.CHANGE)
    return services.correction_resolve(actor=user, request=item, **payload.dict())


@router.post("/people/{person_id}/guardian-consent", response={200: dict, **ERRORS})
def guardian_consent(request: HttpRequest, person_id: int, payload: GuardianIn) -> dict[str, Any]:
    """Record the parent's or guardian's consent on a child's record: who, relation, date."""
    user = signed_in_user(request)
    person = get_for_user(Person.objects.all(), user, person_id, Action.CHANGE)
    person = guardian_consent_record(actor=user, person=person, **payload.dict())
    return {
        "id": person.pk,
        "guardian_relation": person.guardian_relation,
        "guardian_consent_on": person.guardian_consent_on,
    }


@router.get("/privacy/turning-18", response={200: list[TurningOut], **ERRORS})
def turning_18(request: HttpRequest) -> list[dict[str, Any]]:
    """Children of my agencies (as coordinator) who turned 18 or will within 30 days: to review."""
    user = signed_in_user(request)
    if not selectors.coordinated_agencies(user):
        raise Http404
    return [
        {
            "id": p.pk,
            "village_code": p.village.code,
            "birth_year": p.birth_year,
            "turns_18_on": selectors.eighteenth_birthday(p),
        }
        for p in selectors.turning_18(viewer=user)
    ]


@router.post("/people/{person_id}/own-consent", response={200: dict, **ERRORS})
def own_consent(request: HttpRequest, person_id: int, payload: OwnConsentIn) -> dict[str, Any]:
    """They turned 18 and agree themselves that the agency keeps their record."""
    user = signed_in_user(request)
    person = services.coordinated_person(user, person_id)
    person = services.own_consent_record(actor=user, person=person, on=payload.on)
    return {"id": person.pk, "own_consent_on": person.own_consent_on}


@router.post("/cases/{case_id}/withdraw-consent", response={200: dict, **ERRORS})
def case_withdraw(request: HttpRequest, case_id: int, payload: WithdrawIn) -> dict[str, Any]:
    """The person withdraws consent to share their case: every referral ends now."""
    user = signed_in_user(request)
    case = get_for_user(Case.objects.all(), user, case_id, Action.CHANGE)
    case = case_services.case_consent_withdraw(actor=user, case=case, on=payload.on)
    return {"id": case.pk, "consent_withdrawn_on": case.consent_withdrawn_on}


@router.post("/referrals/{referral_id}/withdraw-consent", response={200: dict, **ERRORS})
def referral_withdraw(request: HttpRequest, referral_id: int, payload: WithdrawIn) -> dict[str, Any]:
    """The person withdraws the consent one referral rests on: it ends now, with those made on from it."""
    user = signed_in_user(request)
    referral = case_services.referral_for(user, referral_id)
    referral = case_services.referral_consent_withdraw(actor=user, referral=referral, on=payload.on)
    return {
        "id": referral.pk,
        "status": referral.status,
        "consent_withdrawn_on": referral.consent_withdrawn_on,
    }
