"""The import pipeline: upload → read → map columns → check → preview → apply (one transaction) → report.

The file is read twice, row by row (to check, then to apply), so memory stays flat whatever its size. Nothing
is written while checking; applying runs in one transaction, so a failure half-way leaves the database as it
was.
When a file has problems nothing is applied, unless the user explicitly asks for the valid rows only."""

from __future__ import annotations

import csv
import hashlib
import io
import logging
import pickle
import threading
import uuid
from collections.abc import Callable, Iterator
from itertools import islice
from pathlib import Path
from typing import IO, Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from safepassage.accounts.models import Agency, User
from safepassage.audit.services import audit_record
from safepassage.core.access import viewer_for
from safepassage.core.copy import copy_in
from safepassage.core.files import open_private, write_private
from safepassage.core.roles import Role
from safepassage.core.validation import csv_writer, safe_cell
from safepassage.imports import known, reading, scores
from safepassage.imports.kinds import KINDS, Assessments, Context, Kind, People, Row, _errors_to_row
from safepassage.imports.models import ImportJob, MappingProfile, Provenance, RowProblem
from safepassage.registry.models import Assessment, Person
from safepassage.registry.names import fill_pending

log = logging.getLogger(__name__)

BATCH = 2000
KEEP_PROBLEMS = 10_000  # the first problems are kept to show and download; all are counted
PREVIEW_ROWS = 10
IMPORTERS = (Role.ADMIN, Role.COORDINATOR)
QUEUED = "queued"  # the key in ImportJob.file_info of a step waiting for `safepassage worker`


def importing_agency(actor: User | None, agency: Agency | None = None) -> Agency:
    """The agency an import writes for: the one named, or the actor's only one, where they coordinate."""
    viewer = viewer_for(actor)
    allowed = [g.agency_id for g in viewer.grants if g.role in IMPORTERS]
    if agency is not None:
        if agency.pk not in allowed:
            raise PermissionDenied
        return agency
    if not allowed:
        raise PermissionDenied
    if len(set(allowed)) > 1:
        raise ValidationError(
            {"agency": _("You coordinate for more than one agency: say which one this import is for.")}
        )
    return Agency.objects.get(pk=allowed[0])


def may_import(user: Any) -> bool:
    """Coordinates or administers an agency: may upload and apply imports for it."""
    return any(g.role in IMPORTERS for g in viewer_for(user).grants)


def imports_dir() -> Path:
    path = Path(settings.DATA_DIR) / "imports"
    path.mkdir(parents=True, exist_ok=True)
    return path


def _kind(name: str) -> Kind:
    if name not in KINDS:
        raise ValidationError(
            {
                "kind": _("%(kind)s is not something SafePassage imports; choose one of: %(kinds)s.")
                % {"kind": name, "kinds": ", ".join(KINDS)}
            }
        )
    return KINDS[name]


def job_create(
    *,
    actor: User | None,
    kind: str,
    file_name: str,
    content: IO[bytes],
    agency: Agency | None = None,
    source: str = "",
    profile: MappingProfile | None = None,
    mapping: dict[str, str] | None = None,
    defaults: dict[str, str] | None = None,
) -> ImportJob:
    """Store an uploaded file and look at it (encoding, delimiter, columns). A file that cannot be read at all
    makes a job with status "refused" and the reason, so the user sees why; its bytes are not kept. Whatever
    goes wrong, no stored file is left without its job."""
    sweep_uploads()
    the_kind = _kind(kind)
    owner = importing_agency(actor, agency)
    known = {c.name for c in the_kind.columns}
    unknown = sorted(set(defaults or {}) - known)
    if unknown:
        raise ValidationError(
            {"defaults": _("Not fields of this import: %(names)s.") % {"names": ", ".join(unknown)}}
        )
    if profile is not None and (profile.agency_id != owner.pk or profile.kind != kind):
        raise ValidationError({"mapping": _("There is no such column mapping for this kind of file.")})
    # Stored under a name of our own: what the file is comes from its content, never from its name.
    stored = imports_dir() / f"{uuid.uuid4().hex}.upload"
    try:
        with transaction.atomic():
            return _store_and_inspect(
                actor, the_kind, owner, file_name, content, stored, source, profile, mapping, defaults
            )
    except BaseException:
        stored.unlink(missing_ok=True)
        raise


