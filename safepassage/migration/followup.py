"""After arrival and after return: labour disputes with their escalation (R-040), returned workers' experience
(R-067) and community reintegration (R-065). Issue 22 part 8.

Each record is a child of a registration: seen by whoever sees the registration (both ends of its channel),
written by whoever may change it; every write is audited on the registration, the person's words masked.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Prefetch, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from safepassage.accounts.models import User
from safepassage.audit.services import audit_record
from safepassage.core.validation import not_in_future
from safepassage.migration.models import (
    DISPUTE_TOPICS,
    DisputeLevel,
    DisputeStep,
    LabourDispute,
    Problem,
    Registration,
    ReintegrationStep,
    ReturnInterview,
    check_code,
)
from safepassage.migration.services import _registration_for, _visible
from safepassage.network.models import Organisation
from safepassage.workplaces.models import Workplace

TOPICS = {code for code, _label in DISPUTE_TOPICS} | set(Problem.values)


def _fail(field: str, message: str) -> ValidationError:
    return ValidationError({field: [message]})


# --- labour disputes (R-040) -------------------------------------------------------------------------------


@transaction.atomic
def dispute_open(
    *,
    actor: User | None,
    registration: Registration,
    opened_on: date,
    about: list[str],
    employer_name: str = "",
    workplace_id: int | None = None,
    first_level: str = "",
    handled_by: str = "",
) -> LabourDispute:
    """Record a labour dispute of a registered migrant; with `first_level`, the first step is taken too."""
    registration = _registration_for(actor, registration)
    not_in_future(opened_on, "opened_on")
    unknown = [code for code in about if code not in TOPICS]
    if not about or unknown:
        raise _fail("about", _("Say what the dispute is about (from the list)."))
    workplace = _visible(Workplace, actor, workplace_id, "workplace_id")
    dispute = LabourDispute.objects.create(
        registration=registration,
        opened_on=opened_on,
        about=sorted(set(about)),
        employer_name=employer_name.strip(),
        workplace=workplace,
        recorded_by=actor,
    )
    audit_record(
        actor=actor,
        action="migration.dispute.open",
        obj=registration,
        changes={"dispute": dispute.pk, "about": dispute.about},
    )
    if first_level:
        dispute_escalate(
            actor=actor, dispute=dispute, level=first_level, taken_on=opened_on, handled_by=handled_by
        )
    return dispute


@transaction.atomic
def level_save(
    *, actor: User | None, code: str, name: str, order: int, formal: bool = False, active: bool = True
) -> DisputeLevel:
    """Add a level to the escalation path or change one: name, place in the order, formal, in use (system
    administrators; audited). Levels are retired, never deleted: steps keep pointing at them."""
    if actor is not None and not actor.is_superuser:
        raise PermissionDenied(_("Only a system administrator changes the escalation path."))
    errors: dict[str, list[str]] = {}
    check_code(code, errors)
    if not name.strip():
        errors["name"] = [_("Give the level a name.")]
    if not 0 <= order <= 1000:
        errors["order"] = [_("The order is a number from 0 to 1000.")]
    if errors:
        raise ValidationError(errors)
    level, created = DisputeLevel.objects.update_or_create(
        code=code, defaults={"name": name.strip(), "order": order, "formal": formal, "active": active}
    )
    audit_record(
        actor=actor,
        action=f"migration.disputelevel.{'create' if created else 'update'}",
        obj=level,
        changes={"code": code, "name": level.name, "order": order, "formal": formal, "active": active},
        plain=("code", "name"),
    )
    return level


def _level(code: str) -> DisputeLevel:
    level = DisputeLevel.objects.filter(code=code, active=True).first()
    if level is None:
        raise _fail("level", _("Unknown level %(code)s.") % {"code": code})
    return level


@transaction.atomic
def dispute_escalate(
    *,
    actor: User | None,
    dispute: LabourDispute,
    level: str,
    taken_on: date,
    handled_by: str = "",
    result: str = "",
) -> DisputeStep:
    """A step at one level: the dispute taken up by community staff, the village committee, ... the court.
    A step may stay at the same level or go up; going back down (e.g. court to committee) is allowed, since
    a court may send the parties back to mediation, and shows as such."""
    registration = _registration_for(actor, dispute.registration)
    if dispute.status != LabourDispute.Status.OPEN:
        raise _fail("status", _("This dispute is closed."))
    not_in_future(taken_on, "taken_on")
    if taken_on < dispute.opened_on:
        raise _fail("taken_on", _("A step cannot come before the dispute was raised."))
    step = DisputeStep.objects.create(
        dispute=dispute,
        level=_level(level),
        taken_on=taken_on,
        handled_by=handled_by.strip(),
        result=result.strip(),
        recorded_by=actor,
    )
    audit_record(
        actor=actor,
        action="migration.dispute.escalate",
        obj=registration,
        changes={"dispute": dispute.pk, "level": level, "taken_on": taken_on},
    )
    return step


@transaction.atomic
def dispute_close(
    *,
    actor: User | None,
    dispute: LabourDispute,
    status: str,
    closed_on: date,
    outcome: str,
    amount_recovered: int | None = None,
) -> LabourDispute:
    """Close a dispute as resolved or dropped, saying how."""
    registration = _registration_for(actor, dispute.registration)
    if status not in (LabourDispute.Status.RESOLVED, LabourDispute.Status.DROPPED):
        raise _fail("status", _("A dispute closes as resolved or dropped."))
    if dispute.status != LabourDispute.Status.OPEN:
        raise _fail("status", _("This dispute is closed."))
    not_in_future(closed_on, "closed_on")
    if closed_on < dispute.opened_on:
        raise _fail("closed_on", _("The end cannot be before the start."))
    if not outcome.strip():
        raise _fail("outcome", _("Say how it ended."))
    if amount_recovered is not None and amount_recovered < 0:
        raise _fail("amount_recovered", _("A count is a whole number, 0 or more."))
    dispute.status, dispute.closed_on, dispute.outcome = status, closed_on, outcome.strip()[:300]
    dispute.amount_recovered = amount_recovered
    dispute.save()
    audit_record(
        actor=actor,
        action="migration.dispute.close",
        obj=registration,
        changes={"dispute": dispute.pk, "status": status, "amount_recovered": amount_recovered},
    )
    return dispute


def disputes_of(registration: Registration) -> QuerySet[LabourDispute]:
    """A registration's disputes with their steps in order (levels loaded)."""
    return registration.disputes.prefetch_related(
        Prefetch("steps", queryset=DisputeStep.objects.select_related("level").order_by("taken_on", "id"))
    )


