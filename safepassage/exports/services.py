"""Making, downloading and purging exports.

Who: identified HTCDS exports for an agency's coordinators and administrators, over that agency's cases (never
cases only shared with it by a referral); names, birth date and ID number only for the coordinators (the case
staff, docs/roles.md) — an administrator's HTCDS file leaves them out. The de-identified dataset also for
analysts, whose period, when they give one, is whole calendar months (core.periods). Every export states its
purpose and is audited with its kind, row count and filters; it is an AES-256 encrypted zip whose password is
shown once and never stored; only an administrator may choose an unencrypted file, and that choice is
audited too. The file is written row by row to disk (XLSX in write-only mode), so memory stays flat whatever
the number of cases; the de-identified dataset alone is held in memory, one small row per case, because
k-anonymity needs every row."""

from __future__ import annotations

import hashlib
import secrets
import tempfile
import uuid
from collections.abc import Iterable
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
from safepassage.cases import htcds_lists
from safepassage.cases.models import Case
from safepassage.core.access import viewer_for
from safepassage.core.periods import check_whole_months
from safepassage.core.replica import reading_replica
from safepassage.core.roles import Action, Role
from safepassage.core.validation import csv_writer, safe_cell
from safepassage.exports import deidentified, htcds
from safepassage.exports.models import Export
from safepassage.exports.selectors import may_download

MAKERS: dict[str, tuple[str, ...]] = {
    Export.Kind.HTCDS: (Role.ADMIN, Role.COORDINATOR),
    Export.Kind.DEIDENTIFIED: (Role.ADMIN, Role.COORDINATOR, Role.ANALYST),
}
# Roles that see victims' identity (docs/roles.md): only they get names, birth dates and ID numbers.
IDENTITY_ROLES = (Role.COORDINATOR, Role.CASEWORKER)
# The owning agency's case staff and administrators choose any period; anyone else (an analyst) whole months.
EXACT_ROLES = (Role.ADMIN, Role.COORDINATOR, Role.CASEWORKER)
MIN_PURPOSE = 10


def keep_hours() -> int:
    return int(getattr(settings, "EXPORT_KEEP_HOURS", 24))


def exports_dir() -> Path:
    path = Path(settings.DATA_DIR) / "exports"
    path.mkdir(parents=True, exist_ok=True)
    return path


def may_export(user: Any, kind: str | None = None) -> bool:
    roles = set(MAKERS[kind]) if kind else {r for rs in MAKERS.values() for r in rs}
    return any(g.role in roles for g in viewer_for(user).grants)


def split_kind(kind: str, file_format: str | None) -> tuple[str, str]:
    """`htcds_xlsx` is `htcds` as XLSX: the kind may carry its format."""
    base, _sep, suffix = (kind or "").partition("_")
    if suffix in Export.Format.values and base in Export.Kind.values:
        return base, suffix
    return kind, file_format or Export.Format.CSV


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
    """Which cases: opened in a period."""

    opened_from: date | None = None
    opened_to: date | None = None

    def as_dict(self) -> dict[str, str]:
        return {
            k: v.isoformat()
            for k, v in (("opened_from", self.opened_from), ("opened_to", self.opened_to))
            if v
        }


def _cases(actor: Any, agency: Agency, filters: Filters) -> QuerySet[Case]:
    """The agency's own cases that the requester may read: a coordinator within their areas, as the cases
    app scopes them; an administrator or analyst (who do not open cases) all of the agency's, since what
    they get leaves identity out. A referral shared with the agency never counts as its own case."""
    cases = Case.objects.filter(agency=agency)
    if actor is not None:
        viewer = viewer_for(actor)
        if viewer.has_role(*IDENTITY_ROLES, agency_id=agency.pk):
            cases = cases.filter(Case.own_q(viewer, Action.VIEW))
    if filters.opened_from:
        cases = cases.filter(opened_on__gte=filters.opened_from)
    if filters.opened_to:
        cases = cases.filter(opened_on__lte=filters.opened_to)
    return cases.select_related("person").prefetch_related("events").order_by("opened_on", "pk")


def _write_csv(path: Path, columns: list[str], rows: Iterable[dict[str, Any]]) -> int:
    """UTF-8 with a byte-order mark, so that spreadsheets read Thai and Burmese."""
    count = 0
    with path.open("w", encoding="utf-8-sig", newline="") as out:
        writer = csv_writer(out)
        writer.writerow(columns)
        for row in rows:
            writer.writerow([safe_cell(row.get(c, "")) for c in columns])
            count += 1
    return count


def _write_xlsx(
    path: Path, columns: list[str], rows: Iterable[dict[str, Any]], report: dict[str, Any] | None
) -> int:
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
        for line in deidentified.report_text(report, _).splitlines():
            notes.append([safe_cell(line)])
    book.save(path)
    return count


