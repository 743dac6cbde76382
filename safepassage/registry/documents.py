"""A person's documentation status as it is (R-052, W-24) and their citizenship and civil-registration
problems followed to resolution (R-044): reads and writes, every one scoped and every change audited.

Only the owning agency's case staff (administrators, coordinators, caseworkers) read or change them, and
never through an agency whose receiving profile enforces (police, immigration, prosecutor): the models'
grant_q leaves those out, so every list, page, API answer and report built on `visible_to` leaves them out,
and `allowed` below answers the same for one person before anything is written.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from safepassage.accounts.models import User
from safepassage.accounts.profiles import enforcement_codes
from safepassage.audit.services import audit_record, diff
from safepassage.core.access import viewer_for
from safepassage.core.countries import is_country
from safepassage.core.dates import parse_date
from safepassage.core.roles import Action
from safepassage.registry.models import (
    DOCUMENT_ROLE_ACTIONS,
    CivilProblem,
    DocumentKind,
    DocumentState,
    Person,
    PersonDocument,
)

DOCUMENT_FIELDS = ("kind", "state", "country", "state_on", "note")
PROBLEM_FIELDS = ("kind", "status", "opened_on", "description", "next_step", "next_step_on", "outcome")

Errors = dict[str, list[str]]


def allowed(actor: User | None, person: Person, action: str = Action.VIEW) -> bool:
    """Whether the actor reads (or changes) this person's documents and problems: a case-staff role in the
    person's agency, inside the areas it is limited to, and that agency not an enforcement one. Server
    jobs (no actor) may."""
    if actor is None:
        return True
    if person.agency.profile in enforcement_codes():
        return False
    path = person.village.path
    for grant in viewer_for(actor).grants:
        if grant.agency_id != person.agency_id or action not in DOCUMENT_ROLE_ACTIONS.get(grant.role, ()):
            continue
        if grant.area_limited and not any(path.startswith(p) for p in grant.area_paths):
            continue
        return True
    return False


def _require(actor: User | None, person: Person) -> None:
    if not allowed(actor, person, Action.CHANGE):
        raise PermissionDenied(_("Only the agency's case staff can record a person's documents."))


@dataclass
class Status:
    """A person's documentation status as a page shows it."""

    documents: list[PersonDocument] = field(default_factory=list)
    problems: list[CivilProblem] = field(default_factory=list)

    @property
    def stateless(self) -> bool:
        """No citizenship recorded as held, and one recorded as "does not have it"."""
        citizenship = [d for d in self.documents if d.kind == DocumentKind.CITIZENSHIP]
        return any(d.state == DocumentState.NONE for d in citizenship) and not any(
            d.state == DocumentState.HAS for d in citizenship
        )

    @property
    def open_problems(self) -> list[CivilProblem]:
        return [p for p in self.problems if p.is_open]


def status_of(person: Person) -> Status:
    """Everything recorded, for a caller that has decided access itself (a case's "citizenship" part, which
    the receiving profiles never open to an enforcement agency: accounts/profiles.py)."""
    return Status(
        list(PersonDocument.objects.filter(person=person)), list(CivilProblem.objects.filter(person=person))
    )


def status_for(actor: User | None, person: Person) -> Status | None:
    """The person's documents and problems the actor may read; None when they may read none of it (the
    pages then show no section at all, not even an empty one)."""
    if not allowed(actor, person):
        return None
    documents = PersonDocument.objects.filter(person=person).select_related("recorded_by")
    problems = CivilProblem.objects.filter(person=person).select_related("recorded_by")
    if actor is not None:
        documents = documents.visible_to(actor)
        problems = problems.visible_to(actor)
    return Status(list(documents), list(problems))


# ------------------------------------------------------------------------------------------------ cleaning


def _text(data: dict[str, Any], errors: Errors, name: str, limit: int) -> None:
    if name in data:
        data[name] = str(data[name] or "").strip()
        if len(data[name]) > limit:
            errors[name] = [_("Keep this under %(n)d characters.") % {"n": limit + 1}]


def _day(data: dict[str, Any], errors: Errors, name: str, *, required: bool = False) -> None:
    if name not in data:
        if required:
            errors[name] = [_("This field is required.")]
        return
    value = data[name]
    if value in (None, ""):
        data[name] = None
    elif not isinstance(value, date):
        data[name] = parse_date(value)
        if data[name] is None:
            errors[name] = [_("Write the date as YYYY-MM-DD.")]
            return
    if data[name] is None and required:
        errors[name] = [_("This field is required.")]
    elif data[name] is not None and data[name] > timezone.localdate():
        errors[name] = [_("The date cannot be in the future.")]


def _choice(data: dict[str, Any], errors: Errors, name: str, allowed_values: list[str]) -> None:
    if name in data and data[name] not in allowed_values:
        errors[name] = [_("Choose one of the listed values.")]


