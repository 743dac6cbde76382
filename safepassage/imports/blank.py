"""Blank files to fill in, one per kind of import: the header row names each column in the user's language
with the field's code in brackets ("Given name (given_name)"), which the import recognises, so a partner can
type into the template and upload it with no column mapping."""

from __future__ import annotations

import io
from dataclasses import dataclass

from django.utils.translation import get_language
from django.utils.translation import gettext as _

from safepassage.core.validation import csv_writer, safe_cell
from safepassage.imports.kinds import KINDS, Assessments, Kind, indicator_key
from safepassage.registry.models import Catalogue


@dataclass(frozen=True)
class Field:
    code: str
    label: str
    required: bool
    known_as: tuple[str, ...]
    code_only: bool = False  # an indicator's column is headed by its code alone


def fields(kind: Kind) -> list[Field]:
    """The columns a kind reads, as the upload page lists them; assessments add the active catalogue's
    person indicators, one column each."""
    listed = [Field(c.name, str(c.label), c.required, c.aliases) for c in kind.columns]
    catalogue = (
        Catalogue.objects.filter(status=Catalogue.Status.ACTIVE).first()
        if isinstance(kind, Assessments)
        else None
    )
    if catalogue is not None:  # none active yet: the page still lists the other columns
        language = (get_language() or "en").split("-")[0]
        for item in catalogue.indicators.filter(active=True, level__in=("I", "H")):
            label = item.label.get(language) or item.label.get("en") or item.code
            listed.append(Field(item.code, str(label), False, (indicator_key(item.code),), code_only=True))
    return listed


def header(field: Field) -> str:
    return field.code if field.code_only else f"{field.label} ({field.code})"


def template_csv(name: str) -> str:
    """The template as CSV (UTF-8 with a byte-order mark, so spreadsheets read Thai): the header row only."""
    out = io.StringIO()
    csv_writer(out).writerow([safe_cell(header(f)) for f in fields(KINDS[name])])
    return "\ufeff" + out.getvalue()


def template_xlsx(name: str) -> bytes:
    """The template as XLSX: the header row to fill under, and a second sheet saying what each column
    takes and which ones are required."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    kind = KINDS[name]
    book = Workbook()
    sheet = book.active
    sheet.title = str(kind.label)[:31]
    listed = fields(kind)
    sheet.append([safe_cell(header(f)) for f in listed])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    about = book.create_sheet(_("Columns")[:31])
    about.append([_("Column"), _("Code"), _("Required"), _("Also recognised as")])
    for f in listed:
        about.append(
            [safe_cell(f.label), f.code, _("yes") if f.required else "", safe_cell(", ".join(f.known_as))]
        )
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
