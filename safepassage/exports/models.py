"""Exports: a file made for a stated purpose, encrypted by default, kept a short time, every step audited."""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from safepassage.core.models import AgencyOwned
from safepassage.core.roles import Action, Role

# The requester's own exports; an agency's administrators may see and download them all (selectors.py).
EXPORT_ROLE_ACTIONS: dict[str, frozenset[str]] = {
    Role.ADMIN: frozenset({Action.VIEW}),
    Role.COORDINATOR: frozenset({Action.VIEW, Action.CHANGE}),
    Role.ANALYST: frozenset({Action.VIEW, Action.CHANGE}),
}


class Export(AgencyOwned):
    """One export file."""

    ROLE_ACTIONS: ClassVar[dict[str, frozenset[str]]] = EXPORT_ROLE_ACTIONS

    class Kind(models.TextChoices):
        HTCDS = "htcds", _("Cases in the HTCDS 2.0 standard (names for coordinators only)")
        DEIDENTIFIED = "deidentified", _("De-identified cases (CTDC style, k-anonymous)")

    class Format(models.TextChoices):
        CSV = "csv", "CSV"
        XLSX = "xlsx", "Excel (.xlsx)"
        IOM = "iom", _("Excel in IOM's HTCDS template layout")

    kind = models.CharField(_("what"), max_length=16, choices=Kind.choices)
    file_format = models.CharField(_("format"), max_length=4, choices=Format.choices, default=Format.CSV)
    purpose = models.TextField(_("purpose"))
    filters = models.JSONField(default=dict)
    rows = models.PositiveIntegerField(default=0)
    encrypted = models.BooleanField(_("encrypted"), default=True)  # the password itself is never stored
    identified = models.BooleanField(_("holds names and ID numbers"), default=False)
    file_name = models.CharField(max_length=200)
    stored_as = models.CharField(max_length=200, blank=True)  # under DATA_DIR/exports; cleared when purged
    sha256 = models.CharField(max_length=64, blank=True)
    suppression = models.JSONField(default=dict)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    downloads = models.PositiveIntegerField(default=0)
    downloaded_at = models.DateTimeField(_("last downloaded"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.file_name