def _write_template(path: Path, rows: Iterable[dict[str, Any]]) -> int:
    """IOM's HTCDS Excel template as IOM publishes it: the sheet "Case Sheet" with field names in row 1 and
    their labels in row 2, rows numbered in column A, values as the labels of its drop-downs (listed on the
    sheet "validation"), so that a partner working in the template reads and extends the file as their own."""
    from openpyxl import Workbook
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    layout = htcds_lists.load()["template"]
    columns = htcds_lists.template_columns()
    book = Workbook()
    sheet = book.active
    sheet.title = layout["sheet"]
    sheet.append([name or None for name, _label in columns])
    sheet.append([label or None for _name, label in columns])
    count = 0
    for row in rows:
        count += 1
        values = [row.get(htcds_lists.standard_name(name), "") if name else "" for name, _label in columns]
        values[0] = count
        sheet.append([safe_cell(v) for v in values])
    about = book.create_sheet("about")
    about.append(["Microsoft Excel HTCDS 2.0"])
    about.append(["https://github.com/UNMigration/HTCDS"])
    lookups = book.create_sheet("validation")
    lookups["A1"] = "Validation Lookups"
    where: dict[str, str] = {}
    for index, (title, labels) in enumerate(layout["validation"], start=2):
        letter = get_column_letter(index)
        lookups[f"{letter}3"] = title
        for offset, label in enumerate(labels, start=4):
            lookups[f"{letter}{offset}"] = safe_cell(label)
        where[title.casefold()] = f"validation!${letter}$4:${letter}${3 + len(labels)}"
    for index, (name, label) in enumerate(columns, start=1):
        source = where.get(("country" if name == "prs_Citizenship" else label).casefold())
        if name and source and htcds_lists.standard_name(name) in htcds.TEMPLATE_LIST_FIELDS:
            rule = DataValidation(type="list", formula1=source, allow_blank=True)
            letter = get_column_letter(index)
            rule.add(f"{letter}3:{letter}{max(count + 2, 502)}")
            sheet.add_data_validation(rule)
    book.save(path)
    return count


