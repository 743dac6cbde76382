"""The one helper that writes audit events, called by every service inside its transaction."""

from __future__ import annotations

import functools
import re
import textwrap
from collections.abc import Iterable, Mapping
from datetime import date, datetime
from decimal import Decimal
from typing import Any
from uuid import UUID

from django.apps import apps
from django.db import DatabaseError, models, transaction
from django.db.models.signals import post_save
from django.dispatch import receiver
from django.utils import timezone

from safepassage.audit import context
from safepassage.audit.chain import HASHED_FIELDS, chain_key, event_hash, normal_ip, stored_json
from safepassage.audit.models import AuditChainHead, AuditEvent
from safepassage.core.kinds import Kind

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

# Parts of field names whose values are about a person, even when they look like a code or a number
# (a birth year, the village someone lives in, a perpetrator's details, who gave a tip).
PERSONAL_PARTS = frozenset(
    {
        "name",
        "names",
        "birth",
        "village",
        "perpetrator",
        "perpetrators",
        "notifier",
    }
)

# Parts of field names that hold free text: any text in them is masked, even one lowercase word (ids kept).
TEXT_PARTS = frozenset(
    {"summary", "notes", "note", "text", "description", "taken", "story", "words", "comment", "comments"}
)

# Values that may stay in the trail: codes, ids, dates and references; any other text (a name, a place,
# what someone said) is replaced by MASK, so an event holds which fields changed, never what they say.
_CODE = re.compile(
    r"^(?:[a-z0-9_.,:/+-]{0,64}"  # codes, slugs, paths
    r"|[A-Z]{2,3}"  # country codes
    r"|[A-Z]{1,4}-\d{4}-\d{1,8}"  # references: C-2026-00042
    r"|\d{4}-\d{2}-\d{2}(?:[T ][0-9:.+Z-]{0,20})?)$"  # dates and times
)


_PLAIN_WORD = re.compile(r"^[a-z]+$")


class AuditOutsideTransaction(RuntimeError):
    """An audit event must be written in the same transaction as the change it records."""


def _personal(name: str, hidden: frozenset[str] | set[str]) -> bool:
    if name in hidden or any(part in hidden for part in name.split("__")):
        return True
    return any(part in PERSONAL_PARTS for part in re.split(r"_+", name.lower()))


@functools.cache
def choice_words() -> frozenset[str]:
    """Every value a choice field of any model may hold ("closed", "labour", "tip") and every field's name
    ("phone", when an event lists the fields it erased): the plain words that are codes. Read once from the
    models (they live in apps above audit, so they are asked by name)."""
    words: set[str] = set()
    for model in apps.get_models():
        for field in model._meta.get_fields():
            words.add(field.name)
            for value, _label in getattr(field, "flatchoices", None) or ():
                if isinstance(value, str):
                    words.add(value)
        if issubclass(model, Kind):  # lists kept as data (sectors, expertise): their codes are codes too
            try:
                with transaction.atomic():  # (a savepoint: before its migration the table is not there)
                    words.update(model._default_manager.values_list("code", flat=True))
            except DatabaseError:
                pass  # its codes are masked: a code hidden, never a name shown
    return frozenset(words)


@receiver(post_save)
def _a_listed_code_changed(sender: Any, **kwargs: Any) -> None:
    """A code added to a list kept as data is a code from now on (other processes learn it when they start
    again; until then they mask it, which hides a code and never shows a name)."""
    if isinstance(sender, type) and issubclass(sender, Kind):
        choice_words.cache_clear()


def _code(value: str) -> bool:
    """A code, id, date or reference; a plain lowercase word only when it is one of the models' choices
    (a name typed in lowercase, "somchai", looks like a code and is not one)."""
    if not _CODE.match(value):
        return False
    return not _PLAIN_WORD.match(value) or value in choice_words()


def _scrub(value: Any, sensitive: Iterable[str], text: bool = False) -> Any:
    """A value kept only if it cannot be a personal value: numbers, flags, codes, dates, references
    (in a free-text field, only numbers and flags: the ids of notes, never their words)."""
    if value is None or isinstance(value, bool | int | float | Decimal | date | datetime | UUID):
        return value
    if isinstance(value, str):
        return value if not (text and value) and _code(value) else MASK
    if isinstance(value, Mapping):
        return mask_changes(value, sensitive)
    if isinstance(value, list | tuple | set | frozenset):
        return [_scrub(item, sensitive, text) for item in value]
    return MASK


