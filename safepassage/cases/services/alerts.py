"""Case alerts: raised by the nightly scan, resolved when their cause goes, updated by staff."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from safepassage.accounts.models import Membership
from safepassage.audit.services import audit_record
from safepassage.cases import htcds
from safepassage.cases.models import (
    CASE_ROLES,
    Case,
    CaseAlert,
    ConferenceAction,
    Deadline,
    FollowUp,
    Referral,
    ShelterStay,
)
from safepassage.cases.services._common import _fail, one_or_404
from safepassage.core.notices import Notice, NoticeKind, NoticeUrgency, notice_emit
from safepassage.core.roles import Action, Role


def _resolve_alerts(kind: str, key: str, actor: Any) -> None:
    CaseAlert.objects.filter(kind=kind, key=key).exclude(status=CaseAlert.Status.RESOLVED).update(
        status=CaseAlert.Status.RESOLVED, resolved_at=timezone.now(), resolution_note=_("Done.")
    )


def alert_recipients(case: Case) -> list[int]:
    """The caseworker and the owning agency's coordinators (area-limited ones only for their areas)."""
    users = {case.caseworker_id} if case.caseworker_id else set()
    for membership in Membership.objects.filter(
        agency_id=case.agency_id, role=Role.COORDINATOR, active=True, user__is_active=True
    ).prefetch_related("areas"):
        paths = [a.path for a in membership.areas.all()]
        if not paths or (case.area is not None and any(case.area.path.startswith(p) for p in paths)):
            users.add(membership.user_id)
    return sorted(users)


def _raise(case: Case, kind: str, key: str, message: str) -> bool:
    alert, created = CaseAlert.objects.get_or_create(
        kind=kind, key=key, defaults={"case": case, "message": message}
    )
    if created:
        recipients = alert_recipients(case)
        alert.recipients.set(recipients)
        audit_record(
            actor=None, action="cases.alert.create", obj=alert, agency=case.agency, changes={"kind": kind}
        )
        deadline = kind == CaseAlert.Kind.DEADLINE
        notice_emit(
            [
                Notice(
                    kind=NoticeKind.DEADLINE if deadline else NoticeKind.CASE_ALERT,
                    recipients=tuple(recipients),
                    reference=case.reference,
                    link=reverse("cases:case_detail", args=[case.pk]),
                    urgency=NoticeUrgency.SOON if deadline else NoticeUrgency.DIGEST,
                )
            ]
        )
    return created


def agency_case_staff(agency_id: int, roles: tuple[str, ...] = (Role.COORDINATOR,)) -> list[int]:
    """Active members of an agency holding one of the roles (who hears of a referral sent to it)."""
    return sorted(
        set(
            Membership.objects.filter(
                agency_id=agency_id, role__in=roles, active=True, user__is_active=True
            ).values_list("user_id", flat=True)
        )
    )


def referral_notice(referral: Referral, kind: str, recipients: list[int], urgency: str) -> None:
    """Tell people about a referral: its case's reference and the referrals page, nothing more."""
    notice_emit(
        [
            Notice(
                kind=kind,
                recipients=tuple(recipients),
                reference=referral.case.reference,
                link=reverse("cases:referrals"),
                urgency=urgency,
            )
        ]
    )


def _referrals_waiting(today: date) -> int:
    """A referral unanswered for REFERRAL_WAIT_DAYS: an alert to the referring side, a reminder to the
    receiving one."""
    raised = 0
    since = today - timedelta(days=settings.REFERRAL_WAIT_DAYS)
    cutoff = timezone.make_aware(datetime.combine(since, time.min))
    waiting = Referral.objects.filter(status=Referral.Status.PENDING, created_at__lt=cutoff).exclude(
        case__status__in=[htcds.CaseStatus.CLOSED, htcds.CaseStatus.CLOSED_REFERRED]
    )
    for referral in waiting.select_related("case__area", "to_organisation"):
        message = _("Referral to %(to)s sent %(day)s has no answer yet.") % {
            "to": referral.to_organisation,
            "day": timezone.localdate(referral.created_at),
        }
        if _raise(referral.case, CaseAlert.Kind.REFERRAL, f"referral:{referral.pk}", message):
            raised += 1
            if referral.to_agency_id is not None:
                referral_notice(
                    referral,
                    NoticeKind.REFERRAL_WAITING,
                    agency_case_staff(referral.to_agency_id, tuple(CASE_ROLES)),
                    NoticeUrgency.SOON if referral.urgent else NoticeUrgency.DIGEST,
                )
    return raised


