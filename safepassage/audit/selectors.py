"""Reads of the audit trail, scoped to the agencies the viewer administers."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db.models import QuerySet

from safepassage.audit.lookups import about_records, records_named
from safepassage.audit.models import AuditEvent
from safepassage.core.access import viewer_for
from safepassage.core.models import get_for_user
from safepassage.core.roles import Role


def event_list(
    *,
    viewer: Any,
    action: str = "",
    actor: str = "",
    object_type: str = "",
    object_id: str = "",
    since: date | None = None,
    until: date | None = None,
    records: dict[str, list[int]] | None = None,
) -> QuerySet[AuditEvent]:
    """Audit events the viewer may read, newest first, with optional filters; `records` ({object type:
    ids}, see administered_records_named) keeps only the events about those records."""
    qs = AuditEvent.objects.visible_to(viewer).select_related("agency")
    if records is not None:
        qs = qs.filter(about_records(records))
    return filter_events(
        qs, action=action, actor=actor, object_type=object_type, object_id=object_id, since=since, until=until
    )


def administered_records_named(viewer: Any, text: str) -> dict[str, list[int]]:
    """The records of the agencies the viewer administers that a name or reference names."""
    agencies = [g.agency_id for g in viewer_for(viewer).grants if g.role == Role.ADMIN]
    return records_named(agencies, text)


def filter_events(
    qs: QuerySet[AuditEvent],
    *,
    action: str = "",
    actor: str = "",
    object_type: str = "",
    object_id: str = "",
    since: date | None = None,
    until: date | None = None,
) -> QuerySet[AuditEvent]:
    """Narrow a set of events by action prefix, actor, object and date range."""
    if action:
        qs = qs.filter(action__startswith=action)
    if actor:
        qs = qs.filter(actor_name__iexact=actor)
    if object_type:
        qs = qs.filter(object_type=object_type)
    if object_id:
        qs = qs.filter(object_id=object_id)
    if since:
        qs = qs.filter(at__date__gte=since)
    if until:
        qs = qs.filter(at__date__lte=until)
    return qs


def get_event_for_user(user: Any, pk: Any) -> AuditEvent:
    """One audit event the user may read, else 404."""
    return get_for_user(AuditEvent.objects.all(), user, pk)
