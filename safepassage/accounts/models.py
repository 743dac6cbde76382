"""Agencies, their members and roles, and API tokens."""

from __future__ import annotations

import hashlib
from datetime import datetime
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_otp.models import Device, TimestampMixin

from safepassage.accounts.profiles import ReceivingProfile, default_profile
from safepassage.core.access import Viewer, viewer_for
from safepassage.core.models import ScopedQuerySet, TimeStamped
from safepassage.core.roles import Role


class User(AbstractUser):
    """A person who signs in. What they may see comes from their memberships, never from the user alone."""

    language = models.CharField(_("language"), max_length=10, blank=True)
    # Wrong passwords for this account since its owner last signed in, from any address; many of them mean
    # someone is guessing. They never lock the account (tries are slowed per address: throttle.py).
    failed_logins = models.PositiveSmallIntegerField(default=0)
    last_failed_login_at = models.DateTimeField(null=True, blank=True)

    SENSITIVE_FIELDS = ("password", "email")

    def has_perm(self, perm: str, obj: object = None) -> bool:
        """Permissions come from the rules, for superusers too: being a system administrator opens the
        system's settings (catalogues, areas), never by itself an agency's records or pages."""
        if not self.is_active:
            return False
        from django.contrib.auth import models as auth_models

        if obj is not None:
            return bool(auth_models._user_has_perm(self, perm, obj))  # type: ignore[attr-defined]
        # A permission without an object depends on the memberships only: asked once per request (the
        # menu alone asks about fifteen), as long as the memberships read for it are the ones in use
        # (core.access.forget_viewer drops both).
        viewer = viewer_for(self)
        memo = self.__dict__.get("_perm_answers")
        if memo is None or memo[0] is not viewer:
            memo = (viewer, {})
            self.__dict__["_perm_answers"] = memo
        answers: dict[str, bool] = memo[1]
        if perm not in answers:
            answers[perm] = bool(auth_models._user_has_perm(self, perm, None))  # type: ignore[attr-defined]
        return answers[perm]

    def under_attack(self) -> bool:
        """Enough wrong passwords since the last sign-in that the owner and administrators are told."""
        return self.failed_logins >= settings.LOGIN_ALERT_FAILURES


class SignInFailure(models.Model):
    """One wrong password: for which account name (a hash: people type passwords into the name box) and from
    which client address. Kept a day; they set the delays and the per-address limit of throttle.py."""

    account_key = models.CharField(max_length=64)
    address = models.CharField(max_length=45, blank=True)
    at = models.DateTimeField(db_index=True)

    class Meta:
        indexes = [
            models.Index(fields=["account_key", "address", "at"], name="signin_failure_account"),
            models.Index(fields=["address", "at"], name="signin_failure_address"),
        ]

    def __str__(self) -> str:
        return f"{self.account_key[:8]}… {self.address} {self.at:%Y-%m-%d %H:%M}"


class Agency(TimeStamped):
    """An organisation that owns records: a coordination centre, an NGO, a labour office, an employer."""

    class Kind(models.TextChoices):
        GOVERNMENT = "government", _("Government")
        NGO = "ngo", _("NGO")
        INTERNATIONAL = "international", _("International organisation")
        EMPLOYER = "employer", _("Employer")
        UNION = "union", _("Union")
        ENFORCEMENT = "enforcement", _("Enforcement")

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    # What it reads of a case referred to it (accounts/profiles.py); blank: it receives no cases (employers).
    profile = models.CharField(
        _("receiving profile"),
        max_length=20,
        choices=ReceivingProfile.choices,
        blank=True,
        help_text=_("What this agency reads of a case referred to it. Empty: it receives no cases."),
    )
    country = models.CharField(_("country"), max_length=2, help_text=_("Two-letter country code, e.g. TH."))
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("agency")
        verbose_name_plural = _("agencies")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(country__regex=r"^[A-Z]{2}$"), name="agency_country_iso2"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def save(self, *args: Any, **kwargs: Any) -> None:
        """A new agency given no profile gets the one that fits its kind (none for an employer), whichever
        path creates it: a receiving agency never silently receives nothing."""
        if self._state.adding and not self.profile:
            self.profile = default_profile(self.kind, self.name, self.code)
        super().save(*args, **kwargs)


class MembershipQuerySet(ScopedQuerySet["Membership"]):
    """Memberships, scoped to the agencies a viewer administers."""


