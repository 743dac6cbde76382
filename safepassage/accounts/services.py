"""Writes for agencies, users, memberships, sign-in and API tokens; each writes its audit event."""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from safepassage.accounts import throttle
from safepassage.accounts.models import Agency, ApiToken, Membership, SecondFactor, User, hash_token
from safepassage.accounts.profiles import default_profile
from safepassage.audit.services import audit_record, diff
from safepassage.core.access import forget_viewer, viewer_for
from safepassage.core.roles import Role

TOKEN_PREFIX = "sp_"  # noqa: S105 - a marker, not a secret


def require_admin(actor: Any, agency: Agency) -> None:
    """Only the agency's administrators (or a command run on the server, actor=None) may manage it."""
    if actor is None or getattr(actor, "is_superuser", False):
        return
    if not viewer_for(actor).has_role(Role.ADMIN, agency_id=agency.pk):
        raise PermissionDenied(_("Only an administrator of %(agency)s can do this.") % {"agency": agency})


def generate_password() -> str:
    """A random password that is easy to read aloud over the phone (no 0/O or 1/l confusion)."""
    alphabet = "abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"
    return "-".join("".join(secrets.choice(alphabet) for _ in range(4)) for _ in range(4))


@transaction.atomic
def agency_create(
    *, actor: Any, code: str, name: str, kind: str, country: str, profile: str | None = None
) -> Agency:
    """Create an agency (system administrators and server commands only). Without a receiving profile, it
    gets the one that fits its kind (accounts.profiles.default_profile)."""
    if actor is not None and not actor.is_superuser:
        raise PermissionDenied(_("Only a system administrator can add agencies."))
    if profile is None:
        profile = default_profile(kind, name, code)
    agency = Agency(code=code, name=name, kind=kind, country=country.upper(), profile=profile)
    agency.full_clean()
    agency.save()
    audit_record(
        actor=actor,
        action="accounts.agency.create",
        obj=agency,
        agency=agency,
        changes={"code": code, "name": name, "kind": kind, "country": agency.country, "profile": profile},
    )
    return agency


def _username_taken(username: str) -> bool:
    return User.objects.filter(username__iexact=username).exists()


def username_suggest(username: str, agency: Agency) -> str:
    """A free username close to `username`: with the agency's code, then a number, added."""
    base = f"{username}.{agency.code}"[:140]
    candidates = [base, *(f"{base}{n}" for n in range(2, 100))]
    return next((c for c in candidates if not _username_taken(c)), f"{base}.{secrets.token_hex(3)}")


def _username_check(username: str, agency: Agency) -> None:
    """Usernames are unique across the installation (they are what people sign in with), but the answer
    never says whose a taken name is, nor in which agency: the same words for every name not free,
    with a free one suggested."""
    if _username_taken(username):
        raise ValidationError(
            {
                "username": _("This username cannot be used. You could use %(suggestion)s instead.")
                % {"suggestion": username_suggest(username, agency)}
            }
        )


@transaction.atomic
def user_create(
    *,
    actor: Any,
    agency: Agency,
    username: str,
    role: str,
    password: str | None = None,
    areas: Iterable[Any] = (),
    first_name: str = "",
    last_name: str = "",
    email: str = "",
    language: str = "",
) -> tuple[User, str]:
    """Create a user with a membership in `agency`; returns the user and the password to hand over once."""
    require_admin(actor, agency)
    if role not in Role.values:
        raise ValidationError({"role": _("Unknown role %(role)s.") % {"role": role}})
    _username_check(username, agency)
    area_list = list(areas)
    if role == Role.VOLUNTEER and not area_list:
        raise ValidationError({"areas": _("A volunteer needs at least one area to cover.")})
    password = password or generate_password()
    user = User(username=username, first_name=first_name, last_name=last_name, email=email, language=language)
    validate_password(password, user)
    user.set_password(password)
    user.full_clean(exclude=["password"])
    user.save()
    membership = Membership.objects.create(user=user, agency=agency, role=role)
    membership.areas.set(area_list)
    audit_record(
        actor=actor,
        action="accounts.user.create",
        obj=user,
        agency=agency,
        changes={
            "username": username,
            "role": role,
            "areas": sorted(a.code for a in area_list),
            "email": email,
        },
    )
    return user, password


