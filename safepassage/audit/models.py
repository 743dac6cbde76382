"""The audit trail: one append-only row for every change and every read of a sensitive record."""

from __future__ import annotations

from typing import Any, NoReturn

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from safepassage.core.access import Viewer
from safepassage.core.models import ScopedQuerySet
from safepassage.core.roles import Role


class AppendOnlyError(RuntimeError):
    """Raised when anything tries to change or remove an audit event."""


class AuditEventQuerySet(ScopedQuerySet["AuditEvent"]):
    """Audit events refuse bulk updates and deletes."""

    def update(self, **kwargs: Any) -> NoReturn:
        raise AppendOnlyError("audit events are append-only")

    def delete(self) -> NoReturn:
        raise AppendOnlyError("audit events are append-only")


class AuditEvent(models.Model):
    """Who did what to which record, when, from where; never edited, never deleted."""

    # set when written (not auto_now_add: the time is part of the hash, so it is known before the insert)
    at = models.DateTimeField(default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    actor_name = models.CharField(max_length=150, blank=True)
    agency = models.ForeignKey(
        "accounts.Agency", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    action = models.CharField(max_length=64, db_index=True)
    object_type = models.CharField(max_length=64, blank=True)
    object_id = models.CharField(max_length=64, blank=True)
    object_repr = models.CharField(max_length=200, blank=True)
    request_id = models.CharField(max_length=64, blank=True)
    # what the client called its request (X-Request-ID): the client's word, never the server's id
    client_request_id = models.CharField(max_length=64, blank=True)
    channel = models.CharField(max_length=8, blank=True)
    ip = models.GenericIPAddressField(null=True, blank=True)
    changes = models.JSONField(default=dict, blank=True, encoder=DjangoJSONEncoder)
    # the hash chain (see chain.py): which chain, the place in it, the previous event's hash and this one's
    chain = models.CharField(max_length=32, blank=True)
    seq = models.PositiveBigIntegerField(default=0)
    prev_hash = models.CharField(max_length=64, blank=True)
    hash = models.CharField(max_length=64, blank=True)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [
            models.Index(fields=["agency", "-at"]),
            models.Index(fields=["object_type", "object_id"]),
        ]
        constraints = [models.UniqueConstraint(fields=["chain", "seq"], name="audit_event_chain_seq")]
        verbose_name = _("audit event")

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_name or '-'} {self.action} {self.object_type}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None and not self._state.adding:
            raise AppendOnlyError("audit events are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise AppendOnlyError("audit events are append-only")

    @classmethod
    def scope_q(cls, viewer: Viewer, action: str) -> models.Q:
        """Agency administrators read their own agency's trail; nobody may change it."""
        if action != "view":
            return models.Q(pk__in=[])
        agencies = [g.agency_id for g in viewer.grants if g.role == Role.ADMIN]
        return models.Q(agency_id__in=agencies)


class AuditChainHead(models.Model):
    """The last event of one hash chain: locked while the next event is written, so no two writers can
    fork a chain (the row is taken FOR UPDATE on PostgreSQL; SQLite lets one writer in at a time)."""

    chain = models.CharField(max_length=32, primary_key=True)
    seq = models.PositiveBigIntegerField(default=0)
    hash = models.CharField(max_length=64, blank=True)

    def __str__(self) -> str:
        return f"{self.chain} #{self.seq}"
