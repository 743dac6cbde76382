"""API: the catalogue, who received what (a person, a household, a village), a person's package check, a
village's findings, and the reports (did it work, package completeness, push down pop up fed by the areas
with programmes). Scoped like the pages: 404 for "not yours"."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _
from ninja import Router, Schema, Status

from safepassage.accounts.selectors import signed_in_user
from safepassage.audit.services import audit_read
from safepassage.core.api import ErrorOut
from safepassage.core.roles import Action
from safepassage.geo.models import Area, Level
from safepassage.prevention import impact, package, selectors, services
from safepassage.prevention.models import Delivery, Finding, Intervention, PackageRule
from safepassage.registry import selectors as registry_selectors
from safepassage.reports.params import parse_period
from safepassage.reports.selectors import displacement, report_scope

router = Router(tags=["prevention"])
ERRORS: dict[int, Any] = {400: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut}


class InterventionOut(Schema):
    code: str
    group: str
    name: str
    label: dict[str, str]
    active: bool


class RuleOut(Schema):
    code: str
    name: str
    when_any: list[str]
    unless_any: list[str]
    active: bool


class CatalogueOut(Schema):
    interventions: list[InterventionOut]
    rules: list[RuleOut]


class DeliveryIn(Schema):
    intervention: str
    started_on: date
    ended_on: date | None = None
    note: str = ""
    person_id: int | None = None
    household_id: int | None = None
    village: str = ""


class DeliveryOut(Schema):
    id: int
    intervention: str
    level: str
    person_id: int | None
    household_id: int | None
    village: str
    agency: str
    started_on: date
    ended_on: date | None


class PackageOut(Schema):
    person_id: int
    drifting: bool
    drifts: list[RuleOut]
    deliveries: list[DeliveryOut]


class FindingOut(Schema):
    id: int
    village: str
    kind: str
    held_on: date
    title: str
    findings: str
    participants: str
    attachments: list[int]


class FindingIn(Schema):
    kind: str
    held_on: date
    title: str
    findings: str = ""
    participants: str = ""


def _rule(rule: PackageRule) -> dict[str, Any]:
    return {
        "code": rule.code,
        "name": rule.title,
        "when_any": rule.when_any,
        "unless_any": rule.unless_any,
        "active": rule.active,
    }


def _delivery(d: Delivery) -> dict[str, Any]:
    return {
        "id": d.pk,
        "intervention": d.intervention.code,
        "level": d.level,
        "person_id": d.person_id,
        "household_id": d.household_id,
        "village": d.village.code,
        "agency": d.agency.code,
        "started_on": d.started_on,
        "ended_on": d.ended_on,
    }


def _finding(f: Finding) -> dict[str, Any]:
    return {
        "id": f.pk,
        "village": f.village.code,
        "kind": f.kind,
        "held_on": f.held_on,
        "title": f.title,
        "findings": f.findings,
        "participants": f.participants,
        "attachments": [a.pk for a in f.attachments.all()],
    }


@router.get("/prevention/catalogue", response=CatalogueOut)
def catalogue(request: HttpRequest) -> dict[str, Any]:
    """The interventions and the package rules (any signed-in user: it names no one)."""
    return {
        "interventions": [
            {"code": i.code, "group": i.group, "name": i.title, "label": i.label, "active": i.active}
            for i in Intervention.objects.all()
        ],
        "rules": [_rule(r) for r in PackageRule.objects.all()],
    }


@router.post("/prevention/deliveries", response={201: DeliveryOut, **ERRORS})
def delivery_create(request: HttpRequest, payload: DeliveryIn) -> Status[dict[str, Any]]:
    """Record that a person (person_id), a household (household_id) or a whole village (village code)
    received an intervention."""
    user = signed_in_user(request)
    targets: dict[str, Any] = {}
    if payload.person_id is not None:
        targets["person"] = registry_selectors.get_person_for_user(user, payload.person_id, Action.CHANGE)
    if payload.household_id is not None:
        targets["household"] = registry_selectors.get_household_for_user(user, payload.household_id)
    if payload.village:
        area = Area.objects.filter(code=payload.village, level=Level.VILLAGE).first()
        if area is None:
            raise ValidationError({"village": [_("There is no village with this code.")]})
        targets["village"] = area
    made = services.delivery_record(
        actor=user,
        intervention=payload.intervention,
        started_on=payload.started_on,
        ended_on=payload.ended_on,
        note=payload.note,
        **targets,
    )
    return Status(201, _delivery(made))


@router.get("/prevention/villages/{code}/deliveries", response={200: list[DeliveryOut], 404: ErrorOut})
def village_deliveries(request: HttpRequest, code: str) -> list[dict[str, Any]]:
    """The help recorded in a village that the caller may see."""
    user = signed_in_user(request)
    village = selectors.village_for(user, code)
    rows = list(selectors.deliveries_in(user, village)[:1000])
    return [_delivery(d) for d in rows]


@router.get("/prevention/people/{person_id}/package", response={200: PackageOut, 404: ErrorOut})
def person_package(request: HttpRequest, person_id: int) -> dict[str, Any]:
    """What a person, their household and their village received, and the package rules it breaks.
    Audited as a read of the person."""
    user = signed_in_user(request)
    person = registry_selectors.get_person_for_user(user, person_id)
    found = package.person_package(person)
    audit_read(actor=user, obj=person, what="api prevention")
    return {
        "person_id": person.pk,
        "drifting": found.drifting,
        "drifts": [_rule(r) for r in found.drifts],
        "deliveries": [_delivery(d) for d in found.deliveries],
    }


@router.get("/prevention/villages/{code}/findings", response={200: list[FindingOut], 404: ErrorOut})
def findings(request: HttpRequest, code: str) -> list[dict[str, Any]]:
    """A village's needs assessments and participatory findings."""
    user = signed_in_user(request)
    village = selectors.village_for(user, code)
    return [_finding(f) for f in selectors.findings_in(user, village)]