def open_disputes_by_level(*, viewer: Any) -> list[tuple[DisputeLevel | None, list[LabourDispute]]]:
    """The open disputes the viewer may see, by the highest level each reached (none yet first)."""
    visible = Registration.objects.visible_to(viewer)
    disputes = (
        LabourDispute.objects.filter(registration__in=visible, status=LabourDispute.Status.OPEN)
        .select_related("registration__person", "registration__channel")
        .prefetch_related(Prefetch("steps", queryset=DisputeStep.objects.select_related("level")))
        .order_by("opened_on", "id")[:500]
    )
    groups: dict[int | None, list[LabourDispute]] = {}
    for dispute in disputes:
        step = dispute.current_step
        groups.setdefault(step.level_id if step else None, []).append(dispute)
    levels = {level.pk: level for level in DisputeLevel.objects.all()}
    ordered: list[tuple[DisputeLevel | None, list[LabourDispute]]] = []
    if None in groups:
        ordered.append((None, groups.pop(None)))
    for pk in sorted(groups, key=lambda k: (levels[k].order, levels[k].code)):  # type: ignore[index]
        ordered.append((levels[pk], groups[pk]))  # type: ignore[index]
    return ordered


# --- after return (R-067, R-065) ----------------------------------------------------------------------------


def _yes_no(value: Any) -> bool | None:
    return value if isinstance(value, bool) or value is None else None


