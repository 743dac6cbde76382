"""Reading the values partners really write (dates are read by core.dates): numbers typed as text,
names in six scripts — kept exactly, except Burmese typed in the Zawgyi font encoding, which is converted to
Unicode (or flagged when the converter is not sure)."""

from __future__ import annotations

import re
import unicodedata
from datetime import date
from functools import lru_cache
from typing import Any

from django.utils.translation import gettext as _

from safepassage.core.dates import ValueProblem, ce_year, parse_date


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


def formula_reason() -> str:
    """Why a formula-like cell (core.validation.formula_like) is refused."""
    return _(
        "The cell holds text a spreadsheet would run as a formula (=, +, -, @ at its start or after a "
        "; , or |). Type the value itself, without those signs there."
    )


class BirthYear(int):
    """A year of birth found where a date of birth was expected: an estimate, not a date."""


def parse_birth_date(value: Any) -> Any:
    """A date of birth as core.dates reads it, or a year alone (2008, or 2551 in the Buddhist era, as text or
    as a number) as a BirthYear: partners often know no more than the year."""
    text = str(value).strip() if value is not None else ""
    if text.endswith(".0"):
        text = text[:-2]
    if re.fullmatch(r"\d{4}", text) and not isinstance(value, date):
        year = ce_year(int(text))
        if 1800 <= year <= 2200:
            return BirthYear(year)
    return parse_date(value)
