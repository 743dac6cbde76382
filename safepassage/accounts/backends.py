"""Password sign-in that locks an account after too many wrong passwords in a row."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.http import HttpRequest

from safepassage.accounts import services


class LockoutBackend(ModelBackend):
    """Like Django's ModelBackend, but counts failures per account and refuses locked accounts.

    Locking is by account, not by address: volunteers often share one phone or one office connection,
    and one person's typos must not lock out the whole village.
    """

    def authenticate(
        self,
        request: HttpRequest | None,
        username: str | None = None,
        password: str | None = None,
        **kwargs: Any,
    ) -> Any:
        user_model = get_user_model()
        if username is None:
            username = kwargs.get(user_model.USERNAME_FIELD)
        if username is None or password is None:
            return None
        try:
            user = user_model._default_manager.get_by_natural_key(username)
        except user_model.DoesNotExist:
            # Spend the same time as a real check, so timing does not tell which accounts exist.
            user_model().set_password(password)
            return None
        if user.is_locked():
            if request is not None:
                request.login_locked = True  # type: ignore[attr-defined]
            return None
        if user.check_password(password) and self.user_can_authenticate(user):
            services.login_succeeded(user=user)
            return user
        if services.login_failed(user=user) and request is not None:
            request.login_locked = True  # type: ignore[attr-defined]
        return None
