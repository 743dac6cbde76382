"""Reads for the risk index, always through the viewer."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone

from safepassage.core.models import get_for_user
from safepassage.core.roles import Action
from safepassage.geo.models import Area
from safepassage.registry import scoring
from safepassage.registry.models import Alert, Assessment, Catalogue, Household, Person


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
) -> QuerySet[Person]:
    """People the viewer may see, optionally in one village (or area), by name, band, or due for a visit."""
    qs = Person.objects.visible_to(viewer).select_related("village", "agency", "current_catalogue")
    if village is not None:
        qs = qs.filter(village__path__startswith=village.path)
    if query:
        qs = qs.filter(
            Q(given_name__icontains=query)
            | Q(family_name__icontains=query)
            | Q(given_name_latin__icontains=query)
            | Q(family_name_latin__icontains=query)
            | Q(national_id=query)
        )
    if band:
        qs = qs.filter(current_band=band)
    if due:
        cutoff = reassess_cutoff(catalogue)
        qs = qs.filter(Q(current_assessed_on__isnull=True) | Q(current_assessed_on__lt=cutoff))
    return qs.order_by("village__path", "family_name", "given_name", "pk")


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


def alert_list(*, viewer: Any, status: str = "", mine: bool = False) -> QuerySet[Alert]:
    """Alerts the viewer may see: their agency's, and those routed to them."""
    qs = Alert.objects.visible_to(viewer).select_related("person", "village").order_by("-created_at", "-id")
    if status:
        qs = qs.filter(status=status)
    if mine:
        routed = Alert.recipients.through.objects.filter(user_id=getattr(viewer, "pk", 0) or 0)
        qs = qs.filter(pk__in=routed.values("alert_id"))
    return qs


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
