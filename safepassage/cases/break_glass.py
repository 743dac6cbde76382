"""Break-glass (emergency access): open one case outside one's scope, read it under a live grant, review it.

A caseworker or coordinator of an agency that is not police, immigration or a prosecutor may open one case
they cannot otherwise see, found only by its exact case number (with the agency that holds it: numbers are
counted in each agency) or by the person's exact national ID number, never by a search. They say why; the
access lasts settings.BREAK_GLASS_HOURS (at most 4). What they read is their own agency's receiving profile
(selectors.break_glass_parts). The owning agency's coordinators get a case alert of the kind "emergency" at
once and review it: accept, or report it as misuse, which ends it at once and tells the reader's agency
(its administrators see it on their home page and in their audit trail).

The reason is the reader's own words and may name the person: it stays on the grant, and the audit trail
holds only the grant's id, the case's id and codes. A later notifications app can pick up both notices from
here: the CaseAlert of kind EMERGENCY (owner's coordinators, as recipients) and reported grants
(`reported_to_admin`).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Case as CaseWhen
from django.db.models import F, IntegerField, QuerySet, Value, When
from django.http import Http404, HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from safepassage.accounts import profiles
from safepassage.accounts.models import Agency, Membership, User
from safepassage.audit.services import audit_record
from safepassage.cases import selectors
from safepassage.cases.models import CASE_ROLES, BreakGlass, Case, CaseAlert
from safepassage.cases.services._common import _fail
from safepassage.core.access import Viewer, viewer_for
from safepassage.core.crypto import blind_index
from safepassage.core.models import get_for_user
from safepassage.core.roles import Action, Role

MAX_HOURS = 4  # the limit: a setting may shorten it, never lengthen it
REASON_MIN = 15
REASON_MAX = 2000
REPORTED_DAYS = 30  # how long a reported access stays on the reader's agency administrators' home page


def not_found() -> Http404:
    """The one answer for a case number or ID that matches nothing the reader may open this way, whatever
    exists: no hint of a near match, of a case in another agency, or of one they can already see."""
    return Http404(_("No case matches exactly what you typed. Check the number and try again."))


def hours() -> int:
    """How long an emergency access lasts: the setting, never more than 4 hours."""
    return max(1, min(int(getattr(settings, "BREAK_GLASS_HOURS", MAX_HOURS)), MAX_HOURS))


def reader_agency(viewer: Viewer) -> Agency:
    """The agency an emergency reader reads for: one they are a caseworker or coordinator of. Refused to
    anyone else, and to anyone doing case work for police, immigration or a prosecutor (even if they also
    work for another agency: what they read could reach an enforcement file)."""
    case_agencies = sorted({g.agency_id for g in viewer.grants if g.role in CASE_ROLES})
    agencies = list(Agency.objects.filter(pk__in=case_agencies, active=True).order_by("pk"))
    if not agencies:
        raise PermissionDenied(_("Only caseworkers and coordinators can open a case in an emergency."))
    if any(profiles.is_enforcement(a.profile) for a in agencies):
        raise PermissionDenied(
            _(
                "Police, immigration and prosecutors cannot open a case in an emergency; "
                "ask the agency that holds it."
            )
        )
    readers = [a for a in agencies if profiles.get_profile(a.profile) is not None]
    if not readers:
        raise PermissionDenied(_("Your agency does not take part in case work with other agencies."))
    return readers[0]


def _find(viewer: Viewer, *, reference: str, agency: str, national_id: str) -> Case | None:
    """The one case that exactly matches, outside what the reader already sees; None when there is none.
    By ID: that person's open case first, then the latest."""
    if reference:
        found = Case.objects.filter(reference=reference, agency__code=agency)
    else:
        found = Case.objects.filter(person__national_id_index=blind_index(national_id) or "-")
        if agency:
            found = found.filter(agency__code=agency)
    visible = Case.objects.filter(Case.scope_q(viewer, Action.VIEW)).values("pk")
    still_open = CaseWhen(
        When(closed_on__isnull=True, then=Value(0)), default=Value(1), output_field=IntegerField()
    )
    return (
        found.exclude(pk__in=visible)
        .select_related("agency", "person")
        .annotate(still_open=still_open)
        .order_by("still_open", F("opened_on").desc(), "-pk")
        .first()
    )


def owner_coordinators(agency_id: int) -> QuerySet[User]:
    """The owning agency's coordinators, who are told at once and review the access."""
    members = Membership.objects.filter(agency_id=agency_id, active=True, role=Role.COORDINATOR)
    return User.objects.filter(pk__in=members.values("user_id"), is_active=True)


