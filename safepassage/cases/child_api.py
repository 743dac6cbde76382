"""API: a child's roles in a case with the protections each needs, and children in detention homes
(docs/prevention.md, R-027, R-096). Read with the case's legal part; changed by the owning agency."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.http import Http404, HttpRequest
from ninja import Router, Schema, Status

from safepassage.accounts.selectors import signed_in_user
from safepassage.audit.services import audit_read
from safepassage.cases import break_glass, selectors, services
from safepassage.cases.child_roles import checklist
from safepassage.cases.models import Case, ChildRole, DetentionStay
from safepassage.core.access import viewer_for
from safepassage.core.api import ErrorOut
from safepassage.core.roles import Action

router = Router(tags=["cases"])
ERRORS: dict[int, Any] = {400: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut}


class RoleIn(Schema):
    role: str
    since: date


class ProtectionIn(Schema):
    code: str
    done_on: date | None = None


class DetentionIn(Schema):
    facility: str
    admitted_on: date
    languages: list[str] = []
    understands_local: bool = False
    interpreter_arranged_on: date | None = None
    next_visit_on: date | None = None


class DetentionPatch(Schema):
    released_on: date | None = None
    interpreter_arranged_on: date | None = None
    last_visit_on: date | None = None
    next_visit_on: date | None = None
    languages: list[str] | None = None
    understands_local: bool | None = None


def _role(r: ChildRole) -> dict[str, Any]:
    return {
        "id": r.pk,
        "role": r.role,
        "since": r.since,
        "protections": [
            {"code": code, "label": label, "done_on": done or None}
            for code, label, done in checklist(r.role, r.protections)
        ],
    }


def _stay(s: DetentionStay) -> dict[str, Any]:
    return {
        "id": s.pk,
        "case_id": s.case_id,
        "facility": s.facility,
        "admitted_on": s.admitted_on,
        "released_on": s.released_on,
        "languages": s.languages,
        "understands_local": s.understands_local,
        "needs_interpreter": s.needs_interpreter,
        "interpreter_arranged_on": s.interpreter_arranged_on,
        "last_visit_on": s.last_visit_on,
        "next_visit_on": s.next_visit_on,
    }


def _owned(request: HttpRequest, case_id: int) -> Case:
    case = (
        Case.objects.visible_to(request.user, Action.CHANGE)
        .select_related("person")
        .filter(pk=case_id)
        .first()
    )
    if case is None:
        raise Http404
    return case


@router.get("/cases/{case_id}/child", response={200: dict, 404: ErrorOut})
def child_get(request: HttpRequest, case_id: int) -> dict[str, Any]:
    """The child's roles with their protections checklist, and detention; the case's legal part."""
    qs = Case.objects.select_related("person", "stage", "agency")
    case = break_glass.case_for_reader(qs, request, case_id, Action.VIEW, what=request.path)
    if not selectors.access(request.user, case).sees(selectors.LEGAL):
        raise Http404
    audit_read(actor=request.user, obj=case, what="child's roles and detention")
    return {
        "roles": [_role(r) for r in case.child_roles.all()],
        "detentions": [_stay(s) for s in case.detentions.all()],
    }


@router.post("/cases/{case_id}/child/roles", response={201: dict, **ERRORS})
def role_add(request: HttpRequest, case_id: int, payload: RoleIn) -> Status[dict[str, Any]]:
    """Record the child's role: victim, witness or in conflict with the law."""
    child_role = services.child_role_set(
        actor=signed_in_user(request), case=_owned(request, case_id), **payload.dict()
    )
    return Status(201, _role(child_role))


@router.post("/child-roles/{role_id}/protections", response={200: dict, **ERRORS})
def protection_mark(request: HttpRequest, role_id: int, payload: ProtectionIn) -> dict[str, Any]:
    """Tick a protection with the day it was done (or untick it with no day)."""
    child_role = ChildRole.objects.filter(
        pk=role_id, case__in=Case.objects.visible_to(request.user, Action.CHANGE)
    ).first()
    if child_role is None:
        raise Http404
    return _role(
        services.protection_mark(actor=signed_in_user(request), child_role=child_role, **payload.dict())
    )


@router.post("/cases/{case_id}/detention", response={201: dict, **ERRORS})
def detention_add(request: HttpRequest, case_id: int, payload: DetentionIn) -> Status[dict[str, Any]]:
    """Record a child held in a detention home, with the languages they speak."""
    stay = services.detention_record(
        actor=signed_in_user(request), case=_owned(request, case_id), **payload.dict()
    )
    return Status(201, _stay(stay))


@router.patch("/detention/{stay_id}", response={200: dict, **ERRORS})
def detention_patch(request: HttpRequest, stay_id: int, payload: DetentionPatch) -> dict[str, Any]:
    """Follow a child in detention: interpreter arranged, visits, release."""
    stay = DetentionStay.objects.filter(
        pk=stay_id, case__in=Case.objects.visible_to(request.user, Action.CHANGE)
    ).first()
    if stay is None:
        raise Http404
    fields = payload.dict(exclude_unset=True)
    return _stay(services.detention_update(actor=signed_in_user(request), stay=stay, **fields))


@router.get("/detention", response=list[dict])
def detention_list(request: HttpRequest) -> list[dict[str, Any]]:
    """Children of the agency's own cases held in detention homes now."""
    viewer = viewer_for(request.user)
    stays = DetentionStay.objects.filter(
        released_on__isnull=True, case__in=Case.objects.filter(Case.own_q(viewer, Action.VIEW))
    ).order_by("admitted_on", "pk")
    return [_stay(s) for s in stays]
