"""Small checks shared by every module's services."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
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