@transaction.atomic
def break_glass_open(
    *,
    actor: User | None,
    reason: str,
    reference: str = "",
    agency: str = "",
    national_id: str = "",
    now: datetime | None = None,
) -> BreakGlass:
    """Open one case outside the actor's scope in an emergency, tell the owner's coordinators, audit it."""
    if actor is None or not actor.is_authenticated:
        raise PermissionDenied
    viewer = viewer_for(actor)
    reading_for = reader_agency(viewer)
    reference, agency, national_id = reference.strip(), agency.strip(), national_id.strip()
    reason = reason.strip()
    if reference and national_id:
        raise _fail("national_id", _("Give the case number or the national ID number, not both."))
    if not reference and not national_id:
        raise _fail("reference", _("Give the exact case number, or the person's exact national ID number."))
    if reference and not agency:
        raise _fail(
            "agency", _("Case numbers are counted in each agency: give the code of the agency that holds it.")
        )
    if len(reason) < REASON_MIN:
        raise _fail(
            "reason",
            _("Say in a sentence why this cannot wait (at least %(n)s letters).") % {"n": REASON_MIN},
        )
    if len(reason) > REASON_MAX:
        raise _fail("reason", _("Keep the reason under %(n)s letters.") % {"n": REASON_MAX})
    case = _find(viewer, reference=reference, agency=agency, national_id=national_id)
    if case is None:
        raise not_found()
    moment = now or timezone.now()
    grant = BreakGlass.objects.create(
        reader=actor,
        reader_agency=reading_for,
        case=case,
        person_id=case.person_id,
        owner_agency_id=case.agency_id,
        found_by=BreakGlass.Found.REFERENCE if reference else BreakGlass.Found.NATIONAL_ID,
        reason=reason,
        opened_at=moment,
        expires_at=moment + timedelta(hours=hours()),
    )
    alert = CaseAlert.objects.create(
        case=case,
        kind=CaseAlert.Kind.EMERGENCY,
        key=f"break_glass:{grant.pk}",
        message=_(
            "Someone from %(agency)s opened this case in an emergency. Check why, and accept or report it."
        )
        % {"agency": reading_for.name},
    )
    alert.recipients.set(owner_coordinators(case.agency_id))
    facts = {
        "break_glass": True,
        "grant": grant.pk,
        "case": case.pk,
        "reader_agency": reading_for.pk,
        "found_by": grant.found_by,
        "hours": hours(),
        "reason_given": True,
    }
    audit_record(
        actor=actor,
        action="cases.breakglass.open",
        obj=grant,
        agency=case.agency_id,
        changes=facts,
        plain=("found_by",),
    )
    if reading_for.pk != case.agency_id:  # the reader's own agency's trail shows it too
        audit_record(
            actor=actor,
            action="cases.breakglass.open",
            obj=grant,
            agency=reading_for.pk,
            changes=facts,
            plain=("found_by",),
        )
    return grant


@transaction.atomic
def break_glass_read(*, actor: User | None, grant: BreakGlass, what: str) -> None:
    """Mark one read under an emergency access in the owning agency's trail, with the grant's id."""
    audit_record(
        actor=actor,
        action="cases.case.break_glass_view",
        obj=grant.case,
        changes={"break_glass": True, "grant": grant.pk, "read": what},
        plain=("read",),
    )


def case_for_reader(
    queryset: QuerySet[Case], request: HttpRequest, pk: Any, action: str = Action.VIEW, *, what: str = "case"
) -> Case:
    """One case the signed-in user may act on (their scope, a referral), or may read under a live emergency
    access; such a read is marked in the trail and the request remembers the grant (the page banner)."""
    try:
        return get_for_user(queryset, request.user, pk, action)
    except Http404:
        if action != Action.VIEW:
            raise
        grant = selectors.live_grant(request.user, pk)
        if grant is None:
            raise
    case = queryset.get(pk=grant.case_id)
    actor = request.user if isinstance(request.user, User) else None
    break_glass_read(actor=actor, grant=grant, what=what)
    request.break_glass = grant  # type: ignore[attr-defined]
    return case


# --------------------------------------------------------------------------------------------- reviews


def reviews_for(user: Any) -> QuerySet[BreakGlass]:
    """Emergency accesses to the cases of the agencies the user coordinates: waiting ones first."""
    viewer = user if isinstance(user, Viewer) else viewer_for(user)
    agencies = [g.agency_id for g in viewer.grants if g.role == Role.COORDINATOR]
    waiting = CaseWhen(
        When(review=BreakGlass.Review.PENDING, then=Value(0)), default=Value(1), output_field=IntegerField()
    )
    return (
        BreakGlass.objects.filter(owner_agency_id__in=agencies)
        .select_related("reader", "reader_agency", "owner_agency", "case", "reviewed_by")
        .annotate(waiting=waiting)
        .order_by("waiting", "-opened_at", "-pk")
    )


