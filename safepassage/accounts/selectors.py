"""Reads for agencies, members and tokens, always through the viewer."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import HttpRequest

from safepassage.accounts.models import Agency, ApiToken, Membership, User
from safepassage.core.models import get_for_user
from safepassage.core.roles import Action


def signed_in_user(request: HttpRequest) -> User:
    """The signed-in user of a request that login_required or the API's bearer auth already checked."""
    user = request.user
    if not isinstance(user, User):
        raise PermissionDenied
    return user


def agency_list() -> QuerySet[Agency]:
    """All active agencies: their names are not confidential, and referrals need to find them."""
    return Agency.objects.filter(active=True)


def member_list(*, viewer: Any, query: str = "", role: str = "") -> QuerySet[Membership]:
    """Members of the agencies the viewer administers."""
    qs = (
        Membership.objects.visible_to(viewer, Action.CHANGE)
        .select_related("user", "agency")
        .prefetch_related("areas")
    )
    if query:
        qs = qs.filter(
            Q(user__username__icontains=query)
            | Q(user__first_name__icontains=query)
            | Q(user__last_name__icontains=query)
        )
    if role:
        qs = qs.filter(role=role)
    return qs


def get_membership_for_user(user: Any, pk: Any, action: str = Action.VIEW) -> Membership:
    """One membership the user may see or manage, else 404."""
    return get_for_user(Membership.objects.select_related("user", "agency"), user, pk, action)


def token_list(*, user: Any) -> QuerySet[ApiToken]:
    """The user's own API tokens."""
    return ApiToken.objects.filter(user=user)


def get_token_for_user(user: Any, pk: Any) -> ApiToken:
    """One of the user's own tokens, else 404."""
    from django.shortcuts import get_object_or_404

    return get_object_or_404(ApiToken, pk=pk, user=user)
