"""Dates as people write them: ISO, day/month/year, Thai Buddhist-era years, spreadsheet serials.

One home for reading them, used by imports, forms and report filters alike. Buddhist-era years run 543
ahead of the Christian era (2568 BE is 2025 CE); a four-digit year from 2400 on is taken as BE.
"""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from typing import Any

from django.utils.translation import gettext as _

BE_OFFSET = 543
BE_FROM = 2400
# Excel counts days from 1899-12-30 (it believes 1900 was a leap year); serials in this range are dates
# between 1900-01-01 and 2173 — far wider than any birth or assessment date.
EXCEL_EPOCH = date(1899, 12, 30)
EXCEL_SERIALS = range(1, 100_000)

_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[T ][0-9:.+\-Z]*)?$")
_DMY = re.compile(r"^(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{4})$")
_YEAR = re.compile(r"^\d{4}$")
_SERIAL = re.compile(r"^\d{1,5}(?:\.\d+)?$")
_DAY = re.compile(r"^(\d{4})(?:-(\d{2})-(\d{2}))?$")


class ValueProblem(ValueError):
    """A value that cannot be read; the message says why in words for the person who wrote it."""


def ce_year(value: int) -> int:
    """A year in the Christian era: a Buddhist-era year (from 2400) moved back 543 years."""
    return value - BE_OFFSET if value >= BE_FROM else value


def parse_date(value: Any) -> date | None:
    """A date from a cell or a field: ISO (2025-03-07), day/month/year (07/03/2025, 7.3.2568), a Thai
    Buddhist-era year, an Excel serial (45723) or a date already held as one. Empty is None. Month/day/year
    is never guessed: 03/07/2025 is 3 July."""
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.date().replace(year=ce_year(value.year))
    if isinstance(value, date):
        return value.replace(year=ce_year(value.year))
    if isinstance(value, int | float) and not isinstance(value, bool):
        return _serial(value)
    text = str(value).strip()
    if not text:
        return None
    try:
        if match := _ISO.match(text):
            return date(ce_year(int(match[1])), int(match[2]), int(match[3]))
        if match := _DMY.match(text):
            return date(ce_year(int(match[3])), int(match[2]), int(match[1]))
    except ValueError:
        raise ValueProblem(_("%(value)s is not a date that exists.") % {"value": text}) from None
    if _SERIAL.match(text) and not _YEAR.match(text):
        return _serial(float(text))
    raise ValueProblem(
        _("%(value)s is not a date. Write it as 2025-03-07 or 07/03/2025 (day/month/year).") % {"value": text}
    )


def _serial(number: float) -> date:
    if int(number) not in EXCEL_SERIALS:
        raise ValueProblem(_("%(value)s is not a date.") % {"value": number})
    return EXCEL_EPOCH + timedelta(days=int(number))


def parse_year(value: Any) -> int | None:
    """A year of birth, Christian or Buddhist era; empty is None."""
    if value is None or str(value).strip() == "":
        return None
    text = str(value).strip()
    if text.endswith(".0"):
        text = text[:-2]
    if not _YEAR.match(text):
        raise ValueProblem(_("%(value)s is not a year: write four digits, such as 2010.") % {"value": text})
    return ce_year(int(text))


def parse_day(value: str, *, end: bool) -> date:
    """A report filter's day: YYYY or YYYY-MM-DD, in either era; a year alone is its first day (from) or
    its last day (to, `end`). Raises ValueError for anything else."""
    match = _DAY.match(value)
    if not match:
        raise ValueError(value)
    year = ce_year(int(match.group(1)))
    if match.group(2) is None:
        return date(year, 12, 31) if end else date(year, 1, 1)
    return date(year, int(match.group(2)), int(match.group(3)))
