"""API: the reference library (R-101). Files are added through the page; the API takes links."""

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
