"""Import jobs, saved column mappings, the problems found per row, and where imported records came from."""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from safepassage.core.fields import EncryptedJSONField
from safepassage.core.models import AgencyOwned, TimeStamped
from safepassage.core.roles import Action, Role

# Imports write many records at once: an agency's coordinators and administrators run them.
IMPORT_ROLE_ACTIONS: dict[str, frozenset[str]] = {
    Role.ADMIN: frozenset({Action.VIEW, Action.CHANGE, Action.DELETE}),
    Role.COORDINATOR: frozenset({Action.VIEW, Action.CHANGE, Action.DELETE}),
}


class MappingProfile(AgencyOwned, TimeStamped):
    """How one source's columns are named: saved once, chosen for every file from that source."""

    ROLE_ACTIONS: ClassVar[dict[str, frozenset[str]]] = IMPORT_ROLE_ACTIONS

    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("what the file holds"), max_length=20)
    source = models.CharField(_("source agency"), max_length=200, blank=True)
    columns = models.JSONField(_("columns"), default=dict)  # field → the column title in the file
    defaults = models.JSONField(_("the same value for every row"), default=dict)  # field → value

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["agency", "kind", "name"], name="imports_mapping_unique_name")
        ]
        ordering = ["kind", "name"]

    def __str__(self) -> str:
        return self.name


class ImportJob(AgencyOwned, TimeStamped):
    """One file on its way in: uploaded, checked, previewed, applied (all or, when asked, the valid rows)."""

    ROLE_ACTIONS: ClassVar[dict[str, frozenset[str]]] = IMPORT_ROLE_ACTIONS

    class Status(models.TextChoices):
        UPLOADED = "uploaded", _("Uploaded")
        CHECKING = "checking", _("Checking")
        CHECKED = "checked", _("Checked: ready to apply")
        PROBLEMS = "problems", _("Checked: problems found")
        REFUSED = "refused", _("Refused: the file cannot be read")
        APPLYING = "applying", _("Applying")
        APPLIED = "applied", _("Applied")
        FAILED = "failed", _("Failed: nothing was applied")
        CANCELLED = "cancelled", _("Cancelled")

    RUNNING = (Status.CHECKING, Status.APPLYING)

    kind = models.CharField(_("what the file holds"), max_length=20)
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.UPLOADED)
    source = models.CharField(_("source agency"), max_length=200, blank=True)
    file_name = models.CharField(_("file"), max_length=255)
    stored_as = models.CharField(max_length=255)  # under DATA_DIR/imports; removed when no longer needed
    size = models.BigIntegerField(default=0)
    sha256 = models.CharField(max_length=64, blank=True)
    file_info = models.JSONField(default=dict)  # kind, encoding, delimiter, headers
    mapping = models.JSONField(_("columns"), default=dict)
    defaults = models.JSONField(_("the same value for every row"), default=dict)  # field → value
    # Rows the user says are someone else than the registered person they look like (imports.matching).
    confirmed_new = models.JSONField(_("rows confirmed as new people"), default=list, blank=True)
    profile = models.ForeignKey(MappingProfile, on_delete=models.SET_NULL, null=True, blank=True)
    apply_valid_only = models.BooleanField(_("apply only the valid rows"), default=False)
    rows_total = models.PositiveIntegerField(default=0)
    rows_done = models.PositiveIntegerField(default=0)  # progress of the current step
    rows_valid = models.PositiveIntegerField(default=0)
    rows_invalid = models.PositiveIntegerField(default=0)
    errors_total = models.PositiveIntegerField(default=0)
    created = models.PositiveIntegerField(default=0)
    skipped = models.PositiveIntegerField(default=0)
    message = models.TextField(blank=True)  # why a file was refused or an apply failed
    summary = models.JSONField(default=dict)  # flags (e.g. Burmese converted from Zawgyi), alerts raised
    preview = EncryptedJSONField(default=list)  # the first rows as they will be read
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    checked_at = models.DateTimeField(null=True, blank=True)
    applied_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.kind}: {self.file_name}"

    @property
    def running(self) -> bool:
        return self.status in self.RUNNING


class RowProblem(models.Model):
    """One problem in one row (or the whole file, row 0); the first ones are kept, all are counted."""

    job = models.ForeignKey(ImportJob, on_delete=models.CASCADE, related_name="problems")
    row = models.PositiveIntegerField()
    column = models.CharField(max_length=200, blank=True)
    reason = models.TextField()
    # A people file's score problem: the person is added all the same, only their assessment is held back.
    assessment_only = models.BooleanField(default=False)
    # The registered person the row probably is (or who already has its ID number), for a link.
    person = models.ForeignKey(
        "registry.Person", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["row", "id"]

    def __str__(self) -> str:
        return f"row {self.row}, column {self.column}: {self.reason}"


class Provenance(models.Model):
    """Where an imported record came from: the job (which names the file and source agency) and the row."""

    job = models.ForeignKey(ImportJob, on_delete=models.PROTECT, related_name="records")
    row = models.PositiveIntegerField()
    object_type = models.CharField(max_length=40)  # e.g. "registry.person"
    object_id = models.BigIntegerField()

    class Meta:
        indexes = [models.Index(fields=["object_type", "object_id"])]

    def __str__(self) -> str:
        return f"{self.object_type} {self.object_id} ← import {self.job_id}, row {self.row}"
