"""Imports — API under /api/v1/imports: upload a file (checked at once when small, in the background when
large), follow its progress, read its problems (JSON or CSV), apply it. For an agency's coordinators and
administrators; anyone else gets 404."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import Router, Schema, Status
from ninja.pagination import PageNumberPagination, paginate

from safepassage.accounts.models import Agency
from safepassage.accounts.selectors import signed_in_user
from safepassage.audit.services import audit_read
from safepassage.core.api import ErrorOut, MappedPage
from safepassage.core.models import get_for_user
from safepassage.imports import services
from safepassage.imports.kinds import KINDS
from safepassage.imports.models import ImportJob, MappingProfile, RowProblem

router = Router(tags=["imports"])
ERRORS: dict[int, Any] = {400: ErrorOut, 404: ErrorOut, 422: ErrorOut}


class JobOut(Schema):
    id: int
    kind: str
    status: str
    status_label: str
    file_name: str
    source: str
    size: int
    rows_total: int
    rows_done: int
    rows_valid: int
    rows_invalid: int
    errors_total: int
    created: int
    skipped: int
    message: str
    mapping: dict[str, str]
    unused_columns: list[str]
    detected: dict[str, str]
    flags: dict[str, int]
    summary: dict[str, Any]
    preview: list[dict[str, Any]]
    created_at: datetime
    checked_at: datetime | None
    applied_at: datetime | None


class ProblemOut(Schema):
    row: int
    column: str
    reason: str
    assessment_only: bool  # a people file's score problem: the person is added, the assessment held back
    person: int | None = None  # the registered person this row is probably (held back), or None


class PersonRowOut(Schema):
    row: int
    person: int


class NotSameIn(Schema):
    rows: list[int]


class ApplyIn(Schema):
    apply_valid_only: bool = False


def job_out(job: ImportJob) -> dict[str, Any]:
    summary = job.summary or {}
    return {
        "id": job.pk,
        "kind": job.kind,
        "status": job.status,
        "status_label": str(job.get_status_display()),
        "file_name": job.file_name,
        "source": job.source,
        "size": job.size,
        "rows_total": job.rows_total,
        "rows_done": services.progress(job),
        "rows_valid": job.rows_valid,
        "rows_invalid": job.rows_invalid,
        "errors_total": job.errors_total,
        "created": job.created,
        "skipped": job.skipped,
        "message": job.message,
        "mapping": summary.get("mapping", {}),
        "unused_columns": summary.get("unused", []),
        "detected": summary.get("detected", {}),
        "summary": {
            k: summary[k] for k in ("assessments", "assessments_held", "alerts", "duplicates") if k in summary
        },
        "flags": summary.get("flags", {}),
        "preview": job.preview,
        "created_at": job.created_at,
        "checked_at": job.checked_at,
        "applied_at": job.applied_at,
    }


def _job(request: HttpRequest, pk: int) -> ImportJob:
    job = get_for_user(ImportJob.objects.select_related("agency", "created_by"), signed_in_user(request), pk)
    return services.mark_if_interrupted(job)


@router.get("/imports", response=list[JobOut])
@paginate(PageNumberPagination, page_size=50)
def import_list(request: HttpRequest) -> Any:
    """Your agencies' imports, newest first."""
    user = signed_in_user(request)
    if not services.may_import(user):
        raise Http404
    # The list carries no rows of the files: read one import for its preview (audited).
    return MappedPage(
        ImportJob.objects.visible_to(user).select_related("agency"),
        lambda job: {**job_out(job), "preview": []},
    )


UPLOAD_DOC = {
    "requestBody": {
        "content": {
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "required": ["kind", "file"],
                    "properties": {
                        "kind": {"type": "string", "enum": sorted(KINDS)},
                        "file": {"type": "string", "format": "binary"},
                        "source": {"type": "string"},
                        "mapping": {"type": "string"},
                        "agency": {"type": "string"},
                        "default.FIELD": {"type": "string", "description": "a value for every row"},
                    },
                }
            }
        }
    }
}


