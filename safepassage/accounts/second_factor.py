"""Second factors: a code from an authenticator app (TOTP) with recovery codes, passkeys (passkeys.py),
and phones trusted for a while. Built on django-otp's devices, so a session is verified the same way
whichever factor was used (django_otp.login) and a used code is refused the second time (TOTP's last_t,
recovery codes deleted on use). Every change is audited and revokes the person's API tokens."""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django_otp import login as otp_login
from django_otp.models import Device
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from safepassage.accounts.models import (
    Agency,
    ApiToken,
    Membership,
    Passkey,
    SecondFactor,
    TrustedBrowser,
    User,
)
from safepassage.accounts.models import hash_token as hash_secret
from safepassage.accounts.services import require_admin, tokens_revoke
from safepassage.audit.services import audit_record

RECOVERY_CODE_COUNT = 10
TRUST_COOKIE = "sp_trusted"
TRUST_SALT = "safepassage.accounts.trusted-browser"
_TOTP_CODE = re.compile(r"^[0-9]{6}$")
_RECOVERY_CODE = re.compile(r"^[a-z2-7]{8}$")  # django-otp's StaticToken.random_token(): 5 bytes, base32


def _home_agency(user: User) -> Agency | None:
    membership = user.memberships.filter(active=True).select_related("agency").first()
    return membership.agency if membership else None


def require_self(actor: User | None, user: User) -> None:
    if actor is not None and actor.pk != user.pk:
        raise PermissionDenied(_("You can only change your own ways of signing in."))


def audit_factor(actor: User | None, action: str, user: User, **changes: Any) -> None:
    audit_record(actor=actor, action=action, obj=user, agency=_home_agency(user), changes=changes)


# --- what a person has -------------------------------------------------------------------------------------


def has_factor(user: User) -> bool:
    """Has an authenticator app or a passkey (recovery codes alone are not a way to sign in every day)."""
    return (
        TOTPDevice.objects.filter(user=user, confirmed=True).exists()
        or Passkey.objects.filter(user=user, confirmed=True).exists()
    )


def session_verified(user: Any) -> bool:
    """The signed-in person passed a second factor in this session (OTPMiddleware set `otp_device`)."""
    device = getattr(user, "otp_device", None)
    if device is None:
        return False
    return not (isinstance(device, TrustedBrowser) and not device.is_valid())


@dataclass
class Factors:
    """What a person's profile page shows about their second factors."""

    totp: TOTPDevice | None
    passkeys: list[Passkey]
    recovery_left: int
    trusted: list[TrustedBrowser]


def factors_of(user: User) -> Factors:
    """A person's second factors, for their profile page or their administrator's."""
    now = timezone.now()
    return Factors(
        totp=TOTPDevice.objects.filter(user=user, confirmed=True).first(),
        passkeys=list(Passkey.objects.filter(user=user, confirmed=True).order_by("created_at")),
        recovery_left=StaticToken.objects.filter(device__user=user, device__confirmed=True).count(),
        trusted=list(
            TrustedBrowser.objects.filter(user=user, confirmed=True, expires_at__gt=now).order_by(
                "-created_at"
            )
        ),
    )


# --- authenticator app and recovery codes ------------------------------------------------------------------


def totp_pending(*, user: User) -> TOTPDevice:
    """The new authenticator-app key the person is setting up (kept across page loads until confirmed)."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    return device or TOTPDevice.objects.create(user=user, name="authenticator app", confirmed=False)


def totp_secret(device: TOTPDevice) -> str:
    """The key as the base32 text an authenticator app takes when typed in (and as demo-logins.json shows)."""
    from base64 import b32encode

    return b32encode(device.bin_key).decode()


@transaction.atomic
def totp_issue(*, actor: User | None, user: User) -> TOTPDevice:
    """A working authenticator-app key made on the server by its operator (actor=None), for the demo's
    logins: the operator hands the key over with the password. People set up their own at first sign-in."""
    if actor is not None:
        raise PermissionDenied(_("Only the server's operator can do this."))
    TOTPDevice.objects.filter(user=user).delete()
    device = TOTPDevice.objects.create(user=user, name="authenticator app", confirmed=True)
    audit_factor(actor, "accounts.second_factor.add", user, kind=SecondFactor.TOTP, by="operator")
    return device


def code_problem(code: str) -> str | None:
    """What is wrong with the shape of a typed code, in words for the person; None when it could be one."""
    cleaned = normalise_code(code)
    if not cleaned:
        return _("Type the code from your authenticator app, or one of your recovery codes.")
    if not (_TOTP_CODE.match(cleaned) or _RECOVERY_CODE.match(cleaned)):
        return _(
            "A code is the 6 numbers your authenticator app shows now, or a recovery code of 8 letters "
            "and numbers."
        )
    return None


def normalise_code(code: str) -> str:
    """People type codes with spaces or dashes, and in capitals; none of that matters."""
    return re.sub(r"[\s-]", "", code or "").lower()[:64]


@transaction.atomic
def totp_confirm(*, actor: User, user: User, code: str) -> list[str]:
    """Turn on the key being set up once the person types a code from it; replaces an earlier app. Returns
    new recovery codes to show once when this is the person's first factor (else an empty list)."""
    require_self(actor, user)
    problem = code_problem(code)
    if problem:
        raise ValidationError({"code": problem})
    device = TOTPDevice.objects.select_for_update().filter(user=user, confirmed=False).first()
    if device is None:
        raise ValidationError({"code": _("Start again: open this page and scan the new picture.")})
    first = not has_factor(user)
    if not device.verify_token(normalise_code(code)):
        raise ValidationError(
            {"code": _("This code is not right. Check the time on your phone, then type the newest code.")}
        )
    TOTPDevice.objects.filter(user=user, confirmed=True).delete()
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    audit_factor(actor, "accounts.second_factor.add", user, kind=SecondFactor.TOTP)
    codes = _recovery_codes_replace(user) if first else []
    tokens_revoke(user=user, reason="second_factor_change")
    return codes


