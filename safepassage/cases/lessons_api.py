"""API: the lessons-learned tables as JSON (small counts hidden from analysts, as on the page)."""

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
    unknown: age when the case was opened) and `nationality` (two-letter code). Counts only; for analysts
    every count under 11 is null and each row lists in `suppressed` what it hides."""
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
