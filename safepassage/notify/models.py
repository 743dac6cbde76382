"""Notifications to a user (in the app), their deliveries by e-mail, SMS and LINE, and each user's choices."""

from __future__ import annotations

import uuid
from datetime import time

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from safepassage.core.fields import BlindIndexField, EncryptedCharField, EncryptedEmailField
from safepassage.core.notices import NoticeKind, NoticeUrgency


class Channel(models.TextChoices):
    """The ways a notification leaves the app."""

    EMAIL = "email", _("E-mail")
    SMS = "sms", _("Text message (SMS)")
    LINE = "line", _("LINE")


class NotifyPreference(models.Model):
    """One user's channels, addresses, quiet hours and digest time."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notify")
    by_email = models.BooleanField(_("send by e-mail"), default=False)
    by_sms = models.BooleanField(_("send by text message"), default=False)
    by_line = models.BooleanField(_("send by LINE"), default=False)
    email = EncryptedEmailField(_("e-mail address"), blank=True)
    phone = EncryptedCharField(
        _("mobile number"), max_length=20, blank=True, help_text=_("With the country code: +66 81 234 5678.")
    )
    line_user_id = EncryptedCharField(max_length=40, blank=True)
    # Found by LINE's webhook through this keyed hash (core.crypto.blind_index), the id itself being sealed.
    line_user_index = BlindIndexField(source="line_user_id", db_index=True)
    line_link_code = models.CharField(max_length=12, blank=True)
    line_link_expires = models.DateTimeField(null=True, blank=True)
    quiet_from = models.TimeField(_("quiet from"), null=True, blank=True)
    quiet_to = models.TimeField(_("quiet until"), null=True, blank=True)
    digest_at = models.TimeField(_("daily summary at"), default=time(7, 0))

    SENSITIVE_FIELDS = ("email", "phone", "line_user_id", "line_link_code")

    def __str__(self) -> str:
        return f"notification choices of user {self.user_id}"

    def audit_label(self) -> str:
        return str(self)

    def channels(self) -> list[str]:
        """The channels switched on that have somewhere to go."""
        wanted = [
            (Channel.EMAIL, self.by_email and bool(self.email)),
            (Channel.SMS, self.by_sms and bool(self.phone)),
            (Channel.LINE, self.by_line and bool(self.line_user_id)),
        ]
        return [channel for channel, on in wanted if on]

    def is_quiet(self, moment: time) -> bool:
        """Inside the quiet hours (which may run past midnight)."""
        if self.quiet_from is None or self.quiet_to is None or self.quiet_from == self.quiet_to:
            return False
        if self.quiet_from < self.quiet_to:
            return self.quiet_from <= moment < self.quiet_to
        return moment >= self.quiet_from or moment < self.quiet_to


class Notification(models.Model):
    """Something a user should know: a fixed sentence by kind, the record's reference and a link."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    kind = models.CharField(_("kind"), max_length=20, choices=NoticeKind.choices)
    urgency = models.CharField(_("urgency"), max_length=8, choices=NoticeUrgency.choices)
    reference = models.CharField(_("reference"), max_length=40)
    link = models.CharField(max_length=200)
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["recipient", "read_at"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.reference}"

    def audit_label(self) -> str:
        return f"notification {self.pk}"


class Delivery(models.Model):
    """One notification on its way by one channel: queued, then sent or (after the last try) failed."""

    class State(models.TextChoices):
        QUEUED = "queued", _("Waiting to be sent")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Could not be sent")

    notification = models.ForeignKey(Notification, on_delete=models.CASCADE, related_name="deliveries")
    channel = models.CharField(_("channel"), max_length=8, choices=Channel.choices)
    state = models.CharField(_("state"), max_length=8, choices=State.choices, default=State.QUEUED)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_try_at = models.DateTimeField(db_index=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    retry_key = models.UUIDField(default=uuid.uuid4, editable=False)
    # A short code (smtp, http_500, timeout…): never an address or the provider's text, which may echo one.
    last_error = models.CharField(max_length=40, blank=True)

    class Meta:
        ordering = ["next_try_at", "id"]
        indexes = [models.Index(fields=["state", "next_try_at"])]

    def __str__(self) -> str:
        return f"{self.channel} · notification {self.notification_id} · {self.state}"