def _recovery_codes_replace(user: User) -> list[str]:
    device, _created = StaticDevice.objects.get_or_create(user=user, defaults={"name": "recovery codes"})
    device.token_set.all().delete()
    codes = [StaticToken.random_token() for _ in range(RECOVERY_CODE_COUNT)]
    StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
    audit_factor(user, "accounts.second_factor.recovery_codes", user, count=len(codes))
    return codes


@transaction.atomic
def recovery_codes_create(*, actor: User, user: User) -> list[str]:
    """New recovery codes (the old ones stop working), to be shown once."""
    require_self(actor, user)
    if not has_factor(user):
        raise ValidationError({"code": _("Set up an authenticator app or a passkey first.")})
    codes = _recovery_codes_replace(user)
    tokens_revoke(user=user, reason="second_factor_change")
    return codes


def code_check(*, user: User, code: str) -> Device | None:
    """The device that accepts a typed code (authenticator app, else a recovery code), or None. A right code
    is used up; wrong ones count toward django-otp's growing wait. Audited either way."""
    cleaned = normalise_code(code)
    if code_problem(cleaned):
        return None
    with transaction.atomic():
        found: Device | None = None
        if _TOTP_CODE.match(cleaned):
            for totp in TOTPDevice.objects.select_for_update().filter(user=user, confirmed=True):
                if totp.verify_token(cleaned):
                    found = totp
                    break
        else:
            for static in StaticDevice.objects.select_for_update().filter(user=user, confirmed=True):
                if static.verify_token(cleaned):
                    found = static
                    break
        method = SecondFactor.TOTP if _TOTP_CODE.match(cleaned) else SecondFactor.RECOVERY
        audit_factor(
            user, "auth.second_factor" if found else "auth.second_factor_failed", user, method=method
        )
    return found


def must_wait(user: User) -> bool:
    """After wrong codes django-otp refuses every code for a while (1 s, doubled after each wrong one)."""
    devices = [*TOTPDevice.objects.filter(user=user, confirmed=True), *StaticDevice.objects.filter(user=user)]
    return any(not device.verify_is_allowed()[0] for device in devices)


def wrong_code_message(*, waiting: bool) -> str:
    """What to say after a code was refused: wait (it was refused unread), or it is wrong or used."""
    if waiting:
        return _("Too many wrong codes. Wait a minute, then type the newest code.")
    return _("This code is not right or was already used. Wait for a new code and try again.")


def method_of(device: Device) -> str:
    """The SecondFactor a device stands for."""
    if isinstance(device, TOTPDevice):
        return SecondFactor.TOTP
    if isinstance(device, StaticDevice):
        return SecondFactor.RECOVERY
    if isinstance(device, Passkey):
        return SecondFactor.PASSKEY
    return SecondFactor.TRUSTED_BROWSER


def otp_for_token(*, user: User, otp: str) -> tuple[str, str]:
    """For POST /auth/token: (how the person proved it, "") or ("", what to tell them)."""
    if not TOTPDevice.objects.filter(user=user, confirmed=True).exists():
        if Passkey.objects.filter(user=user, confirmed=True).exists():
            return "", _("You sign in with a passkey: make a token on your account page (My account).")
        return "", _("Sign in on a page first to set up your second factor, then ask for a token again.")
    if not otp:
        return "", _('Send "otp": the code from your authenticator app, or one of your recovery codes.')
    problem = code_problem(otp)
    if problem:
        return "", problem
    waiting = must_wait(user)
    device = code_check(user=user, code=otp)
    if device is None:
        return "", wrong_code_message(waiting=waiting)
    return method_of(device), ""


def session_pass(request: HttpRequest, device: Device) -> None:
    """Mark this session as having passed the second factor with `device` (under a new session key: the
    session is worth more now, so a key seen before this moment must not carry it)."""
    request.session.cycle_key()
    otp_login(request, device)


# --- trusted phones ----------------------------------------------------------------------------------------


