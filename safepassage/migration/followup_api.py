"""API: labour disputes and their escalation, returned workers' experience, reintegration (issue 22 part 8).
Through the registration: seen and written as the registration is."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema, Status

from safepassage.accounts.selectors import signed_in_user
from safepassage.cases.services import one_or_404
from safepassage.core.api import ErrorOut
from safepassage.core.models import get_for_user
from safepassage.core.roles import Action
from safepassage.migration import followup, recruiters
from safepassage.migration.api import _registration
from safepassage.migration.models import DisputeLevel, LabourDispute

router = Router(tags=["safe migration"])
ERRORS: dict[int, Any] = {400: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut}


class LevelOut(Schema):
    code: str
    name: str
    order: int
    formal: bool
    active: bool


@router.get("/migration/dispute-levels", response=list[LevelOut])
def level_list(request: HttpRequest) -> Any:
    """The escalation path, in order (configuration: every signed-in user reads it)."""
    return [
        {"code": lv.code, "name": lv.label(), "order": lv.order, "formal": lv.formal, "active": lv.active}
        for lv in DisputeLevel.objects.all()
    ]


class DisputeIn(Schema):
    opened_on: date
    about: list[str]
    employer_name: str = ""
    workplace_id: int | None = None
    first_level: str = ""
    handled_by: str = ""


class StepIn(Schema):
    level: str
    taken_on: date
    handled_by: str = ""
    result: str = ""


class CloseIn(Schema):
    status: str
    closed_on: date
    outcome: str
    amount_recovered: int | None = None


def _dispute_out(dispute: LabourDispute) -> dict[str, Any]:
    current = dispute.current_step
    return {
        "id": dispute.pk,
        "opened_on": dispute.opened_on,
        "about": dispute.about,
        "employer_name": dispute.employer_name,
        "status": dispute.status,
        "closed_on": dispute.closed_on,
        "outcome": dispute.outcome,
        "amount_recovered": dispute.amount_recovered,
        "level": current.level.code if current else None,
        "steps": [
            {"level": s.level.code, "taken_on": s.taken_on, "handled_by": s.handled_by, "result": s.result}
            for s in dispute.steps.all()
        ],
    }


@router.get("/migration/registrations/{registration_id}/disputes", response={200: list[dict], **ERRORS})
def dispute_list(request: HttpRequest, registration_id: int) -> Any:
    """A registration's labour disputes, each with its steps and the level it reached."""
    return [_dispute_out(d) for d in followup.disputes_of(_registration(request, registration_id))]


@router.post("/migration/registrations/{registration_id}/disputes", response={201: dict, **ERRORS})
def dispute_create(request: HttpRequest, registration_id: int, payload: DisputeIn) -> Any:
    """Record a labour dispute (optionally its first step)."""
    registration = _registration(request, registration_id, Action.CHANGE)
    dispute = followup.dispute_open(
        actor=signed_in_user(request), registration=registration, **payload.dict()
    )
    return Status(201, _dispute_out(dispute))


@router.post(
    "/migration/registrations/{registration_id}/disputes/{dispute_id}/steps", response={201: dict, **ERRORS}
)
def dispute_step(request: HttpRequest, registration_id: int, dispute_id: int, payload: StepIn) -> Any:
    """A step at a level of the escalation path."""
    registration = _registration(request, registration_id, Action.CHANGE)
    dispute = one_or_404(registration.disputes.all(), dispute_id)
    followup.dispute_escalate(actor=signed_in_user(request), dispute=dispute, **payload.dict())
    return Status(201, _dispute_out(dispute))


@router.post(
    "/migration/registrations/{registration_id}/disputes/{dispute_id}/close", response={200: dict, **ERRORS}
)
def dispute_close(request: HttpRequest, registration_id: int, dispute_id: int, payload: CloseIn) -> Any:
    """Close a dispute as resolved or dropped."""
    registration = _registration(request, registration_id, Action.CHANGE)
    dispute = one_or_404(registration.disputes.all(), dispute_id)
    return _dispute_out(
        followup.dispute_close(actor=signed_in_user(request), dispute=dispute, **payload.dict())
    )


class ReturnIn(Schema):
    returned_on: date
    why: str
    interviewed_on: date | None = None
    paid_as_promised: bool | None = None
    job_as_promised: bool | None = None
    problems: list[str] = []
    would_go_again: str = ""
    experience: str = ""
    advice_for_others: str = ""


@router.post("/migration/registrations/{registration_id}/return-interviews", response={201: dict, **ERRORS})
def return_interview(request: HttpRequest, registration_id: int, payload: ReturnIn) -> Any:
    """A returned worker's experience; the registration is marked as come back home."""
    registration = _registration(request, registration_id, Action.CHANGE)
    interview = followup.return_interview_record(
        actor=signed_in_user(request), registration=registration, **payload.dict()
    )
    return Status(201, {"id": interview.pk, "why": interview.why, "problems": interview.problems})


class ReintegrationIn(Schema):
    kind: str
    started_on: date
    status: str = "ongoing"
    organisation_id: int | None = None
    note: str = ""


@router.post("/migration/registrations/{registration_id}/reintegration", response={201: dict, **ERRORS})
def reintegration(request: HttpRequest, registration_id: int, payload: ReintegrationIn) -> Any:
    """A step of help to settle back in the community."""
    registration = _registration(request, registration_id, Action.CHANGE)
    step = followup.reintegration_add(
        actor=signed_in_user(request), registration=registration, **payload.dict()
    )
    return Status(201, {"id": step.pk, "kind": step.kind, "status": step.status})


class FlagIn(Schema):
    recruiter_id: int
    flag: str
    seen_on: date
    note: str = ""


@router.get("/migration/channels/{channel_id}/recruiters", response={200: list[dict], **ERRORS})
def channel_recruiter_list(request: HttpRequest, channel_id: int) -> Any:
    """The recruiters named on the channel's registrations, for staff at either end (audited)."""
    from safepassage.migration.models import Channel

    user = signed_in_user(request)
    channel = get_for_user(Channel.objects.all(), user, channel_id)
    return [
        {
            "id": row.recruiter.pk,
            "name": row.recruiter.name,
            "kind": row.recruiter.kind,
            "licence_status": row.recruiter.licence_status,
            "licence_number": row.recruiter.licence_number,
            "registered_on": row.recruiter.registered_on,
            "screening": row.recruiter.screening,
            "screening_flags": row.recruiter.red_flags,
            "registrations": row.registrations,
            "flags": [
                {"flag": f.flag.code, "seen_on": f.seen_on, "agency": f.agency.code, "note": f.note}
                for f in row.flags
            ],
        }
        for row in recruiters.channel_recruiters(viewer=user, channel=channel)
    ]


@router.post("/migration/channels/{channel_id}/recruiter-flags", response={201: dict, **ERRORS})
def channel_recruiter_flag(request: HttpRequest, channel_id: int, payload: FlagIn) -> Any:
    """Raise a red flag from the list against one of the channel's recruiters."""
    from safepassage.migration.models import Channel

    user = signed_in_user(request)
    channel = get_for_user(Channel.objects.all(), user, channel_id)
    raised = recruiters.recruiter_flag_raise(actor=user, channel=channel, **payload.dict())
    return Status(201, {"id": raised.pk, "flag": raised.flag.code, "recruiter_id": raised.recruiter_id})