@transaction.atomic
def return_interview_record(
    *,
    actor: User | None,
    registration: Registration,
    returned_on: date,
    why: str,
    interviewed_on: date | None = None,
    paid_as_promised: bool | None = None,
    job_as_promised: bool | None = None,
    problems: list[str] | tuple[str, ...] = (),
    would_go_again: str = "",
    experience: str = "",
    advice_for_others: str = "",
) -> ReturnInterview:
    """A returned worker's experience. The registration is marked as come back home."""
    registration = _registration_for(actor, registration)
    interviewed_on = interviewed_on or timezone.localdate()
    not_in_future(returned_on, "returned_on")
    not_in_future(interviewed_on, "interviewed_on")
    errors: dict[str, list[str]] = {}
    if why not in ReturnInterview.Why.values:
        errors["why"] = [_("Choose why they came back.")]
    if would_go_again and would_go_again not in ReturnInterview.Again.values:
        errors["would_go_again"] = [_("Yes, no or not sure.")]
    if [p for p in problems if p not in Problem.values]:
        errors["problems"] = [_("Choose problems from the list.")]
    if returned_on < registration.travel_date:
        errors["returned_on"] = [_("They cannot come back before they left.")]
    if interviewed_on < returned_on:
        errors["interviewed_on"] = [_("The talk cannot come before the return.")]
    if errors:
        raise ValidationError(errors)
    interview = ReturnInterview.objects.create(
        registration=registration,
        returned_on=returned_on,
        interviewed_on=interviewed_on,
        why=why,
        paid_as_promised=_yes_no(paid_as_promised),
        job_as_promised=_yes_no(job_as_promised),
        problems=sorted(set(problems)),
        would_go_again=would_go_again,
        experience=experience.strip(),
        advice_for_others=advice_for_others.strip(),
        recorded_by=actor,
    )
    if registration.status != Registration.Status.WITHDRAWN:
        registration.status = Registration.Status.RETURNED
        registration.save(update_fields=["status", "updated_at"])
    audit_record(
        actor=actor,
        action="migration.return.interview",
        obj=registration,
        changes={
            "interview": interview.pk,
            "why": why,
            "problems": interview.problems,
            "experience": interview.experience,
            "advice_for_others": interview.advice_for_others,
        },
        sensitive=("experience", "advice_for_others"),
    )
    return interview


@transaction.atomic
def reintegration_add(
    *,
    actor: User | None,
    registration: Registration,
    kind: str,
    started_on: date,
    status: str = ReintegrationStep.Status.ONGOING,
    organisation_id: int | None = None,
    note: str = "",
) -> ReintegrationStep:
    """A step of help to settle back: school, training, family support, livelihood, ..."""
    registration = _registration_for(actor, registration)
    not_in_future(started_on, "started_on")
    if kind not in ReintegrationStep.Kind.values:
        raise _fail("kind", _("Choose what help this is."))
    if status not in ReintegrationStep.Status.values:
        raise _fail("status", _("Unknown status %(status)s.") % {"status": status})
    organisation = _visible(Organisation, actor, organisation_id, "organisation_id")
    step = ReintegrationStep.objects.create(
        registration=registration,
        kind=kind,
        started_on=started_on,
        status=status,
        organisation=organisation,
        note=note.strip(),
        recorded_by=actor,
    )
    audit_record(
        actor=actor,
        action="migration.reintegration.add",
        obj=registration,
        changes={"step": step.pk, "kind": kind, "status": status, "note": step.note},
        sensitive=("note",),
    )
    return step


@transaction.atomic
def reintegration_follow_up(
    *,
    actor: User | None,
    step: ReintegrationStep,
    followed_up_on: date,
    status: str,
    back_in_child_labour: bool | None = None,
) -> ReintegrationStep:
    """A follow-up visit: the step's status, and for a child whether they are back in child labour."""
    registration = _registration_for(actor, step.registration)
    not_in_future(followed_up_on, "followed_up_on")
    if followed_up_on < step.started_on:
        raise _fail("followed_up_on", _("A follow-up cannot come before the start."))
    if status not in ReintegrationStep.Status.values:
        raise _fail("status", _("Unknown status %(status)s.") % {"status": status})
    step.followed_up_on, step.status, step.back_in_child_labour = followed_up_on, status, back_in_child_labour
    step.save(update_fields=["followed_up_on", "status", "back_in_child_labour"])
    audit_record(
        actor=actor,
        action="migration.reintegration.follow_up",
        obj=registration,
        changes={"step": step.pk, "status": status, "back_in_child_labour": back_in_child_labour},
    )
    return step