@transaction.atomic
def membership_update(
    *,
    actor: Any,
    membership: Membership,
    role: str | None = None,
    areas: Iterable[Any] | None = None,
    active: bool | None = None,
) -> Membership:
    """Change a member's role, areas or whether the membership is active."""
    require_admin(actor, membership.agency)
    before = {
        "role": membership.role,
        "active": membership.active,
        "areas": sorted(membership.areas.values_list("code", flat=True)),
    }
    if role is not None:
        if role not in Role.values:
            raise ValidationError({"role": _("Unknown role %(role)s.") % {"role": role}})
        own_admin = actor is not None and membership.user_id == actor.pk and membership.role == Role.ADMIN
        if own_admin and role != Role.ADMIN:
            raise ValidationError({"role": _("You cannot remove your own administrator access.")})
        membership.role = role
    if active is not None:
        if (
            not active
            and actor is not None
            and membership.user_id == actor.pk
            and membership.role == Role.ADMIN
        ):
            raise ValidationError({"active": _("You cannot remove your own administrator access.")})
        membership.active = active
    new_areas = list(areas) if areas is not None else list(membership.areas.all())
    if membership.role == Role.VOLUNTEER and not new_areas:
        raise ValidationError({"areas": _("A volunteer needs at least one area to cover.")})
    membership.save()
    if areas is not None:
        membership.areas.set(new_areas)
    after = {"role": membership.role, "active": membership.active, "areas": sorted(a.code for a in new_areas)}
    audit_record(
        actor=actor, action="accounts.membership.update", obj=membership, changes=diff(before, after)
    )
    forget_viewer(membership.user)
    return membership


@transaction.atomic
def user_unlock(*, actor: User | None, user: User, agency: Agency) -> User:
    """Let a member sign in again at once: forget the wrong passwords typed for their account, from every
    address (an administrator of one of the user's agencies, e.g. after checking with them by phone)."""
    require_admin(actor, agency)
    if not Membership.objects.filter(user=user, agency=agency).exists():
        raise PermissionDenied(_("This person is not a member of %(agency)s.") % {"agency": agency})
    throttle.failures_clear(throttle.account_key(user.get_username()))
    User.objects.filter(pk=user.pk).update(failed_logins=0, last_failed_login_at=None)
    user.failed_logins, user.last_failed_login_at = 0, None
    audit_record(actor=actor, action="accounts.user.unlock", obj=user, agency=agency)
    return user


@transaction.atomic
def password_change(*, actor: User, user: User, new_password: str) -> User:
    """Set a new password (for oneself). Other sessions end (Django checks the password hash) and every API
    token stops working: whoever knew the old password may have made one."""
    if actor.pk != user.pk:
        raise PermissionDenied(_("You can only change your own password."))
    validate_password(new_password, user)
    user.set_password(new_password)
    user.save(update_fields=["password"])
    audit_record(actor=actor, action="accounts.user.password_change", obj=user)
    tokens_revoke(actor=actor, user=user, reason="password_change")
    return user


def _home_agency(user: User) -> Agency | None:
    membership = user.memberships.filter(active=True).select_related("agency").first()
    return membership.agency if membership else None


@transaction.atomic
def login_succeeded(*, user: User) -> int:
    """Record a sign-in; returns how many wrong passwords were typed for the account since the last one
    (then forgotten), so the owner can be told when there were many."""
    before = user.failed_logins
    if user.failed_logins or user.last_failed_login_at:
        User.objects.filter(pk=user.pk).update(failed_logins=0, last_failed_login_at=None)
        user.failed_logins, user.last_failed_login_at = 0, None
    audit_record(
        actor=user,
        action="auth.login",
        obj=user,
        agency=_home_agency(user),
        changes={"failed_logins_before": before} if before else None,
    )
    return before


@transaction.atomic
def login_failed(*, user: User) -> int:
    """Count a wrong password for an existing account; at LOGIN_ALERT_FAILURES the account is under attack
    (its administrators see it on the Team page, the audit trail says so). Returns the count."""
    counted = User.objects.select_for_update().get(pk=user.pk)
    counted.failed_logins = min(counted.failed_logins + 1, 32000)
    counted.last_failed_login_at = timezone.now()
    counted.save(update_fields=["failed_logins", "last_failed_login_at"])
    user.failed_logins, user.last_failed_login_at = counted.failed_logins, counted.last_failed_login_at
    agency = _home_agency(user)
    audit_record(
        actor=None,
        action="auth.login_failed",
        obj=user,
        agency=agency,
        changes={"failed_logins": counted.failed_logins},
    )
    if counted.failed_logins == settings.LOGIN_ALERT_FAILURES:
        audit_record(
            actor=None,
            action="auth.repeated_failures",
            obj=user,
            agency=agency,
            changes={"failed_logins": counted.failed_logins},
        )
    return counted.failed_logins


