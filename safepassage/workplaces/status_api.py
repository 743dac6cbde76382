"""API: employers' standing (status from evidence, findings notified, commitments checked) and their periodic
returns (docs/prevention.md). The employer's own users read the partner form only."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.http import Http404, HttpRequest
from ninja import Router, Schema

from safepassage.accounts.selectors import signed_in_user
from safepassage.core.access import viewer_for
from safepassage.core.api import ErrorOut
from safepassage.core.roles import Action
from safepassage.workplaces import selectors, status_services
from safepassage.workplaces.models import Employer, EmployerCommitment, EmployerViolation

router = Router(tags=["sin space"])
ERRORS: dict[int, Any] = {400: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut}


class StandingPartnerOut(Schema):
    """What the employer reads of its status: the status and two dates it already knows."""

    employer_id: int
    status: str
    status_from: date | None
    status_review_on: date | None


class StandingOut(StandingPartnerOut):
    """What the keeping agency's staff read: the criteria against the evidence, the decisions, and how many
    tips came since the status was set (a tip alone never changes the status)."""

    criteria: list[dict[str, Any]]
    decisions: list[dict[str, Any]]
    tips_since_status: int


class GrantIn(Schema):
    note: str = ""


class NotifiedIn(Schema):
    notified_on: date
    notified_how: str


class CheckIn(Schema):
    kept: bool
    checked_on: date


class ScheduleIn(Schema):
    every_months: int
    starts_on: date
    due_days: int = 15
    remind_days: int = 7
    active: bool = True


class ReturnRowOut(Schema):
    period: str
    starts_on: date
    ends_on: date
    due_on: date
    workplace_id: int
    workplace_name: str
    state: str
    submission_id: int | None


def _standing(viewer: Any, employer: Employer) -> dict[str, Any]:
    shown: dict[str, Any] = {
        "employer_id": employer.pk,
        "status": employer.status,
        "status_from": employer.status_from,
        "status_review_on": employer.status_review_on,
    }
    if employer.agency_id not in selectors.staff_agency_ids(viewer):
        return shown
    shown["criteria"] = [
        {"code": c.code, "label": c.label, "met": c.met, "evidence": c.evidence}
        for c in status_services.employer_criteria(employer)
    ]
    shown["decisions"] = [
        {
            "status": d.status,
            "cause": d.cause,
            "effective_on": d.effective_on,
            "review_on": d.review_on,
            "finding_id": d.finding_id,
            "decided_at": d.decided_at.isoformat(),
        }
        for d in employer.status_decisions.all()
    ]
    shown["tips_since_status"] = selectors.tips_since_status(employer)
    return shown


@router.get(
    "/employers/{employer_id}/standing", response={200: StandingOut | StandingPartnerOut, 404: ErrorOut}
)
def standing_get(request: HttpRequest, employer_id: int) -> dict[str, Any]:
    """An employer's status; for staff with the criteria checked against the evidence."""
    employer = selectors.get_employer_for_user(request.user, employer_id)
    return _standing(viewer_for(request.user), employer)


@router.post("/employers/{employer_id}/standing/grant", response={200: StandingOut, **ERRORS})
def standing_grant(request: HttpRequest, employer_id: int, payload: GrantIn) -> dict[str, Any]:
    """Grant or renew the good-employer status (coordinators): refused unless every criterion is met."""
    employer = selectors.get_employer_for_user(request.user, employer_id, Action.CHANGE)
    status_services.employer_status_grant(actor=signed_in_user(request), employer=employer, note=payload.note)
    return _standing(viewer_for(request.user), employer)


@router.post("/employers/{employer_id}/findings/{finding_id}/notified", response={200: StandingOut, **ERRORS})
def finding_notified(request: HttpRequest, employer_id: int, finding_id: int, payload: NotifiedIn) -> Any:
    """Record the day a finding was notified to the employer: a good status is withdrawn from that day."""
    employer = selectors.get_employer_for_user(request.user, employer_id, Action.CHANGE)
    finding = EmployerViolation.objects.filter(employer=employer, pk=finding_id).first()
    if finding is None:
        raise Http404
    status_services.employer_finding_notified(
        actor=signed_in_user(request), finding=finding, **payload.dict()
    )
    employer.refresh_from_db()
    return _standing(viewer_for(request.user), employer)


@router.post(
    "/employers/{employer_id}/commitments/{commitment_id}/check", response={200: StandingOut, **ERRORS}
)
def commitment_check(request: HttpRequest, employer_id: int, commitment_id: int, payload: CheckIn) -> Any:
    """Record whether a commitment was kept."""
    employer = selectors.get_employer_for_user(request.user, employer_id, Action.CHANGE)
    commitment = EmployerCommitment.objects.filter(employer=employer, pk=commitment_id).first()
    if commitment is None:
        raise Http404
    status_services.commitment_check(actor=signed_in_user(request), commitment=commitment, **payload.dict())
    return _standing(viewer_for(request.user), employer)


@router.put("/employers/{employer_id}/return-schedule", response={200: list[ReturnRowOut], **ERRORS})
def schedule_set(request: HttpRequest, employer_id: int, payload: ScheduleIn) -> Any:
    """Set how often the employer sends its returns and when it is reminded."""
    employer = selectors.get_employer_for_user(request.user, employer_id, Action.CHANGE)
    status_services.return_schedule_set(actor=signed_in_user(request), employer=employer, **payload.dict())
    return _rows(employer)


def _rows(employer: Employer) -> list[dict[str, Any]]:
    return [
        {
            "period": r.period.label,
            "starts_on": r.period.start,
            "ends_on": r.period.end,
            "due_on": r.period.due,
            "workplace_id": r.workplace.pk,
            "workplace_name": r.workplace.name,
            "state": r.state,
            "submission_id": r.submission.pk if r.submission else None,
        }
        for r in status_services.returns_of(employer)
    ]


@router.get("/employers/{employer_id}/returns", response={200: list[ReturnRowOut], 404: ErrorOut})
def returns_list(request: HttpRequest, employer_id: int) -> Any:
    """The employer's returns of the latest periods: received, open or overdue, per workplace."""
    return _rows(selectors.get_employer_for_user(request.user, employer_id))