def referral_alert_resolve(referral: Referral) -> None:
    """The referral was answered, closed or revoked: its waiting alert is done."""
    _resolve_alerts(CaseAlert.Kind.REFERRAL, f"referral:{referral.pk}", None)


@transaction.atomic
def alerts_scan(*, today: date | None = None) -> dict[str, int]:
    """Raise one alert per cause: shelter stays past their limit, missed deadlines, overdue conference actions
    and follow-ups, referrals unanswered for REFERRAL_WAIT_DAYS.
    Safe to run as often as you like (cron or the worker): a cause alerts once."""
    today = today or timezone.localdate()
    raised = {"shelter": 0, "deadline": 0, "action": 0, "follow_up": 0, "referral": 0}
    live = ~Q(case__status__in=[htcds.CaseStatus.CLOSED, htcds.CaseStatus.CLOSED_REFERRED])
    for stay in ShelterStay.objects.filter(live, ended_on__isnull=True).select_related(
        "case__area", "shelter"
    ):
        if stay.days(today) > stay.limit_days:
            message = _("In %(shelter)s for %(days)s days (limit %(limit)s): review the stay.") % {
                "shelter": stay.shelter.name,
                "days": stay.days(today),
                "limit": stay.limit_days,
            }
            raised["shelter"] += _raise(stay.case, CaseAlert.Kind.SHELTER, f"shelter:{stay.pk}", message)
    for deadline in Deadline.objects.filter(live, done_on__isnull=True, due_on__lt=today).select_related(
        "case__area"
    ):
        message = _("Missed deadline: %(what)s (due %(due)s).") % {
            "what": deadline.what,
            "due": deadline.due_on,
        }
        raised["deadline"] += _raise(
            deadline.case, CaseAlert.Kind.DEADLINE, f"deadline:{deadline.pk}", message
        )
    actions = ConferenceAction.objects.filter(done_on__isnull=True, due_on__lt=today).exclude(
        conference__case__status__in=[htcds.CaseStatus.CLOSED, htcds.CaseStatus.CLOSED_REFERRED]
    )
    for action in actions.select_related("conference__case__area"):
        message = _("Overdue action: %(what)s (due %(due)s).") % {"what": action.what, "due": action.due_on}
        raised["action"] += _raise(
            action.conference.case, CaseAlert.Kind.ACTION, f"action:{action.pk}", message
        )
    for follow_up in FollowUp.objects.filter(live, done_on__isnull=True, due_on__lt=today).select_related(
        "case__area"
    ):
        message = _("Follow-up overdue (due %(due)s).") % {"due": follow_up.due_on}
        raised["follow_up"] += _raise(
            follow_up.case, CaseAlert.Kind.FOLLOW_UP, f"follow_up:{follow_up.pk}", message
        )
    raised["referral"] = _referrals_waiting(today)
    return raised


@transaction.atomic
def alert_update(*, actor: Any, alert: CaseAlert, to: str, note: str = "") -> CaseAlert:
    """Acknowledge an alert, or resolve it with a note."""
    alert = one_or_404(CaseAlert.visible_to(actor, Action.CHANGE), alert.pk)
    if to == CaseAlert.Status.ACKNOWLEDGED and alert.status == CaseAlert.Status.OPEN:
        alert.acknowledged_by, alert.acknowledged_at = actor, timezone.now()
    elif to == CaseAlert.Status.RESOLVED and alert.status != CaseAlert.Status.RESOLVED:
        if not note.strip():
            raise _fail("note", _("Say what was done."))
        alert.resolved_at, alert.resolution_note = timezone.now(), note
    else:
        raise _fail("status", _("Open → acknowledged → resolved."))
    alert.status = to
    alert.save()
    audit_record(
        actor=actor, action=f"cases.alert.{to}", obj=alert, agency=alert.case.agency, changes={"status": to}
    )
    return alert
