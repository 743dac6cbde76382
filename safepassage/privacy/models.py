"""What was erased (never the values), and people's requests to correct what the agencies hold about them."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from safepassage.core.fields import EncryptedTextField
from safepassage.core.models import AgencyOwned
from safepassage.core.roles import Action, Role


class ErasureReason(models.TextChoices):
    """Why a person's identity was removed: a category, never the person's own words."""

    PERSON_ASKED = "person_asked", _("The person asked to be erased")
    GUARDIAN_ASKED = "guardian_asked", _("A parent or guardian asked, for a child")
    CONSENT_WITHDRAWN = "consent_withdrawn", _("The person withdrew their consent")
    NO_CONSENT_AT_18 = "no_consent_at_18", _("Did not agree to be kept on turning 18")
    WRONGLY_RECORDED = "wrongly_recorded", _("Recorded by mistake or without a basis")
    RETENTION = "retention", _("The retention period ended")


class ErasureLog(models.Model):
    """One erasure or one retention batch: which rows of which stores lost their identity, when, by whom and
    why (a category). Never the erased values. `safepassage retention reapply` runs it again after a restore
    from a backup taken before it."""

    class Kind(models.TextChoices):
        REQUEST = "request", _("Erasure on request")
        WITHDRAWAL = "withdrawal", _("Consent withdrawn")
        RETENTION = "retention", _("Retention period ended")

    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    reason = models.CharField(_("reason"), max_length=20, choices=ErasureReason.choices)
    agency = models.ForeignKey(
        "accounts.Agency", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    person_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    records = models.JSONField(default=dict)  # {"registry.person": [ids], "cases.case": [ids], …}
    erased_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    erased_at = models.DateTimeField(auto_now_add=True)
    reapplied_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["erased_at", "id"]

    def __str__(self) -> str:
        return f"erasure #{self.pk}"

    def audit_label(self) -> str:
        return f"erasure #{self.pk}"

    @property
    def count(self) -> int:
        return sum(len(ids) for ids in self.records.values())


class CorrectionRequest(AgencyOwned):
    """A person says something held about them is wrong: recorded, shown to the owning agency, resolved
    with a note. Held by the person's own agency; erased with the person."""

    class Status(models.TextChoices):
        OPEN = "open", _("Waiting")
        CORRECTED = "corrected", _("Corrected")
        REFUSED = "refused", _("Not corrected (see the note)")

    ROLE_ACTIONS = {
        Role.COORDINATOR: frozenset({Action.VIEW, Action.CHANGE}),
        Role.CASEWORKER: frozenset({Action.VIEW, Action.CHANGE}),
    }

    person = models.ForeignKey("registry.Person", on_delete=models.CASCADE, related_name="corrections")
    fields = models.JSONField(_("what is wrong"), default=list)  # field names of the person or their case
    details = EncryptedTextField(_("what the person says is right"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.OPEN)
    requested_on = models.DateField(_("asked on"))
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    resolved_at = models.DateTimeField(null=True, blank=True)
    note = models.TextField(_("what was done"), blank=True)

    SENSITIVE_FIELDS = ("details",)

    class Meta:
        ordering = ["status", "-requested_on", "-id"]

    def __str__(self) -> str:
        return f"correction request #{self.pk}"

    def audit_label(self) -> str:
        return f"correction request #{self.pk}"
