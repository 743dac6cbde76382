"""Reads of the notify app: a user's own notifications only."""

from __future__ import annotations

from django.db.models import Prefetch, QuerySet

from safepassage.accounts.models import User
from safepassage.notify.models import Delivery, Notification


def notification_list(*, viewer: User, unread: bool = False) -> QuerySet[Notification]:
    """The viewer's notifications, newest first, each with its deliveries."""
    mine = Notification.objects.filter(recipient=viewer)
    if unread:
        mine = mine.filter(read_at__isnull=True)
    return mine.prefetch_related(Prefetch("deliveries", queryset=Delivery.objects.order_by("channel")))


def unread_count(*, viewer: User) -> int:
    """How many of the viewer's notifications are unread (the bell's number)."""
    return Notification.objects.filter(recipient=viewer, read_at__isnull=True).count()
