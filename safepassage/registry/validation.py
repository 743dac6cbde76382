"""Checks on identifiers and scores, shared by the API, the forms and the imports."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from safepassage.registry.scoring import IndicatorSpec


def thai_id_valid(value: str) -> bool:
    """A Thai 13-digit ID card number with a correct check digit."""
    digits = value.replace("-", "").replace(" ", "")
    if len(digits) != 13 or not digits.isdigit():
        return False
    total = sum(int(d) * (13 - i) for i, d in enumerate(digits[:12]))
    return (11 - total % 11) % 10 == int(digits[12])


def clean_national_id(value: str) -> str:
    """Normalise a national ID; 13 digits are checked as a Thai ID card number."""
    value = (value or "").strip()
    digits = value.replace("-", "").replace(" ", "")
    if digits.isdigit() and len(digits) == 13:
        if not thai_id_valid(digits):
            raise ValidationError(
                {"national_id": _("This Thai ID number is not right: its last digit does not match.")}
            )
        return digits
    if digits.isdigit() and 10 <= len(digits) <= 14:
        raise ValidationError({"national_id": _("A Thai ID number has 13 digits.")})
    return value


def clean_assessed_on(value: date) -> date:
    """An assessment date may be in the past, never in the future."""
    if value > timezone.localdate():
        raise ValidationError({"assessed_on": _("The date of the assessment cannot be in the future.")})
    return value


def clean_scores(raw: Mapping[str, Any], indicators: Sequence[IndicatorSpec], subject: str) -> dict[str, int]:
    """Scores keyed by indicator code: 1, 2 or 3, or empty for unanswered. Every problem is reported."""
    by_code = {i.code: i for i in indicators}
    errors: dict[str, list[str]] = {}
    cleaned: dict[str, int] = {}
    for code, value in raw.items():
        field = f"scores.{code}"
        spec = by_code.get(code)
        if spec is None:
            errors[field] = [
                _("%(code)s is not an indicator for a %(subject)s in the active catalogue.")
                % {"code": code, "subject": subject}
            ]
            continue
        if value is None or value == "":
            continue  # unanswered
        try:
            number = int(value)
        except (TypeError, ValueError):
            number = -1
        if number not in (1, 2, 3) or str(value).strip() not in ("1", "2", "3"):
            errors[field] = [
                _("A score is 1, 2 or 3 (or empty when not known), not %(value)r.") % {"value": value}
            ]
            continue
        if number > spec.max_score:
            errors[field] = [
                _("%(code)s is never scored above %(max)d.") % {"code": code, "max": spec.max_score}
            ]
            continue
        cleaned[code] = number
    if errors:
        raise ValidationError(errors)
    return cleaned
