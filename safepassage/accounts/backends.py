"""Password sign-in that slows guessing without ever locking the owner out (see throttle.py)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.http import HttpRequest

from safepassage.accounts import services, throttle
from safepassage.core.clients import client_address


class SignInBackend(ModelBackend):
    """Like Django's ModelBackend, with sign-in limits.

    A wrong password, an unknown username and an account that must wait all answer the same way and take
    the same time: the password hasher runs once in each case. Only a client address over its limit is
    told so at once (`request.sign_in_refused = "address"`), which says nothing about any account.
    """

    # What a member may do comes from the rules (rules.ObjectPermissionBackend, core/rules.py) and nothing is
    # granted through Django's permission tables, so they are never read: two queries saved on every page.
    def get_user_permissions(self, user_obj: Any, obj: Any = None) -> set[str]:
        return set()

    def get_group_permissions(self, user_obj: Any, obj: Any = None) -> set[str]:
        return set()

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
        address = client_address(request.META) if request is not None else ""
        if throttle.address_blocked(address):
            if request is not None:
                request.sign_in_refused = "address"  # type: ignore[attr-defined]
            return None
        key = throttle.account_key(username)
        must_wait = throttle.waiting(key, address)
        try:
            user = user_model._default_manager.get_by_natural_key(username)
        except user_model.DoesNotExist:
            user = None
        if user is None:
            throttle.check_dummy(password)
            right = False
        else:
            right = user.check_password(password)  # runs while waiting too: the same time either way
        if must_wait:
            return None  # neither a failure nor a success: the guess was never judged
        if not right:
            throttle.failure_record(key, address)
            if user is not None:
                services.login_failed(user=user)
            return None
        if user is None or not self.user_can_authenticate(user):
            return None
        throttle.failures_clear(key, address)
        before = services.login_succeeded(user=user)
        if request is not None:
            request.sign_in_failures_before = before  # type: ignore[attr-defined]
        return user