def _clean_document(fields: Mapping[str, Any], errors: Errors) -> dict[str, Any]:
    data = {k: v for k, v in fields.items() if k in DOCUMENT_FIELDS}
    _choice(data, errors, "kind", DocumentKind.values)
    _choice(data, errors, "state", DocumentState.values)
    if "country" in data:
        data["country"] = str(data["country"] or "").strip().upper()
        if data["country"] and not is_country(data["country"]):
            errors["country"] = [_("Give the two-letter country code, e.g. TH, LA, MM or KH.")]
    _day(data, errors, "state_on")
    _text(data, errors, "note", 2000)
    return data


def _raise(errors: Errors) -> None:
    if errors:
        raise ValidationError(errors)


# ---------------------------------------------------------------------------------------------- documents


@transaction.atomic
def document_add(
    *, actor: User | None, person: Person, kind: str, state: str, **fields: Any
) -> PersonDocument:
    """Record one of a person's documents and where it stands (audited, the note masked)."""
    _require(actor, person)
    errors: Errors = {}
    data = _clean_document({**fields, "kind": kind, "state": state}, errors)
    _raise(errors)
    document = PersonDocument.objects.create(
        agency_id=person.agency_id, person=person, recorded_by=actor, **data
    )
    audit_record(actor=actor, action="registry.persondocument.create", obj=document, changes=data)
    return document


@transaction.atomic
def document_update(*, actor: User | None, document: PersonDocument, **fields: Any) -> PersonDocument:
    """Change a document's state, date, country or note; only the fields given change (audited)."""
    _require(actor, document.person)
    errors: Errors = {}
    data = _clean_document(fields, errors)
    _raise(errors)
    before = {k: getattr(document, k) for k in data}
    for name, value in data.items():
        setattr(document, name, value)
    document.recorded_by = actor
    document.save()
    audit_record(
        actor=actor, action="registry.persondocument.update", obj=document, changes=diff(before, data)
    )
    return document


# ----------------------------------------------------------------------------------------------- problems


def _clean_problem(fields: Mapping[str, Any], errors: Errors, *, adding: bool) -> dict[str, Any]:
    data = {k: v for k, v in fields.items() if k in PROBLEM_FIELDS}
    _choice(data, errors, "kind", CivilProblem.Kind.values)
    _choice(data, errors, "status", CivilProblem.Status.values)
    _day(data, errors, "opened_on", required=adding)
    if "next_step_on" in data:  # a next step may be planned ahead
        value = data["next_step_on"]
        data["next_step_on"] = (
            None if value in (None, "") else value if isinstance(value, date) else parse_date(value)
        )
        if value not in (None, "") and data["next_step_on"] is None:
            errors["next_step_on"] = [_("Write the date as YYYY-MM-DD.")]
    _text(data, errors, "description", 4000)
    _text(data, errors, "next_step", 300)
    _text(data, errors, "outcome", 4000)
    return data


def _close_or_reopen(problem: CivilProblem, errors: Errors) -> None:
    """A resolved or unresolved problem carries the day it closed and how it ended; reopened, neither."""
    if problem.is_open:
        problem.closed_on = None
        return
    if not problem.outcome:
        errors["outcome"] = [_("Say how it ended: the document obtained, or why it could not be.")]
    problem.closed_on = problem.closed_on or timezone.localdate()


@transaction.atomic
def problem_open(
    *, actor: User | None, person: Person, kind: str, opened_on: Any, **fields: Any
) -> CivilProblem:
    """Start following a citizenship or civil-registration problem (audited, the texts masked)."""
    _require(actor, person)
    errors: Errors = {}
    data = _clean_problem({**fields, "kind": kind, "opened_on": opened_on}, errors, adding=True)
    _raise(errors)
    problem = CivilProblem(agency_id=person.agency_id, person=person, recorded_by=actor, **data)
    _close_or_reopen(problem, errors)
    _raise(errors)
    problem.save()
    audit_record(actor=actor, action="registry.civilproblem.create", obj=problem, changes=data)
    return problem


@transaction.atomic
def problem_update(*, actor: User | None, problem: CivilProblem, **fields: Any) -> CivilProblem:
    """Follow a problem up: its next step, its status, and when it closes, how it ended (audited)."""
    _require(actor, problem.person)
    errors: Errors = {}
    data = _clean_problem(fields, errors, adding=False)
    _raise(errors)
    before = {k: getattr(problem, k) for k in (*data, "closed_on")}
    for name, value in data.items():
        setattr(problem, name, value)
    _close_or_reopen(problem, errors)
    _raise(errors)
    problem.save()
    after = {**data, "closed_on": problem.closed_on}
    audit_record(actor=actor, action="registry.civilproblem.update", obj=problem, changes=diff(before, after))
    return problem
