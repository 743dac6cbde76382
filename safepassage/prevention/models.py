"""Prevention (issue 22, R-073, R-102, R-074, W-19, R-071): a configurable catalogue of interventions, the
package rules that flag drifting packages (as data), who received what, when and from which agency (a
person, a household or a whole village), and the needs assessments and participatory findings of a village.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from safepassage.core.access import Grant
from safepassage.core.disclosure import new_record_key
from safepassage.core.fields import EncryptedTextField
from safepassage.core.models import AgencyOwned, TimeStamped
from safepassage.core.roles import Role
from safepassage.registry.models import _translated


class Intervention(models.Model):
    """One kind of help in the catalogue (a scholarship, safe-migration information, a cow bank…). The
    catalogue is data: the first migrate loads the seeds' list, a system administrator adds and retires."""

    class Group(models.TextChoices):
        EDUCATION = "education", _("Education")
        SKILLS = "skills", _("Skills and training")
        INCOME = "income", _("Income and micro-finance")
        INFORMATION = "information", _("Information and rights")
        SUPPORT = "support", _("Family and social support")

    code = models.SlugField(_("code"), max_length=40, unique=True)
    group = models.CharField(_("group"), max_length=12, choices=Group.choices)
    label = models.JSONField(_("name by language"), default=dict)
    active = models.BooleanField(_("in use"), default=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "code"]

    def __str__(self) -> str:
        return self.title

    @property
    def title(self) -> str:
        """The name in the active language."""
        return _translated(self.label) or self.code


class PackageRule(models.Model):
    """A rule of the package check, as data (R-074, W-19): a person, household or village that received
    any of `when_any` and none of `unless_any` has a drifting package. An entry is an intervention code or
    `group:<group>` (any intervention of that group)."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    label = models.JSONField(_("what it says, by language"), default=dict)
    when_any = models.JSONField(_("received any of"), default=list)
    unless_any = models.JSONField(_("but none of"), default=list)
    active = models.BooleanField(_("in use"), default=True)

    class Meta:
        ordering = ["code"]

    def __str__(self) -> str:
        return self.title

    @property
    def title(self) -> str:
        return _translated(self.label) or self.code


class Delivery(AgencyOwned, TimeStamped):
    """Who received what, when, from which agency: one intervention for a person, a household or a whole
    village (a village development fund, a safe-migration session for everyone)."""

    class Level(models.TextChoices):
        PERSON = "person", _("A person")
        HOUSEHOLD = "household", _("A household")
        VILLAGE = "village", _("The whole village")

    intervention = models.ForeignKey(Intervention, on_delete=models.PROTECT, related_name="deliveries")
    level = models.CharField(_("who received it"), max_length=10, choices=Level.choices)
    person = models.ForeignKey(
        "registry.Person", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    household = models.ForeignKey(
        "registry.Household", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    village = models.ForeignKey("geo.Area", on_delete=models.PROTECT, related_name="+")
    started_on = models.DateField(_("started on"), db_index=True)
    ended_on = models.DateField(_("ended on"), null=True, blank=True)
    note = EncryptedTextField(_("note"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    record_key = models.BigIntegerField(default=new_record_key, editable=False)

    AREA_FIELD = "village"

    class Meta:
        ordering = ["-started_on", "-id"]
        indexes = [models.Index(fields=["intervention", "village"])]
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(level="person", person__isnull=False, household__isnull=True)
                    | Q(level="household", person__isnull=True, household__isnull=False)
                    | Q(level="village", person__isnull=True, household__isnull=True)
                ),
                name="prevention_delivery_one_recipient",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.intervention_id} {self.level} {self.started_on}"

    def audit_label(self) -> str:
        return f"delivery #{self.pk}"

    @classmethod
    def grant_q(cls, grant: Grant) -> Q:
        """Help given to a case's subject leaves the village volunteers' lists, as the person does."""
        if grant.role == Role.VOLUNTEER:
            return Q(person__isnull=True) | Q(person__restricted=False)
        return Q()


class Finding(AgencyOwned, TimeStamped):
    """A needs assessment or a participatory finding about a village (R-071, R-080): what was found, when,
    who took part; shown beside the village's risk."""

    class Kind(models.TextChoices):
        NEEDS = "needs", _("Needs assessment")
        PARTICIPATORY = "participatory", _("Participatory finding")

    village = models.ForeignKey("geo.Area", on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("kind"), max_length=14, choices=Kind.choices)
    held_on = models.DateField(_("held on"))
    title = models.CharField(_("title"), max_length=200)
    findings = EncryptedTextField(_("what was found"), blank=True)
    participants = EncryptedTextField(_("who took part"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    AREA_FIELD = "village"

    class Meta:
        ordering = ["-held_on", "-id"]

    def __str__(self) -> str:
        return self.title

    def audit_label(self) -> str:
        return f"finding #{self.pk}"


def _attachment_path(instance: FindingAttachment, filename: str) -> str:
    return f"findings/{instance.finding_id}/{uuid.uuid4().hex}-{filename[-80:]}"


class FindingAttachment(models.Model):
    """A private file kept with a finding (a photo of the village map, a report), sealed on disk by the
    default storage (core.files.SealedStorage) and served only through an access check."""

    finding = models.ForeignKey(Finding, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(upload_to=_attachment_path)
    name = models.CharField(max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    uploaded_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.name