def reported_to_admin(user: Any, *, now: datetime | None = None) -> QuerySet[BreakGlass]:
    """Emergency accesses by the staff of the agencies the user administers that the owner reported as
    misuse in the last REPORTED_DAYS days."""
    viewer = user if isinstance(user, Viewer) else viewer_for(user)
    agencies = [g.agency_id for g in viewer.grants if g.role == Role.ADMIN]
    since = (now or timezone.now()) - timedelta(days=REPORTED_DAYS)
    return (
        BreakGlass.objects.filter(
            reader_agency_id__in=agencies, review=BreakGlass.Review.REPORTED, reviewed_at__gte=since
        )
        .select_related("reader", "reader_agency", "owner_agency", "case")
        .order_by("-reviewed_at", "-pk")
    )


def review_get(user: Any, pk: Any) -> BreakGlass:
    """One emergency access the user may review (a coordinator of the owning agency), or 404."""
    if not str(pk).isdigit():
        raise Http404
    grant = reviews_for(user).filter(pk=int(pk)).first()
    if grant is None:
        raise Http404
    return grant


@transaction.atomic
def break_glass_review(
    *, actor: User | None, grant: BreakGlass, decision: str, note: str = "", now: datetime | None = None
) -> BreakGlass:
    """Accept an emergency access, or report it as misuse: that ends it at once and tells the reader's
    agency."""
    if actor is None or not viewer_for(actor).has_role(Role.COORDINATOR, agency_id=grant.owner_agency_id):
        raise Http404
    if decision not in ("accept", "report"):
        raise _fail("decision", _("Choose accept or report."))
    note = note.strip()
    if len(note) > REASON_MAX:
        raise _fail("note", _("Keep the note under %(n)s letters.") % {"n": REASON_MAX})
    locked = BreakGlass.objects.select_for_update().get(pk=grant.pk)
    if locked.review != BreakGlass.Review.PENDING:
        raise _fail("decision", _("This emergency access has been reviewed already."))
    moment = now or timezone.now()
    locked.review = BreakGlass.Review.ACCEPTED if decision == "accept" else BreakGlass.Review.REPORTED
    locked.reviewed_by, locked.reviewed_at, locked.review_note = actor, moment, note
    if decision == "report" and locked.ended_at is None:
        locked.ended_at = moment
    locked.save()
    CaseAlert.objects.filter(kind=CaseAlert.Kind.EMERGENCY, key=f"break_glass:{locked.pk}").update(
        status=CaseAlert.Status.RESOLVED, acknowledged_by=actor, acknowledged_at=moment, resolved_at=moment
    )
    facts = {
        "break_glass": True,
        "grant": locked.pk,
        "case": locked.case_id,
        "review": decision,
        "note_given": bool(note),
    }
    action = "cases.breakglass.accept" if decision == "accept" else "cases.breakglass.report"
    audit_record(
        actor=actor,
        action=action,
        obj=locked,
        agency=locked.owner_agency_id,
        changes=facts,
        plain=("review",),
    )
    if decision == "report" and locked.reader_agency_id != locked.owner_agency_id:
        audit_record(
            actor=actor,
            action=action,
            obj=locked,
            agency=locked.reader_agency_id,
            changes=facts,
            plain=("review",),
        )
    return locked


def describe(grant: BreakGlass, *, now: datetime | None = None, with_reason: bool = True) -> dict[str, Any]:
    """One emergency access for the API and the review page (the reason only to the owner's coordinators)."""
    moment = now or timezone.now()
    out: dict[str, Any] = {
        "id": grant.pk,
        "case_id": grant.case_id,
        "reference": grant.case.reference,
        "reader": grant.reader.get_full_name() or grant.reader.get_username(),
        "reader_agency": grant.reader_agency.code,
        "owner_agency": grant.owner_agency.code,
        "found_by": grant.found_by,
        "opened_at": grant.opened_at,
        "expires_at": grant.expires_at,
        "ended_at": grant.ended_at,
        "live": grant.live_at(moment),
        "review": grant.review,
        "reviewed_at": grant.reviewed_at,
        "parts": sorted(selectors.break_glass_parts(grant)),
    }
    if with_reason:
        out["reason"] = grant.reason
        out["review_note"] = grant.review_note
    return out


def minutes_left(grant: BreakGlass, *, now: datetime | None = None) -> int:
    """Whole minutes until the access ends (0 when it has)."""
    left = grant.expires_at - (now or timezone.now())
    return max(0, int(left.total_seconds() // 60))