def _zip(target: Path, members: dict[str, Path | bytes], password: str | None) -> None:
    import pyzipper

    archive: Any
    if password:
        archive = pyzipper.AESZipFile(
            target, "w", compression=pyzipper.ZIP_DEFLATED, encryption=pyzipper.WZ_AES
        )
        archive.setpassword(password.encode())
        archive.setencryption(pyzipper.WZ_AES, nbits=256)
    else:
        archive = pyzipper.ZipFile(target, "w", compression=pyzipper.ZIP_DEFLATED)
    with archive:
        for name, member in members.items():
            if isinstance(member, Path):
                archive.write(member, arcname=name)
            else:
                archive.writestr(name, member)


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        for block in iter(lambda: stream.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _check(kind: str, file_format: str, purpose: str, filters: Filters) -> None:
    errors: dict[str, list[str]] = {}
    if kind not in Export.Kind.values:
        errors["kind"] = [_("Choose what to export: %(kinds)s.") % {"kinds": ", ".join(Export.Kind.values)}]
    if file_format not in Export.Format.values:
        errors["file_format"] = [_("The format is csv, xlsx or iom (IOM's HTCDS Excel template).")]
    elif file_format == Export.Format.IOM and kind != Export.Kind.HTCDS:
        errors["file_format"] = [_("Only the HTCDS export can be laid out as IOM's template.")]
    if len(purpose) < MIN_PURPOSE:
        errors["purpose"] = [
            _(
                "Say what the export is for, in at least %(n)d characters (a short sentence): "
                "it is kept in the audit trail."
            )
            % {"n": MIN_PURPOSE}
        ]
    if filters.opened_from and filters.opened_to and filters.opened_from > filters.opened_to:
        errors["opened_from"] = [_("The period starts after it ends.")]
    if errors:
        raise ValidationError(errors)


def export_create(
    *,
    actor: Any,
    kind: str,
    purpose: str,
    file_format: str | None = None,
    filters: Filters | None = None,
    encrypt: bool = True,
    agency: Agency | None = None,
) -> tuple[Export, str | None]:
    """Make an export; returns it and the password of its encrypted zip (shown once, never stored).

    `actor=None` is the command line run on the server, which must name the agency; it exports like the
    agency's coordinators."""
    kind, file_format = split_kind(kind, file_format)
    purpose = (purpose or "").strip()
    filters = filters or Filters()
    _check(kind, file_format, purpose, filters)
    if actor is None:
        if agency is None:
            raise ValidationError({"agency": _("Name the agency whose cases to export.")})
        owner, identity, admin = agency, True, True
    else:
        if not may_export(actor, kind):
            raise Http404
        owner = exporting_agency(actor, kind, agency)
        viewer = viewer_for(actor)
        identity = viewer.has_role(*IDENTITY_ROLES, agency_id=owner.pk)
        admin = viewer.has_role(Role.ADMIN, agency_id=owner.pk)
        if (filters.opened_from or filters.opened_to) and not viewer.has_role(
            *EXACT_ROLES, agency_id=owner.pk
        ):
            # Two files whose periods differ by a day differ by that day's cases (docs/exports.md).
            check_whole_months(
                filters.opened_from, filters.opened_to, start_name="opened_from", end_name="opened_to"
            )
    if not encrypt and not admin:
        raise ValidationError(
            {"encrypt": _("Only an administrator may make an export that is not encrypted.")}
        )
    base = f"safepassage-{kind}-{owner.code}-{timezone.localdate().isoformat()}"
    password = secrets.token_urlsafe(16) if encrypt else None
    stored = f"{uuid.uuid4().hex}.zip"
    target = exports_dir() / stored
    try:
        # The cases are read from the replica when there is one (core/replica.py): an export's reads are its
        # heaviest; the record of the export and its audit event are written to the primary afterwards.
        with reading_replica():
            chosen = _cases(actor, owner, filters)
            no_consent = 0
            if kind == Export.Kind.HTCDS and identity:
                # Names leave the agency only for people who agreed to their case being shared
                # (con_Consent); the others are still counted in the de-identified export.
                no_consent = chosen.filter(consent_to_share=False).count()
                chosen = chosen.filter(consent_to_share=True)
            cases = chosen.iterator(chunk_size=500)
            report: dict[str, Any] | None = None
            rows: Iterable[dict[str, Any]]
            if kind == Export.Kind.HTCDS:
                columns = htcds.columns(identity=identity)
                if file_format == Export.Format.IOM:
                    rows = htcds.template_rows(cases, identity=identity)
                else:
                    rows = htcds.rows(cases, identity=identity)
            else:
                columns = list(deidentified.COLUMNS)
                rows, suppression = deidentified.deidentify(deidentified.row(c) for c in cases)
                report = suppression.as_dict()
            with tempfile.TemporaryDirectory(dir=exports_dir()) as work:
                suffix = "xlsx" if file_format == Export.Format.IOM else file_format
                data = Path(work) / f"{base}.{suffix}"
                if file_format == Export.Format.IOM:
                    count = _write_template(data, rows)
                elif file_format == Export.Format.XLSX:
                    count = _write_xlsx(data, columns, rows, report)
                else:
                    count = _write_csv(data, columns, rows)
                members: dict[str, Path | bytes] = {data.name: data}
                if report:
                    members[f"{base}-suppression.txt"] = deidentified.report_text(report, _).encode("utf-8")
                _zip(target, members, password)
        with transaction.atomic():
            export = Export.objects.create(
                agency=owner,
                kind=kind,
                file_format=file_format,
                purpose=purpose,
                filters=filters.as_dict(),
                rows=count,
                encrypted=encrypt,
                identified=identity and kind == Export.Kind.HTCDS,
                file_name=f"{base}.zip",
                stored_as=stored,
                sha256=_sha256(target),
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
                    "identified": export.identified,
                    "left_out_without_consent": no_consent,
                    "via": "web or API" if actor is not None else "command line",
                },
                # the stated purpose is the exporter's own words about the export, kept whole
                plain=("purpose", "via"),
            )
    except BaseException:
        target.unlink(missing_ok=True)
        raise
    return export, password


def export_file(actor: Any, export: Export) -> Path:
    """The zip, for its requester or their agency's administrators, while it is kept; downloads audited."""
    if actor is None or not may_download(actor, export) or not export.stored_as:
        raise Http404
    if export.expires_at <= timezone.now():
        raise Http404
    path = exports_dir() / export.stored_as
    if not path.exists():
        raise Http404
    now = timezone.now()
    with transaction.atomic():
        Export.objects.filter(pk=export.pk).update(downloads=export.downloads + 1, downloaded_at=now)
        audit_record(
            actor=actor,
            action="exports.export.download",
            obj=export,
            changes={"file": export.file_name, "requested_by_self": export.requested_by_id == actor.pk},
        )
    export.downloads += 1
    export.downloaded_at = now
    return path


def exports_purge(*, now: Any = None) -> int:
    """Delete the files of exports past their time (the record of each export stays)."""
    now = now or timezone.now()
    done = 0
    for export in Export.objects.filter(expires_at__lte=now).exclude(stored_as="").select_related("agency"):
        (exports_dir() / export.stored_as).unlink(missing_ok=True)
        with transaction.atomic():
            Export.objects.filter(pk=export.pk).update(stored_as="")
            audit_record(actor=None, action="exports.export.purge", obj=export)
        done += 1
    return done