class Membership(TimeStamped):
    """A user's role in one agency, limited to the areas it covers (all of the agency's, if none)."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="memberships")
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    areas = models.ManyToManyField(
        "geo.Area", blank=True, related_name="memberships", verbose_name=_("areas")
    )
    active = models.BooleanField(_("active"), default=True)

    objects = MembershipQuerySet.as_manager()

    class Meta:
        ordering = ["agency__name", "user__username"]
        constraints = [models.UniqueConstraint(fields=["user", "agency"], name="one_membership_per_agency")]

    def __str__(self) -> str:
        return f"{self.user.get_username()} · {self.agency} · {self.get_role_display()}"

    @classmethod
    def scope_q(cls, viewer: Viewer, action: str) -> models.Q:
        """Admins see and manage their own agency's members; everyone sees their own memberships."""
        admin_of = [g.agency_id for g in viewer.grants if g.role == Role.ADMIN]
        q = models.Q(agency_id__in=admin_of)
        if action == "view" and viewer.user_id is not None:
            q |= models.Q(user_id=viewer.user_id)
        return q


class SecondFactor(models.TextChoices):
    """How a person proved it was them after the password (kept on API tokens and in the audit trail)."""

    TOTP = "totp", _("code from an authenticator app")
    RECOVERY = "recovery", _("recovery code")
    PASSKEY = "passkey", _("passkey")
    TRUSTED_BROWSER = "trusted_browser", _("trusted phone or computer")
    SESSION = "session", _("signed-in page")  # a token made on one's profile page, after a second factor
    OPERATOR = "operator", _("server operator")  # `safepassage token create` and the benchmarks


def hash_token(raw: str) -> str:
    """Tokens are stored only as their SHA-256, so a copy of the database cannot be used to sign in."""
    return hashlib.sha256(raw.encode()).hexdigest()


class ApiToken(models.Model):
    """A bearer token for the API, shown once when issued, stored only as a hash."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("name"), max_length=100, blank=True)
    prefix = models.CharField(max_length=12, db_index=True)
    key_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    # How the person proved it was them when the token was made: a token made with a password alone
    # (before second factors) has none, and the API refuses it.
    second_factor = models.CharField(max_length=20, blank=True, choices=SecondFactor.choices)

    SENSITIVE_FIELDS = ("key_hash",)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.user.get_username()})"

    def is_valid(self, *, now: datetime | None = None) -> bool:
        """Not revoked and not expired."""
        now = now or timezone.now()
        return self.revoked_at is None and now < self.expires_at


class Passkey(TimestampMixin, Device):
    """A WebAuthn credential (a phone's screen lock, a security key) that proves it is the member.

    A django-otp device, so a session verified with it is verified like one verified with a code; it has no
    codes of its own (verify_token always fails): the sign-in page asks the browser to sign a challenge.
    """

    # django-otp's Device is untyped, so mypy cannot infer these fields' types from the base class.
    credential_id: models.CharField[str, str] = models.CharField(max_length=1400, unique=True)  # base64url
    public_key: models.BinaryField[bytes, bytes] = models.BinaryField()
    sign_count: models.PositiveBigIntegerField[int, int] = models.PositiveBigIntegerField(default=0)
    transports: models.CharField[str, str] = models.CharField(max_length=200, blank=True)

    SENSITIVE_FIELDS = ("public_key", "credential_id")

    class Meta:
        verbose_name = _("passkey")

    def verify_token(self, token: object) -> bool:
        """Passkeys answer challenges, not typed codes."""
        return False


class TrustedBrowser(TimestampMixin, Device):
    """A phone or computer whose person ticked "trust this phone": its signed cookie stands in for the second
    factor until it expires or the person (or their administrator) forgets it."""

    key_hash: models.CharField[str, str] = models.CharField(max_length=64, unique=True)
    expires_at: models.DateTimeField[datetime, datetime] = models.DateTimeField()

    SENSITIVE_FIELDS = ("key_hash",)

    class Meta:
        verbose_name = _("trusted phone or computer")

    def verify_token(self, token: object) -> bool:
        """Trusted browsers are recognised by their cookie, not by a typed code."""
        return False

    def is_valid(self, *, now: datetime | None = None) -> bool:
        """Still trusted: confirmed and not expired."""
        return self.confirmed and (now or timezone.now()) < self.expires_at
