"""Exports — API under /api/v1/exports: make an export for a stated purpose (the password of its encrypted
zip is in the answer, once), list your exports, read one, download it. Coordinators and administrators (HTCDS
and de-identified) and analysts (de-identified only); anyone else gets 404."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from ninja import Router, Schema, Status
from ninja.pagination import PageNumberPagination, paginate

from safepassage.accounts.models import Agency
from safepassage.accounts.selectors import signed_in_user
from safepassage.core.api import ErrorOut, MappedPage
from safepassage.core.models import get_for_user
from safepassage.exports import selectors, services
from safepassage.exports.models import Export

router = Router(tags=["exports"])
ERRORS: dict[int, Any] = {400: ErrorOut, 404: ErrorOut, 422: ErrorOut}


class ExportIn(Schema):
    kind: str
    purpose: str = ""
    file_format: str | None = None
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
    identified: bool
    suppression: dict[str, Any]
    requested_by: str
    created_at: datetime
    expires_at: datetime
    downloads: int
    downloaded_at: datetime | None
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
        "identified": export.identified,
        "suppression": export.suppression,
        "requested_by": export.requested_by.get_username() if export.requested_by else "",
        "created_at": export.created_at,
        "expires_at": export.expires_at,
        "downloads": export.downloads,
        "downloaded_at": export.downloaded_at,
        "available": bool(export.stored_as),
    }


@router.get("/exports", response=list[ExportOut])
@paginate(PageNumberPagination, page_size=50)
def export_list(request: HttpRequest) -> Any:
    """Your exports (an administrator: every export of the agency), newest first."""
    user = signed_in_user(request)
    if not services.may_export(user):
        raise Http404
    return MappedPage(selectors.export_list(user), export_out)


@router.post("/exports", response={201: ExportMade, **ERRORS})
def export_create(request: HttpRequest, payload: ExportIn, response: HttpResponse) -> Any:
    """Make an export. `kind`: `htcds` (cases in the HTCDS 2.0 field names and code lists; names and ID
    numbers for coordinators only) or `deidentified` (CTDC style, k = 11); `htcds_xlsx`, `deidentified_csv`…
    name the format too, and `htcds_iom` lays the HTCDS export out as IOM's own Excel template. `purpose` is
    required and audited. The answer holds the password of the encrypted
    zip: it is shown this once and never stored."""
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
    response["Cache-Control"] = "no-store"  # the password must not stay in any cache
    return Status(201, {**export_out(export), "password": password})


@router.get("/exports/{export_id}", response={200: ExportOut, **ERRORS})
def export_detail(request: HttpRequest, export_id: int) -> Any:
    user = signed_in_user(request)
    return export_out(get_for_user(selectors.export_list(user), user, export_id))


@router.get("/exports/{export_id}/download", response={200: None, **ERRORS})
def export_download(request: HttpRequest, export_id: int) -> FileResponse:
    """The zip (audited). For the person who made the export and their agency's administrators, until it
    expires."""
    user = signed_in_user(request)
    export = get_for_user(selectors.export_list(user), user, export_id)
    path = services.export_file(user, export)
    return FileResponse(
        path.open("rb"), as_attachment=True, filename=export.file_name, content_type="application/zip"
    )
