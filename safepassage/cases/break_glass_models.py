"""Break-glass (emergency access): a caseworker or coordinator opens one case outside their scope, for a few
hours, after saying why; the owning agency's coordinators review it (issue 17, part 4).

The model lives here (imported by cases.models) to keep that module a readable size; the flow is in
cases.break_glass.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

USER = settings.AUTH_USER_MODEL


class BreakGlass(models.Model):
    """One emergency access: who read which case, for their agency, why, until when, and the owner's review.

    The reason is the reader's own words about the action; it stays here and the audit trail holds only this
    grant's id (it may name the person the emergency is about)."""

    class Review(models.TextChoices):
        PENDING = "pending", _("Waiting for review")
        ACCEPTED = "accepted", _("Accepted")
        REPORTED = "reported", _("Reported as misuse")

    class Found(models.TextChoices):
        REFERENCE = "reference", _("Case number")
        NATIONAL_ID = "national_id", _("National ID number")

    reader = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+", verbose_name=_("reader"))
    reader_agency = models.ForeignKey(
        "accounts.Agency", on_delete=models.PROTECT, related_name="+", verbose_name=_("reader's agency")
    )
    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="break_glass")
    person = models.ForeignKey("registry.Person", on_delete=models.CASCADE, related_name="+")
    owner_agency = models.ForeignKey(
        "accounts.Agency", on_delete=models.PROTECT, related_name="+", verbose_name=_("owning agency")
    )
    found_by = models.CharField(_("found by"), max_length=12, choices=Found.choices)
    reason = models.TextField(_("why it was needed"))
    opened_at = models.DateTimeField(_("opened at"))
    expires_at = models.DateTimeField(_("open until"))
    ended_at = models.DateTimeField(_("ended at"), null=True, blank=True)
    review = models.CharField(_("review"), max_length=10, choices=Review.choices, default=Review.PENDING)
    reviewed_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)
    review_note = models.TextField(_("review note"), blank=True)

    class Meta:
        verbose_name = _("emergency access")
        verbose_name_plural = _("emergency accesses")
        ordering = ["-opened_at", "-id"]
        indexes = [
            models.Index(fields=["reader", "case", "expires_at"]),
            models.Index(fields=["owner_agency", "review"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(expires_at__gt=models.F("opened_at")), name="bg_expires"
            )
        ]

    def __str__(self) -> str:
        return self.audit_label()

    def audit_label(self) -> str:
        return f"{_('Emergency access')} #{self.pk}"

    def live_at(self, moment: object) -> bool:
        """Open at that moment: not expired, not ended by a report."""
        return self.ended_at is None and self.expires_at > moment  # type: ignore[operator]
