"""Periods for aggregates that leave the owning agency: whole calendar months, quarters or years, both ends
given. Open-ended or day-level bounds let a reader subtract one answer from the next (the cases opened on one
day are the difference between two consecutive open-ended counts), so for those readers they are refused.
"""

from __future__ import annotations

import calendar
from datetime import date

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _


def month_end(day: date) -> date:
    """The last day of `day`'s month."""
    return day.replace(day=calendar.monthrange(day.year, day.month)[1])


def check_whole_months(start: date | None, end: date | None, *, start_name: str, end_name: str) -> None:
    """Raise a ValidationError naming the parameter unless start is the first day of a month and end the
    last day of a month (so the period is whole months: a month, a quarter, a year or several), both given,
    and start not after end."""
    errors: dict[str, str] = {}
    if start is None:
        errors[start_name] = _("Give the first month of the period (from the first day of a month).")
    elif start.day != 1:
        errors[start_name] = _(
            "Outside your agency, periods are whole months: start on the first day of a month, such as "
            "%(day)s."
        ) % {"day": start.replace(day=1).isoformat()}
    if end is None:
        errors[end_name] = _("Give the last month of the period (to the last day of a month).")
    elif end != month_end(end):
        errors[end_name] = _(
            "Outside your agency, periods are whole months: end on the last day of a month, such as %(day)s."
        ) % {"day": month_end(end).isoformat()}
    if not errors and start is not None and end is not None and start > end:
        errors[start_name] = _("The period starts after it ends.")
    if errors:
        raise ValidationError(errors)