def _store_and_inspect(
    actor: User | None,
    the_kind: Kind,
    owner: Agency,
    file_name: str,
    content: IO[bytes],
    stored: Path,
    source: str,
    profile: MappingProfile | None,
    mapping: dict[str, str] | None,
    defaults: dict[str, str] | None,
) -> ImportJob:
    digest = hashlib.sha256()
    size = 0
    limit = reading.max_bytes()
    with write_private(stored) as out:  # sealed on disk (core.files), never clear text
        while chunk := content.read(1024 * 1024):
            size += len(chunk)
            if size > limit:
                out.close()
                stored.unlink(missing_ok=True)
                message = _(
                    "The file is larger than %(limit)d MB, the most SafePassage takes at once. Split it."
                )
                raise ValidationError({"file": message % {"limit": limit // 2**20}})
            digest.update(chunk)
            out.write(chunk)
    job = ImportJob.objects.create(
        agency=owner,
        kind=the_kind.name,
        source=source or (profile.source if profile else ""),
        file_name=Path(file_name).name[:255],
        stored_as=stored.name,
        size=size,
        sha256=digest.hexdigest(),
        profile=profile,
        mapping={**(profile.columns if profile else {}), **(mapping or {})},
        defaults={
            k: str(x)
            for k, x in {**(profile.defaults if profile else {}), **(defaults or {})}.items()
            if str(x).strip()
        },
        created_by=actor,
    )
    try:
        info = reading.inspect(stored)
    except (reading.FileProblem, UnicodeError, csv.Error, OSError) as problem:
        job.status = ImportJob.Status.REFUSED
        job.message = str(problem) if isinstance(problem, reading.FileProblem) else _cannot_read()
        stored.unlink(missing_ok=True)
    else:
        job.file_info = {
            "kind": info.kind,
            "encoding": info.encoding,
            "delimiter": info.delimiter,
            "headers": list(info.headers),
        }
    job.save()
    audit_record(
        actor=actor,
        action="imports.job.create",
        obj=job,
        changes={
            "kind": the_kind.name,
            "file": job.file_name,
            "size": size,
            "sha256": job.sha256,
            "source": job.source,
        },
    )
    return job


def _cannot_read() -> str:
    return _("The file cannot be read as a table. Save it as CSV UTF-8 or Excel .xlsx and try again.")


def sweep_uploads(older_than: int = 3600) -> int:
    """Remove stored uploads that no import is waiting for: files without a job (a request cut off while
    storing) and files of imports already applied, cancelled or refused. Only files older than
    `older_than` seconds, so an upload being stored right now is left alone. Returns how many went."""
    folder = imports_dir()
    cutoff = timezone.now().timestamp() - older_than
    old = {p.name: p for p in folder.iterdir() if p.is_file() and p.stat().st_mtime < cutoff}
    if not old:
        return 0
    done = (ImportJob.Status.APPLIED, ImportJob.Status.CANCELLED, ImportJob.Status.REFUSED)
    waiting = set(
        ImportJob.objects.filter(stored_as__in=list(old))
        .exclude(status__in=done)
        .values_list("stored_as", flat=True)
    )
    progress_of_running = {
        f"{pk}.progress"
        for pk in ImportJob.objects.filter(status__in=ImportJob.RUNNING).values_list("pk", flat=True)
    }
    removed = 0
    for name, path in old.items():
        if name not in waiting and name not in progress_of_running:
            path.unlink(missing_ok=True)
            removed += 1
    return removed


def _info(job: ImportJob) -> reading.FileInfo:
    data = job.file_info
    return reading.FileInfo(
        data["kind"], data.get("encoding", ""), data.get("delimiter", ""), tuple(data["headers"])
    )


def _path(job: ImportJob) -> Path:
    return imports_dir() / job.stored_as


def stored_rows(job: ImportJob) -> Iterator[tuple[int, dict[str, Any]]]:
    """The rows of the job's uploaded file while it is still kept (none once applied or cancelled)."""
    if not job.stored_as or not job.file_info or not _path(job).exists():
        return
    try:
        yield from reading.rows(_path(job), _info(job))
    except reading.FileProblem:
        return


def estimated_rows(job: ImportJob) -> int:
    """About how many rows the job's file holds (for a progress bar before it is read)."""
    return reading.estimate_rows(_path(job), _info(job)) if job.file_info else 0


def job_mapping(job: ImportJob) -> dict[str, str]:
    """field → column title: as chosen, else found by its title, else found from its values (see
    detected_columns)."""
    kind = KINDS[job.kind]
    mapping = kind.mapping_for(job.file_info.get("headers", []), job.mapping)
    return known.with_detected(mapping, detected_columns(job))


def detected_columns(job: ImportJob) -> dict[str, str]:
    """field → column title found from the values of the file's first rows (a Thai ID number, sex words,
    dates, full names), for columns whose titles are not known; found once per file and mapping, and
    shown on the page for review."""
    if not job.file_info or "headers" not in job.file_info:
        return {}
    mapping = KINDS[job.kind].mapping_for(job.file_info["headers"], job.mapping)
    key = "|".join(f"{k}={x}" for k, x in sorted(mapping.items()))
    cached = job.file_info.get("detected")
    if isinstance(cached, dict) and cached.get("for") == key:
        return dict(cached["columns"])
    kind = KINDS[job.kind]
    headers = job.file_info["headers"]
    ctx = _context(job)
    indicators = scores.indicator_columns(headers, ctx) if kind.takes_indicators else {}
    sample = [cells for _n, cells in islice(stored_rows(job), known.SAMPLE_ROWS)]
    found = known.detect(
        headers,
        sample,
        mapping,
        [c.name for c in kind.columns],
        has_scores=bool(indicators) and kind.name == "people",
        excluded=indicators.values(),
    )
    job.file_info = {**job.file_info, "detected": {"for": key, "columns": found}}
    if job.pk:
        ImportJob.objects.filter(pk=job.pk).update(file_info=job.file_info)
    return found


def _context(job: ImportJob) -> Context:
    return Context(
        actor=job.created_by,
        agency=job.agency,
        job_id=job.pk,
        defaults=dict(job.defaults),
        confirmed_new=set(job.confirmed_new),
    )


def _read_batches(
    job: ImportJob, kind: Kind, ctx: Context, mapping: dict[str, str], *, checking: bool
) -> Iterator[list[Row]]:
    """The file's rows, read and checked, a batch at a time. While checking, row-by-row kinds also run their
    app's service in a savepoint; when applying, the real write is that check (see _write_rows)."""
    kind.prepare(_info(job).headers, ctx)
    source = reading.rows(_path(job), _info(job))
    while chunk := list(islice(source, BATCH)):
        batch = [Row(number, cells) for number, cells in chunk if not kind.skips(cells)]
        for row in batch:
            kind.read(row, mapping, ctx)
        kind.check(batch, ctx)
        if checking and not kind.bulk:
            check_by_writing(kind, batch, ctx, mapping)
        yield batch


def _checked_file(job: ImportJob) -> Path:
    """The rows a check found valid, as read and checked, kept beside the upload so that applying writes
    them without reading and checking the file again (bulk kinds; a batch at a time, so memory stays flat)."""
    return imports_dir() / f"{job.pk}.checked"


def _keeps_checked(kind: Kind) -> bool:
    """People and assessments keep their checked rows for the apply. Cases do not: each case's draft holds
    model instances, slower to read back than to check again (measured with `./scripts/bench imports`)."""
    return isinstance(kind, People | Assessments)


def _keep_checked(out: IO[bytes], batch: list[Row]) -> None:
    """A batch's valid rows, without their cells (what was read from them is kept)."""
    valid = [(r.number, r.values, r.held, r.prepared) for r in batch if not r.problems]
    pickle.dump((len(batch), valid), out, protocol=pickle.HIGHEST_PROTOCOL)


def _checked_batches(job: ImportJob) -> Iterator[tuple[int, list[Row]]]:
    """The batches a check kept: (rows read, the valid rows)."""
    with open_private(_checked_file(job)) as stream:
        while True:
            try:
                # Written by this server while checking (_keep_checked), under DATA_DIR: never a user's file.
                read, valid = pickle.load(stream)  # noqa: S301
            except EOFError:
                return
            yield (
                read,
                [
                    Row(number, {}, values, held=held, prepared=prepared)
                    for number, values, held, prepared in valid
                ],
            )


def _write_rows(kind: Kind, rows: list[Row], ctx: Context, valid_only: bool) -> list[tuple[int, int]]:
    """Write a row-by-row kind through its service, each row in a savepoint. A row its service now refuses
    (the data changed since the check) is skipped when only valid rows were asked for; otherwise the whole
    import fails, so nothing is applied in part."""
    made: list[tuple[int, int]] = []
    for row in rows:
        try:
            with transaction.atomic():
                made.extend(kind.write([row], ctx))
        except ValidationError as error:
            if not valid_only:
                raise ValidationError(
                    _("Row %(row)d: %(reason)s") % {"row": row.number, "reason": "; ".join(error.messages)}
                ) from None
    return made


def _progress_file(job: ImportJob) -> Path:
    return imports_dir() / f"{job.pk}.progress"


def _progress(job: ImportJob, done: int) -> None:
    """Rows read so far, written beside the file rather than in the database: the import's own transaction
    would hide it from the page that shows progress until the end."""
    _progress_file(job).write_text(str(done))


def stale_seconds() -> int:
    return int(getattr(settings, "IMPORT_STALE_SECONDS", 600))


def mark_if_interrupted(job: ImportJob) -> ImportJob:
    """A step whose progress has not moved for a long time was cut off (the server restarted): its
    transaction was rolled back, so say so and let the user check or apply again."""
    if job.status not in (ImportJob.Status.CHECKING, ImportJob.Status.APPLYING):
        return job
    if QUEUED in job.file_info:
        return job  # waiting for the worker, not interrupted
    marker = _progress_file(job)
    last = marker.stat().st_mtime if marker.exists() else job.updated_at.timestamp()
    if timezone.now().timestamp() - last < stale_seconds():
        return job
    # An interrupted check must be run again before anything can be applied; an interrupted apply may be
    # applied again (its rows were checked).
    after = ImportJob.Status.UPLOADED if job.status == ImportJob.Status.CHECKING else ImportJob.Status.FAILED
    ImportJob.objects.filter(pk=job.pk, status=job.status).update(
        status=after,
        message=_("The import was interrupted (the server restarted); nothing was applied. Try again."),
    )
    marker.unlink(missing_ok=True)
    job.refresh_from_db()
    return job


def progress(job: ImportJob) -> int:
    """Rows read so far by the step under way (or the last one)."""
    if job.running:
        try:
            return int(_progress_file(job).read_text() or 0)
        except (OSError, ValueError):
            return 0
    return job.rows_done


def job_check(job: ImportJob, on_progress: Callable[[int], None] | None = None) -> ImportJob:
    """Read every row and record the problems; write nothing. Row-by-row kinds run their app's service in a
    transaction that is always rolled back."""
    if job.status == ImportJob.Status.REFUSED:
        return job
    kind = KINDS[job.kind]
    ctx = _context(job)
    mapping = job_mapping(job)
    estimate = reading.estimate_rows(_path(job), _info(job))
    ImportJob.objects.filter(pk=job.pk).update(
        status=ImportJob.Status.CHECKING, rows_done=0, rows_total=estimate
    )
    RowProblem.objects.filter(job=job).delete()
    kept: list[RowProblem] = []
    counts = {"rows": 0, "valid": 0, "invalid": 0, "errors": 0, "held": 0}
    flags: dict[str, int] = {}
    preview: list[dict[str, Any]] = []

    def keep(
        row: int, column: str, reason: str, person: int | None = None, assessment_only: bool = False
    ) -> None:
        if not assessment_only:  # (held assessments are counted by row, below)
            counts["errors"] += 1
        if len(kept) < KEEP_PROBLEMS:
            kept.append(
                RowProblem(
                    job=job,
                    row=row,
                    column=column[:200],
                    reason=reason,
                    person_id=person,
                    assessment_only=assessment_only,
                )
            )

    for column, reason in kind.file_problems(_info(job).headers, mapping, ctx):
        keep(1, column, reason)
    _checked_file(job).unlink(missing_ok=True)
    # (sealed as uploads are: between the check and the apply it holds the file's personal data)
    spill = io.BufferedWriter(write_private(_checked_file(job)), 1 << 20) if _keeps_checked(kind) else None
    try:
        if not counts["errors"]:
            with transaction.atomic():
                for batch in _read_batches(job, kind, ctx, mapping, checking=True):
                    if spill is not None:
                        _keep_checked(spill, batch)
                    for row in batch:
                        counts["rows"] += 1
                        for flag in row.flags:
                            flags[flag] = flags.get(flag, 0) + 1
                        if row.problems:
                            counts["invalid"] += 1
                            for column, reason in row.problems:
                                keep(row.number, kind.column_title(column, mapping), reason, row.match)
                        else:
                            counts["valid"] += 1
                            counts["held"] += bool(row.held)
                            for column, reason in row.held:
                                keep(
                                    row.number,
                                    kind.column_title(column, mapping),
                                    reason,
                                    assessment_only=True,
                                )
                        if len(preview) < PREVIEW_ROWS:
                            preview.append(
                                {"row": row.number, "values": _shown(row.values), "ok": not row.problems}
                            )
                    _progress(job, counts["rows"])
                    if on_progress:
                        on_progress(counts["rows"])
                transaction.set_rollback(True)  # checking never writes
    except (reading.FileProblem, csv.Error) as problem:
        job.status = ImportJob.Status.REFUSED
        job.message = str(problem) if isinstance(problem, reading.FileProblem) else _cannot_read()
        _path(job).unlink(missing_ok=True)
    finally:
        if spill is not None:
            spill.close()
    if job.status == ImportJob.Status.REFUSED or counts["valid"] == 0:
        _checked_file(job).unlink(missing_ok=True)
    if job.status != ImportJob.Status.REFUSED:
        if counts["rows"] == 0 and not counts["errors"]:
            keep(1, "", _("The file has a header row but no data rows."))
        job.status = ImportJob.Status.PROBLEMS if counts["errors"] else ImportJob.Status.CHECKED
    RowProblem.objects.bulk_create(kept, batch_size=2000)
    job.rows_total, job.rows_valid, job.rows_invalid = counts["rows"], counts["valid"], counts["invalid"]
    job.errors_total = counts["errors"]
    job.rows_done = counts["rows"]
    job.summary = {
        "flags": flags,
        "mapping": mapping,
        "unused": _unused(job, mapping, ctx),
        "detected": detected_columns(job),
        "assessments_held": counts["held"],
    }
    job.preview = preview
    job.checked_at = timezone.now()
    job.save()
    return job


def _shown(values: dict[str, Any]) -> dict[str, Any]:
    return {
        k: (str(x) if not isinstance(x, int | float | dict | list | type(None)) else x)
        for k, x in values.items()
    }


def _unused(job: ImportJob, mapping: dict[str, str], ctx: Context) -> list[str]:
    used = set(mapping.values()) | set(ctx.indicator_columns.values())
    return [h for h in job.file_info.get("headers", []) if h and h not in used]


def job_apply(
    *,
    actor: User | None,
    job: ImportJob,
    valid_only: bool = False,
    on_progress: Callable[[int], None] | None = None,
) -> ImportJob:
    """Write the checked file in one transaction. With problems found, nothing is applied unless
    `valid_only` is asked for explicitly; then only the rows without problems are."""
    if (
        job.status != ImportJob.Status.APPLYING
    ):  # a background apply was allowed and claimed before it started
        apply_allowed(job, valid_only)
        _claim(job)
    kind = KINDS[job.kind]
    ctx = _context(job)
    mapping = job_mapping(job)
    done = {"rows": 0}

    def checked() -> Iterator[tuple[int, list[Row]]]:
        if _keeps_checked(kind) and _checked_file(job).exists():
            # The rows the check found valid, as it read them: the file is not read and checked again.
            kind.prepare(_info(job).headers, ctx)
            yield from _checked_batches(job)
            return
        for batch in _read_batches(job, kind, ctx, mapping, checking=False):
            yield len(batch), [row for row in batch if not row.problems]

    def valid_batches() -> Iterator[list[Row]]:
        for read, rows in checked():
            done["rows"] += read
            yield rows
            _progress(job, done["rows"])
            if on_progress:
                on_progress(done["rows"])

    return _apply(actor, job, kind, ctx, valid_batches(), valid_only)


def _claim(job: ImportJob) -> None:
    """Mark the job as being applied, unless another request got there first (two clicks, two tabs)."""
    ready = (ImportJob.Status.CHECKED, ImportJob.Status.PROBLEMS, ImportJob.Status.FAILED)
    claimed = ImportJob.objects.filter(pk=job.pk, status__in=ready).update(
        status=ImportJob.Status.APPLYING, rows_done=0
    )
    if not claimed:
        raise ValidationError({"status": _("This import is already being applied.")})
    job.status = ImportJob.Status.APPLYING


def apply_allowed(job: ImportJob, valid_only: bool) -> None:
    """Refuse what cannot be applied: a job not checked, or one with problems unless only its valid rows
    are asked for."""
    if job.status not in (ImportJob.Status.CHECKED, ImportJob.Status.PROBLEMS, ImportJob.Status.FAILED):
        raise ValidationError(
            {
                "status": _("This import cannot be applied now (it is %(status)s).")
                % {"status": job.get_status_display()}
            }
        )
    if job.status == ImportJob.Status.PROBLEMS and not valid_only:
        message = _(
            "The file has problems, so nothing was applied. Correct the file and upload it again, or choose "
            "to apply only the %(n)d valid rows."
        )
        raise ValidationError({"apply_valid_only": message % {"n": job.rows_valid}})
    if valid_only and job.rows_valid == 0:
        raise ValidationError({"apply_valid_only": _("No row of this file is valid.")})


def _apply(
    actor: User | None,
    job: ImportJob,
    kind: Kind,
    ctx: Context,
    valid_batches: Iterator[list[Row]],
    valid_only: bool,
) -> ImportJob:
    try:
        with transaction.atomic():
            extra: dict[str, Any] = {}
            if isinstance(kind, Assessments | People):

                def made(rows: list[tuple[int, int]], object_type: str = kind.object_type) -> None:
                    _provenance(job, object_type, rows)

                extra = kind.write_all(valid_batches, ctx, Assessment.Source.SURVEY, made)
                created = extra.pop("created")
            else:
                created = 0
                for batch in valid_batches:
                    # Bulk kinds checked every row in full before: the batch is written at once.
                    written = (
                        kind.write(batch, ctx) if kind.bulk else _write_rows(kind, batch, ctx, valid_only)
                    )
                    _provenance(job, kind.object_type, written)
                    created += len(written)
            audit_record(
                actor=actor,
                action="imports.job.apply",
                obj=job,
                changes={
                    "kind": job.kind,
                    "file": job.file_name,
                    "created": created,
                    "valid_only": valid_only,
                    **extra,
                },
            )
    except (ValidationError, reading.FileProblem) as error:
        _checked_file(job).unlink(missing_ok=True)  # applied again, the file is read and checked again
        job.refresh_from_db()
        job.status = ImportJob.Status.FAILED
        job.message = _("Nothing was applied: %(reason)s") % {"reason": "; ".join(_messages(error))}
        job.save()
        return job
    except Exception:
        _checked_file(job).unlink(missing_ok=True)
        ImportJob.objects.filter(pk=job.pk).update(
            status=ImportJob.Status.FAILED,
            message=_("The import stopped on an unexpected error; nothing was applied."),
        )
        raise
    job.refresh_from_db()
    job.status = ImportJob.Status.APPLIED
    job.apply_valid_only = valid_only
    job.created = created
    job.skipped = job.rows_total - created
    job.summary = {**job.summary, **extra}
    job.applied_at = timezone.now()
    job.message = ""
    job.save()
    _path(job).unlink(missing_ok=True)
    _checked_file(job).unlink(missing_ok=True)
    _progress_file(job).unlink(missing_ok=True)
    if isinstance(kind, People) and created:
        transaction.on_commit(lambda: romanise_later(job.agency_id))
    return job


def romanise_later(agency_id: int) -> None:
    """The names a people import left for later (kinds.People.write), romanised away from the request: by
    the worker's `people romanise` when a worker runs, else on a thread of this process."""
    if worker_runs():
        return

    def fill() -> None:
        try:
            fill_pending(Person.objects.filter(agency_id=agency_id))
        except Exception:  # the worker's job, or the next dedupe, does what this thread could not
            log.exception("romanising the names of agency %s failed", agency_id)
        finally:
            connection.close()

    threading.Thread(target=fill, name=f"romanise-{agency_id}", daemon=True).start()


def _messages(error: Exception) -> list[str]:
    if isinstance(error, ValidationError):
        return [str(m) for m in error.messages]
    return [str(error)]


def _provenance(job: ImportJob, object_type: str, made: list[tuple[int, int]]) -> None:
    """Where each record came from: on PostgreSQL by COPY (a million rows at once take seconds)."""
    if connection.vendor == "postgresql" and made:
        table = Provenance._meta.db_table
        with (
            connection.cursor() as cursor,
            copy_in(cursor, f"COPY {table} (job_id, row, object_type, object_id) FROM STDIN") as copy,
        ):
            for row, pk in made:
                copy.write_row((job.pk, row, object_type, pk))
        return
    Provenance.objects.bulk_create(
        (Provenance(job=job, row=row, object_type=object_type, object_id=pk) for row, pk in made),
        batch_size=5000,
    )


def job_cancel(*, actor: User | None, job: ImportJob) -> ImportJob:
    if job.status in (ImportJob.Status.APPLIED, ImportJob.Status.APPLYING):
        raise ValidationError({"status": _("An applied import cannot be cancelled.")})
    with transaction.atomic():
        job.status = ImportJob.Status.CANCELLED
        job.save(update_fields=["status", "updated_at"])
        audit_record(actor=actor, action="imports.job.cancel", obj=job)
    _path(job).unlink(missing_ok=True)
    _checked_file(job).unlink(missing_ok=True)
    return job


def job_confirm_new(*, actor: User | None, job: ImportJob, rows: list[int]) -> ImportJob:
    """The user says these rows are other people than the registered person each looks like ("probably
    person N"): they are no longer held back when the file is checked again (which the caller runs)."""
    if job.status in (ImportJob.Status.APPLIED, ImportJob.Status.APPLYING, ImportJob.Status.REFUSED):
        raise ValidationError({"status": _("This import can no longer be changed.")})
    held = set(job.problems.filter(person__isnull=False).values_list("row", flat=True))
    unknown = sorted(set(rows) - held - set(job.confirmed_new))
    if unknown:
        raise ValidationError(
            {
                "rows": _("No row %(rows)s is held back as probably a registered person.")
                % {"rows": ", ".join(str(r) for r in unknown)}
            }
        )
    with transaction.atomic():
        job.confirmed_new = sorted(set(job.confirmed_new) | set(rows))
        job.save(update_fields=["confirmed_new", "updated_at"])
        audit_record(actor=actor, action="imports.job.not_same", obj=job, changes={"rows": sorted(rows)})
    return job


@transaction.atomic
def mapping_save(
    *,
    actor: User | None,
    agency: Agency,
    kind: str,
    name: str,
    source: str,
    columns: dict[str, str],
    defaults: dict[str, str] | None = None,
) -> MappingProfile:
    """Save (or replace) a named column mapping for files of one kind from one source, with the values given
    the same for every row (a village the source's files never name, for instance)."""
    defaults = {k: str(x) for k, x in (defaults or {}).items() if str(x).strip()}
    _kind(kind)
    name = name.strip()
    if not name:
        raise ValidationError({"name": _("Give the mapping a name, such as the agency it is for.")})
    known = {c.name for c in KINDS[kind].columns}
    unknown = sorted((set(columns) | set(defaults)) - known)
    if unknown:
        raise ValidationError(
            {"columns": _("Not fields of this import: %(names)s.") % {"names": ", ".join(unknown)}}
        )
    profile, _created = MappingProfile.objects.update_or_create(
        agency=agency,
        kind=kind,
        name=name,
        defaults={"source": source, "columns": columns, "defaults": defaults},
    )
    audit_record(
        actor=actor,
        action="imports.mapping.save",
        obj=profile,
        changes={"columns": columns, "defaults": defaults},
    )
    return profile


# Running ------------------------------------------------------------------------------------------------


def inline_limit() -> int:
    """Files up to this size are checked while the user waits; larger ones in the background."""
    return int(getattr(settings, "IMPORT_INLINE_BYTES", 2 * 1024 * 1024))


def worker_runs() -> bool:
    """True when `safepassage worker` runs background imports (production); else the web process starts a
    thread for each (the one-process demo on SQLite)."""
    return bool(getattr(settings, "BACKGROUND_WORKER", False))


def run(
    job: ImportJob,
    step: str,
    *,
    actor: User | None = None,
    valid_only: bool = False,
    background: bool | None = None,
) -> ImportJob:
    """Check or apply a job: now for a small file, else in the background (the page polls progress): queued
    for the worker when one runs, else on a thread of this process."""
    background = job.size > inline_limit() if background is None else background
    if not background:
        return run_step(job, step, actor=actor, valid_only=valid_only)
    if step == "apply":
        apply_allowed(job, valid_only)  # refuses now, in the request
        _claim(job)
    else:
        ImportJob.objects.filter(pk=job.pk).update(status=ImportJob.Status.CHECKING, rows_done=0)
    if worker_runs():
        order = {"step": step, "actor": getattr(actor, "pk", None), "valid_only": valid_only}
        ImportJob.objects.filter(pk=job.pk).update(file_info={**job.file_info, QUEUED: order})
    else:
        transaction.on_commit(
            lambda: threading.Thread(
                target=run_in_background,
                args=(job.pk, step, actor, valid_only),
                name=f"import-{job.pk}",
                daemon=True,
            ).start()
        )
    job.refresh_from_db()
    return job


def run_step(job: ImportJob, step: str, *, actor: User | None = None, valid_only: bool = False) -> ImportJob:
    if step == "check":
        return job_check(job)
    return job_apply(actor=actor, job=job, valid_only=valid_only)


def run_in_background(
    job_pk: int, step: str, actor: User | None, valid_only: bool, *, thread: bool = True
) -> None:
    """Run a step away from any request (a thread, or the worker): a failure is recorded on the job and
    logged, never raised, so the thread or the worker goes on. A thread closes its own connection."""
    try:
        run_step(ImportJob.objects.get(pk=job_pk), step, actor=actor, valid_only=valid_only)
    except Exception:  # the job records what went wrong; the thread must not die silently
        log.exception("import %s failed", job_pk)
        ImportJob.objects.filter(pk=job_pk).update(
            status=ImportJob.Status.FAILED,
            message=_("The import stopped on an unexpected error; nothing was applied."),
        )
    finally:
        (imports_dir() / f"{job_pk}.progress").unlink(missing_ok=True)
        if thread:
            connection.close()


def problems_csv(job: ImportJob) -> str:
    """The problems as CSV (row, column, reason), cells safe to open in a spreadsheet."""
    out = io.StringIO()
    writer = csv_writer(out)
    writer.writerow(["row", "column", "reason"])
    for problem in job.problems.all().iterator():
        writer.writerow([problem.row, safe_cell(problem.column), safe_cell(problem.reason)])
    if job.errors_total > KEEP_PROBLEMS:
        writer.writerow(["", "", _("… and %(n)d more problems.") % {"n": job.errors_total - KEEP_PROBLEMS}])
    return "\ufeff" + out.getvalue()


def people_rows(job: ImportJob) -> Any:
    """Which person each row of an applied people (or cases) file became: Provenance rows, by row."""
    return Provenance.objects.filter(job=job, object_type="registry.person").order_by("row")


def people_csv(job: ImportJob) -> str:
    """Row → person number as CSV, to write the numbers back into the partner's own list."""
    out = io.StringIO()
    writer = csv.writer(out)  # numbers only
    writer.writerow(["row", "person"])
    for row, person in people_rows(job).values_list("row", "object_id").iterator(chunk_size=5000):
        writer.writerow([row, person])
    return "\ufeff" + out.getvalue()


def check_by_writing(kind: Kind, rows: list[Row], ctx: Context, mapping: dict[str, str]) -> None:
    """Check rows of a row-by-row kind by writing each in a savepoint and rolling it back, so the checks are
    exactly the app's own; the caller runs this inside a transaction that is rolled back in the end."""
    for row in rows:
        if row.problems:
            continue
        try:
            with transaction.atomic():
                kind.write([row], ctx)
                raise _Undo
        except _Undo:
            pass
        except ValidationError as error:
            _errors_to_row(row, error, mapping)


class _Undo(Exception):
    pass