@transaction.atomic
def token_issue(
    *, actor: User | None, user: User, name: str = "", days: int | None = None, second_factor: str = ""
) -> tuple[ApiToken, str]:
    """Issue an API token for `user`; the raw token is returned once and never stored.

    `second_factor` says how the person proved it was them (SecondFactor); only the server's operator
    (actor=None: `safepassage token create`, the benchmarks) may issue one without, recorded as such."""
    if actor is not None and actor.pk != user.pk and not actor.is_superuser:
        raise PermissionDenied(_("You can only create tokens for yourself."))
    if not second_factor:
        if actor is not None:
            raise PermissionDenied(_("Prove it is you with your second factor first."))
        second_factor = SecondFactor.OPERATOR
    if second_factor not in SecondFactor.values:
        raise ValidationError({"second_factor": _("Unknown kind of second factor.")})
    raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=user,
        name=name[:100],
        prefix=raw[:10],
        key_hash=hash_token(raw),
        expires_at=timezone.now() + timedelta(days=days or settings.API_TOKEN_DAYS),
        second_factor=second_factor,
    )
    audit_record(
        actor=actor,  # None: the server's operator, shown as "system" in the trail
        action="accounts.token.issue",
        obj=token,
        agency=_home_agency(user),
        changes={"name": name, "expires_at": token.expires_at.isoformat(), "second_factor": second_factor},
    )
    return token, raw


@transaction.atomic
def token_revoke(*, actor: Any, token: ApiToken, agency: Agency | None = None) -> ApiToken:
    """Revoke a token at once; it stops working on the next request. The owner, or an administrator of
    `agency` (one the owner is a member of)."""
    if actor is not None and actor.pk != token.user_id and not actor.is_superuser:
        if agency is None or not Membership.objects.filter(user_id=token.user_id, agency=agency).exists():
            raise PermissionDenied(_("You can only revoke your own tokens."))
        require_admin(actor, agency)
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        audit_record(actor=actor, action="accounts.token.revoke", obj=token, agency=_home_agency(token.user))
    return token


@transaction.atomic
def tokens_revoke(*, actor: User | None = None, user: User, reason: str) -> int:
    """Revoke every working API token of `user` at once, e.g. because their password or a second factor
    changed (`reason`: a code such as "password_change", kept in the audit trail). Returns how many."""
    if actor is not None and actor.pk != user.pk and not actor.is_superuser:
        agencies = Agency.objects.filter(memberships__user=user)
        if not any(viewer_for(actor).has_role(Role.ADMIN, agency_id=a.pk) for a in agencies):
            raise PermissionDenied(_("You can only revoke your own tokens."))
    now = timezone.now()
    working = ApiToken.objects.select_for_update().filter(
        user=user, revoked_at__isnull=True, expires_at__gt=now
    )
    ids = sorted(working.values_list("pk", flat=True))
    if ids:
        ApiToken.objects.filter(pk__in=ids).update(revoked_at=now)
        audit_record(
            actor=actor,
            action="accounts.token.revoke_all",
            obj=user,
            agency=_home_agency(user),
            changes={"reason": reason, "tokens": ids},
        )
    return len(ids)


def token_user(raw: str, *, now: datetime | None = None) -> User | None:
    """The active user a raw bearer token belongs to, or None when it is unknown, revoked or expired."""
    if not raw.startswith(TOKEN_PREFIX):
        return None
    token = ApiToken.objects.select_related("user").filter(key_hash=hash_token(raw)).first()
    now = now or timezone.now()
    if token is None or not token.is_valid(now=now) or not token.user.is_active:
        return None
    if not token.second_factor:  # made with a password alone, before second factors: refused
        return None
    if token.last_used_at is None or now - token.last_used_at > timedelta(minutes=5):
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)  # housekeeping, not an audited change
    return token.user
