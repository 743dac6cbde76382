"""Reads for cases: lists, who may see what on a case, who viewed it, the referral inboxes."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Q, QuerySet

from safepassage.accounts.models import Agency
from safepassage.audit.models import AuditEvent
from safepassage.cases.models import CASE_ROLES, Case, CaseAlert, IntakeReport, Referral
from safepassage.core.access import Viewer, viewer_for
from safepassage.core.roles import Action, Role


@dataclass(frozen=True)
class Access:
    """How a viewer reaches a case: as its owner's case staff, or through an accepted referral."""

    owner: bool
    referral: bool
    enforcement_only: bool  # reached only through a referral to an enforcement agency

    @property
    def sensitive(self) -> bool:
        """Identity, address, health: the owner's case staff and accepted referral recipients."""
        return self.owner or self.referral

    @property
    def documentation(self) -> bool:
        """Documentation status never goes to an enforcement-only reader (PRODUCT.md rule 2)."""
        return self.sensitive and not self.enforcement_only


NO_ACCESS = Access(False, False, False)


def access(user: Any, case: Case) -> Access:
    """What this user may see of a case they can open."""
    viewer = user if isinstance(user, Viewer) else viewer_for(user)
    owner = Case.objects.filter(Case.own_q(viewer, Action.VIEW), pk=case.pk)
    if owner.exists():
        return Access(True, False, False)
    agencies = [g.agency_id for g in viewer.grants if g.role in CASE_ROLES]
    accepted = Referral.objects.filter(
        case=case, to_agency_id__in=agencies, status=Referral.Status.ACCEPTED
    ).values_list("to_agency__kind", flat=True)
    kinds = set(accepted)
    if not kinds:
        return NO_ACCESS
    return Access(False, True, kinds <= {Agency.Kind.ENFORCEMENT})


def case_list(
    user: Any, *, status: str = "", stage: str = "", track: str = "", query: str = "", mine: bool = False
) -> QuerySet[Case]:
    """Cases the user may open, newest first, with the person and stage for the list."""
    qs = Case.objects.visible_to(user).select_related("person", "stage", "caseworker", "agency")
    if status:
        qs = qs.filter(status=status)
    if stage:
        qs = qs.filter(stage__code=stage)
    if track:
        qs = qs.filter(track=track)
    if mine:
        qs = qs.filter(caseworker_id=getattr(user, "pk", None))
    if query:
        qs = qs.filter(
            Q(reference__icontains=query)
            | Q(person__given_name__icontains=query)
            | Q(person__family_name__icontains=query)
            | Q(person__given_name_latin__icontains=query)
            | Q(person__family_name_latin__icontains=query)
        )
    open_alerts = Count("alerts", filter=Q(alerts__status=CaseAlert.Status.OPEN))
    return qs.annotate(open_alerts=open_alerts).order_by("-opened_on", "-id")


def viewers_of(case: Case, limit: int = 30) -> list[AuditEvent]:
    """Who opened this case, most recent first (from the audit trail)."""
    return list(
        AuditEvent.objects.filter(
            object_type="cases.case", object_id=str(case.pk), action="cases.case.view"
        ).order_by("-at")[:limit]
    )


def referrals_incoming(user: Any) -> QuerySet[Referral]:
    """Referrals sent to the agencies the user does case work for."""
    viewer = viewer_for(user)
    agencies = [g.agency_id for g in viewer.grants if g.role in CASE_ROLES]
    return (
        Referral.objects.filter(to_agency_id__in=agencies)
        .select_related("case", "from_agency", "to_organisation")
        .order_by("-created_at")
    )


def referrals_outgoing(user: Any) -> QuerySet[Referral]:
    """Referrals made from cases the user works on."""
    viewer = viewer_for(user)
    own = Case.objects.filter(Case.own_q(viewer, Action.VIEW))
    return (
        Referral.objects.filter(case__in=own)
        .select_related("case", "to_organisation", "to_agency")
        .order_by("-created_at")
    )


def intake_list(user: Any, *, status: str = "") -> QuerySet[IntakeReport]:
    qs = IntakeReport.objects.visible_to(user).select_related("area", "recorded_by")
    if status:
        qs = qs.filter(status=status)
    return qs


def may_see_notifier(user: Any, report: IntakeReport) -> bool:
    """Who reported is protected: the owning agency's case staff and whoever recorded it."""
    viewer = viewer_for(user)
    if report.recorded_by_id is not None and report.recorded_by_id == viewer.user_id:
        return True
    return viewer.has_role(Role.COORDINATOR, Role.CASEWORKER, agency_id=report.agency_id)


def alert_inbox(user: Any, *, status: str = CaseAlert.Status.OPEN) -> QuerySet[CaseAlert]:
    """Alerts of the user's own cases (not of cases shared in), routed to them first."""
    qs = CaseAlert.visible_to(user).select_related("case")
    if status:
        qs = qs.filter(status=status)
    return qs.order_by("-created_at")
