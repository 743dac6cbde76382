"""Writes and reads for children's committees and youth forums (docs/prevention.md, R-100, W-25): a named
adult for every group, a guardian's consent for every member, members leaving on turning 18, and what the
groups reported (never which child said it)."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from safepassage.accounts.models import Agency, User
from safepassage.audit.services import audit_record
from safepassage.core.access import viewer_for
from safepassage.core.models import get_for_user
from safepassage.core.roles import Action, Role
from safepassage.core.validation import not_in_future
from safepassage.geo.models import Area
from safepassage.network.children_models import AGE_OUT, ChildMember, ChildrenGroup, ChildrenGroupReport
from safepassage.network.models import Responder
from safepassage.registry.scoring import youngest_age

FLAG_DAYS = 90  # a member turning 18 within this many days is flagged on the group's page


def _keeper(actor: User | None, agency: Agency | None) -> Agency:
    viewer = viewer_for(actor)
    for grant in viewer.grants:
        if grant.role in (Role.ADMIN, Role.COORDINATOR) and (agency is None or grant.agency_id == agency.pk):
            return agency or Agency.objects.get(pk=grant.agency_id)
    raise PermissionDenied(_("Only an agency's coordinators can start a children's group."))


# ------------------------------------------------------------------------------------------------- reads


def group_list(*, viewer: Any) -> QuerySet[ChildrenGroup]:
    """The groups the viewer's agencies keep (staff only, within their areas)."""
    return (
        ChildrenGroup.objects.visible_to(viewer).select_related("area", "named_adult").order_by("name", "pk")
    )


def get_group_for_user(user: Any, pk: Any, action: str = Action.VIEW) -> ChildrenGroup:
    """One group the user may see (or change), else 404."""
    return get_for_user(ChildrenGroup.objects.select_related("area", "named_adult"), user, pk, action)


def members_flagged(group: ChildrenGroup, today: date | None = None) -> list[tuple[ChildMember, bool]]:
    """Current members, each with whether they turn 18 within FLAG_DAYS."""
    today = today or timezone.localdate()
    soon = today + timedelta(days=FLAG_DAYS)
    return [(m, m.turns_18_on <= soon) for m in group.members.filter(left_on__isnull=True)]


# ------------------------------------------------------------------------------------------------ writes


@transaction.atomic
def group_create(
    *,
    actor: User | None,
    name: str,
    kind: str,
    named_adult_id: int,
    area_code: str = "",
    meets: str = "",
    agency: Agency | None = None,
) -> ChildrenGroup:
    """Start a children's committee or youth forum: it needs a named adult from the directory."""
    owner = _keeper(actor, agency) if actor is not None else agency
    if owner is None:
        raise ValidationError({"agency": _("A group must belong to an agency.")})
    errors: dict[str, list[str]] = {}
    if not name.strip():
        errors["name"] = [_("A group needs a name.")]
    if kind not in ChildrenGroup.Kind.values:
        errors["kind"] = [_("Unknown kind %(kind)s.") % {"kind": kind}]
    adults = Responder.objects.visible_to(actor) if actor is not None else Responder.objects.all()
    adult = adults.filter(pk=named_adult_id, active=True).first()
    if adult is None:
        errors["named_adult_id"] = [_("Name an adult from the directory who is responsible for the group.")]
    area = Area.objects.filter(code=area_code).first() if area_code else None
    if area_code and area is None:
        errors["area_code"] = [_("There is no area with the code %(code)s.") % {"code": area_code}]
    if errors or adult is None:
        raise ValidationError(errors)
    group = ChildrenGroup.objects.create(
        agency=owner, name=name.strip(), kind=kind, area=area, named_adult=adult, meets=meets.strip()
    )
    audit_record(
        actor=actor,
        action="network.childrengroup.create",
        obj=group,
        changes={"kind": kind, "named_adult": named_adult_id, "area": area_code},
    )
    return group