@router.post("/imports", response={201: JobOut, **ERRORS}, openapi_extra=UPLOAD_DOC)
def import_create(request: HttpRequest) -> Any:
    """Upload a CSV or XLSX file. Multipart form: `kind` (people, households, assessments, workplaces,
    observations, responders, cases), `file`; optional `source`, `mapping` (a saved column mapping's name),
    `agency` (its code, when you coordinate for several) and `default.FIELD` (a value for every row). A small
    file is checked at once (status `checked` or `problems`); a large one in the background (status
    `checking`: poll `GET /imports/{id}`)."""
    user = signed_in_user(request)
    if not services.may_import(user):
        raise Http404
    owner = None
    if request.POST.get("agency"):
        owner = Agency.objects.filter(code=request.POST["agency"]).first()
        if owner is None:
            raise Http404
    try:
        the_agency = services.importing_agency(user, owner)
    except PermissionDenied:
        raise Http404 from None
    kind = request.POST.get("kind", "")
    upload = request.FILES.get("file")
    errors = {}
    if kind not in KINDS:
        errors["kind"] = _("Say what the file holds: one of %(kinds)s.") % {"kinds": ", ".join(sorted(KINDS))}
    if upload is None:
        errors["file"] = _("Send the file as the multipart field “file”.")
    if errors:
        raise ValidationError(errors)
    assert upload is not None
    profile = None
    if request.POST.get("mapping"):
        profile = MappingProfile.objects.filter(
            agency=the_agency, kind=kind, name=request.POST["mapping"]
        ).first()
        if profile is None:
            raise ValidationError({"mapping": _("There is no saved column mapping with this name.")})
    job = services.job_create(
        actor=user,
        kind=kind,
        file_name=upload.name or "upload",
        content=upload,
        agency=the_agency,
        source=request.POST.get("source", ""),
        profile=profile,
        defaults={
            k.removeprefix("default."): str(x) for k, x in request.POST.items() if k.startswith("default.")
        },
    )
    job = services.run(job, "check")
    return Status(201, job_out(job))


@router.get("/imports/{job_id}", response={200: JobOut, **ERRORS})
def import_detail(request: HttpRequest, job_id: int) -> Any:
    """One import: status, progress (`rows_done`), counts, the first rows as read, the columns used. Reading
    the rows is audited."""
    job = _job(request, job_id)
    if job.running:  # polling for progress: no rows in the answer
        return {**job_out(job), "preview": []}
    if job.preview:
        audit_read(actor=signed_in_user(request), obj=job, what="import preview")
    return job_out(job)


@router.get("/imports/{job_id}/problems", response={200: list[ProblemOut], **ERRORS})
@paginate(PageNumberPagination, page_size=100)
def import_problems(request: HttpRequest, job_id: int) -> Any:
    """The problems found: the row as a spreadsheet numbers it (the header is row 1), column, reason."""
    job = _job(request, job_id)
    audit_read(actor=signed_in_user(request), obj=job, what="import problems")
    return MappedPage(
        RowProblem.objects.filter(job=job).order_by("row", "id"),
        lambda p: {
            "row": p.row,
            "column": p.column,
            "reason": p.reason,
            "assessment_only": p.assessment_only,
            "person": p.person_id,
        },
    )


@router.get("/imports/{job_id}/problems.csv", response={200: None, **ERRORS})
def import_problems_csv(request: HttpRequest, job_id: int) -> HttpResponse:
    """The same problems as CSV, to fix the file in a spreadsheet."""
    job = _job(request, job_id)
    audit_read(actor=signed_in_user(request), obj=job, what="import problems (CSV)")
    response = HttpResponse(services.problems_csv(job), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="import-{job.pk}-problems.csv"'
    return response


@router.get("/imports/{job_id}/people", response={200: list[PersonRowOut], **ERRORS})
@paginate(PageNumberPagination, page_size=500)
def import_people(request: HttpRequest, job_id: int) -> Any:
    """Which person each row of an applied people file became: the row as a spreadsheet numbers it, the
    new person's number."""
    job = _job(request, job_id)
    audit_read(actor=signed_in_user(request), obj=job, what="import rows and person numbers")
    return MappedPage(services.people_rows(job), lambda p: {"row": p.row, "person": p.object_id})


@router.get("/imports/{job_id}/people.csv", response={200: None, **ERRORS})
def import_people_csv(request: HttpRequest, job_id: int) -> HttpResponse:
    """The same as CSV: row, person."""
    job = _job(request, job_id)
    audit_read(actor=signed_in_user(request), obj=job, what="import rows and person numbers (CSV)")
    response = HttpResponse(services.people_csv(job), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="import-{job.pk}-people.csv"'
    return response


@router.post("/imports/{job_id}/apply", response={200: JobOut, **ERRORS})
def import_apply(request: HttpRequest, job_id: int, payload: ApplyIn) -> Any:
    """Apply a checked import in one transaction. A file with problems is applied only with
    `apply_valid_only: true`, and then only its valid rows."""
    user = signed_in_user(request)
    job = get_for_user(ImportJob.objects.all(), user, job_id, "change")
    job = services.run(job, "apply", actor=user, valid_only=payload.apply_valid_only)
    return job_out(job)


@router.post("/imports/{job_id}/not-same", response={200: JobOut, **ERRORS})
def import_not_same(request: HttpRequest, job_id: int, payload: NotSameIn) -> Any:
    """Rows held back as probably a registered person (problems with `person`) that are someone else: they
    are added as new people when the file is applied. The file is checked again."""
    user = signed_in_user(request)
    job = get_for_user(ImportJob.objects.all(), user, job_id, "change")
    services.job_confirm_new(actor=user, job=job, rows=payload.rows)
    return job_out(services.run(job, "check"))
