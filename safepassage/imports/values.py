"""Reading the values partners really write: dates in four notations and two calendars, numbers typed as text,
names in six scripts — kept exactly, except Burmese typed in the Zawgyi font encoding, which is converted to
Unicode (or flagged when the converter is not sure)."""

from __future__ import annotations

import re
import unicodedata
from datetime import date, datetime, timedelta
from functools import lru_cache
from typing import Any

from django.utils.translation import gettext as _

# Buddhist-era years run 543 ahead: 2568 BE is 2025 CE. A four-digit year above this is taken as BE.
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


class ValueProblem(ValueError):
    """A value that cannot be read; the message says why in words for the person who made the file."""


def _year(value: int) -> int:
    return value - BE_OFFSET if value >= BE_FROM else value


def parse_date(value: Any) -> date | None:
    """A date from a cell: ISO (2025-03-07), day/month/year (07/03/2025, 7.3.2568), a Thai Buddhist-era year,
    an Excel serial (45723) or a date the spreadsheet already holds. Empty is None. Month/day/year is never
    guessed: 03/07/2025 is 3 July."""
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.date().replace(year=_year(value.year))
    if isinstance(value, date):
        return value.replace(year=_year(value.year))
    if isinstance(value, int | float) and not isinstance(value, bool):
        return _serial(value)
    text = str(value).strip()
    if not text:
        return None
    try:
        if match := _ISO.match(text):
            return date(_year(int(match[1])), int(match[2]), int(match[3]))
        if match := _DMY.match(text):
            return date(_year(int(match[3])), int(match[2]), int(match[1]))
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
    return _year(int(text))


def parse_int(value: Any) -> int | None:
    """A whole number typed as text or held as a number by the spreadsheet; empty is None."""
    if value is None or str(value).strip() == "":
        return None
    if isinstance(value, float) and value.is_integer():
        return int(value)
    text = str(value).strip().replace(",", "")
    if text.endswith(".0"):
        text = text[:-2]
    if not re.fullmatch(r"-?\d+", text):
        raise ValueProblem(_("%(value)s is not a whole number.") % {"value": text})
    return int(text)


def parse_float(value: Any) -> float | None:
    if value is None or str(value).strip() == "":
        return None
    try:
        return float(str(value).strip().replace(",", ""))
    except ValueError:
        raise ValueProblem(_("%(value)s is not a number.") % {"value": value}) from None


# Burmese --------------------------------------------------------------------------------------------------

_BURMESE = re.compile(r"[\u1000-\u109f]")
ZAWGYI_SURE = 0.95  # above this the text is converted
ZAWGYI_UNSURE = 0.05  # between the two it is kept as typed and flagged


@lru_cache(maxsize=1)
def _detector() -> Any:
    from myanmartools import ZawgyiDetector

    return ZawgyiDetector()


def zawgyi_probability(text: str) -> float:
    """How likely Burmese text is in the Zawgyi encoding rather than Unicode (0 for text with no Burmese)."""
    if not _BURMESE.search(text):
        return 0.0
    return float(_detector().get_zawgyi_probability(text))


def burmese_to_unicode(text: str) -> tuple[str, str]:
    """Text with any Zawgyi-encoded Burmese converted to Unicode. Returns the text and what was done:
    "" (nothing to do), "converted" or "unsure" (kept as typed: the caller flags it)."""
    probability = zawgyi_probability(text)
    if probability <= ZAWGYI_UNSURE:
        return text, ""
    if probability < ZAWGYI_SURE:
        return text, "unsure"
    from myanmar import converter

    return unicodedata.normalize("NFC", converter.convert(text, "zawgyi", "unicode")), "converted"


def clean_text(value: Any) -> str:
    """A cell as text, kept exactly as written (any script) except for surrounding spaces and Unicode
    normalisation (NFC), so that the same name typed on two keyboards compares equal."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return unicodedata.normalize("NFC", str(value).strip())
