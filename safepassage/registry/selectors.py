"""Reads for the risk index, always through the viewer."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.db.models import Case, Count, F, IntegerField, Min, Q, QuerySet, Value, When
from django.utils import timezone

from safepassage.core.crypto import blind_index
from safepassage.core.models import get_for_user
from safepassage.core.roles import Action
from safepassage.geo.models import Area
from safepassage.registry import scoring
from safepassage.registry.models import Alert, Assessment, Catalogue, Household, Indicator, Person


def reassess_cutoff(catalogue: Catalogue | None, today: date | None = None) -> date:
    """People last assessed before this date are due for a new assessment."""
    months = int((catalogue.parameters if catalogue else {}).get("reassess_months", 6))
    return (today or timezone.localdate()) - timedelta(days=round(months * 30.44))


def overdue_cutoff(catalogue: Catalogue | None, today: date | None = None) -> date:
    """High-risk people last assessed before this date are overdue (an alert is raised for them)."""
    warning = (catalogue.parameters if catalogue else {}).get("early_warning", {})
    months = int(warning.get("high_not_reassessed_months", 12))
    return (today or timezone.localdate()) - timedelta(days=round(months * 30.44))


def person_list(
    *,
    viewer: Any,
    village: Area | None = None,
    query: str = "",
    band: str = "",
    due: bool = False,
    catalogue: Catalogue | None = None,
    order: str = "name",
) -> QuerySet[Person]:
    """People the viewer may see, optionally in one village (or area), by name, band, or due for a visit;
    in order of place and name, or (order="visit") of who to visit first."""
    qs = Person.objects.visible_to(viewer).select_related("village", "agency", "current_catalogue")
    if village is not None:
        qs = qs.filter(village__path__startswith=village.path)
    if query:
        qs = qs.filter(
            Q(given_name__icontains=query)
            | Q(family_name__icontains=query)
            | Q(given_name_latin__icontains=query)
            | Q(family_name_latin__icontains=query)
            | Q(other_names__icontains=query)
            # the ID number by its blind index (the number itself is sealed: core.crypto)
            | Q(national_id_index=blind_index(query) or "-")
        )
    if band:
        qs = qs.filter(current_band=band)
    if due:
        cutoff = reassess_cutoff(catalogue)
        qs = qs.filter(Q(current_assessed_on__isnull=True) | Q(current_assessed_on__lt=cutoff))
    if order == "visit":
        return _in_visit_order(qs, catalogue)
    return qs.order_by("village__path", "family_name", "given_name", "pk")


def _in_visit_order(qs: QuerySet[Person], catalogue: Catalogue | None) -> QuerySet[Person]:
    """Who to visit first: high risk overdue, never assessed, due (riskiest first), then the rest by
    risk; within each, the longest unseen first."""
    overdue, due = overdue_cutoff(catalogue), reassess_cutoff(catalogue)
    urgency = Case(
        When(current_band="high", current_assessed_on__lt=overdue, then=Value(0)),
        When(current_assessed_on__isnull=True, then=Value(1)),
        When(current_assessed_on__lt=due, then=Value(2)),
        default=Value(3),
        output_field=IntegerField(),
    )
    band = Case(
        When(current_band="high", then=Value(0)),
        When(current_band="medium", then=Value(1)),
        When(current_band="incomplete", then=Value(2)),
        When(current_band="low", then=Value(3)),
        default=Value(4),
        output_field=IntegerField(),
    )
    return qs.annotate(visit_urgency=urgency, visit_band=band).order_by(
        "visit_urgency", "visit_band", F("current_assessed_on").asc(nulls_first=True), "given_name", "pk"
    )


def get_person_for_user(user: Any, pk: Any, action: str = Action.VIEW) -> Person:
    """One person the user may see (or change), else 404."""
    people = Person.objects.select_related("village", "agency", "household", "current_catalogue")
    return get_for_user(people, user, pk, action)


def get_household_for_user(user: Any, pk: Any, action: str = Action.VIEW) -> Household:
    """One household the user may see, else 404."""
    return get_for_user(
        Household.objects.select_related("village").prefetch_related("members"), user, pk, action
    )


def assessment_history(*, viewer: Any, person: Person) -> list[dict[str, Any]]:
    """A person's assessments, oldest first, each with the indicators that moved since the one before."""
    items = list(
        Assessment.objects.visible_to(viewer)
        .filter(person=person)
        .select_related("catalogue", "assessor")
        .order_by("assessed_on", "id")
    )
    history = []
    previous: dict[str, int] | None = None  # (a first assessment is a baseline: nothing "moved")
    for assessment in items:
        moved = scoring.changes(previous, assessment.scores) if previous is not None else []
        history.append({"assessment": assessment, "moved": moved, "first": previous is None})
        previous = assessment.scores
    return history


