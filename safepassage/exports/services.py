"""Making, downloading and purging exports.

Who: identified HTCDS exports for an agency's coordinators, over their own agency's cases (never cases only
shared with them by a referral); the de-identified dataset also for analysts. Every export states its purpose,
is audited with its kind, row count and filters, and is an AES-256 encrypted zip whose password is shown once
and never stored; only an administrator may choose an unencrypted file, and that choice is audited too."""

from __future__ import annotations

import csv
import hashlib
import io
import secrets
import uuid
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from safepassage.accounts.models import Agency
from safepassage.audit.services import audit_record
from safepassage.cases.models import Case
from safepassage.core.access import viewer_for
from safepassage.core.roles import Role
from safepassage.core.validation import safe_cell
from safepassage.exports import datasets
from safepassage.exports.models import Export

MAKERS: dict[str, tuple[str, ...]] = {
    Export.Kind.HTCDS: (Role.COORDINATOR,),
    Export.Kind.DEIDENTIFIED: (Role.COORDINATOR, Role.ANALYST),
}


def keep_hours() -> int:
    return int(getattr(settings, "EXPORT_KEEP_HOURS", 24))


def exports_dir() -> Path:
    path = Path(settings.DATA_DIR) / "exports"
    path.mkdir(parents=True, exist_ok=True)
    return path


def may_export(user: Any, kind: str | None = None) -> bool:
    roles = set(MAKERS[kind]) if kind else {r for rs in MAKERS.values() for r in rs}
    return any(g.role in roles for g in viewer_for(user).grants)


def exporting_agency(user: Any, kind: str, agency: Agency | None = None) -> Agency:
    """The agency whose cases are exported: the one named, or the user's only one where they may."""
    ids = sorted({g.agency_id for g in viewer_for(user).grants if g.role in MAKERS[kind]})
    if agency is not None:
        if agency.pk not in ids:
            raise Http404
        return agency
    if not ids:
        raise Http404
    if len(ids) > 1:
        raise ValidationError({"agency": _("You work for more than one agency: say which one's cases.")})
    return Agency.objects.get(pk=ids[0])


@dataclass(frozen=True)
class Filters:
    """Which cases: opened in a period (whole years for the de-identified dataset)."""

    opened_from: date | None = None
    opened_to: date | None = None

    def as_dict(self) -> dict[str, str]:
        return {
            k: v.isoformat()
            for k, v in (("opened_from", self.opened_from), ("opened_to", self.opened_to))
            if v
        }


def _cases(agency: Agency, filters: Filters) -> QuerySet[Case]:
    cases = Case.objects.filter(agency=agency).select_related("person").prefetch_related("events")
    if filters.opened_from:
        cases = cases.filter(opened_on__gte=filters.opened_from)
    if filters.opened_to:
        cases = cases.filter(opened_on__lte=filters.opened_to)
    return cases.order_by("opened_on", "pk")


def _csv_bytes(columns: list[str], rows: Iterable[dict[str, Any]]) -> tuple[bytes, int]:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(columns)
    count = 0
    for row in rows:
        writer.writerow([safe_cell(row.get(c, "")) for c in columns])
        count += 1
    return ("\ufeff" + out.getvalue()).encode("utf-8"), count


def _xlsx_bytes(
    columns: list[str], rows: Iterable[dict[str, Any]], report: dict[str, Any] | None
) -> tuple[bytes, int]:
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet("data")
    sheet.append(columns)
    count = 0
    for row in rows:
        sheet.append([safe_cell(row.get(c, "")) for c in columns])
        count += 1
    if report:
        notes = book.create_sheet("suppression")
        for key, value in report.items():
            notes.append([key, safe_cell(str(value))])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue(), count


def _zip(name: str, data: bytes, password: str | None, extra: dict[str, bytes]) -> bytes:
    import pyzipper

    buffer = io.BytesIO()
    if password:
        archive: Any = pyzipper.AESZipFile(
            buffer, "w", compression=pyzipper.ZIP_DEFLATED, encryption=pyzipper.WZ_AES
        )
        archive.setpassword(password.encode())
        archive.setencryption(pyzipper.WZ_AES, nbits=256)
    else:
        archive = pyzipper.ZipFile(buffer, "w", compression=pyzipper.ZIP_DEFLATED)
    with archive:
        archive.writestr(name, data)
        for extra_name, extra_data in extra.items():
            archive.writestr(extra_name, extra_data)
    return buffer.getvalue()


def _report_text(report: dict[str, Any]) -> bytes:
    lines = [
        _("De-identified dataset: what was done so that nobody can be recognised."),
        _("Quasi-identifiers: %(names)s") % {"names": ", ".join(report["quasi_identifiers"])},
        _("k = %(k)d: every combination of their values is shared by at least %(k)d records.")
        % {"k": report["k"]},
        _("Records: %(a)d in, %(b)d out, %(c)d dropped.")
        % {"a": report["records_in"], "b": report["records_out"], "c": report["records_dropped"]},
    ]
    for name, count in report["blanked"].items():
        lines.append(_("%(name)s: %(n)d values replaced by “Suppressed”.") % {"name": name, "n": count})
    return ("\n".join(lines) + "\n").encode("utf-8")


