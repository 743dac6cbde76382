"""API: the audit trail, for agency administrators."""

from datetime import date, datetime
from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema
from ninja.pagination import PageNumberPagination, paginate

from safepassage.audit import selectors
from safepassage.audit.models import AuditEvent

router = Router(tags=["audit"])


class AuditEventOut(Schema):
    id: int
    at: datetime
    actor_name: str
    agency: str | None
    action: str
    object_type: str
    object_id: str
    request_id: str
    channel: str
    ip: str | None
    changes: dict[str, Any]

    @staticmethod
    def resolve_agency(obj: AuditEvent) -> str | None:
        return obj.agency.code if obj.agency else None


@router.get("/audit/events", response=list[AuditEventOut])
@paginate(PageNumberPagination)
def event_list(
    request: HttpRequest,
    action: str = "",
    actor: str = "",
    object_type: str = "",
    object_id: str = "",
    since: date | None = None,
    until: date | None = None,
) -> Any:
    """Audit events of the agencies I administer, newest first."""
    return selectors.event_list(
        viewer=request.user,
        action=action,
        actor=actor,
        object_type=object_type,
        object_id=object_id,
        since=since,
        until=until,
    )


@router.get("/audit/events/{event_id}", response=AuditEventOut)
def event_get(request: HttpRequest, event_id: int) -> AuditEvent:
    """One audit event; 404 unless it belongs to an agency I administer."""
    return selectors.get_event_for_user(request.user, event_id)
