"""Reads for prevention pages and the API: a village the viewer works in, the help recorded there, the
findings, each scoped to the viewer (404 for "not yours")."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Count, Q, QuerySet
from django.http import Http404

from safepassage.core.roles import Action
from safepassage.geo.models import Area, Level
from safepassage.geo.selectors import get_area
from safepassage.prevention.models import Delivery, Finding, FindingAttachment, Intervention
from safepassage.registry.models import Assessment, Person
from safepassage.registry.rules import sees_people
from safepassage.registry.services import agency_for_record


def may_record_in(viewer: Any, village: Area) -> bool:
    """Whether the viewer records people and help in this village (volunteers: their own villages)."""
    try:
        agency_for_record(viewer, village)
    except ValidationError:
        return False
    return True


def village_for(viewer: Any, code: str) -> Area:
    """A village the viewer works in (records there, or sees people there); else 404."""
    if not sees_people(viewer):
        raise Http404
    village = get_area(code)
    if village.level != Level.VILLAGE:
        raise Http404
    if may_record_in(viewer, village) or Person.objects.visible_to(viewer).filter(village=village).exists():
        return village
    raise Http404


def interventions() -> QuerySet[Intervention]:
    return Intervention.objects.filter(active=True)


def deliveries_in(viewer: Any, village: Area) -> QuerySet[Delivery]:
    """The help recorded in a village that the viewer may see (their agencies', their villages)."""
    return (
        Delivery.objects.visible_to(viewer)
        .filter(village=village)
        .select_related("intervention", "person", "household", "agency")
    )


def findings_in(viewer: Any, village: Area) -> QuerySet[Finding]:
    return Finding.objects.visible_to(viewer).filter(village=village).prefetch_related("attachments")


def attachment_for(viewer: Any, pk: int) -> FindingAttachment:
    found = (
        FindingAttachment.objects.filter(pk=pk, finding__in=Finding.objects.visible_to(viewer))
        .select_related("finding")
        .first()
    )
    if found is None:
        raise Http404
    return found


def village_risk(viewer: Any, village: Area) -> dict[str, Any]:
    """The village's risk beside its findings: its own latest assessment and its people by band (those the
    viewer sees)."""
    latest = (
        Assessment.objects.visible_to(viewer)
        .filter(village=village, subject_is_village=True)
        .order_by("-assessed_on", "-id")
        .first()
    )
    bands = (
        Person.objects.visible_to(viewer)
        .filter(village=village)
        .aggregate(
            people=Count("id"),
            high=Count("id", filter=Q(current_band="high")),
            medium=Count("id", filter=Q(current_band="medium")),
            low=Count("id", filter=Q(current_band="low")),
        )
    )
    return {"assessment": latest, **bands}


def people_of(viewer: Any, village: Area) -> QuerySet[Person]:
    """The village's people the viewer may record help for."""
    return (
        Person.objects.visible_to(viewer, Action.CHANGE)
        .filter(village=village, erased_at__isnull=True)
        .order_by("given_name", "family_name", "pk")
    )
