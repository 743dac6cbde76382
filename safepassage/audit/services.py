"""The one helper that writes audit events, called by every service inside its transaction."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from django.db import models, transaction

from safepassage.audit import context
from safepassage.audit.models import AuditEvent

MASK = "•••"

# Field names whose values never go into the trail, whatever model they belong to.
ALWAYS_SENSITIVE = frozenset(
    {
        "password",
        "token",
        "key_hash",
        "secret",
        "national_id",
        "passport_number",
        "phone",
        "email",
        "address",
        "contacts",
        "informant",
        "health",
        "immigration_status",
    }
)


class AuditOutsideTransaction(RuntimeError):
    """An audit event must be written in the same transaction as the change it records."""


def mask_changes(changes: Mapping[str, Any], sensitive: Iterable[str] = ()) -> dict[str, Any]:
    """The changes with the values of sensitive fields replaced, keeping the fact that they changed."""
    hidden = ALWAYS_SENSITIVE | set(sensitive)
    masked: dict[str, Any] = {}
    for name, value in changes.items():
        if name in hidden or any(part in hidden for part in name.split("__")):
            masked[name] = MASK
        elif isinstance(value, Mapping):
            masked[name] = mask_changes(value, sensitive)
        else:
            masked[name] = value
    return masked


def diff(before: Mapping[str, Any], after: Mapping[str, Any]) -> dict[str, list[Any]]:
    """The fields whose values differ, as {field: [old, new]}."""
    return {key: [before.get(key), after.get(key)] for key in after if before.get(key) != after.get(key)}


def audit_record(
    *,
    actor: Any,
    action: str,
    obj: models.Model | None = None,
    agency: Any = None,
    object_type: str = "",
    object_id: Any = "",
    changes: Mapping[str, Any] | None = None,
    sensitive: Iterable[str] = (),
) -> AuditEvent:
    """Append one audit event; refuses to run outside a transaction so it commits or fails with the change."""
    if not transaction.get_connection().in_atomic_block:
        raise AuditOutsideTransaction(f"audit event {action!r} written outside a transaction")
    ctx = context.current()
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or obj.pk
        if agency is None:
            agency = getattr(obj, "agency", None)
    sensitive = set(sensitive) | set(getattr(obj, "SENSITIVE_FIELDS", ()))
    user = actor if getattr(actor, "is_authenticated", False) else None
    return AuditEvent.objects.create(
        actor=user,
        actor_name=user.get_username() if user else "system",
        agency=agency,
        action=action,
        object_type=object_type,
        object_id=str(object_id or ""),
        object_repr=_label(obj),
        request_id=ctx.request_id,
        channel=ctx.channel,
        ip=ctx.ip,
        changes=mask_changes(changes or {}, sensitive),
    )


def _label(obj: models.Model | None) -> str:
    """A short label for the trail; models holding personal data give one without names."""
    if obj is None:
        return ""
    label = getattr(obj, "audit_label", None)
    return str(label() if callable(label) else obj)[:200]


@transaction.atomic
def audit_read(*, actor: Any, obj: models.Model, what: str = "record") -> AuditEvent:
    """Record that someone looked at a sensitive record (its own small transaction)."""
    return audit_record(actor=actor, action=f"{obj._meta.label_lower}.view", obj=obj, changes={"read": what})


@transaction.atomic
def audit_report(*, actor: Any, report: str, parameters: Mapping[str, Any]) -> AuditEvent:
    """Record that someone outside the owning agency's case staff asked for an aggregate: the report and
    its parameters (what was asked), never the cells (what was answered)."""
    asked = {
        str(k): v if isinstance(v, str | int | float | bool) or v is None else str(v)
        for k, v in parameters.items()
    }
    return audit_record(
        actor=actor,
        action=f"reports.{report}.request",
        object_type="reports.report",
        object_id=report,
        changes=asked,
    )
