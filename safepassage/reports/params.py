"""Reading report parameters (groupings, periods, areas) from a query string, with clear errors."""

from __future__ import annotations

from datetime import date

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from safepassage.geo.models import Area


def parse_group_by(value: str, default: str = "district") -> list[str]:
    """`district,sex` → ["district", "sex"]."""
    return [part.strip() for part in (value or default).split(",") if part.strip()]


def parse_period(value: str, field: str) -> tuple[date, date]:
    """`2025-01-01..2025-06-30` → (start, end)."""
    try:
        start, end = value.split("..")
        return date.fromisoformat(start.strip()), date.fromisoformat(end.strip())
    except ValueError:
        raise ValidationError({field: _("Write a period as YYYY-MM-DD..YYYY-MM-DD.")}) from None


def parse_area(code: str) -> Area | None:
    """An area by code, or None when no code is given."""
    if not code:
        return None
    area = Area.objects.filter(code=code).first()
    if area is None:
        raise ValidationError({"area": _("There is no area with the code %(code)s.") % {"code": code}})
    return area
