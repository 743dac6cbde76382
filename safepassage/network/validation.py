"""Checks shared by the directory's services: each cleans one field of a change in place and records what is
wrong under the field's name, so one ValidationError names every field at fault."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from safepassage.geo.models import Area
from safepassage.network.languages import clean_language

PHONE = re.compile(r"^\+?[0-9][0-9 ()\-./]{1,38}$")
COUNTRY = re.compile(r"^[A-Z]{2}$")

Errors = dict[str, list[str]]


def clean_text(
    data: dict[str, Any], errors: Errors, field: str, max_length: int, *, required: bool = False
) -> None:
    """Trim a text field in place; refuse it when too long, or blank when required."""
    if field not in data:
        return
    value = "" if data[field] is None else str(data[field]).strip()
    data[field] = value
    if required and not value:
        errors[field] = [_("This field is required.")]
    elif len(value) > max_length:
        errors[field] = [_("Keep this under %(n)d characters.") % {"n": max_length + 1}]


def clean_choice(data: dict[str, Any], errors: Errors, field: str, allowed: Sequence[str]) -> None:
    """One of the allowed values."""
    if field in data and data[field] not in allowed:
        errors[field] = [_("Unknown value %(value)s.") % {"value": data[field]}]


def clean_phone(data: dict[str, Any], errors: Errors, field: str = "phone") -> None:
    """A phone number: digits, spaces and punctuation, an optional + in front."""
    clean_text(data, errors, field, 40)
    if data.get(field) and field not in errors and not PHONE.match(data[field]):
        errors[field] = [_("Write a phone number with digits, spaces and an optional + in front.")]


def clean_country(data: dict[str, Any], errors: Errors, field: str = "country") -> None:
    """A two-letter country code, upper case."""
    if field not in data:
        return
    data[field] = str(data[field] or "").strip().upper()
    if not COUNTRY.match(data[field]):
        errors[field] = [_("Give the two-letter country code, e.g. TH, LA, MM or KH.")]


def clean_languages(data: dict[str, Any], errors: Errors, field: str = "languages") -> None:
    """Language codes, in their stored form, without repeats."""
    if field not in data:
        return
    codes: list[str] = []
    bad: list[str] = []
    for value in data[field] or []:
        code = clean_language(value)
        if code is None:
            bad.append(str(value))
        elif code not in codes:
            codes.append(code)
    if bad:
        errors[field] = [
            _("These are not language codes (ISO 639, e.g. th, my, lo): %(codes)s")
            % {"codes": ", ".join(bad)}
        ]
    data[field] = codes


def clean_expertise(
    data: dict[str, Any], errors: Errors, field: str, current: list[str] | None = None
) -> None:
    """Codes of the list of expertise (data, R-016), in its order, without repeats. A retired code is refused,
    except one the record already has (`current`)."""
    from safepassage.network.kinds import expertise_codes

    if field not in data:
        return
    values = [str(v) for v in data[field] or []]
    allowed = set(expertise_codes()) | set(current or [])
    unknown = [v for v in values if v not in allowed]
    if unknown:
        errors[field] = [_("Unknown expertise: %(codes)s") % {"codes": ", ".join(unknown)}]
    data[field] = [e for e in expertise_codes(active=False) if e in values]  # one order, no repeats


def clean_translations(
    data: dict[str, Any], errors: Errors, limits: dict[str, int], field: str = "translations"
) -> None:
    """Texts in other languages, `{"name": {"th": "…"}, …}`: only the fields in `limits` (each no longer than
    its limit) and SafePassage's languages other than English, which lives in the field itself. Blank texts
    are dropped."""
    if field not in data:
        return
    value = data[field] or {}
    languages = {code for code, _name in settings.LANGUAGES} - {"en"}
    problems: list[str] = []
    clean: dict[str, dict[str, str]] = {}
    if not isinstance(value, dict):
        problems.append(_('Give the texts as {"name": {"th": "…"}}.'))
        value = {}
    for name, texts in value.items():
        if name not in limits or not isinstance(texts, dict):
            problems.append(_("%(field)s cannot be translated here.") % {"field": name})
            continue
        for language, text in texts.items():
            text = "" if text is None else str(text).strip()
            if language not in languages:
                problems.append(_("%(code)s is not one of the other languages.") % {"code": language})
            elif len(text) > limits[name]:
                problems.append(_("Keep this under %(n)d characters.") % {"n": limits[name] + 1})
            elif text:
                clean.setdefault(name, {})[language] = text
    data[field] = clean
    if problems:
        errors[field] = problems


def clean_flag(data: dict[str, Any], field: str = "active") -> None:
    """A yes/no field as a boolean."""
    if field in data:
        data[field] = bool(data[field])


def raise_errors(errors: Errors) -> None:
    """Refuse the change, naming every field at fault, if anything was wrong."""
    if errors:
        raise ValidationError(errors)


def find_area(code: str | None, errors: Errors, field: str = "area_code") -> Area | None:
    """The area with this code (any level), or None; an unknown code is an error."""
    if not code:
        return None
    area = Area.objects.filter(code=str(code).strip()).first()
    if area is None:
        errors[field] = [_("There is no area with the code %(code)s.") % {"code": code}]
    return area


def find_areas(codes: Sequence[str], errors: Errors, field: str = "area_codes") -> list[Area]:
    """The areas with these codes, in the order given; unknown codes are an error."""
    wanted = list(dict.fromkeys(str(c).strip() for c in codes if str(c).strip()))
    found = {a.code: a for a in Area.objects.filter(code__in=wanted)}
    missing = [c for c in wanted if c not in found]
    if missing:
        errors[field] = [_("Unknown area codes: %(codes)s") % {"codes": ", ".join(missing)}]
    return [found[c] for c in wanted if c in found]
