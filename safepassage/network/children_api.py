"""API: children's committees and youth forums, their members and what they reported (docs/prevention.md).
The keeping agency's staff only; every read of members is audited."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.http import Http404, HttpRequest
from ninja import Router, Schema, Status

from safepassage.accounts.selectors import signed_in_user
from safepassage.audit.services import audit_read
from safepassage.core.api import ErrorOut
from safepassage.core.roles import Action
from safepassage.network import children_services as children
from safepassage.network.children_models import ChildMember, ChildrenGroup

router = Router(tags=["network"])
ERRORS: dict[int, Any] = {400: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut}


class GroupIn(Schema):
    name: str
    kind: str
    named_adult_id: int
    area_code: str = ""
    meets: str = ""


class GroupOut(Schema):
    id: int
    name: str
    kind: str
    area_code: str | None
    named_adult_id: int
    meets: str
    active: bool

    @staticmethod
    def resolve_area_code(obj: ChildrenGroup | dict[str, Any]) -> str | None:
        if isinstance(obj, dict):
            return obj["area_code"]
        return obj.area.code if obj.area else None


class MemberIn(Schema):
    name: str
    birth_date: date
    joined_on: date
    consent_by: str = ""
    consent_on: date | None = None
    seat: str = "member"


class MemberOut(Schema):
    id: int
    name: str
    birth_date: date
    seat: str
    joined_on: date
    consent_on: date
    turns_18_on: date
    left_on: date | None
    left_reason: str


class LeaveIn(Schema):
    left_on: date
    left_reason: str


class ReportIn(Schema):
    reported_on: date
    about: str
    summary: str
    passed_to: str = ""


class ReportOut(Schema):
    id: int
    reported_on: date
    about: str
    summary: str
    passed_to: str


class GroupDetailOut(GroupOut):
    members: list[MemberOut]
    turning_18_soon: list[int]
    reports: list[ReportOut]


def _detail(request: HttpRequest, group: ChildrenGroup) -> dict[str, Any]:
    audit_read(actor=request.user, obj=group, what="members and reports")
    flagged = children.members_flagged(group)
    return {
        "id": group.pk,
        "name": group.name,
        "kind": group.kind,
        "area_code": group.area.code if group.area else None,
        "named_adult_id": group.named_adult_id,
        "meets": group.meets,
        "active": group.active,
        "members": list(group.members.all()),
        "turning_18_soon": [m.pk for m, soon in flagged if soon],
        "reports": list(group.reports.all()),
    }


@router.get("/children-groups", response=list[GroupOut])
def group_list(request: HttpRequest) -> Any:
    """Children's committees and youth forums the viewer's agencies keep."""
    return list(children.group_list(viewer=request.user))


@router.post("/children-groups", response={201: GroupOut, **ERRORS})
def group_create(request: HttpRequest, payload: GroupIn) -> Status[ChildrenGroup]:
    """Start a group, with the adult responsible for it (coordinators and administrators)."""
    return Status(201, children.group_create(actor=signed_in_user(request), **payload.dict()))


@router.get("/children-groups/{group_id}", response={200: GroupDetailOut, 404: ErrorOut})
def group_get(request: HttpRequest, group_id: int) -> dict[str, Any]:
    """One group with its members (turning 18 soon flagged) and what it reported; the read is audited."""
    return _detail(request, children.get_group_for_user(request.user, group_id))


@router.post("/children-groups/{group_id}/members", response={201: MemberOut, **ERRORS})
def member_add(request: HttpRequest, group_id: int, payload: MemberIn) -> Status[ChildMember]:
    """Add a child, with a guardian's consent."""
    group = children.get_group_for_user(request.user, group_id, Action.CHANGE)
    return Status(201, children.member_add(actor=signed_in_user(request), group=group, **payload.dict()))


@router.post("/children-members/{member_id}/leave", response={200: MemberOut, **ERRORS})
def member_leave(request: HttpRequest, member_id: int, payload: LeaveIn) -> ChildMember:
    """A member leaves, or their guardian withdraws consent."""
    member = ChildMember.objects.filter(
        pk=member_id, group__in=ChildrenGroup.objects.visible_to(request.user, Action.CHANGE)
    ).first()
    if member is None:
        raise Http404
    return children.member_leave(
        actor=signed_in_user(request), member=member, left_on=payload.left_on, reason=payload.left_reason
    )


@router.post("/children-groups/{group_id}/reports", response={201: ReportOut, **ERRORS})
def report_add(request: HttpRequest, group_id: int, payload: ReportIn) -> Status[Any]:
    """Record what the group reported (not which child said it)."""
    group = children.get_group_for_user(request.user, group_id, Action.CHANGE)
    return Status(
        201, children.group_report_add(actor=signed_in_user(request), group=group, **payload.dict())
    )