@transaction.atomic
def member_add(
    *,
    actor: User | None,
    group: ChildrenGroup,
    name: str,
    birth_date: date,
    joined_on: date,
    consent_by: str,
    consent_on: date | None,
    seat: str = ChildMember.Seat.MEMBER,
) -> ChildMember:
    """Add a child under 18 to a group, only with a guardian's recorded consent (a parent who objects is
    respected: the child is not added)."""
    errors: dict[str, list[str]] = {}
    not_in_future(joined_on, "joined_on")
    not_in_future(birth_date, "birth_date")
    if not name.strip():
        errors["name"] = [_("Give the child's name.")]
    if (youngest_age(joined_on, birth_date, None) or 0) >= AGE_OUT:
        errors["birth_date"] = [_("Members are children: under 18 when they join.")]
    if not consent_by.strip() or consent_on is None:
        errors["consent_by"] = [_("A guardian's consent is needed, with who gave it and when.")]
    elif consent_on > joined_on:
        errors["consent_on"] = [_("Consent comes before joining.")]
    if seat not in ChildMember.Seat.values:
        errors["seat"] = [_("Unknown seat %(seat)s.") % {"seat": seat}]
    if errors:
        raise ValidationError(errors)
    assert consent_on is not None
    member = ChildMember.objects.create(
        group=group,
        name=name.strip(),
        birth_date=birth_date,
        joined_on=joined_on,
        consent_by=consent_by.strip(),
        consent_on=consent_on,
        seat=seat,
    )
    audit_record(
        actor=actor,
        action="network.childmember.add",
        obj=member,
        agency=group.agency,
        changes={
            "group": group.pk,
            "name": name,
            "birth_date": birth_date,
            "consent_by": consent_by,
            "seat": seat,
        },
    )
    return member


@transaction.atomic
def member_leave(*, actor: User | None, member: ChildMember, left_on: date, reason: str) -> ChildMember:
    """A member leaves (or their guardian withdraws consent)."""
    not_in_future(left_on, "left_on")
    if reason not in ChildMember.Left.values:
        raise ValidationError({"left_reason": _("Unknown reason %(reason)s.") % {"reason": reason}})
    if member.left_on is not None:
        raise ValidationError({"left_on": _("This member has already left.")})
    member.left_on, member.left_reason = left_on, reason
    member.save(update_fields=["left_on", "left_reason"])
    audit_record(
        actor=actor,
        action="network.childmember.leave",
        obj=member,
        agency=member.group.agency,
        changes={"left_on": left_on, "left_reason": reason},
    )
    return member


@transaction.atomic
def members_age_out(*, today: date | None = None) -> int:
    """Members who have turned 18 leave their group on their 18th birthday (run nightly)."""
    today = today or timezone.localdate()
    cutoff = (
        today.replace(year=today.year - AGE_OUT)
        if not (today.month == 2 and today.day == 29)
        else date(today.year - AGE_OUT, 2, 28)
    )
    moved = 0
    for member in ChildMember.objects.select_related("group__agency").filter(
        left_on__isnull=True, birth_date__lte=cutoff
    ):
        member.left_on, member.left_reason = member.turns_18_on, ChildMember.Left.AGED_OUT
        member.save(update_fields=["left_on", "left_reason"])
        audit_record(
            actor=None,
            action="network.childmember.aged_out",
            obj=member,
            agency=member.group.agency,
            changes={"left_on": member.left_on},
        )
        moved += 1
    return moved


@transaction.atomic
def group_report_add(
    *,
    actor: User | None,
    group: ChildrenGroup,
    reported_on: date,
    about: str,
    summary: str,
    passed_to: str = "",
) -> ChildrenGroupReport:
    """Record what a group reported, as the named adult passed it on; which child said it is not kept."""
    not_in_future(reported_on, "reported_on")
    errors: dict[str, list[str]] = {}
    if about not in ChildrenGroupReport.About.values:
        errors["about"] = [_("Unknown subject %(about)s.") % {"about": about}]
    if not summary.strip():
        errors["summary"] = [_("Say what was reported.")]
    if errors:
        raise ValidationError(errors)
    report = ChildrenGroupReport.objects.create(
        group=group,
        reported_on=reported_on,
        about=about,
        summary=summary.strip(),
        passed_to=passed_to.strip(),
        recorded_by=actor,
    )
    audit_record(
        actor=actor,
        action="network.childrengroup.group_report",
        obj=group,
        changes={"report": report.pk, "about": about, "summary": summary, "passed_to": passed_to},
    )
    return report