@transaction.atomic
def export_create(
    *,
    actor: Any,
    kind: str,
    purpose: str,
    file_format: str = Export.Format.CSV,
    filters: Filters | None = None,
    encrypt: bool = True,
    agency: Agency | None = None,
) -> tuple[Export, str | None]:
    """Make an export; returns it and the password of its encrypted zip (shown once, never stored)."""
    errors: dict[str, list[str]] = {}
    if kind not in Export.Kind.values:
        errors["kind"] = [_("Choose what to export: %(kinds)s.") % {"kinds": ", ".join(Export.Kind.values)}]
    if file_format not in Export.Format.values:
        errors["file_format"] = [_("The format is csv or xlsx.")]
    purpose = (purpose or "").strip()
    if len(purpose) < 10:
        errors["purpose"] = [
            _("Say what the export is for (at least a short sentence): it is kept in the audit trail.")
        ]
    filters = filters or Filters()
    if filters.opened_from and filters.opened_to and filters.opened_from > filters.opened_to:
        errors["opened_from"] = [_("The period starts after it ends.")]
    if errors:
        raise ValidationError(errors)
    if not may_export(actor, kind):
        raise Http404
    owner = exporting_agency(actor, kind, agency)
    if not encrypt and not viewer_for(actor).has_role(Role.ADMIN, agency_id=owner.pk):
        raise ValidationError(
            {"encrypt": _("Only an administrator may make an export that is not encrypted.")}
        )
    cases = _cases(owner, filters)
    report: dict[str, Any] | None = None
    rows: Iterator[dict[str, Any]] | list[dict[str, Any]]
    if kind == Export.Kind.HTCDS:
        columns = datasets.htcds_columns(identity=True)
        rows = datasets.htcds_rows(cases.iterator(chunk_size=500), identity=True)
    else:
        columns = list(datasets.DEIDENTIFIED_COLUMNS)
        rows, suppression = datasets.deidentify(datasets.ctdc_row(c) for c in cases.iterator(chunk_size=500))
        report = suppression.as_dict()
    stamp = timezone.localdate().isoformat()
    base = f"safepassage-{kind}-{owner.code}-{stamp}"
    if file_format == Export.Format.XLSX:
        data, count = _xlsx_bytes(columns, rows, report)
    else:
        data, count = _csv_bytes(columns, rows)
    password = secrets.token_urlsafe(12) if encrypt else None
    extra = {f"{base}-suppression.txt": _report_text(report)} if report else {}
    payload = _zip(f"{base}.{file_format}", data, password, extra)
    stored = f"{uuid.uuid4().hex}.zip"
    (exports_dir() / stored).write_bytes(payload)
    export = Export.objects.create(
        agency=owner,
        kind=kind,
        file_format=file_format,
        purpose=purpose,
        filters=filters.as_dict(),
        rows=count,
        encrypted=encrypt,
        file_name=f"{base}.zip",
        stored_as=stored,
        sha256=hashlib.sha256(payload).hexdigest(),
        suppression=report or {},
        requested_by=actor,
        expires_at=timezone.now() + timedelta(hours=keep_hours()),
    )
    audit_record(
        actor=actor,
        action="exports.export.create",
        obj=export,
        changes={
            "kind": kind,
            "format": file_format,
            "purpose": purpose,
            "rows": count,
            "filters": filters.as_dict(),
            "encrypted": encrypt,
        },
    )
    return export, password


def export_for_download(actor: Any, export: Export) -> bytes:
    """The file, for its requester only, while it is kept; each download audited."""
    if export.requested_by_id != getattr(actor, "pk", None) or not export.stored_as:
        raise Http404
    if export.expires_at <= timezone.now():
        raise Http404
    path = exports_dir() / export.stored_as
    if not path.exists():
        raise Http404
    with transaction.atomic():
        Export.objects.filter(pk=export.pk).update(downloads=export.downloads + 1)
        audit_record(
            actor=actor, action="exports.export.download", obj=export, changes={"file": export.file_name}
        )
    return path.read_bytes()


def exports_purge(*, now: Any = None) -> int:
    """Delete the files of exports past their time (the record of each export stays)."""
    now = now or timezone.now()
    done = 0
    for export in Export.objects.filter(expires_at__lte=now).exclude(stored_as=""):
        (exports_dir() / export.stored_as).unlink(missing_ok=True)
        with transaction.atomic():
            Export.objects.filter(pk=export.pk).update(stored_as="")
            audit_record(actor=None, action="exports.export.purge", obj=export)
        done += 1
    return done