def mask_changes(
    changes: Mapping[str, Any], sensitive: Iterable[str] = (), plain: Iterable[str] = ()
) -> dict[str, Any]:
    """The changes with every personal value replaced, keeping the fact (the field's name) that it changed:
    sensitive and personal fields are masked whatever their value, and free text is masked in any field
    except `plain` ones (the actor's own words about the action, such as an export's stated purpose)."""
    hidden = ALWAYS_SENSITIVE | set(sensitive)
    kept = set(plain)
    masked: dict[str, Any] = {}
    for name, value in changes.items():
        name = str(name)
        if name in kept and name not in hidden and isinstance(value, str):
            masked[name] = value
            continue
        free_text = any(part in TEXT_PARTS for part in re.split(r"_+", name.lower()))
        masked[name] = MASK if _personal(name, hidden) else _scrub(value, sensitive, free_text)
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
    plain: Iterable[str] = (),
) -> AuditEvent:
    """Append one audit event; refuses to run outside a transaction so it commits or fails with the change.
    The changes keep ids, codes and field names, never a personal value (mask_changes)."""
    if not transaction.get_connection().in_atomic_block:
        raise AuditOutsideTransaction(f"audit event {action!r} written outside a transaction")
    ctx = context.current()
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or obj.pk
        if agency is None:  # the id when the model has one (no query for the agency row)
            agency = getattr(obj, "agency_id", None) or getattr(obj, "agency", None)
    sensitive = set(sensitive) | set(getattr(obj, "SENSITIVE_FIELDS", ()))
    user = actor if getattr(actor, "is_authenticated", False) else None
    agency_id = getattr(agency, "pk", agency)
    event = AuditEvent(
        at=timezone.now(),
        actor=user,
        actor_name=user.get_username() if user else "system",
        agency_id=agency_id,
        action=action,
        object_type=object_type,
        object_id=str(object_id or ""),
        object_repr=_label(obj),
        request_id=ctx.request_id,
        client_request_id=ctx.client_request_id,
        channel=ctx.channel,
        ip=normal_ip(ctx.ip),
        changes=stored_json(mask_changes(changes or {}, sensitive, plain)),
    )
    return _append(event)


def _chain_head(key: str) -> AuditChainHead:
    """The head of a chain, locked until the transaction ends (created, once, on a chain's first event)."""
    locked = AuditChainHead.objects.select_for_update()
    head = locked.filter(chain=key).first()
    if head is None:
        # two first writers: one inserts, the other's insert waits for it and does nothing, then both lock
        AuditChainHead.objects.bulk_create([AuditChainHead(chain=key)], ignore_conflicts=True)
        head = locked.get(chain=key)
    return head


def _append(event: AuditEvent) -> AuditEvent:
    """Put an event at the end of its agency's chain: three statements (lock the head, insert, move it)."""
    key = chain_key(event.agency_id)
    head = _chain_head(key)
    event.chain, event.seq, event.prev_hash = key, head.seq + 1, head.hash
    event.hash = event_hash({name: getattr(event, name) for name in HASHED_FIELDS}, event.prev_hash)
    event.save(force_insert=True)
    AuditChainHead.objects.filter(chain=key).update(seq=event.seq, hash=event.hash)
    return event


def _label(obj: models.Model | None) -> str:
    """A short label for the trail: the model's audit_label (written to hold no names), else its kind and
    number (a record's own text, a workplace's or an employer's name, may name a person)."""
    if obj is None:
        return ""
    label = getattr(obj, "audit_label", None)
    text = str(label()) if callable(label) else f"{obj._meta.verbose_name} #{obj.pk}"
    # whole words: a label too long for the column ends at a word, never in the middle of one
    return text if len(text) <= 200 else textwrap.shorten(text, width=200, placeholder=" …")


@transaction.atomic
def audit_read(*, actor: Any, obj: models.Model, what: str = "record") -> AuditEvent:
    """Record that someone looked at a sensitive record (its own small transaction)."""
    return audit_record(
        actor=actor, action=f"{obj._meta.label_lower}.view", obj=obj, changes={"read": what}, plain=("read",)
    )


@transaction.atomic
def audit_report(*, actor: Any, report: str, parameters: Mapping[str, Any]) -> AuditEvent:
    """Record that someone outside the owning agency's case staff asked for an aggregate: the report and
    its parameters (what was asked), never the cells (what was answered)."""
    asked = {
        str(k): v if isinstance(v, str | int | float | bool) or v is None else str(v)
        for k, v in parameters.items()
    }
    # the options an analyst chose (an output, a grouping) are kept when they are shaped like codes
    chosen = [
        k
        for k, v in asked.items()
        if isinstance(v, str) and _CODE.match(v) and not _personal(k, ALWAYS_SENSITIVE)
    ]
    return audit_record(
        actor=actor,
        action=f"reports.{report}.request",
        object_type="reports.report",
        object_id=report,
        changes=asked,
        plain=chosen,
    )


def _reader_agency(actor: Any) -> int | None:
    """The agency whose trail a list read goes to: the reader's own (the first of their agencies), by id."""
    from safepassage.core.access import viewer_for

    if not getattr(actor, "is_authenticated", False):
        return None
    ids = sorted(viewer_for(actor).agency_ids)
    return ids[0] if ids else None


def _row_id(row: Any) -> Any:
    if isinstance(row, Mapping):
        return row.get("id")
    return getattr(row, "pk", None)


@transaction.atomic
def audit_list(*, actor: Any, object_type: str, rows: Iterable[Any], what: str = "list") -> AuditEvent:
    """Record that someone read a page of a list or search of personal records: one event for the page,
    holding the ids shown (never the search words, never a value)."""
    ids = [i for i in (_row_id(row) for row in rows) if i is not None]
    return audit_record(
        actor=actor,
        action=f"{object_type}.list",
        agency=_reader_agency(actor),
        object_type=object_type,
        changes={"read": what, "ids": ids},
        plain=("read",),  # (the code's own name for the page, never what was typed)
    )


def audit_page(*, actor: Any, page: Any, what: str) -> AuditEvent:
    """audit_list for one page of a paginator (Django's Page) on a web list of personal records."""
    model = getattr(page.paginator.object_list, "model", None)
    object_type = model._meta.label_lower if model is not None else ""
    return audit_list(actor=actor, object_type=object_type, rows=list(page.object_list), what=what)
