"""API: the reference library (R-101; files through the page) and trainees followed after training (R-020)."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.http import Http404, HttpRequest
from ninja import Router, Schema, Status

from safepassage.accounts.selectors import signed_in_user
from safepassage.core.access import viewer_for
from safepassage.core.api import ErrorOut
from safepassage.network import library

router = Router(tags=["network"])
ERRORS: dict[int, Any] = {400: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut}


class DocumentIn(Schema):
    title: str
    kind: str
    language: str
    audience: str
    url: str
    country: str = ""
    published_on: date | None = None
    summary: str = ""


class DocumentOut(Schema):
    id: int
    title: str
    kind: str
    language: str
    country: str
    published_on: date | None
    summary: str
    url: str
    has_file: bool
    audience: str
    agency: str


def _out(document: Any) -> dict[str, Any]:
    return {
        "id": document.pk,
        "title": document.title,
        "kind": document.kind,
        "language": document.language,
        "country": document.country,
        "published_on": document.published_on,
        "summary": document.summary,
        "url": document.url,
        "has_file": bool(document.file),
        "audience": document.audience,
        "agency": document.agency.code,
    }


@router.get("/library", response={200: list[DocumentOut], 404: ErrorOut})
def library_list(
    request: HttpRequest, kind: str = "", language: str = "", country: str = "", q: str = ""
) -> Any:
    """The documents I may read; the file itself is downloaded from /network/library/<id>/file/."""
    if not viewer_for(request.user).grants:
        raise Http404
    found = library.library(viewer=request.user, kind=kind, language=language, country=country, query=q)
    return [_out(d) for d in found[:500]]


@router.post("/library", response={201: DocumentOut, **ERRORS})
def library_add(request: HttpRequest, payload: DocumentIn) -> Any:
    """Add a document by its link (administrators and coordinators)."""
    document = library.document_add(actor=signed_in_user(request), **payload.dict())
    return Status(201, _out(document))


class FollowUpIn(Schema):
    followed_up_on: date
    applying: bool | None = None
    still_active: bool | None = None
    needs: str = ""


@router.post("/trainings/{training_id}/follow-ups", response={201: dict, **ERRORS})
def training_follow_up(request: HttpRequest, training_id: int, payload: FollowUpIn) -> Any:
    """Record how a trainee is doing after the course (the keeping agency's coordinators, administrators)."""
    from safepassage.core.roles import Action
    from safepassage.network import training
    from safepassage.network.models import Responder, Training

    kept = Responder.objects.visible_to(request.user, Action.CHANGE)
    course = Training.objects.filter(pk=training_id, responder__in=kept).first()
    if course is None:
        raise Http404
    made = training.training_follow_up(actor=signed_in_user(request), training=course, **payload.dict())
    return Status(201, {"id": made.pk, "training_id": course.pk, "followed_up_on": made.followed_up_on})


@router.get("/trainees-due", response=list[dict])
def trainees_due(request: HttpRequest) -> Any:
    """Trainees of the responders I keep, trained 90 days ago or more, not followed up since."""
    from safepassage.network import training

    return [
        {
            "training_id": t.pk,
            "responder_id": t.responder_id,
            "course": t.course,
            "completed_on": t.completed_on,
        }
        for t in training.trainees_due(viewer=request.user)[:500]
    ]
