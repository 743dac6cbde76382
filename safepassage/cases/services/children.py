"""A child's procedural role in a case with its protections, and children in detention homes with their
language and interpretation needs (docs/prevention.md, R-027, R-096). The owning agency's case staff."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from safepassage.accounts.models import User
from safepassage.cases.child_roles import PROTECTIONS
from safepassage.cases.models import Case, ChildRole, DetentionStay, age_on
from safepassage.cases.services._common import _case_audit, _editable, _fail
from safepassage.core.validation import not_in_future
from safepassage.network.validation import clean_languages


@transaction.atomic
def child_role_set(*, actor: User | None, case: Case, role: str, since: date) -> ChildRole:
    """Record the child's role in the case (victim, witness, in conflict with the law)."""
    case = _editable(actor, case)
    not_in_future(since, "since")
    if role not in ChildRole.Role.values:
        raise _fail("role", _("Unknown role %(role)s.") % {"role": role})
    age = age_on(case.person, since)
    if age is not None and age >= 18:
        raise _fail("role", _("The person was 18 or over then: a child's role is for children."))
    child_role, created = ChildRole.objects.get_or_create(
        case=case, role=role, defaults={"since": since, "recorded_by": actor}
    )
    if not created:
        raise _fail("role", _("This role is already recorded."))
    _case_audit(actor, "cases.childrole.add", case, child_role, role=role, since=since)
    return child_role


@transaction.atomic
def protection_mark(
    *, actor: User | None, child_role: ChildRole, code: str, done_on: date | None
) -> ChildRole:
    """Tick (with the day) or untick one protection of a child's role."""
    case = _editable(actor, child_role.case)
    if code not in {c for c, _label in PROTECTIONS[child_role.role]}:
        raise _fail("code", _("Unknown protection %(code)s for this role.") % {"code": code})
    not_in_future(done_on, "done_on")
    if done_on is None:
        child_role.protections.pop(code, None)
    else:
        child_role.protections[code] = done_on.isoformat()
    child_role.save(update_fields=["protections"])
    _case_audit(actor, "cases.childrole.protection", case, role=child_role.role, code=code, done_on=done_on)
    return child_role


DETENTION_FIELDS = (
    "facility",
    "admitted_on",
    "released_on",
    "languages",
    "understands_local",
    "interpreter_arranged_on",
    "last_visit_on",
    "next_visit_on",
)


def _detention_clean(fields: dict[str, Any], current: DetentionStay | None = None) -> dict[str, Any]:
    data = {k: v for k, v in fields.items() if k in DETENTION_FIELDS}
    for day in ("admitted_on", "released_on", "interpreter_arranged_on", "last_visit_on"):
        not_in_future(data.get(day), day)
    errors: dict[str, list[str]] = {}
    clean_languages(data, errors)
    if errors:
        raise _fail("languages", errors["languages"][0])
    admitted = data.get("admitted_on") or (current.admitted_on if current else None)
    released = data.get("released_on", current.released_on if current else None)
    if admitted and released and released < admitted:
        raise _fail("released_on", _("Release comes after admission."))
    if "facility" in data and not str(data["facility"]).strip():
        raise _fail("facility", _("Name the detention home."))
    return data


@transaction.atomic
def detention_record(*, actor: User | None, case: Case, **fields: Any) -> DetentionStay:
    """Record a child held in a detention home, with the languages they speak."""
    case = _editable(actor, case)
    data = _detention_clean(fields)
    for required in ("facility", "admitted_on"):
        if not data.get(required):
            raise _fail(required, _("This field is required."))
    age = age_on(case.person, data["admitted_on"])
    if age is not None and age >= 18:
        raise _fail("admitted_on", _("The person was 18 or over then: this record is for children."))
    stay = DetentionStay.objects.create(case=case, recorded_by=actor, **data)
    _case_audit(
        actor, "cases.detention.add", case, stay, **{k: v for k, v in data.items() if k != "facility"}
    )
    return stay


@transaction.atomic
def detention_update(*, actor: User | None, stay: DetentionStay, **fields: Any) -> DetentionStay:
    """Follow a child in detention: an interpreter arranged, a visit made, the next one due, a release."""
    case = _editable(actor, stay.case)
    data = _detention_clean(fields, stay)
    for name, value in data.items():
        setattr(stay, name, value)
    stay.save(update_fields=list(data))
    _case_audit(
        actor, "cases.detention.update", case, stay, **{k: v for k, v in data.items() if k != "facility"}
    )
    return stay
