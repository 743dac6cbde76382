"""Exports — API under /api/v1/exports: make an export for a stated purpose (the password of its encrypted
zip is in the answer, once), list your exports, read one, download it. Coordinators (identified HTCDS and
de-identified) and analysts (de-identified only); anyone else gets 404."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from ninja import Router, Schema, Status
from ninja.pagination import PageNumberPagination, paginate

from safepassage.accounts.models import Agency
from safepassage.accounts.selectors import signed_in_user
from safepassage.core.api import ErrorOut, MappedPage
from safepassage.core.models import get_for_user
from safepassage.exports import services
from safepassage.exports.models import Export

router = Router(tags=["exports"])
ERRORS: dict[int, Any] = {400: ErrorOut, 404: ErrorOut, 422: ErrorOut}


class ExportIn(Schema):
    kind: str
    purpose: str
    file_format: str = "csv"
    opened_from: date | None = None
    opened_to: date | None = None
    encrypt: bool = True
    agency: str | None = None


class ExportOut(Schema):
    id: int
    kind: str
    file_format: str
    file_name: str
    purpose: str
    filters: dict[str, str]
    rows: int
    encrypted: bool
    suppression: dict[str, Any]
    created_at: datetime
    expires_at: datetime
    downloads: int
    available: bool


class ExportMade(ExportOut):
    password: str | None = None


def export_out(export: Export) -> dict[str, Any]:
    return {
        "id": export.pk,
        "kind": export.kind,
        "file_format": export.file_format,
        "file_name": export.file_name,
        "purpose": export.purpose,
        "filters": export.filters,
        "rows": export.rows,
        "encrypted": export.encrypted,
        "suppression": export.suppression,
        "created_at": export.created_at,
        "expires_at": export.expires_at,
        "downloads": export.downloads,
        "available": bool(export.stored_as),
    }


def _mine(user: Any) -> Any:
    return Export.objects.visible_to(user).filter(requested_by=user)


@router.get("/exports", response=list[ExportOut])
@paginate(PageNumberPagination, page_size=50)
def export_list(request: HttpRequest) -> Any:
    """Your exports, newest first."""
    user = signed_in_user(request)
    if not services.may_export(user):
        raise Http404
    return MappedPage(_mine(user), export_out)


@router.post("/exports", response={201: ExportMade, **ERRORS})
def export_create(request: HttpRequest, payload: ExportIn) -> Any:
    """Make an export. `kind`: `htcds` (identified cases in the HTCDS 2.0 field names and code lists) or
    `deidentified` (CTDC style, k = 11). `purpose` is required and audited. The answer holds the password of
    the encrypted zip: it is shown this once and never stored."""
    user = signed_in_user(request)
    if not services.may_export(user):
        raise Http404
    agency = None
    if payload.agency:
        agency = Agency.objects.filter(code=payload.agency).first()
        if agency is None:
            raise Http404
    export, password = services.export_create(
        actor=user,
        kind=payload.kind,
        purpose=payload.purpose,
        file_format=payload.file_format,
        filters=services.Filters(payload.opened_from, payload.opened_to),
        encrypt=payload.encrypt,
        agency=agency,
    )
    return Status(201, {**export_out(export), "password": password})


@router.get("/exports/{export_id}", response={200: ExportOut, **ERRORS})
def export_detail(request: HttpRequest, export_id: int) -> Any:
    user = signed_in_user(request)
    return export_out(get_for_user(_mine(user), user, export_id))


@router.get("/exports/{export_id}/download", response={200: None, **ERRORS})
def export_download(request: HttpRequest, export_id: int) -> HttpResponse:
    """The zip (audited). Only for the person who made the export, until it expires."""
    user = signed_in_user(request)
    export = get_for_user(_mine(user), user, export_id)
    response = HttpResponse(services.export_for_download(user, export), content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="{export.file_name}"'
    return response
