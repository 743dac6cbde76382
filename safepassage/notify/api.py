"""API under /api/v1/me/notifications: my notifications with each delivery's state, and marking them read."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.http import HttpRequest
from ninja import Field, Router, Schema
from ninja.pagination import PageNumberPagination, paginate

from safepassage.accounts.selectors import signed_in_user
from safepassage.core.api import ErrorOut
from safepassage.notify import selectors, services

router = Router(tags=["notifications"])


class DeliveryOut(Schema):
    channel: str
    state: str
    attempts: int
    next_try_at: datetime | None
    sent_at: datetime | None
    last_error: str


class NotificationOut(Schema):
    id: int
    kind: str
    urgency: str
    text: str
    reference: str
    link: str
    created_at: datetime
    read_at: datetime | None
    deliveries: list[DeliveryOut]

    @staticmethod
    def resolve_text(obj: Any) -> str:
        return str(obj.get_kind_display())

    @staticmethod
    def resolve_deliveries(obj: Any) -> list[Any]:
        return list(obj.deliveries.all())


class ReadIn(Schema):
    ids: list[int] | None = Field(
        None, description="the notifications to mark read; all unread when left out"
    )


class ReadOut(Schema):
    marked: int
    unread: int


@router.get("/me/notifications", response=list[NotificationOut])
@paginate(PageNumberPagination)
def notification_list(request: HttpRequest, unread: bool = False) -> Any:
    """My notifications, newest first, with each delivery's state (queued, sent or failed)."""
    return selectors.notification_list(viewer=signed_in_user(request), unread=unread)


@router.post("/me/notifications/read", response={200: ReadOut, 422: ErrorOut})
def notification_read(request: HttpRequest, payload: ReadIn) -> dict[str, int]:
    """Mark my notifications read: the ones given, or all of them."""
    user = signed_in_user(request)
    marked = services.notifications_mark_read(actor=user, ids=payload.ids)
    return {"marked": marked, "unread": selectors.unread_count(viewer=user)}