@transaction.atomic
def browser_trust(*, actor: User, request: HttpRequest, response: HttpResponse) -> TrustedBrowser:
    """Remember this phone for TRUSTED_BROWSER_DAYS: a signed cookie holding a random key whose hash is kept,
    so forgetting the phone (here or from the profile page) ends it at once."""
    secret = secrets.token_urlsafe(32)
    agent = request.headers.get("User-Agent", "")
    browser = TrustedBrowser.objects.create(
        user=actor,
        name=_browser_name(agent),
        key_hash=hash_secret(secret),
        expires_at=timezone.now() + timedelta(days=settings.TRUSTED_BROWSER_DAYS),
    )
    response.set_signed_cookie(
        TRUST_COOKIE,
        f"{browser.pk}:{secret}",
        salt=TRUST_SALT,
        max_age=settings.TRUSTED_BROWSER_DAYS * 86400,
        secure=settings.SESSION_COOKIE_SECURE,
        httponly=True,
        samesite="Lax",
    )
    audit_factor(
        actor, "accounts.second_factor.trust", actor, device=browser.pk, days=settings.TRUSTED_BROWSER_DAYS
    )
    return browser


def _browser_name(agent: str) -> str:
    """A short name people recognise ("Android phone", "Windows computer"), not the whole user agent."""
    for marker, name in (
        ("Android", _("Android phone")),
        ("iPhone", _("iPhone")),
        ("iPad", _("iPad")),
        ("Windows", _("Windows computer")),
        ("Mac OS", _("Mac")),
        ("Linux", _("Linux computer")),
    ):
        if marker in agent:
            return str(name)[:64]
    return str(_("Phone or computer"))


def trusted_browser_of(request: HttpRequest, user: User) -> TrustedBrowser | None:
    """The trusted-phone record this request's cookie proves, for this user, still valid; else None."""
    value = request.get_signed_cookie(
        TRUST_COOKIE, default=None, salt=TRUST_SALT, max_age=settings.TRUSTED_BROWSER_DAYS * 86400
    )
    if not value or ":" not in value:
        return None
    pk, _sep, secret = value.partition(":")
    if not pk.isdigit():
        return None
    browser = TrustedBrowser.objects.filter(pk=int(pk), user=user, key_hash=hash_secret(secret)).first()
    return browser if browser is not None and browser.is_valid() else None


@transaction.atomic
def trusted_pass(*, request: HttpRequest, browser: TrustedBrowser) -> None:
    """Let a trusted phone stand in for the second factor in this session (audited)."""
    session_pass(request, browser)
    browser.set_last_used_timestamp(commit=True)
    audit_factor(browser.user, "auth.second_factor", browser.user, method=SecondFactor.TRUSTED_BROWSER)


@transaction.atomic
def trusted_forget(*, actor: User, browser: TrustedBrowser) -> None:
    """Stop trusting a phone; sessions that relied on it must pass a second factor again."""
    require_self(actor, browser.user)
    audit_factor(actor, "accounts.second_factor.forget", browser.user, device=browser.pk)
    browser.delete()


# --- passkeys and resets -----------------------------------------------------------------------------------


@transaction.atomic
def passkey_remove(*, actor: User, passkey: Passkey) -> None:
    """Remove one of one's passkeys; refused when it is the only way left to sign in."""
    user = passkey.user
    require_self(actor, user)
    others = Passkey.objects.filter(user=user, confirmed=True).exclude(pk=passkey.pk).exists()
    if not others and not TOTPDevice.objects.filter(user=user, confirmed=True).exists():
        raise ValidationError({"passkey": _("This is your only way to sign in. Add another one first.")})
    audit_factor(actor, "accounts.second_factor.remove", user, kind=SecondFactor.PASSKEY, device=passkey.pk)
    passkey.delete()
    tokens_revoke(user=user, reason="second_factor_change")


@transaction.atomic
def factors_reset(*, actor: User | None, user: User, agency: Agency) -> int:
    """An administrator of `agency` clears a member's second factors and trusted phones (a lost phone); the
    member sets up a new one at their next sign-in. Their tokens are revoked. Returns how many went."""
    require_admin(actor, agency)
    if not Membership.objects.filter(user=user, agency=agency).exists():
        raise PermissionDenied(_("This person is not a member of %(agency)s.") % {"agency": agency})
    removed = 0
    for model in (TOTPDevice, StaticDevice, Passkey, TrustedBrowser):
        removed += model.objects.filter(user=user).delete()[1].get(model._meta.label, 0)
    audit_record(
        actor=actor,
        action="accounts.second_factor.reset",
        obj=user,
        agency=agency,
        changes={"removed": removed},
    )
    tokens_revoke(user=user, reason="second_factor_reset")
    return removed


def member_tokens(user: User) -> list[ApiToken]:
    """A member's tokens that still work, for their administrator's page."""
    return list(ApiToken.objects.filter(user=user, revoked_at__isnull=True, expires_at__gt=timezone.now()))
