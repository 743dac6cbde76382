"""Small checks shared by every module's services."""

from __future__ import annotations

import csv
import re
from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext as _


def not_in_future(value: date | None, field: str) -> None:
    """Refuse a date after today (in the configured time zone), naming the field."""
    if value is not None and value > timezone.localdate():
        raise ValidationError({field: _("The date cannot be in the future.")})


# A spreadsheet runs a cell as a formula when its text starts with one of these; a cell holding a separator
# (`Chaidi;=1+1`) becomes such a cell when a spreadsheet splits the text at that separator.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_FORMULA_LIKE = re.compile(r"(?:^|[,;|\t\r\n])[ ]*[=+\-@\t\r](?![ ]*$)")


def formula_like(value: Any) -> bool:
    """Text a spreadsheet could run as a formula: = + - @ tab or CR at the start of the cell, or after a
    separator inside it (`,` `;` `|` tab or a line break, spaces allowed between), as OWASP describes CSV
    injection."""
    return isinstance(value, str) and bool(_FORMULA_LIKE.search(value))


def safe_cell(value: Any) -> Any:
    """A spreadsheet cell that cannot run as a formula: formula-like text (see formula_like) gets a leading
    quote, which spreadsheets show as text. One home for every CSV and XLSX SafePassage writes."""
    if formula_like(value):
        return "'" + value
    return "" if value is None else value


def csv_writer(out: Any, **options: Any) -> Any:
    """A CSV writer that puts every text cell in quotes, so that a spreadsheet set to another separator
    (`;` in much of Europe and Asia) never splits a cell into one that starts with a formula. Write cells
    through safe_cell."""
    return csv.writer(out, quoting=csv.QUOTE_NONNUMERIC, **options)


def text_fields_check(sender: Any, instance: Any, raw: bool = False, **kwargs: Any) -> None:
    """Before any model is saved: text over its field's max_length, or None in a text field that cannot be
    empty, is a ValidationError naming the field. SQLite stores any length and PostgreSQL fails with a
    database error; this gives both the same clear answer (a 400 naming the field), whatever path wrote it."""
    if raw:
        return
    errors: dict[str, list[str]] = {}
    for field in instance._meta.concrete_fields:
        if not isinstance(field, models.CharField | models.TextField):
            continue
        value = getattr(instance, field.attname, None)
        if value is None and not field.null:
            errors[field.name] = [_("This field cannot be empty (null).")]
        elif isinstance(value, str) and field.max_length and len(value) > field.max_length:
            errors[field.name] = [
                _("At most %(limit)d characters, not %(length)d.")
                % {"limit": field.max_length, "length": len(value)}
            ]
    if errors:
        raise ValidationError(errors)
