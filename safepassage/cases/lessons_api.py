"""API: the lessons-learned tables as JSON (protected for analysts, as on the page: lessons.lessons)."""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest
from ninja import Router

from safepassage.cases import lessons

router = Router(tags=["lessons"])


@router.get("/lessons")
def lessons_tables(
    request: HttpRequest,
    opened_from: str = "",
    opened_to: str = "",
    sex: str = "",
    age: str = "",
    nationality: str = "",
) -> dict[str, Any]:
    """Every lessons-learned table over the cases your agencies own (coordinators and analysts).

    Filters: `opened_from` / `opened_to` (YYYY or YYYY-MM-DD), `sex`, `age` (0-9, 10-14, 15-17, 18-24, 25+,
    unknown: age when the case was opened) and `nationality` (two-letter code). Counts only. Coordinators of
    the owning agency read exact figures. For analysts (`perturbed`: true) every count is moved a little by
    the cell-key method and shown as "<11" when small, stays in a stage are a perturbed average, money is
    withheld, a period must be whole months with both ends (else 400 naming the parameter), each row lists
    in `suppressed` what it shows as "<11" or withholds, and each request is audited (see
    docs/disclosure-control.md)."""
    # As the report endpoints: without the role this answers 404, like something that is not there.
    if not request.user.has_perm("cases.view_lessons"):
        raise Http404
    filters = lessons.parse_filters(
        {
            "opened_from": opened_from,
            "opened_to": opened_to,
            "sex": sex,
            "age": age,
            "nationality": nationality,
        }
    )
    return lessons.lessons(request.user, filters)
