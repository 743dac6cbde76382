"""A case from opening to its decisions: details, caseworker, status, screening and its track, the journey,
perpetrators, lifecycle steps, the legal process and deadlines."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from safepassage.accounts.models import Agency, Membership, User
from safepassage.audit.services import diff
from safepassage.cases import htcds
from safepassage.cases.models import (
    CASE_ROLES,
    BestInterestsAssessment,
    Case,
    CaseAlert,
    Deadline,
    IntakeReport,
    JourneyEvent,
    LegalEvent,
    Perpetrator,
    Screening,
    Stage,
    Step,
    Track,
    Urgency,
    age_on,
)
from safepassage.cases.screening import Outcome, screen
from safepassage.cases.services._common import (
    CASE_FIELDS,
    CHOICE_FIELDS,
    LIST_FIELDS,
    _area,
    _case_audit,
    _check_day,
    _codes,
    _country,
    _editable,
    _fail,
    _organisation,
    _staff_agency,
    _visible,
    next_reference,
)
from safepassage.cases.services.alerts import _resolve_alerts
from safepassage.core.models import get_for_user
from safepassage.core.roles import Action
from safepassage.geo.models import Level
from safepassage.registry.models import Person
from safepassage.registry.services import person_create
from safepassage.workplaces.models import Employer, Recruiter, Workplace


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
        elif name == "consent_to_share":
            if not isinstance(value, bool):
                raise _fail(name, _("Say yes or no: does the person agree to the case being shared?"))
            data[name] = value
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
    status: str = "",
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
    # A case brought in from another system keeps its status there (HTCDS cas_Status).
    status = status or htcds.CaseStatus.ACTIVE
    if status not in htcds.CaseStatus.values:
        raise _fail(
            "status", _("Status is one of %(known)s.") % {"known": ", ".join(htcds.CaseStatus.values)}
        )
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
                    status=status,
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
        status=status,
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
