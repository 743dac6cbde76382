"""Words and codes partners write for coded fields: sex in several languages, and HTCDS code lists as codes or
as the labels IOM's template and XLSForm write (matched ignoring case and spacing)."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from django.utils.translation import gettext as _

from safepassage.cases import htcds, htcds_lists
from safepassage.imports import known
from safepassage.imports import values as v
from safepassage.registry.models import Person


def parse_sex(value: Any) -> str:
    """Sex as written in any of the seven languages, or abbreviated (F, M, ญ, ช…): see data/known.json."""
    words = known.sex_words()
    text = known.normal(v.clean_text(value))
    if text not in words:
        raise v.ValueProblem(
            _("Sex is female, male, other or unknown (F or M will do), not %(value)s.") % {"value": value}
        )
    return words[text]


def htcds_choice(field: str) -> Callable[[Any], str]:
    """A cell of an HTCDS code list: its code, or its label as IOM's template and XLSForm write it (case and
    spacing ignored); empty is ""."""

    def parse(value: Any) -> str:
        text = v.clean_text(value)
        if not text:
            return ""
        code = htcds_lists.lookup(field).get(htcds_lists.key(text))
        if code is None:
            raise v.ValueProblem(_unknown(field, text))
        return code

    return parse


def htcds_choices(field: str) -> Callable[[Any], list[str]]:
    """Several answers of an HTCDS code list in one cell: labels separated by semicolons or line breaks, or
    codes separated by spaces (as ODK and KoboToolbox write select_multiple answers) or commas."""

    def parse(value: Any) -> list[str]:
        text = v.clean_text(value)
        known = htcds_lists.lookup(field)
        labels = [p for p in re.split(r"[;\n]+", text) if p.strip()]
        for parts in (labels, [p for p in re.split(r"[\s,;]+", text) if p]):
            codes = [known.get(htcds_lists.key(p)) for p in parts]
            if all(codes):
                return list(dict.fromkeys(c for c in codes if c))
        unknown = [p.strip() for p in labels if htcds_lists.key(p) not in known]
        raise v.ValueProblem(_unknown(field, "; ".join(unknown or labels)))

    return parse


def _unknown(field: str, text: str) -> str:
    entries = htcds_lists.load()["lists"].get(field, [])
    if len(entries) > 30:
        return _("“%(value)s” is not on this column's list: write a country name or its two-letter code.") % {
            "value": text
        }
    return _("“%(value)s” is not on this column's list. Choose one of: %(known)s.") % {
        "value": text,
        "known": ", ".join(str(e[1]) for e in entries),
    }


def parse_consent(value: Any) -> bool | None:
    """con_Consent: Yes or No (TRUE or FALSE as the XLSForm stores it); empty is None (not asked)."""
    code = htcds_choice("con_Consent")(value)
    return None if code == "" else code == "TRUE"


def parse_htcds_gender(value: Any) -> str:
    """prs_Gender as the standard codes it; a plain sex (F, male…) is taken as its nearest code."""
    text = v.clean_text(value)
    if not text:
        return ""
    code = htcds_lists.lookup("prs_Gender").get(htcds_lists.key(text))
    if code is not None:
        return code
    try:
        return SEX_GENDER[parse_sex(text)]
    except v.ValueProblem:
        raise v.ValueProblem(_unknown("prs_Gender", text)) from None


SEX_GENDER: dict[str, str] = {
    Person.Sex.FEMALE: htcds.Gender.FEMININE,
    Person.Sex.MALE: htcds.Gender.MASCULINE,
    Person.Sex.OTHER: htcds.Gender.NON_CONFORMING,
    Person.Sex.UNKNOWN: htcds.Gender.UNKNOWN,
}


def parse_languages(value: Any) -> list[str]:
    return [part.strip() for part in re.split(r"[,;]", v.clean_text(value)) if part.strip()]


def parse_list(value: Any) -> list[str]:
    """Several codes in one cell: separated by spaces (as ODK and KoboToolbox write select_multiple
    answers), commas or semicolons."""
    return [part for part in re.split(r"[\s,;]+", v.clean_text(value)) if part]
