"""Writes for cases: intake, opening, screening, the journey, steps, the legal process, protection, returns,
conferences, referrals and alerts. Every write checks who may make it, validates naming the field, and leaves
one audit event in the same transaction."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import date, timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max, Q
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from safepassage.accounts.models import Agency, Membership, User
from safepassage.audit.services import audit_record, diff
from safepassage.cases import htcds, selectors
from safepassage.cases.models import (
    CASE_ROLES,
    PURPOSE_REASON,
    BestInterestsAssessment,
    Case,
    CaseAlert,
    CaseNote,
    Conference,
    ConferenceAction,
    Deadline,
    FollowUp,
    IntakeReport,
    JourneyEvent,
    LegalEvent,
    Perpetrator,
    Referral,
    ReferralPurpose,
    Repatriation,
    Screening,
    ShelterStay,
    Stage,
    Step,
    SupportService,
    Track,
    Urgency,
    age_on,
)
from safepassage.cases.screening import Outcome, screen
from safepassage.cases.selectors import RECEIVER_ADDS
from safepassage.core.access import viewer_for
from safepassage.core.countries import is_country
from safepassage.core.models import get_for_user
from safepassage.core.roles import Action, Role
from safepassage.geo.models import Area, Level
from safepassage.network.models import Agreement, FocalPoint, Organisation, Responder
from safepassage.registry.models import Person
from safepassage.registry.services import person_create
from safepassage.workplaces.models import Employer, Recruiter, Workplace

CASE_FIELDS = (
    "nationality",
    "exploitation_types",
    "sex_exploitation_types",
    "control_methods",
    "recruitment_methods",
    "recruitment_apps",
    "relationship_to_trafficker",
    "age_when_trafficked",
    "labour_industry",
    "address",
    "health",
    "immigration_status",
    "caseworker_id",
    "area_code",
)
LIST_FIELDS = {
    "exploitation_types": htcds.Exploitation,
    "sex_exploitation_types": htcds.SexExploitation,
    "control_methods": htcds.ControlMethod,
    "recruitment_methods": htcds.RecruitmentMethod,
    "recruitment_apps": htcds.RecruitmentApp,
}
CHOICE_FIELDS = {
    "relationship_to_trafficker": htcds.Relationship,
    "labour_industry": htcds.LabourIndustry,
    "immigration_status": Case.ImmigrationStatus,
}
COUNTRY_CODE = "^[A-Z]{2}$"


# ----------------------------------------------------------------------------------------------- helpers


def _fail(field: str, message: str) -> ValidationError:
    return ValidationError({field: [message]})


def _staff_agency(actor: Any, agency: Agency | None = None) -> Agency:
    """The agency the actor does case work for (coordinator or caseworker)."""
    viewer = viewer_for(actor)
    for grant in viewer.grants:
        if grant.role in CASE_ROLES and (agency is None or grant.agency_id == agency.pk):
            return agency or Agency.objects.get(pk=grant.agency_id)
    raise Http404


def one_or_404(queryset: Any, pk: Any) -> Any:
    """One row of an already scoped queryset, or 404 (absent and not yours look the same)."""
    try:
        obj = queryset.filter(pk=int(pk)).first()
    except (TypeError, ValueError):
        obj = None
    if obj is None:
        raise Http404
    return obj


def _editable(actor: Any, case: Case) -> Case:
    """The case again, if the actor may change it (the owning agency's case staff); 404 otherwise."""
    return get_for_user(Case.objects.select_related("person", "stage"), actor, case.pk, Action.CHANGE)


def _workable(actor: User | None, case: Case, kind: str) -> tuple[Case, Referral | None]:
    """The case again, and the accepted referral the actor works under when their agency is not its owner.

    The owner's case staff record anything; the receiving agency of an accepted referral adds only what
    RECEIVER_ADDS names (services, notes, follow-ups, an onward referral), each resting on that referral and
    its consent. Anyone else: 404."""
    qs = Case.objects.select_related("person", "stage", "agency")
    viewer = viewer_for(actor)
    own = qs.filter(Case.own_q(viewer, Action.CHANGE), pk=case.pk).first()
    if own is not None:
        return own, None
    if kind not in RECEIVER_ADDS:
        raise Http404
    shared = qs.filter(pk=case.pk).first()
    accepted = selectors.accepted_referrals(viewer, shared) if shared is not None else []
    if shared is None or not accepted:
        raise Http404
    return shared, accepted[0]


def case_to_work_on(actor: User | None, pk: Any, kind: str) -> tuple[Case, Referral | None]:
    """A case the actor may add `kind` to (as its owner, or under an accepted referral), or 404."""
    try:
        case = Case.objects.select_related("person", "stage", "agency").get(pk=int(pk))
    except (Case.DoesNotExist, TypeError, ValueError):
        raise Http404 from None
    return _workable(actor, case, kind)


def is_coordinator_of(actor: Any, agency_id: int) -> bool:
    return viewer_for(actor).has_role(Role.COORDINATOR, agency_id=agency_id)


def _codes(value: Any, choices: Any, field: str) -> list[str]:
    values = list(value or [])
    unknown = [v for v in values if v not in choices.values]
    if unknown:
        raise _fail(
            field,
            _("Unknown code %(codes)s; the HTCDS list has %(known)s.")
            % {"codes": ", ".join(map(str, unknown)), "known": ", ".join(choices.values)},
        )
    return sorted(set(values), key=values.index)


def _check_day(
    value: date | None, field: str, person: Person | None = None, *, future_ok: bool = False
) -> None:
    """Not in the future (unless allowed) and not before the person was born."""
    if value is None:
        return
    if not future_ok and value > timezone.localdate():
        raise _fail(field, _("The date cannot be in the future."))
    if person is not None:
        born = person.birth_date or (date(person.birth_year, 1, 1) if person.birth_year else None)
        if born is not None and value < born:
            raise _fail(field, _("The date is before the person was born."))


def _country(value: str, field: str) -> str:
    """An ISO 3166 country code ("mm" is MM); anything else is refused, naming the field."""
    value = (value or "").strip().upper()
    if value and not is_country(value):
        raise _fail(field, _("Choose the country from the list (ISO codes such as TH, MM, LA)."))
    return value


def _area(code: str | None, field: str) -> Area | None:
    if not code:
        return None
    area = Area.objects.filter(code=code).first()
    if area is None:
        raise _fail(field, _("There is no area with the code %(code)s.") % {"code": code})
    return area


def _visible(model: Any, actor: Any, pk: Any, field: str, **filters: Any) -> Any:
    """A record from another module that the actor may see, or an error naming the field."""
    if pk in (None, ""):
        return None
    obj = model.objects.visible_to(actor).filter(pk=pk, **filters).first()
    if obj is None:
        raise _fail(field, _("There is no such record you can use here."))
    return obj


def _organisation(actor: Any, pk: Any, field: str, **filters: Any) -> Organisation | None:
    return _visible(Organisation, actor, pk, field, active=True, **filters)


def _responder(actor: Any, pk: Any, field: str) -> Responder | None:
    return _visible(Responder, actor, pk, field, active=True)


def next_reference(agency: Agency, prefix: str, model: Any, day: date) -> str:
    """The next reference of the year for an agency: C-2026-00042."""
    start = f"{prefix}-{day.year}-"
    last = (
        model.objects.filter(agency=agency, reference__startswith=start)
        .aggregate(last=Max("reference"))
        .get("last")
    )
    number = int(last.rsplit("-", 1)[1]) + 1 if last else 1
    return f"{start}{number:05d}"


def _case_audit(actor: Any, action: str, case: Case, obj: Any = None, **changes: Any) -> None:
    audit_record(actor=actor, action=action, obj=obj or case, agency=case.agency, changes=changes)


def _work_audit(
    actor: User | None, action: str, case: Case, obj: Any, via: Referral | None, **changes: Any
) -> None:
    """A record added to a case; by a receiving agency, naming the referral (and the consent) it rests on.
    The event goes to the case's owner's trail, as the case's reads do."""
    if via is not None:
        changes = {**changes, "referral": via.pk, "consent": via.consent}
    _case_audit(actor, action, case, obj, **changes)


# ----------------------------------------------------------------------------------------------- intake


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
    return report


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


def _first_stage() -> Stage:
    stage = Stage.objects.filter(active=True).order_by("position").first()
    if stage is None:
        raise ValidationError(
            _("The case lifecycle is empty: load one with `safepassage cases stages load`.")
        )
    return stage


def _clean_case_fields(fields: Mapping[str, Any], person: Person) -> dict[str, Any]:
    data: dict[str, Any] = {}
    for name, value in fields.items():
        if name not in CASE_FIELDS or name in ("caseworker_id", "area_code"):
            continue
        if name in LIST_FIELDS:
            data[name] = _codes(value, LIST_FIELDS[name], name)
        elif name in CHOICE_FIELDS:
            if value and value not in CHOICE_FIELDS[name].values:
                raise _fail(
                    name,
                    _("Unknown code %(codes)s; the list has %(known)s.")
                    % {"codes": value, "known": ", ".join(CHOICE_FIELDS[name].values)},
                )
            data[name] = value or ""
        elif name == "nationality":
            data[name] = _country(value, name)
        elif name == "age_when_trafficked":
            if value is not None:
                now = age_on(person, timezone.localdate())
                if not 0 <= int(value) <= 120 or (now is not None and int(value) > now):
                    raise _fail(name, _("The age when trafficked cannot be more than the person's age now."))
            data[name] = value
        else:
            data[name] = value or ""
    return data


def _caseworker(agency: Agency, user_id: Any) -> Any:
    if user_id in (None, ""):
        return None
    membership = (
        Membership.objects.filter(agency=agency, user_id=user_id, active=True, role__in=CASE_ROLES)
        .select_related("user")
        .first()
    )
    if membership is None:
        raise _fail("caseworker_id", _("The caseworker must be a caseworker or coordinator of the agency."))
    return membership.user


@transaction.atomic
def case_open(
    *,
    actor: Any,
    opened_on: date,
    person: Person | None = None,
    person_fields: Mapping[str, Any] | None = None,
    agency: Agency | None = None,
    intake: IntakeReport | None = None,
    **fields: Any,
) -> Case:
    """Open a case for a registry person (one the actor may see) or for a new person, who is added to the
    registry and kept off village volunteers' lists from then on.

    From a report of the call log, the case carries the report over: it links back to it (what was reported
    and who reported stay readable from the case by its owner), and takes its place, urgency and suspected
    exploitation unless they are given."""
    owner = _staff_agency(actor, agency)
    _check_day(opened_on, "opened_on")
    if intake is not None:
        intake = get_for_user(IntakeReport.objects.select_related("area"), actor, intake.pk, Action.CHANGE)
        if intake.agency_id != owner.pk:
            raise Http404
        if intake.status == IntakeReport.Status.CASE:
            raise _fail("intake", _("This report already became a case."))
    if person is not None:
        person = get_for_user(Person.objects.all(), actor, person.pk)
    else:
        values = dict(person_fields or {})
        report_area = intake.area if intake is not None else None
        if not values.get("village_code") and report_area is not None and report_area.level == Level.VILLAGE:
            values["village_code"] = report_area.code
        if not values.get("village_code"):
            raise _fail("village_code", _("Say which village the person is in now (or came from)."))
        person = person_create(actor=actor, agency=owner, **values)
    _check_day(opened_on, "opened_on", person)
    if intake is not None:
        fields = {**_from_report(intake), **{k: v for k, v in fields.items() if v not in (None, "", [])}}
    data = _clean_case_fields(fields, person)
    caseworker = _caseworker(owner, fields.get("caseworker_id")) or actor
    area = _area(fields.get("area_code"), "area_code") or person.village
    urgency = fields.get("urgency") or Urgency.NORMAL
    if urgency not in Urgency.values:
        raise _fail("urgency", _("Say how urgent it is."))
    stage = _first_stage()
    earlier = Case.objects.filter(person=person).visible_to(actor).order_by("-opened_on", "-id").first()
    for attempt in range(3):
        reference = next_reference(owner, "C", Case, opened_on)
        try:
            with transaction.atomic():
                case = Case.objects.create(
                    agency=owner,
                    reference=reference,
                    person=person,
                    intake=intake,
                    area=area,
                    caseworker=caseworker,
                    opened_on=opened_on,
                    urgency=urgency,
                    stage=stage,
                    stage_since=opened_on,
                    previous_case=earlier,
                    **data,
                )
            break
        except IntegrityError:
            if attempt == 2:
                raise
    Step.objects.create(case=case, stage=stage, started_on=opened_on, responsible=owner, recorded_by=actor)
    if not person.restricted:
        person.restricted = True
        person.save(update_fields=["restricted"])
    if intake is not None:
        intake.status = IntakeReport.Status.CASE
        intake.save(update_fields=["status", "updated_at"])
    _case_audit(
        actor,
        "cases.case.create",
        case,
        person=person.pk,
        intake=intake.reference if intake else "",
        earlier_episode=earlier.reference if earlier else "",
        caseworker=caseworker.pk if caseworker else None,
        urgency=urgency,
        **data,
    )
    return case


def _from_report(report: IntakeReport) -> dict[str, Any]:
    """What a case takes from the report it comes from: the place, the urgency, the suspected exploitation."""
    carried: dict[str, Any] = {"urgency": report.urgency}
    if report.area is not None:
        carried["area_code"] = report.area.code
    if report.suspected_exploitation:
        carried["exploitation_types"] = list(report.suspected_exploitation)
    return carried


@transaction.atomic
def case_update(*, actor: Any, case: Case, **fields: Any) -> Case:
    """Change the victim fields (HTCDS code lists checked), the caseworker or the area."""
    case = _editable(actor, case)
    data = _clean_case_fields(fields, case.person)
    if "caseworker_id" in fields:
        data["caseworker"] = _caseworker(case.agency, fields["caseworker_id"])
    if fields.get("area_code"):
        data["area"] = _area(fields["area_code"], "area_code")
    if fields.get("urgency"):
        if fields["urgency"] not in Urgency.values:
            raise _fail("urgency", _("Say how urgent it is."))
        data["urgency"] = fields["urgency"]
    before = {name: getattr(case, name) for name in data}
    for name, value in data.items():
        setattr(case, name, value)
    case.save()
    changes = diff(
        {k: getattr(v, "pk", v) for k, v in before.items()}, {k: getattr(v, "pk", v) for k, v in data.items()}
    )
    _case_audit(actor, "cases.case.update", case, **changes)
    return case


@transaction.atomic
def case_assign(*, actor: User | None, case: Case, caseworker_id: int | None) -> Case:
    """Give the case to one of its agency's caseworkers or coordinators (or to no one): it is on their list of
    cases and its alerts reach them."""
    case = _editable(actor, case)
    caseworker = _caseworker(case.agency, caseworker_id)
    before = case.caseworker_id
    case.caseworker = caseworker
    case.save(update_fields=["caseworker", "updated_at"])
    _case_audit(actor, "cases.case.assign", case, caseworker=[before, caseworker.pk if caseworker else None])
    return case


@transaction.atomic
def status_decide(
    *, actor: Any, case: Case, status: str, decided_by_org: str, decided_on: date | None = None
) -> Case:
    """Record the trafficking status (HTCDS) and who decided it: a person's decision, never the system's."""
    case = _editable(actor, case)
    if status not in htcds.TraffickingStatus.values:
        raise _fail(
            "status", _("Status is one of %(known)s.") % {"known": ", ".join(htcds.TraffickingStatus.values)}
        )
    if decided_by_org not in htcds.DecisionOrg.values:
        raise _fail(
            "decided_by_org",
            _("Say who decided: %(known)s.") % {"known": ", ".join(htcds.DecisionOrg.values)},
        )
    decided_on = decided_on or timezone.localdate()
    _check_day(decided_on, "decided_on", case.person)
    before = {
        "trafficking_status": case.trafficking_status,
        "status_decided_by_org": case.status_decided_by_org,
    }
    case.trafficking_status, case.status_decided_by_org = status, decided_by_org
    case.status_decided_by, case.status_decided_on = actor, decided_on
    if status != htcds.TraffickingStatus.NOT_A_VICTIM and case.track == Track.UNDETERMINED:
        case.track = Track.TRAFFICKING
    case.save()
    after = {"trafficking_status": status, "status_decided_by_org": decided_by_org}
    _case_audit(actor, "cases.case.status", case, **diff(before, after), decided_on=decided_on)
    return case


@transaction.atomic
def screening_record(
    *,
    actor: Any,
    case: Case,
    screened_on: date,
    age_at_exploitation: int | None = None,
    acts: Sequence[str] = (),
    means: Sequence[str] = (),
    purposes: Sequence[str] = (),
    labour_issues: Sequence[str] = (),
    notes: str = "",
) -> Screening:
    """Apply the child rule and the adult rule and keep the reasoning; the track follows the outcome."""
    case = _editable(actor, case)
    _check_day(screened_on, "screened_on", case.person)
    if age_at_exploitation is None:
        age_at_exploitation = case.age_when_trafficked
    if age_at_exploitation is None:
        first = case.events.order_by("occurred_on").first()
        age_at_exploitation = age_on(case.person, first.occurred_on if first else screened_on)
    try:
        result = screen(
            age=age_at_exploitation, acts=acts, means=means, purposes=purposes, labour_issues=labour_issues
        )
    except ValueError as error:
        field, _sep, message = str(error).partition(":")
        raise _fail(field, _("Unknown code:") + message) from None
    screening = Screening.objects.create(
        case=case,
        screened_on=screened_on,
        age_at_exploitation=age_at_exploitation,
        acts=list(acts),
        means=list(means),
        purposes=list(purposes),
        labour_issues=list(labour_issues),
        outcome=result.outcome,
        reasoning=result.reasoning,
        notes=notes,
        recorded_by=actor,
    )
    track = {Outcome.TRAFFICKING: Track.TRAFFICKING, Outcome.LABOUR: Track.LABOUR}.get(result.outcome)
    updates = []
    if track and case.screened_track != track:
        case.screened_track = track
        updates.append("screened_track")
    if track and case.track != track and not case.track_override_reason:
        # Screening's suggestion becomes the track unless a caseworker decided otherwise (track_override).
        case.track = track
        updates.append("track")
    if result.outcome == Outcome.TRAFFICKING and not case.trafficking_status:
        # A suggestion only: "possible" until someone decides (status_decide).
        case.trafficking_status = htcds.TraffickingStatus.POSSIBLE
        updates.append("trafficking_status")
    if age_at_exploitation is not None and case.age_when_trafficked is None:
        case.age_when_trafficked = age_at_exploitation
        updates.append("age_when_trafficked")
    if updates:
        case.save(update_fields=[*updates, "updated_at"])
    _case_audit(actor, "cases.screening.create", case, screening, outcome=result.outcome, track=case.track)
    return screening


@transaction.atomic
def track_override(*, actor: Any, case: Case, track: str, reason: str) -> Case:
    """A caseworker decides the case's track against screening's suggestion, saying why; both stay shown.
    Choosing screening's own track again clears the override."""
    case = _editable(actor, case)
    if track not in (Track.TRAFFICKING, Track.LABOUR):
        raise _fail("track", _("Choose the trafficking track or the labour-rights track."))
    reason = reason.strip()
    if not reason:
        raise _fail("reason", _("Say why the track differs from what screening suggested."))
    before = case.track
    if track == case.screened_track:
        case.track, case.track_override_reason = track, ""
        case.track_overridden_by, case.track_overridden_on = None, None
    else:
        case.track, case.track_override_reason = track, reason
        case.track_overridden_by, case.track_overridden_on = actor, timezone.localdate()
    case.save(
        update_fields=[
            "track",
            "track_override_reason",
            "track_overridden_by",
            "track_overridden_on",
            "updated_at",
        ]
    )
    # The reason is free text and stays on the case: the audit event names the field, never its words.
    _case_audit(
        actor,
        "cases.track.override",
        case,
        track={"before": before, "after": track},
        screened_track=case.screened_track,
        fields=["track_override_reason"],
    )
    return case


@transaction.atomic
def event_add(
    *,
    actor: Any,
    case: Case,
    kind: str,
    occurred_on: date,
    area_code: str | None = None,
    country: str = "",
    place: str = "",
    workplace_id: int | None = None,
    approximate: bool = False,
    notes: str = "",
) -> JourneyEvent:
    """A step of the journey: recruitment, transit, exploitation, or when the person was found."""
    case = _editable(actor, case)
    if kind not in JourneyEvent.Kind.values:
        raise _fail("kind", _("Say what happened: recruitment, transit, exploitation or identification."))
    _check_day(occurred_on, "occurred_on", case.person)
    area = _area(area_code, "area_code")
    workplace = _visible(Workplace, actor, workplace_id, "workplace_id")
    if workplace is not None and area is None:
        area = workplace.village
    country = _country(country, "country") or (area.path.split("/")[0] if area else "")
    if area is None and not country and not place.strip():
        raise _fail("area_code", _("Say where: an area, a country or a place."))
    event = JourneyEvent.objects.create(
        case=case,
        kind=kind,
        occurred_on=occurred_on,
        approximate=approximate,
        area=area,
        country=country,
        place=place,
        workplace=workplace,
        notes=notes,
        recorded_by=actor,
    )
    _case_audit(actor, "cases.event.create", case, event, kind=kind, occurred_on=occurred_on)
    return event


@transaction.atomic
def perpetrator_add(
    *,
    actor: Any,
    case: Case,
    roles: Sequence[str],
    name: str = "",
    sex: str = "",
    nationality: str = "",
    relationship: str = "",
    recruiter_id: int | None = None,
    employer_id: int | None = None,
    notes: str = "",
) -> Perpetrator:
    """Someone who took part, with their role in the process (HTCDS)."""
    case = _editable(actor, case)
    roles = _codes(roles, htcds.PerpetratorRole, "roles")
    if not roles:
        raise _fail("roles", _("Say what part they played."))
    if relationship and relationship not in htcds.Relationship.values:
        raise _fail("relationship", _("Relationship is Familial, Acquainted or Unaquainted."))
    if sex and sex not in Person.Sex.values:
        raise _fail("sex", _("Sex is female, male, other or unknown."))
    perpetrator = Perpetrator.objects.create(
        case=case,
        roles=roles,
        name=name,
        sex=sex,
        nationality=_country(nationality, "nationality"),
        relationship=relationship,
        recruiter=_visible(Recruiter, actor, recruiter_id, "recruiter_id"),
        employer=_visible(Employer, actor, employer_id, "employer_id"),
        notes=notes,
        recorded_by=actor,
    )
    _case_audit(actor, "cases.perpetrator.create", case, perpetrator, roles=roles)
    return perpetrator


def _best_interests_for_return(case: Case, by: date | None = None) -> BestInterestsAssessment | None:
    qs = case.assessments.filter(recommendation=BestInterestsAssessment.Recommendation.RETURN, home_safe=True)
    if by is not None:
        qs = qs.filter(assessed_on__lte=by)
    return qs.order_by("-assessed_on", "-id").first()


@transaction.atomic
def step_record(
    *,
    actor: Any,
    case: Case,
    stage_code: str,
    started_on: date,
    responsible_agency_id: int | None = None,
    responsible_organisation_id: int | None = None,
    notes: str = "",
) -> Step:
    """Move the case on to a later stage of its track; a stage out of order, or a return without a safety and
    best-interests assessment, is refused."""
    case = _editable(actor, case)
    stage = Stage.objects.filter(code=stage_code, active=True).first()
    if stage is None:
        raise _fail("stage", _("There is no stage %(code)s in the lifecycle.") % {"code": stage_code})
    if case.stage.terminal:
        raise _fail("stage", _("The case is closed."))
    if not stage.allows(case.track):
        raise _fail(
            "stage",
            _("“%(stage)s” is not part of the %(track)s track.")
            % {"stage": stage.name(), "track": case.get_track_display()},
        )
    if stage.position <= case.stage.position:
        raise _fail(
            "stage",
            _("Out of order: the case is already at “%(current)s”; the next stage must come after it.")
            % {"current": case.stage.name()},
        )
    _check_day(started_on, "started_on", case.person)
    if started_on < case.stage_since:
        raise _fail("started_on", _("The date is before the case entered its current stage."))
    if "best_interests" in stage.requires and _best_interests_for_return(case, started_on) is None:
        raise _fail(
            "stage",
            _("A return needs a recorded safety and best-interests assessment that supports it first."),
        )
    responsible = None
    if responsible_agency_id:
        responsible = Agency.objects.filter(pk=responsible_agency_id, active=True).first()
        if responsible is None:
            raise _fail("responsible_agency_id", _("There is no such agency."))
    organisation = _organisation(actor, responsible_organisation_id, "responsible_organisation_id")
    step = Step.objects.create(
        case=case,
        stage=stage,
        started_on=started_on,
        responsible=responsible or case.agency,
        responsible_organisation=organisation,
        notes=notes,
        recorded_by=actor,
    )
    before = {"stage": case.stage.code, "status": case.status}
    case.stage, case.stage_since = stage, started_on
    if stage.terminal:
        case.status, case.closed_on = htcds.CaseStatus.CLOSED, started_on
        case.closure_reason = notes or case.closure_reason
    elif stage.code == "follow_up":
        case.status = htcds.CaseStatus.FOLLOW_UP
    case.save()
    _case_audit(
        actor, "cases.step.create", case, step, **diff(before, {"stage": stage.code, "status": case.status})
    )
    return step


@transaction.atomic
def legal_event_add(
    *,
    actor: Any,
    case: Case,
    kind: str,
    happened_on: date,
    authority: str = "",
    outcome: str = "",
    sentence: str = "",
    amount: Any = None,
    notes: str = "",
    next_deadline: date | None = None,
    next_deadline_what: str = "",
) -> LegalEvent:
    """A moment of the legal process. A verdict needs its outcome; a next deadline alerts when missed."""
    case = _editable(actor, case)
    if kind not in LegalEvent.Kind.values:
        raise _fail("kind", _("Unknown step of the legal process."))
    _check_day(happened_on, "happened_on", case.person)
    if outcome and outcome not in LegalEvent.Outcome.values:
        raise _fail("outcome", _("Unknown outcome."))
    if kind == LegalEvent.Kind.VERDICT and outcome not in ("convicted", "acquitted", "dismissed"):
        raise _fail("outcome", _("A verdict needs its outcome: convicted, acquitted or dismissed."))
    if kind == LegalEvent.Kind.MEDIATION and not outcome:
        raise _fail("outcome", _("Mediation needs its outcome: settled, partly settled or not settled."))
    if amount is not None and float(amount) < 0:
        raise _fail("amount", _("The amount cannot be negative."))
    event = LegalEvent.objects.create(
        case=case,
        kind=kind,
        happened_on=happened_on,
        authority=authority,
        outcome=outcome,
        sentence=sentence,
        amount=amount,
        notes=notes,
        recorded_by=actor,
    )
    if next_deadline is not None:
        if next_deadline < happened_on:
            raise _fail("next_deadline", _("The next deadline must come after this event."))
        Deadline.objects.create(
            case=case,
            what=next_deadline_what or event.get_kind_display(),
            due_on=next_deadline,
            recorded_by=actor,
        )
    _case_audit(
        actor, "cases.legal.create", case, event, kind=kind, outcome=outcome, next_deadline=next_deadline
    )
    return event


@transaction.atomic
def deadline_add(*, actor: Any, case: Case, what: str, due_on: date) -> Deadline:
    case = _editable(actor, case)
    if not what.strip():
        raise _fail("what", _("Say what is due."))
    deadline = Deadline.objects.create(case=case, what=what, due_on=due_on, recorded_by=actor)
    _case_audit(actor, "cases.deadline.create", case, deadline, what=what, due_on=due_on)
    return deadline


@transaction.atomic
def deadline_done(*, actor: Any, deadline: Deadline, done_on: date | None = None) -> Deadline:
    _editable(actor, deadline.case)
    done_on = done_on or timezone.localdate()
    _check_day(done_on, "done_on")
    deadline.done_on = done_on
    deadline.save(update_fields=["done_on"])
    _resolve_alerts(CaseAlert.Kind.DEADLINE, f"deadline:{deadline.pk}", actor)
    _case_audit(actor, "cases.deadline.done", deadline.case, deadline, done_on=done_on)
    return deadline


# ----------------------------------------------------------------------------------------------- protection


@transaction.atomic
def service_add(
    *,
    actor: Any,
    case: Case,
    kind: str,
    provider_id: int | None = None,
    responder_id: int | None = None,
    status: str = SupportService.Status.PLANNED,
    starts_on: date | None = None,
    ends_on: date | None = None,
    notes: str = "",
) -> SupportService:
    """A line of the support plan, with a provider from the directory. The receiving agency of an accepted
    referral adds the services it gives, resting on that referral."""
    case, via = _workable(actor, case, "service")
    if kind not in SupportService.Kind.values:
        raise _fail("kind", _("Unknown service."))
    if status not in SupportService.Status.values:
        raise _fail("status", _("Status is planned, ongoing, done or declined."))
    if starts_on and ends_on and ends_on < starts_on:
        raise _fail("ends_on", _("The end comes before the start."))
    service = SupportService.objects.create(
        case=case,
        kind=kind,
        provider=_organisation(actor, provider_id, "provider_id"),
        responder=_responder(actor, responder_id, "responder_id"),
        status=status,
        starts_on=starts_on,
        ends_on=ends_on,
        notes=notes,
        via_referral=via,
        recorded_by=actor,
    )
    _work_audit(actor, "cases.service.create", case, service, via, kind=kind, status=status)
    return service


@transaction.atomic
def service_update(
    *, actor: Any, service: SupportService, status: str, ends_on: date | None = None
) -> SupportService:
    _editable(actor, service.case)
    if status not in SupportService.Status.values:
        raise _fail("status", _("Status is planned, ongoing, done or declined."))
    before = {"status": service.status}
    service.status = status
    if ends_on:
        service.ends_on = ends_on
    service.save()
    _case_audit(actor, "cases.service.update", service.case, service, **diff(before, {"status": status}))
    return service


def shelter_limit(case: Case, on: date) -> int:
    """Days a shelter stay may last before it is reviewed: shorter for a child."""
    age = age_on(case.person, on)
    child = age is not None and age < 18
    return settings.SHELTER_DAYS_CHILD if child else settings.SHELTER_DAYS_ADULT


@transaction.atomic
def shelter_stay_start(
    *,
    actor: Any,
    case: Case,
    shelter_id: int,
    started_on: date,
    limit_days: int | None = None,
    notes: str = "",
) -> ShelterStay:
    case = _editable(actor, case)
    shelter = _organisation(actor, shelter_id, "shelter_id", kind=Organisation.Kind.SHELTER)
    if shelter is None:
        raise _fail("shelter_id", _("Choose the shelter."))
    _check_day(started_on, "started_on", case.person)
    if case.shelter_stays.filter(ended_on__isnull=True).exists():
        raise _fail("shelter_id", _("The person is already in a shelter: record when they left first."))
    age = age_on(case.person, started_on)
    if age is not None and age < 18 and not case.assessments.filter(assessed_on__lte=started_on).exists():
        raise _fail(
            "best_interests",
            _(
                "A child is placed in a shelter only after a safety and best-interests assessment: "
                "record one dated on or before the placement first."
            ),
        )
    limit = limit_days or shelter_limit(case, started_on)
    if limit < 1:
        raise _fail("limit_days", _("The limit must be at least one day."))
    stay = ShelterStay.objects.create(
        case=case, shelter=shelter, started_on=started_on, limit_days=limit, notes=notes, recorded_by=actor
    )
    _case_audit(actor, "cases.shelter.start", case, stay, shelter=shelter.pk, limit_days=limit)
    return stay


@transaction.atomic
def shelter_stay_end(*, actor: Any, stay: ShelterStay, ended_on: date) -> ShelterStay:
    _editable(actor, stay.case)
    _check_day(ended_on, "ended_on")
    if ended_on < stay.started_on:
        raise _fail("ended_on", _("The person cannot leave before they arrived."))
    stay.ended_on = ended_on
    stay.save(update_fields=["ended_on"])
    _resolve_alerts(CaseAlert.Kind.SHELTER, f"shelter:{stay.pk}", actor)
    _case_audit(actor, "cases.shelter.end", stay.case, stay, ended_on=ended_on)
    return stay


@transaction.atomic
def best_interests_record(
    *,
    actor: Any,
    case: Case,
    assessed_on: date,
    assessor: str,
    views: str,
    recommendation: str,
    family_traced: bool = False,
    home_safe: bool = False,
    risks: str = "",
) -> BestInterestsAssessment:
    """The safety and best-interests assessment: the person's own views are required."""
    case = _editable(actor, case)
    _check_day(assessed_on, "assessed_on", case.person)
    if recommendation not in BestInterestsAssessment.Recommendation.values:
        raise _fail("recommendation", _("Choose a recommendation."))
    if not assessor.strip():
        raise _fail("assessor", _("Say who assessed."))
    if not views.strip():
        raise _fail("views", _("Write down what the person wants: their views come first."))
    if recommendation == BestInterestsAssessment.Recommendation.RETURN and not home_safe:
        raise _fail(
            "home_safe", _("A return can be recommended only once the home was checked and found safe.")
        )
    assessment = BestInterestsAssessment.objects.create(
        case=case,
        assessed_on=assessed_on,
        assessor=assessor,
        views=views,
        recommendation=recommendation,
        family_traced=family_traced,
        home_safe=home_safe,
        risks=risks,
        recorded_by=actor,
    )
    _case_audit(actor, "cases.best_interests.create", case, assessment, recommendation=recommendation)
    return assessment


def transfer_packet(case: Case, repatriation: Repatriation) -> dict[str, Any]:
    """The minimum the receiving side needs: who is coming, what they need, the assessment, a summary.
    Never the address, health notes, documentation status, perpetrators or who reported the case."""
    person = case.person
    assessment = repatriation.assessment
    return {
        "case_reference": case.reference,
        "given_name": person.given_name,
        "family_name": person.family_name,
        "name_latin": person.latin_name,
        "sex": person.sex,
        "birth_date": person.birth_date.isoformat() if person.birth_date else None,
        "birth_year": person.birth_year,
        "child": case.is_child,
        "nationality": case.nationality,
        "languages": list(person.languages or []),
        "destination_country": repatriation.destination_country,
        "destination_area": repatriation.destination_area.code if repatriation.destination_area else None,
        "agreement": repatriation.agreement.name if repatriation.agreement else None,
        "best_interests": {
            "assessed_on": assessment.assessed_on.isoformat(),
            "recommendation": assessment.recommendation,
            "family_traced": assessment.family_traced,
            "home_safe": assessment.home_safe,
        },
        "support_needed": sorted({s.kind for s in case.services.all() if s.status in ("planned", "ongoing")}),
        "summary_language": repatriation.summary_language,
        "summary": repatriation.translated_summary,
        "sending_agency": case.agency.name,
    }


@transaction.atomic
def repatriation_prepare(
    *,
    actor: Any,
    case: Case,
    kind: str,
    destination_country: str,
    assessment_id: int | None = None,
    agreement_code: str | None = None,
    destination_area_code: str | None = None,
    receiving_focal_point_id: int | None = None,
    summary_language: str = "",
    translated_summary: str = "",
    planned_on: date | None = None,
) -> Repatriation:
    """Prepare a return with its transfer packet. It rests on the best-interests assessment, never on the
    person's victim status: a child is returned safely whatever their status (PRODUCT.md rule 4)."""
    case = _editable(actor, case)
    if kind not in Repatriation.Kind.values:
        raise _fail("kind", _("Within the country or across a border?"))
    country = _country(destination_country, "destination_country")
    if not country:
        raise _fail("destination_country", _("Say which country the person returns to."))
    if assessment_id:
        assessment = case.assessments.filter(pk=assessment_id).first()
    else:
        assessment = _best_interests_for_return(case)
    if assessment is None:
        raise _fail(
            "assessment_id",
            _("Record a safety and best-interests assessment that supports the return first."),
        )
    if not assessment.supports_return:
        raise _fail("assessment_id", _("This assessment does not recommend a return."))
    agreement = None
    focal_point = None
    if kind == Repatriation.Kind.CROSS_BORDER:
        agreement = Agreement.objects.filter(code=agreement_code or "", active=True).first()
        if agreement is None:
            raise _fail("agreement_code", _("Name the agreement the return is made under."))
        if country not in agreement.countries:
            raise _fail(
                "agreement_code", _("%(country)s is not party to this agreement.") % {"country": country}
            )
        focal_point = _responder(actor, receiving_focal_point_id, "receiving_focal_point_id")
        if focal_point is None:
            raise _fail("receiving_focal_point_id", _("Name the receiving focal point."))
        if not FocalPoint.objects.filter(responder=focal_point, country=country, active=True).exists():
            raise _fail(
                "receiving_focal_point_id",
                _("This responder is not a focal point for %(country)s.") % {"country": country},
            )
        if not translated_summary.strip():
            raise _fail("translated_summary", _("Write the summary in the receiving side's language."))
    else:
        focal_point = _responder(actor, receiving_focal_point_id, "receiving_focal_point_id")
    repatriation = Repatriation.objects.create(
        case=case,
        kind=kind,
        agreement=agreement,
        destination_country=country,
        destination_area=_area(destination_area_code, "destination_area_code"),
        receiving_focal_point=focal_point,
        assessment=assessment,
        summary_language=summary_language,
        translated_summary=translated_summary,
        planned_on=planned_on,
        recorded_by=actor,
    )
    repatriation.packet = transfer_packet(case, repatriation)
    repatriation.save(update_fields=["packet"])
    _case_audit(actor, "cases.repatriation.create", case, repatriation, kind=kind, country=country)
    return repatriation


@transaction.atomic
def repatriation_advance(
    *, actor: Any, repatriation: Repatriation, to: str, on: date | None = None, by: str = ""
) -> Repatriation:
    """Send the packet, record the receiving side's acknowledgement, record the return, or cancel."""
    case = _editable(actor, repatriation.case)
    on = on or timezone.localdate()
    _check_day(on, "on", case.person)
    order: list[str] = [
        Repatriation.Status.PREPARED,
        Repatriation.Status.SENT,
        Repatriation.Status.ACKNOWLEDGED,
        Repatriation.Status.COMPLETED,
    ]
    if repatriation.status in (Repatriation.Status.COMPLETED, Repatriation.Status.CANCELLED):
        raise _fail("status", _("This return is finished."))
    if to == Repatriation.Status.CANCELLED:
        repatriation.status = to
    elif to in order and order.index(to) == order.index(repatriation.status) + 1:
        if to == Repatriation.Status.SENT:
            repatriation.sent_on = on
        elif to == Repatriation.Status.ACKNOWLEDGED:
            if not by.strip():
                raise _fail("by", _("Say who acknowledged on the receiving side."))
            repatriation.acknowledged_on, repatriation.acknowledged_by = on, by
        else:
            if not repatriation.assessment.supports_return:
                raise _fail("assessment_id", _("The assessment does not support the return."))
            repatriation.completed_on = on
        repatriation.status = to
    else:
        raise _fail("status", _("Out of order: prepared → sent → acknowledged → returned."))
    repatriation.save()
    if repatriation.status == Repatriation.Status.COMPLETED:
        stage = Stage.objects.filter(code="return", active=True).first()
        if stage is not None and case.stage.position < stage.position:
            step_record(actor=actor, case=case, stage_code="return", started_on=on, notes=_("Returned home."))
    _case_audit(actor, "cases.repatriation.update", case, repatriation, status=repatriation.status, on=on)
    return repatriation


@transaction.atomic
def follow_up_record(
    *,
    actor: Any,
    case: Case,
    kind: str,
    due_on: date | None = None,
    done_on: date | None = None,
    by: str = "",
    wellbeing: str = "",
    summary: str = "",
) -> FollowUp:
    """A reintegration follow-up (planned with a due date, or done) or a report back after a return; the
    receiving agency of an accepted referral records its own, resting on that referral."""
    case, via = _workable(actor, case, "follow_up")
    if kind not in FollowUp.Kind.values:
        raise _fail("kind", _("Unknown kind of follow-up."))
    if due_on is None and done_on is None:
        raise _fail("due_on", _("Give the date it is due, or the date it was done."))
    _check_day(done_on, "done_on", case.person)
    if wellbeing and wellbeing not in FollowUp.Wellbeing.values:
        raise _fail("wellbeing", _("Unknown answer."))
    if done_on and not wellbeing:
        raise _fail("wellbeing", _("Say how the person is."))
    follow_up = FollowUp.objects.create(
        case=case,
        kind=kind,
        due_on=due_on,
        done_on=done_on,
        by=by,
        wellbeing=wellbeing,
        summary=summary,
        via_referral=via,
        recorded_by=actor,
    )
    _work_audit(actor, "cases.follow_up.create", case, follow_up, via, kind=kind, wellbeing=wellbeing)
    return follow_up


# ----------------------------------------------------------------------------------------------- notes


@transaction.atomic
def note_add(*, actor: User | None, case: Case, text: str) -> CaseNote:
    """A note on a case, by its owner's case staff or by the receiving agency of an accepted referral (which
    alone, with the owner, reads it). Audited without its text."""
    case, via = _workable(actor, case, "note")
    if not text.strip():
        raise _fail("text", _("Write the note."))
    agency = via.to_agency if via is not None and via.to_agency is not None else case.agency
    note = CaseNote.objects.create(case=case, agency=agency, text=text, via_referral=via, recorded_by=actor)
    _work_audit(actor, "cases.note.create", case, note, via, agency=agency.code)
    return note


@transaction.atomic
def notes_read(*, actor: User | None, case: Case) -> list[CaseNote]:
    """The notes of a case the actor may read, recording that they were read (their ids, never their text)."""
    notes = list(selectors.case_notes(actor, case))
    if notes:
        audit_record(
            actor=actor,
            action="cases.casenote.view",
            obj=case,
            changes={"read": "notes", "notes": [n.pk for n in notes]},
        )
    return notes


@transaction.atomic
def people_found(*, actor: User | None, ids: Sequence[int], via: str) -> None:
    """Record that a search showed these people's names to the actor (their ids, never the words typed)."""
    if not ids:
        return
    agency = next((g.agency_id for g in viewer_for(actor).grants if g.role in CASE_ROLES), None)
    audit_record(
        actor=actor,
        action="registry.person.search",
        object_type="registry.person",
        agency=Agency.objects.filter(pk=agency).first() if agency else None,
        changes={"people": list(ids), "via": via},
    )


# ----------------------------------------------------------------------------------------------- conferences


@transaction.atomic
def conference_record(
    *,
    actor: Any,
    case: Case,
    held_on: date,
    attendee_ids: Iterable[int] = (),
    other_attendees: str = "",
    learned: str = "",
    decisions: str = "",
    actions: Sequence[Mapping[str, Any]] = (),
) -> Conference:
    """A case conference with what was learned, the decisions and the actions (owner, due date)."""
    case = _editable(actor, case)
    _check_day(held_on, "held_on", case.person)
    ids = list(dict.fromkeys(attendee_ids))
    attendees = list(Responder.objects.visible_to(actor).filter(pk__in=ids))
    if len(attendees) != len(ids):
        raise _fail("attendee_ids", _("Some attendees are not in the directory."))
    conference = Conference.objects.create(
        case=case,
        held_on=held_on,
        other_attendees=other_attendees,
        learned=learned,
        decisions=decisions,
        recorded_by=actor,
    )
    conference.attendees.set(attendees)
    for number, raw in enumerate(actions, start=1):
        what = str(raw.get("what") or "").strip()
        if not what:
            raise _fail(f"actions[{number}].what", _("Say what is to be done."))
        due_on = raw.get("due_on")
        if not isinstance(due_on, date):
            raise _fail(f"actions[{number}].due_on", _("Give a due date."))
        if due_on < held_on:
            raise _fail(f"actions[{number}].due_on", _("The due date is before the conference."))
        owner = _responder(actor, raw.get("owner_id"), f"actions[{number}].owner_id")
        owner_name = str(raw.get("owner_name") or "")
        if owner is None and not owner_name.strip():
            raise _fail(f"actions[{number}].owner_id", _("Say who owns the action."))
        ConferenceAction.objects.create(
            conference=conference, what=what, owner=owner, owner_name=owner_name, due_on=due_on
        )
    _case_audit(
        actor,
        "cases.conference.create",
        case,
        conference,
        attendees=[a.pk for a in attendees],
        actions=len(actions),
    )
    return conference


@transaction.atomic
def action_done(*, actor: Any, action: ConferenceAction, done_on: date | None = None) -> ConferenceAction:
    case = _editable(actor, action.conference.case)
    action.done_on = done_on or timezone.localdate()
    _check_day(action.done_on, "done_on")
    action.save(update_fields=["done_on"])
    _resolve_alerts(CaseAlert.Kind.ACTION, f"action:{action.pk}", actor)
    _case_audit(actor, "cases.action.done", case, action.conference, action_id=action.pk)
    return action


# ----------------------------------------------------------------------------------------------- referrals


@transaction.atomic
def referral_create(
    *,
    actor: Any,
    case: Case,
    to_organisation_id: int,
    consent: str,
    reason: str = "",
    purpose: str = "",
    to_responder_id: int | None = None,
    services: Sequence[str] = (),
    details: str = "",
    urgent: bool = False,
    consent_on: date | None = None,
    override_reason: str = "",
) -> Referral:
    """Refer a case, with the person's (or guardian's) consent, or a coordinator's override with a reason.

    The receiving agency of an accepted referral may refer the case on, with consent of its own: the onward
    referral names the referral it comes from, and opens no more of the case than that one did."""
    case, via = _workable(actor, case, "referral")
    sender = via.to_agency if via is not None and via.to_agency is not None else case.agency
    organisation = _organisation(actor, to_organisation_id, "to_organisation_id")
    if organisation is None:
        raise _fail("to_organisation_id", _("Choose who the case is referred to."))
    responder = _responder(actor, to_responder_id, "to_responder_id")
    if responder is not None and responder.organisation_id != organisation.pk:
        raise _fail("to_responder_id", _("This responder does not work for that organisation."))
    if purpose and purpose not in ReferralPurpose.values:
        raise _fail("purpose", _("Choose the reason for the referral."))
    reason = reason or PURPOSE_REASON.get(purpose, "")
    if reason not in htcds.ReferralReason.values:
        raise _fail("purpose" if not reason else "reason", _("Give the reason for the referral."))
    unknown = [s for s in services if s not in SupportService.Kind.values]
    if unknown:
        raise _fail("services", _("Unknown service %(codes)s.") % {"codes": ", ".join(unknown)})
    if consent not in Referral.Consent.values:
        raise _fail("consent", _("Record the consent: the person's, a guardian's, or an override."))
    if consent == Referral.Consent.OVERRIDE:
        if not is_coordinator_of(actor, sender.pk):
            raise _fail("consent", _("Only a coordinator may refer without consent."))
        if not override_reason.strip():
            raise _fail("override_reason", _("Say why the referral cannot wait for consent."))
    else:
        if consent_on is None:
            raise _fail("consent_on", _("Give the date consent was given."))
        _check_day(consent_on, "consent_on", case.person)
    to_agency = organisation.member_agency
    if to_agency is not None:
        if to_agency.pk == sender.pk:
            raise _fail("to_organisation_id", _("This organisation is your own agency."))
        if to_agency.pk == case.agency_id:
            raise _fail("to_organisation_id", _("This organisation is the agency that has the case."))
        if to_agency.kind == Agency.Kind.EMPLOYER or not to_agency.active:
            raise _fail("to_organisation_id", _("Cases cannot be referred to this organisation."))
    referral = Referral.objects.create(
        case=case,
        from_agency=sender,
        parent=via,
        to_organisation=organisation,
        to_responder=responder,
        to_agency=to_agency,
        reason=reason,
        purpose=purpose,
        services=list(services),
        details=details,
        urgent=urgent,
        consent=consent,
        consent_on=consent_on,
        override_reason=override_reason,
        created_by=actor,
    )
    _case_audit(
        actor,
        "cases.referral.create",
        case,
        referral,
        to_organisation=organisation.pk,
        to_agency=to_agency.pk if to_agency else None,
        consent=consent,
        purpose=purpose,
        referred_on_from=via.pk if via else None,
    )
    return referral


def _receiving(actor: Any, referral: Referral) -> bool:
    return referral.to_agency_id is not None and any(
        g.agency_id == referral.to_agency_id and g.role in CASE_ROLES for g in viewer_for(actor).grants
    )


def _referring(actor: Any, referral: Referral) -> bool:
    """The case's owner, or the agency that referred it on (for a referral it made from one it accepted)."""
    viewer = viewer_for(actor)
    if referral.parent_id is not None and any(
        g.agency_id == referral.from_agency_id and g.role in CASE_ROLES for g in viewer.grants
    ):
        return True
    return Case.objects.filter(Case.own_q(viewer, Action.CHANGE), pk=referral.case_id).exists()


def referral_for(actor: Any, pk: Any) -> Referral:
    """A referral the actor is party to (either side), or 404."""
    return one_or_404(Referral.visible_to(actor).select_related("case", "to_organisation"), pk)


@transaction.atomic
def referral_respond(*, actor: Any, referral: Referral, accept: bool, note: str = "") -> Referral:
    """The receiving agency accepts (and from then sees the case) or rejects (with a reason)."""
    referral = Referral.objects.select_for_update().select_related("case").get(pk=referral.pk)
    if not _receiving(actor, referral):
        raise Http404
    if referral.status != Referral.Status.PENDING:
        raise _fail("status", _("This referral was already answered."))
    if not accept and not note.strip():
        raise _fail("note", _("Say why the referral cannot be taken."))
    referral.status = Referral.Status.ACCEPTED if accept else Referral.Status.REJECTED
    referral.responded_by, referral.responded_at, referral.response_note = actor, timezone.now(), note
    referral.save()
    audit_record(
        actor=actor,
        action=f"cases.referral.{'accept' if accept else 'reject'}",
        obj=referral,
        agency=referral.to_agency,
        changes={"status": referral.status, "case": referral.case.reference},
    )
    return referral


@transaction.atomic
def referral_close(*, actor: Any, referral: Referral, to: str, note: str = "") -> Referral:
    """Complete an accepted referral (either side) or revoke it (the referring side): access ends at once."""
    referral = Referral.objects.select_for_update().select_related("case").get(pk=referral.pk)
    referring, receiving = _referring(actor, referral), _receiving(actor, referral)
    if not (referring or receiving):
        raise Http404
    if to == Referral.Status.REVOKED:
        if not referring:
            raise _fail("status", _("Only the referring agency can revoke a referral."))
        if referral.status not in (Referral.Status.PENDING, Referral.Status.ACCEPTED):
            raise _fail("status", _("Only a waiting or accepted referral can be revoked."))
        if not note.strip():
            raise _fail("note", _("Say why the referral is revoked."))
    elif to == Referral.Status.COMPLETED:
        if referral.status != Referral.Status.ACCEPTED:
            raise _fail("status", _("Only an accepted referral can be completed."))
    else:
        raise _fail("status", _("A referral can be completed or revoked."))
    referral.status = to
    referral.closed_by, referral.closed_at, referral.close_note = actor, timezone.now(), note
    referral.save()
    audit_record(
        actor=actor,
        action=f"cases.referral.{'revoke' if to == Referral.Status.REVOKED else 'complete'}",
        obj=referral,
        agency=referral.from_agency if referring else referral.to_agency,
        changes={"status": to, "case": referral.case.reference},
    )
    if to == Referral.Status.REVOKED:
        _revoke_onward(actor, referral, note)
    return referral


def _revoke_onward(actor: User | None, referral: Referral, note: str) -> None:
    """Revoking a referral revokes those made on from it: they rested on it (and on its consent)."""
    live = (Referral.Status.PENDING, Referral.Status.ACCEPTED)
    for onward in Referral.objects.select_for_update().filter(parent=referral, status__in=live):
        onward.status = Referral.Status.REVOKED
        onward.closed_by, onward.closed_at, onward.close_note = actor, timezone.now(), note
        onward.save()
        audit_record(
            actor=actor,
            action="cases.referral.revoke",
            obj=onward,
            agency=onward.from_agency,
            changes={"status": onward.status, "case": referral.case.reference, "with": referral.pk},
        )
        _revoke_onward(actor, onward, note)


# ----------------------------------------------------------------------------------------------- alerts


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
        alert.recipients.set(alert_recipients(case))
        audit_record(
            actor=None, action="cases.alert.create", obj=alert, agency=case.agency, changes={"kind": kind}
        )
    return created


@transaction.atomic
def alerts_scan(*, today: date | None = None) -> dict[str, int]:
    """Raise one alert per cause: shelter stays past their limit, missed deadlines, overdue conference actions
    and follow-ups. Safe to run as often as you like (cron or the worker): a cause alerts once."""
    today = today or timezone.localdate()
    raised = {"shelter": 0, "deadline": 0, "action": 0, "follow_up": 0}
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
