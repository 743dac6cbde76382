"""Small checks shared by every module's services."""

from __future__ import annotations

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


def safe_cell(value: Any) -> Any:
    """A spreadsheet cell that cannot run as a formula: text starting with = + - @ tab or CR gets a quote."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return "" if value is None else value


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
