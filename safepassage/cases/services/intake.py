"""Intake: the first report of a possible case (hotline, walk-in, volunteer), recorded and closed."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.db import IntegrityError, transaction
from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from safepassage.accounts.models import Agency, Membership
from safepassage.audit.services import audit_record, diff
from safepassage.cases import htcds
from safepassage.cases.models import (
    CASE_ROLES,
    IntakeReport,
    Urgency,
)
from safepassage.cases.services._common import _area, _codes, _fail, _organisation, _visible, next_reference
from safepassage.core.access import viewer_for
from safepassage.core.models import get_for_user
from safepassage.core.notices import Notice, NoticeKind, NoticeUrgency, notice_emit
from safepassage.core.roles import Action, Role
from safepassage.workplaces.models import Workplace

INTAKE_FIELDS = (
    "channel",
    "received_at",
    "notifier_name",
    "notifier_contact",
    "notifier_relation",
    "anonymous",
    "summary",
    "people_involved",
    "child_involved",
    "urgency",
    "suspected_exploitation",
    "workplace_name",
    "action_taken",
)


@transaction.atomic
def intake_record(
    *,
    actor: Any,
    agency: Agency | None = None,
    area_code: str | None = None,
    workplace_id: int | None = None,
    referred_to_id: int | None = None,
    **fields: Any,
) -> IntakeReport:
    """Log a call, walk-in or notification: when it came, how urgent it is, what is suspected, where (a place
    and a workplace) and who should take it. Staff log anything; volunteers log from their own villages."""
    viewer = viewer_for(actor)
    area = _area(area_code, "area_code")
    owner = None
    for grant in viewer.grants:
        if agency is not None and grant.agency_id != agency.pk:
            continue
        if grant.role in CASE_ROLES or grant.role == Role.VOLUNTEER:
            if grant.area_limited and not (area and any(area.path.startswith(p) for p in grant.area_paths)):
                continue
            owner = agency or Agency.objects.get(pk=grant.agency_id)
            break
    if owner is None:
        if viewer.has_role(Role.VOLUNTEER):
            raise _fail("area_code", _("Give the village this is about: one of the villages you cover."))
        raise Http404
    data = {k: v for k, v in fields.items() if k in INTAKE_FIELDS}
    if data.get("channel") not in IntakeReport.Channel.values:
        raise _fail("channel", _("Say how the report came in."))
    if not str(data.get("summary") or "").strip():
        raise _fail("summary", _("Write what was reported."))
    received = data.get("received_at") or timezone.now()
    if received > timezone.now() + timedelta(minutes=5):
        raise _fail("received_at", _("The date cannot be in the future."))
    data["received_at"] = received
    if data.get("anonymous"):
        data["notifier_name"] = ""
        data["notifier_contact"] = ""
    data["urgency"] = data.get("urgency") or Urgency.NORMAL
    if data["urgency"] not in Urgency.values:
        raise _fail("urgency", _("Say how urgent it is."))
    data["suspected_exploitation"] = _codes(
        data.get("suspected_exploitation"), htcds.Exploitation, "suspected_exploitation"
    )
    workplace = _visible(Workplace, actor, workplace_id, "workplace_id")
    referred_to = _organisation(actor, referred_to_id, "referred_to_id")
    for attempt in range(3):
        reference = next_reference(owner, "R", IntakeReport, timezone.localdate())
        try:
            with transaction.atomic():
                report = IntakeReport.objects.create(
                    agency=owner,
                    reference=reference,
                    area=area,
                    workplace=workplace,
                    referred_to=referred_to,
                    recorded_by=actor,
                    **data,
                )
            break
        except IntegrityError:
            if attempt == 2:
                raise
    changes = {
        **data,
        # (the workplace named in a tip, like who gave it, stays out of the trail)
        "workplace_name": bool(data.get("workplace_name")),
        "workplace": workplace.pk if workplace else None,
        "referred_to": referred_to.pk if referred_to else None,
    }
    audit_record(actor=actor, action="cases.intake.create", obj=report, changes=changes)
    if report.urgency in (Urgency.IMMEDIATE, Urgency.HIGH):
        notice_emit(
            [
                Notice(
                    kind=NoticeKind.URGENT_INTAKE,
                    recipients=tuple(u for u in intake_recipients(report) if u != getattr(actor, "pk", None)),
                    reference=report.reference,
                    link=reverse("cases:intake_detail", args=[report.pk]),
                    urgency=NoticeUrgency.NOW if report.urgency == Urgency.IMMEDIATE else NoticeUrgency.SOON,
                )
            ]
        )
    return report


def intake_recipients(report: IntakeReport) -> list[int]:
    """Who hears of an urgent report: the agency's coordinators (area-limited ones only for their areas)."""
    users: set[int] = set()
    for membership in Membership.objects.filter(
        agency_id=report.agency_id, role=Role.COORDINATOR, active=True, user__is_active=True
    ).prefetch_related("areas"):
        paths = [a.path for a in membership.areas.all()]
        if not paths or (report.area is not None and any(report.area.path.startswith(p) for p in paths)):
            users.add(membership.user_id)
    return sorted(users)


@transaction.atomic
def intake_close(
    *,
    actor: Any,
    report: IntakeReport,
    status: str,
    action_taken: str,
    referred_to_id: int | None = None,
) -> IntakeReport:
    """Close a report with the action taken (no case needed, or passed to another service: which one)."""
    report = get_for_user(IntakeReport.objects.all(), actor, report.pk, Action.CHANGE)
    if status not in (IntakeReport.Status.CLOSED, IntakeReport.Status.REFERRED):
        raise _fail("status", _("Close it, or say it was passed to another service."))
    if report.status == IntakeReport.Status.CASE:
        raise _fail("status", _("This report already became a case."))
    if not action_taken.strip():
        raise _fail("action_taken", _("Write the action taken."))
    referred_to = _organisation(actor, referred_to_id, "referred_to_id") or report.referred_to
    before = {
        "status": report.status,
        "action_taken": report.action_taken,
        "referred_to": report.referred_to_id,
    }
    report.status, report.action_taken = status, action_taken
    if status == IntakeReport.Status.REFERRED:
        report.referred_to = referred_to
    report.save(update_fields=["status", "action_taken", "referred_to", "updated_at"])
    after = {"status": status, "action_taken": action_taken, "referred_to": report.referred_to_id}
    audit_record(actor=actor, action="cases.intake.close", obj=report, changes=diff(before, after))
    return report


# ----------------------------------------------------------------------------------------------- cases