@router.post("/prevention/villages/{code}/findings", response={201: FindingOut, **ERRORS})
def finding_create(request: HttpRequest, code: str, payload: FindingIn) -> Status[dict[str, Any]]:
    """Record a needs assessment or a participatory finding (attachments through the page)."""
    user = signed_in_user(request)
    village = selectors.village_for(user, code)
    if not selectors.may_record_in(user, village):
        raise Http404
    return Status(201, _finding(services.finding_add(actor=user, village=village, **payload.dict())))


def _require_reports(request: HttpRequest) -> None:
    if report_scope(request.user).empty:
        raise Http404


@router.get("/prevention/impact")
def impact_report(
    request: HttpRequest,
    intervention: str,
    area: str,
    start: date | None = None,
    end: date | None = None,
    match: str = "",
) -> dict[str, Any]:
    """Did it work: the change in risk of those reached against comparable people not reached (same area,
    risk band and age band at the start), with counts, a 95 % interval and the harm watch."""
    _require_reports(request)
    chosen = Intervention.objects.filter(code=intervention).first()
    if chosen is None:
        raise ValidationError({"intervention": [_("There is no intervention with this code.")]})
    place = Area.objects.filter(code=area).first()
    if place is None:
        raise ValidationError({"area": [_("There is no area with this code.")]})
    return impact.impact(
        viewer=signed_in_user(request), intervention=chosen, area=place, start=start, end=end, match=match
    )


@router.get("/prevention/packages")
def packages_report(request: HttpRequest, area: str) -> dict[str, Any]:
    """Per village: people reached by any help, and those whose package drifts."""
    _require_reports(request)
    place = Area.objects.filter(code=area).first()
    if place is None:
        raise ValidationError({"area": [_("There is no area with this code.")]})
    return impact.package_report(viewer=signed_in_user(request), area=place)


@router.get("/prevention/displacement")
def displacement_watch(
    request: HttpRequest, first: str, second: str, level: str = Level.SUBDISTRICT
) -> dict[str, Any]:
    """ "Push down, pop up" fed by the areas that had programmes in the two periods."""
    _require_reports(request)
    user = signed_in_user(request)
    one = parse_period(first, "first")
    two = parse_period(second, "second")
    areas = impact.programme_areas(viewer=user, level=level, since=one[0], until=two[1])
    rows = (
        displacement(viewer=user, level=level, first=one, second=two, programme_areas=areas) if areas else []
    )
    return {
        "level": level,
        "programme_areas": areas,
        "perturbed": not report_scope(user).exact,
        "rows": rows,
    }
