"""The bell in the header: how many notifications are unread (asked only when a page shows it)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from safepassage.accounts.second_factor import session_verified
from safepassage.notify.selectors import unread_count


def bell(request: HttpRequest) -> dict[str, Any]:
    """`unread_notifications` for the signed-in user (a lazy count: no query on pages without the bell)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or not session_verified(user):
        return {}
    return {"unread_notifications": SimpleLazyObject(lambda: unread_count(viewer=user))}