def alert_list(
    *,
    viewer: Any,
    status: str = "",
    mine: bool = False,
    overdue: bool = False,
    order: str = "newest",
    now: Any = None,
) -> QuerySet[Alert]:
    """Alerts the viewer may see: their agency's, and those routed to them; newest first, or
    (order="urgency") most urgent first. `overdue`: open and not acknowledged in time."""
    now = now or timezone.now()
    qs = Alert.objects.visible_to(viewer).select_related("person", "village").order_by("-created_at", "-id")
    if status:
        qs = qs.filter(status=status)
    if overdue:
        qs = qs.filter(status=Alert.Status.OPEN, due_at__lt=now)
    if mine:
        routed = Alert.recipients.through.objects.filter(user_id=getattr(viewer, "pk", 0) or 0)
        qs = qs.filter(pk__in=routed.values("alert_id"))
    if order == "urgency":
        return _in_urgency_order(qs, now)
    return qs


ALERT_ORDERS = ("newest", "urgency")
# A red flag is a reason {"rule": "red_flag", …}; the quotes keep it from matching anything else.
RED_FLAG_Q = Q(reasons__icontains=f'"{Alert.Rule.RED_FLAG.value}"')


def alert_counts(*, viewer: Any, now: Any = None) -> dict[str, Any]:
    """The viewer's open alerts in one query: how many, how many not acknowledged in time, how many with a
    red flag, and when the oldest was raised (exact: these are the viewer's own agency's alerts)."""
    now = now or timezone.now()
    return (
        alert_list(viewer=viewer, status=Alert.Status.OPEN)
        .order_by()
        .aggregate(
            open=Count("id"),
            overdue=Count("id", filter=Q(due_at__lt=now)),
            red_flags=Count("id", filter=RED_FLAG_Q),
            oldest=Min("created_at"),
        )
    )


def _in_urgency_order(qs: QuerySet[Alert], now: Any) -> QuerySet[Alert]:
    """Open before acknowledged before resolved; then those not acknowledged in time, red flags, the most
    escalated; within each, the one whose deadline came first (so the oldest waiting comes first)."""
    state = Case(
        When(status=Alert.Status.OPEN, then=Value(0)),
        When(status=Alert.Status.ACKNOWLEDGED, then=Value(1)),
        default=Value(2),
        output_field=IntegerField(),
    )
    late = Case(
        When(status=Alert.Status.OPEN, due_at__lt=now, then=Value(0)),
        default=Value(1),
        output_field=IntegerField(),
    )
    flag = Case(When(RED_FLAG_Q, then=Value(0)), default=Value(1), output_field=IntegerField())
    return qs.annotate(urgency_state=state, urgency_late=late, urgency_flag=flag).order_by(
        "urgency_state", "urgency_late", "urgency_flag", "-escalation_level", "due_at", "id"
    )


def get_alert_for_user(user: Any, pk: Any, action: str = Action.VIEW) -> Alert:
    """One alert the user may see or act on, else 404."""
    return get_for_user(Alert.objects.select_related("person", "village", "assessment"), user, pk, action)


def active_catalogue_or_none() -> Catalogue | None:
    """The active catalogue with its indicators, if any."""
    return Catalogue.objects.filter(status=Catalogue.Status.ACTIVE).prefetch_related("indicators").first()


def villages_for(viewer: Any) -> QuerySet[Area]:
    """The villages the viewer works in: those they cover, or all where their agencies have people."""
    from safepassage.core.access import viewer_for
    from safepassage.geo.selectors import villages_covered

    v = viewer_for(viewer)
    if any(g.area_limited for g in v.grants):
        return villages_covered(v).order_by("path")
    ids = Person.objects.visible_to(viewer).values("village_id")
    return Area.objects.filter(pk__in=ids).order_by("path")


def holds_risk_records(viewer: Any) -> bool:
    """Whether the villages and alerts pages can have anything for this viewer: they cover villages, their
    agencies hold people, or alerts were routed to them. (An office that keeps no people, such as a
    labour office, has neither villages nor alerts until it does.)"""
    from safepassage.core.access import viewer_for
    from safepassage.registry.rules import PERSON_ROLES

    v = viewer_for(viewer)
    grants = [g for g in v.grants if g.role in PERSON_ROLES]
    if not grants:
        return False
    if any(g.area_limited for g in grants):
        return True
    if Person.objects.filter(agency_id__in=[g.agency_id for g in grants]).exists():
        return True
    return v.user_id is not None and Alert.recipients.through.objects.filter(user_id=v.user_id).exists()


def village_indicators(assessment: Assessment | None) -> list[tuple[str, str, int, str]]:
    """The village-level indicators of a village's assessment for its community profile (issue 22 part 8,
    R-002): each indicator's domain, title, score (1 lowest risk to 3) and what that score means, in the
    catalogue's order."""
    if assessment is None or not assessment.subject_is_village:
        return []
    scores = assessment.scores or {}
    indicators = Indicator.objects.filter(catalogue_id=assessment.catalogue_id, level=Indicator.Level.VILLAGE)
    rows = []
    for indicator in indicators.order_by("position", "code"):
        if indicator.code in scores:
            score = int(scores[indicator.code])
            rows.append(
                (indicator.get_domain_display(), indicator.title, score, indicator.rubric_text(score))
            )
    return rows
