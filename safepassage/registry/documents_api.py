"""API: a person's documentation status (documents, each with its state and date) and their citizenship and
civil-registration problems. The owning agency's case staff only, never through an enforcement agency: for
anyone else a 404, as if the person had no such list."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.http import Http404, HttpRequest
from ninja import Router, Schema, Status

from safepassage.accounts.selectors import signed_in_user
from safepassage.audit.services import audit_read
from safepassage.core.api import ErrorOut
from safepassage.core.roles import Action
from safepassage.registry import documents, selectors
from safepassage.registry.models import CivilProblem, Person, PersonDocument

router = Router(tags=["risk index"])
ERRORS: dict[int, Any] = {400: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut}


class DocumentIn(Schema):
    kind: str
    state: str
    country: str = ""
    state_on: date | None = None
    note: str = ""


class DocumentPatch(Schema):
    state: str | None = None
    country: str | None = None
    state_on: date | None = None
    note: str | None = None


class DocumentOut(Schema):
    id: int
    kind: str
    state: str
    country: str
    state_on: date | None
    note: str


class ProblemIn(Schema):
    kind: str
    opened_on: date
    status: str = CivilProblem.Status.OPEN
    description: str = ""
    next_step: str = ""
    next_step_on: date | None = None
    outcome: str = ""


class ProblemPatch(Schema):
    status: str | None = None
    next_step: str | None = None
    next_step_on: date | None = None
    outcome: str | None = None


class ProblemOut(Schema):
    id: int
    kind: str
    status: str
    opened_on: date
    description: str
    next_step: str
    next_step_on: date | None
    closed_on: date | None
    outcome: str


class StatusOut(Schema):
    person_id: int
    stateless: bool
    documents: list[DocumentOut]
    problems: list[ProblemOut]


def _person(request: HttpRequest, person_id: int, action: str = Action.VIEW) -> Person:
    person = selectors.get_person_for_user(request.user, person_id)
    if not documents.allowed(signed_in_user(request), person, action):
        raise Http404
    return person


@router.get("/people/{person_id}/documents", response={200: StatusOut, 404: ErrorOut})
def documentation_status(request: HttpRequest, person_id: int) -> dict[str, Any]:
    """A person's documents, each with its state and date, and their civil-registration problems. Audited."""
    user = signed_in_user(request)
    person = _person(request, person_id)
    status = documents.status_for(user, person)
    if status is None:
        raise Http404
    audit_read(actor=user, obj=person, what="api documents")
    return {
        "person_id": person.pk,
        "stateless": status.stateless,
        "documents": status.documents,
        "problems": status.problems,
    }


@router.post("/people/{person_id}/documents", response={201: DocumentOut, **ERRORS})
def document_add(request: HttpRequest, person_id: int, payload: DocumentIn) -> Status[PersonDocument]:
    """Record one of a person's documents and where it stands."""
    person = _person(request, person_id, Action.CHANGE)
    return Status(201, documents.document_add(actor=signed_in_user(request), person=person, **payload.dict()))


@router.patch("/documents/{document_id}", response={200: DocumentOut, **ERRORS})
def document_update(request: HttpRequest, document_id: int, payload: DocumentPatch) -> PersonDocument:
    """Change a document's state, date, country or note; only the fields sent change."""
    user = signed_in_user(request)
    document = PersonDocument.objects.visible_to(user, Action.CHANGE).filter(pk=document_id).first()
    if document is None:
        raise Http404
    return documents.document_update(actor=user, document=document, **payload.dict(exclude_unset=True))


@router.post("/people/{person_id}/civil-problems", response={201: ProblemOut, **ERRORS})
def problem_open(request: HttpRequest, person_id: int, payload: ProblemIn) -> Status[CivilProblem]:
    """Start following a citizenship or civil-registration problem."""
    person = _person(request, person_id, Action.CHANGE)
    return Status(201, documents.problem_open(actor=signed_in_user(request), person=person, **payload.dict()))


@router.patch("/civil-problems/{problem_id}", response={200: ProblemOut, **ERRORS})
def problem_update(request: HttpRequest, problem_id: int, payload: ProblemPatch) -> CivilProblem:
    """Follow a problem up: next step, status and, once closed, how it ended."""
    user = signed_in_user(request)
    problem = CivilProblem.objects.visible_to(user, Action.CHANGE).filter(pk=problem_id).first()
    if problem is None:
        raise Http404
    return documents.problem_update(actor=user, problem=problem, **payload.dict(exclude_unset=True))
