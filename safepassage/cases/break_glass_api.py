"""API: break-glass (emergency access) to one case outside one's scope, and its review by the owner."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema, Status
from pydantic import Field

from safepassage.accounts.selectors import signed_in_user
from safepassage.cases import break_glass
from safepassage.core.api import ErrorOut

router = Router(tags=["cases"])
ERRORS: dict[int, Any] = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut}


class BreakGlassIn(Schema):
    reference: str = Field("", max_length=30, description="The exact case number (with `agency`).")
    agency: str = Field("", max_length=40, description="The code of the agency that holds the case.")
    national_id: str = Field("", max_length=32, description="The person's exact national ID number.")
    reason: str = Field(..., max_length=break_glass.REASON_MAX, description="Why this cannot wait.")


class ReviewIn(Schema):
    decision: str = Field(..., max_length=10, description="accept, or report (ends the access at once).")
    note: str = Field("", max_length=break_glass.REASON_MAX)


@router.post("/break-glass", response={201: dict, **ERRORS})
def break_glass_open(request: HttpRequest, payload: BreakGlassIn) -> Any:
    """Open one case outside your scope in an emergency: by its exact number and agency, or by the person's
    exact national ID number (never a search; anything else answers 404 "Not found."), saying why. Caseworkers
    and coordinators only, never of police, immigration or a prosecutor. It lasts at most 4 hours
    (`expires_at`), you read your agency's receiving profile's parts (`parts`), every read is marked in the
    audit trail, and the agency that holds the case is told at once and reviews it."""
    grant = break_glass.break_glass_open(actor=signed_in_user(request), **payload.dict())
    return Status(201, break_glass.describe(grant))


@router.get("/break-glass/reviews", response={200: list[dict[str, Any]], **ERRORS})
def break_glass_reviews(request: HttpRequest) -> Any:
    """Emergency accesses to your agency's cases (coordinators), those waiting for review first."""
    return [break_glass.describe(g) for g in break_glass.reviews_for(signed_in_user(request))[:200]]


@router.post("/break-glass/{grant_id}/review", response={200: dict, **ERRORS})
def break_glass_review(request: HttpRequest, grant_id: int, payload: ReviewIn) -> Any:
    """Accept an emergency access to your agency's case, or report it as misuse: that ends it at once and
    tells the reader's agency. A coordinator of the agency that holds the case only."""
    actor = signed_in_user(request)
    grant = break_glass.review_get(actor, grant_id)
    done = break_glass.break_glass_review(actor=actor, grant=grant, **payload.dict())
    return break_glass.describe(done)
