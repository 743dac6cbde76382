"""API: intake, cases (journey, steps, legal process, protection, conferences), referrals, alerts."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema, Status
from ninja.pagination import paginate

from safepassage.accounts.selectors import signed_in_user
from safepassage.audit.pagination import AuditedPageNumberPagination
from safepassage.audit.services import audit_read
from safepassage.cases import break_glass, selectors, services
from safepassage.cases.models import (
    Case,
    CaseAlert,
    Conference,
    IntakeReport,
    Referral,
    Repatriation,
    ShelterStay,
)
from safepassage.core.api import ErrorOut, MappedPage
from safepassage.core.models import get_for_user
from safepassage.core.roles import Action
from safepassage.registry import documents
from safepassage.registry.models import Person

router = Router(tags=["cases"])
ERRORS: dict[int, Any] = {400: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut}


# ----------------------------------------------------------------------------------------------- schemas


class PersonIn(Schema):
    given_name: str
    family_name: str = ""
    given_name_latin: str = ""
    family_name_latin: str = ""
    sex: str = "unknown"
    birth_date: date | None = None
    birth_year: int | None = None
    village_code: str
    national_id: str = ""
    languages: list[str] = []


class CaseIn(Schema):
    opened_on: date
    person_id: int | None = None
    person: PersonIn | None = None
    intake_id: int | None = None
    caseworker_id: int | None = None
    area_code: str | None = None
    urgency: str = ""
    nationality: str = ""
    exploitation_types: list[str] = []
    sex_exploitation_types: list[str] = []
    control_methods: list[str] = []
    recruitment_methods: list[str] = []
    recruitment_apps: list[str] = []
    relationship_to_trafficker: str = ""
    age_when_trafficked: int | None = None
    labour_industry: str = ""
    address: str = ""
    health: str = ""
    immigration_status: str = ""


class CasePatch(Schema):
    caseworker_id: int | None = None
    area_code: str | None = None
    urgency: str | None = None
    nationality: str | None = None
    exploitation_types: list[str] | None = None
    sex_exploitation_types: list[str] | None = None
    control_methods: list[str] | None = None
    recruitment_methods: list[str] | None = None
    recruitment_apps: list[str] | None = None
    relationship_to_trafficker: str | None = None
    age_when_trafficked: int | None = None
    labour_industry: str | None = None
    address: str | None = None
    health: str | None = None
    immigration_status: str | None = None


def _track_override(case: Case) -> dict[str, Any] | None:
    """A caseworker's decision against screening's suggested track: who, when and why."""
    if not case.track_override_reason:
        return None
    by = case.track_overridden_by
    return {
        "track": case.track,
        "reason": case.track_override_reason,
        "by": by.get_username() if by else None,
        "on": case.track_overridden_on,
    }


def _case_summary(case: Case, viewer: Any, reach: selectors.Access | None = None) -> dict[str, Any]:
    """The fields of a case every reader of it may see, plus the parts their access opens (selectors.access:
    the one place that says what a reader reads)."""
    reach = reach or selectors.access(viewer, case)
    person = case.person
    data: dict[str, Any] = {
        "id": case.pk,
        "reference": case.reference,
        "agency": case.agency.code,
        "opened_on": case.opened_on,
        "closed_on": case.closed_on,
        "status": case.status,
        "track": case.track,
        "screened_track": case.screened_track,
        "track_override": _track_override(case) if reach.owner else None,
        "stage": case.stage.code,
        "stage_since": case.stage_since,
        "child": case.is_child,
        "earlier_episode_id": case.previous_case_id if reach.owner else None,
        "access": "owner" if reach.owner else "break_glass" if reach.break_glass else "referral",
        "person": None,
        "address": "",
        "health": "",
        "immigration_status": "",
    }
    if reach.sees(selectors.VICTIM):
        data.update(
            {
                "trafficking_status": case.trafficking_status,
                "status_decided_by_org": case.status_decided_by_org,
                "status_decided_on": case.status_decided_on,
                "exploitation_types": case.exploitation_types,
                "sex_exploitation_types": case.sex_exploitation_types,
                "control_methods": case.control_methods,
                "recruitment_methods": case.recruitment_methods,
                "recruitment_apps": case.recruitment_apps,
                "relationship_to_trafficker": case.relationship_to_trafficker,
                "age_when_trafficked": case.age_when_trafficked,
                "labour_industry": case.labour_industry,
                "nationality": case.nationality,
            }
        )
    if reach.sees(selectors.IDENTITY):
        data["person"] = {
            "id": person.pk,
            "given_name": person.given_name,
            "family_name": person.family_name,
            "given_name_latin": person.given_name_latin,
            "family_name_latin": person.family_name_latin,
            "sex": person.sex,
            "birth_date": person.birth_date,
            "birth_year": person.birth_year,
            "languages": person.languages,
        }
    if reach.sees(selectors.ADDRESS):
        data["address"] = case.address
    if reach.sees(selectors.HEALTH):
        data["health"] = case.health
    if reach.sees(selectors.DOCUMENTATION):
        data["immigration_status"] = case.immigration_status
    if reach.sees(selectors.CITIZENSHIP) and case.person_id is not None:
        data["citizenship"] = _citizenship(case)
    if reach.sees(selectors.MANAGEMENT):
        data["urgency"] = case.urgency
        data["caseworker_id"] = case.caseworker_id
    if reach.sees(selectors.REPORT):
        data["intake_id"] = case.intake_id
    if reach.referral and not reach.owner:
        # What the receiving agency was asked for, and the consent its work rests on.
        data["referred"] = [_referral(r, viewer) for r in reach.referrals]
    return data


# Read only in the (audited) read of one case, never in a list.
DETAIL_ONLY = ("address", "health", "immigration_status", "citizenship")


def _citizenship(case: Case) -> dict[str, Any]:
    """The subject's documents (kind, state, since, country) and civil-registration problems (kind, status):
    the "citizenship" part, which no enforcement profile reads."""
    status = documents.status_of(case.person)
    return {
        "stateless": status.stateless,
        "documents": [
            {"kind": d.kind, "state": d.state, "state_on": d.state_on, "country": d.country}
            for d in status.documents
        ],
        "problems": [{"kind": p.kind, "status": p.status} for p in status.problems],
    }


def _case_list_item(case: Case, viewer: Any) -> dict[str, Any]:
    """A case as a list shows it: its summary without health, address and documentation status."""
    data = _case_summary(case, viewer)
    for name in DETAIL_ONLY:
        data.pop(name, None)
    return data


def _rows(qs: Any, *fields: str) -> list[dict[str, Any]]:
    return [{name: getattr(obj, name) for name in ("id", *fields)} for obj in qs]


def _case_detail(case: Case, viewer: Any) -> dict[str, Any]:
    """The whole case as this reader may read it: each list only when their access names its part."""
    reach = selectors.access(viewer, case)
    data = _case_summary(case, viewer, reach)
    data["screenings"] = []
    data["events"] = []
    data["perpetrators"] = []
    data["steps"] = []
    data["legal_events"] = []
    data["deadlines"] = []
    data["services"] = []
    data["shelter_stays"] = []
    data["best_interests"] = []
    data["repatriations"] = []
    data["follow_ups"] = []
    data["conferences"] = []
    if reach.sees(selectors.REPORT) and case.intake_id is not None:
        data["report"] = _report_out(case.intake) if case.intake else None
    if reach.sees(selectors.SCREENING):
        data["screenings"] = _screenings(case)
    if reach.sees(selectors.JOURNEY):
        data["events"] = _events(case)
    if reach.sees(selectors.PERPETRATORS):
        data["perpetrators"] = _rows(
            case.perpetrators.all(), "name", "roles", "relationship", "nationality", "recruiter_id"
        )
    if reach.sees(selectors.LIFECYCLE):
        data["steps"] = _steps(case)
    if reach.sees(selectors.LEGAL):
        data["legal_events"] = _rows(
            case.legal_events.all(), "kind", "happened_on", "authority", "outcome", "sentence", "amount"
        )
        data["deadlines"] = _rows(case.deadlines.all(), "what", "due_on", "done_on")
    if reach.sees(selectors.SUPPORT):
        data["services"] = _rows(
            case.services.all(),
            "kind",
            "provider_id",
            "responder_id",
            "status",
            "starts_on",
            "ends_on",
            "via_referral_id",
        )
        data["shelter_stays"] = _rows(
            case.shelter_stays.all(), "shelter_id", "started_on", "ended_on", "limit_days"
        )
    if reach.sees(selectors.RETURNS):
        data["best_interests"] = _rows(
            case.assessments.all(), "assessed_on", "assessor", "family_traced", "home_safe", "recommendation"
        )
        data["repatriations"] = _rows(
            case.repatriations.all(),
            "kind",
            "destination_country",
            "status",
            "planned_on",
            "sent_on",
            "acknowledged_on",
            "completed_on",
            "receiving_focal_point_id",
        )
        data["follow_ups"] = _rows(
            case.follow_ups.all(), "kind", "due_on", "done_on", "wellbeing", "summary", "via_referral_id"
        )
    if reach.sees(selectors.CONFERENCES):
        data["conferences"] = [
            _conference(c) for c in case.conferences.prefetch_related("actions", "attendees")
        ]
    data["referrals"] = (
        [_referral(r, viewer) for r in case.referrals.select_related("to_organisation", "from_agency")]
        if reach.owner
        else []
    )
    data["viewed_by"] = (
        [{"user": e.actor_name, "at": e.at} for e in selectors.viewers_of(case)] if reach.owner else []
    )
    return data


def _screenings(case: Case) -> list[dict[str, Any]]:
    return _rows(
        case.screenings.all(),
        "screened_on",
        "age_at_exploitation",
        "acts",
        "means",
        "purposes",
        "outcome",
        "reasoning",
    )


def _events(case: Case) -> list[dict[str, Any]]:
    return [
        {
            "id": e.pk,
            "kind": e.kind,
            "occurred_on": e.occurred_on,
            "approximate": e.approximate,
            "area_code": e.area.code if e.area else None,
            "country": e.country,
            "place": e.place,
            "workplace_id": e.workplace_id,
        }
        for e in case.events.select_related("area")
    ]


def _steps(case: Case) -> list[dict[str, Any]]:
    return [
        {
            "id": s.pk,
            "stage": s.stage.code,
            "started_on": s.started_on,
            "responsible_agency_id": s.responsible_id,
            "notes": s.notes,
        }
        for s in case.steps.select_related("stage")
    ]


def _report_out(report: IntakeReport) -> dict[str, Any]:
    """The report a case came from, for its owner: what was reported, never who reported (that stays behind
    /intake/{id}, where reading it is audited)."""
    return {
        "id": report.pk,
        "reference": report.reference,
        "channel": report.channel,
        "received_at": report.received_at,
        "summary": report.summary,
        "area_code": report.area.code if report.area else None,
        "workplace_id": report.workplace_id,
        "workplace_name": report.workplace_name,
        "urgency": report.urgency,
        "suspected_exploitation": report.suspected_exploitation,
        "people_involved": report.people_involved,
        "child_involved": report.child_involved,
    }


def _conference(conference: Conference) -> dict[str, Any]:
    return {
        "id": conference.pk,
        "held_on": conference.held_on,
        "attendee_ids": [a.pk for a in conference.attendees.all()],
        "other_attendees": conference.other_attendees,
        "learned": conference.learned,
        "decisions": conference.decisions,
        "actions": [
            {
                "id": a.pk,
                "what": a.what,
                "owner_id": a.owner_id,
                "owner_name": a.owner_name,
                "due_on": a.due_on,
                "done_on": a.done_on,
            }
            for a in conference.actions.all()
        ],
    }


def _referral(referral: Referral, viewer: Any) -> dict[str, Any]:
    """A referral as either side sees it: the receiving side gets no personal data until it accepts."""
    return {
        "id": referral.pk,
        "case_id": referral.case_id,
        "case_reference": referral.case.reference,
        "from_agency": referral.from_agency.code,
        "to_organisation_id": referral.to_organisation_id,
        "to_organisation": referral.to_organisation.name,
        "to_responder_id": referral.to_responder_id,
        "reason": referral.reason,
        "purpose": referral.purpose,
        "parent_id": referral.parent_id,
        "services": referral.services,
        "details": referral.details,
        "urgent": referral.urgent,
        "consent": referral.consent,
        "consent_on": referral.consent_on,
        "consent_names_agency": referral.consent_names_agency,
        "consent_covers": referral.consent_covers,
        "best_interests_id": referral.best_interests_id,
        # what its receiver reads of the case once it accepts (part codes: docs/roles.md)
        "profile": referral.profile,
        "reads": sorted(selectors.referral_parts(referral)),
        "status": referral.status,
        "created_at": referral.created_at,
        "responded_at": referral.responded_at,
        "response_note": referral.response_note,
        "closed_at": referral.closed_at,
    }


class ScreeningIn(Schema):
    screened_on: date
    age_at_exploitation: int | None = None
    acts: list[str] = []
    means: list[str] = []
    purposes: list[str] = []
    labour_issues: list[str] = []
    notes: str = ""


class ScreeningOut(Schema):
    id: int
    outcome: str
    age_at_exploitation: int | None
    reasoning: list[str]
    track: str
    trafficking_status: str

    @staticmethod
    def resolve_track(obj: Any) -> str:
        return str(obj.case.track)

    @staticmethod
    def resolve_trafficking_status(obj: Any) -> str:
        return str(obj.case.trafficking_status)


class TrackIn(Schema):
    track: str
    reason: str


class StatusIn(Schema):
    status: str
    decided_by_org: str
    decided_on: date | None = None


class EventIn(Schema):
    kind: str
    occurred_on: date
    area_code: str | None = None
    country: str = ""
    place: str = ""
    workplace_id: int | None = None
    approximate: bool = False
    notes: str = ""


class PerpetratorIn(Schema):
    roles: list[str]
    name: str = ""
    sex: str = ""
    nationality: str = ""
    relationship: str = ""
    recruiter_id: int | None = None
    employer_id: int | None = None
    notes: str = ""


class StepIn(Schema):
    stage: str
    started_on: date
    responsible_agency_id: int | None = None
    responsible_organisation_id: int | None = None
    notes: str = ""


class LegalIn(Schema):
    kind: str
    happened_on: date
    authority: str = ""
    outcome: str = ""
    sentence: str = ""
    amount: Decimal | None = None
    notes: str = ""
    next_deadline: date | None = None
    next_deadline_what: str = ""


class DeadlineIn(Schema):
    what: str
    due_on: date


class ServiceIn(Schema):
    kind: str
    provider_id: int | None = None
    responder_id: int | None = None
    status: str = "planned"
    starts_on: date | None = None
    ends_on: date | None = None
    notes: str = ""


class ShelterIn(Schema):
    shelter_id: int
    started_on: date
    limit_days: int | None = None
    notes: str = ""


class EndIn(Schema):
    ended_on: date


class BestInterestsIn(Schema):
    assessed_on: date
    assessor: str
    views: str
    recommendation: str
    family_traced: bool = False
    home_safe: bool = False
    risks: str = ""


class RepatriationIn(Schema):
    kind: str
    destination_country: str
    assessment_id: int | None = None
    agreement_code: str | None = None
    destination_area_code: str | None = None
    receiving_focal_point_id: int | None = None
    summary_language: str = ""
    translated_summary: str = ""
    planned_on: date | None = None


class AdvanceIn(Schema):
    to: str
    on: date | None = None
    by: str = ""


class FollowUpIn(Schema):
    kind: str
    due_on: date | None = None
    done_on: date | None = None
    by: str = ""
    wellbeing: str = ""
    summary: str = ""


class ActionIn(Schema):
    what: str
    due_on: date
    owner_id: int | None = None
    owner_name: str = ""


class ConferenceIn(Schema):
    held_on: date
    attendee_ids: list[int] = []
    other_attendees: str = ""
    learned: str = ""
    decisions: str = ""
    actions: list[ActionIn] = []


class ReferralIn(Schema):
    case_id: int
    to_organisation_id: int
    consent: str
    purpose: str = ""
    reason: str = ""
    to_responder_id: int | None = None
    services: list[str] = []
    details: str = ""
    urgent: bool = False
    consent_on: date | None = None
    override_reason: str = ""
    consent_names_agency: bool = False
    consent_covers: list[str] = []


class NoteIn(Schema):
    note: str = ""


class CaseNoteIn(Schema):
    text: str


class IntakeIn(Schema):
    channel: str
    summary: str
    received_at: datetime | None = None
    notifier_name: str = ""
    notifier_contact: str = ""
    notifier_relation: str = ""
    anonymous: bool = False
    area_code: str | None = None
    workplace_id: int | None = None
    workplace_name: str = ""
    people_involved: int = 1
    child_involved: bool = False
    urgency: str = ""
    suspected_exploitation: list[str] = []
    referred_to_id: int | None = None
    action_taken: str = ""


class IntakeCloseIn(Schema):
    status: str
    action_taken: str
    referred_to_id: int | None = None


class IntakeCaseIn(Schema):
    opened_on: date
    person_id: int | None = None
    person: PersonIn | None = None
    urgency: str = ""
    nationality: str = ""
    caseworker_id: int | None = None


class IdOut(Schema):
    id: int


# ----------------------------------------------------------------------------------------------- helpers


def _case(request: HttpRequest, case_id: int, action: str = Action.VIEW) -> Case:
    """One case to act on; to read, a live emergency access opens it too (marked in the trail)."""
    qs = Case.objects.select_related("person", "stage", "agency")
    return break_glass.case_for_reader(qs, request, case_id, action, what=request.path)


def _case_read(request: HttpRequest, case_id: int, what: str) -> dict[str, Any]:
    """Part of a case, read and audited like the whole."""
    case = _case(request, case_id)
    audit_read(actor=request.user, obj=case, what=what)
    return _case_detail(case, request.user)


def _person(request: HttpRequest, person_id: int | None) -> Person | None:
    if person_id is None:
        return None
    return get_for_user(Person.objects.all(), request.user, person_id)


def _intake_out(report: IntakeReport, request: HttpRequest, listed: bool = False) -> dict[str, Any]:
    """A report; in a list without the notifier's name and contact (those only from the detail read)."""
    out = {
        "id": report.pk,
        "reference": report.reference,
        "channel": report.channel,
        "received_at": report.received_at,
        "summary": report.summary,
        "area_code": report.area.code if report.area else None,
        "workplace_id": report.workplace_id,
        "workplace_name": report.workplace_name,
        "people_involved": report.people_involved,
        "child_involved": report.child_involved,
        "urgency": report.urgency,
        "suspected_exploitation": report.suspected_exploitation,
        "referred_to_id": report.referred_to_id,
        "action_taken": report.action_taken,
        "status": report.status,
        "anonymous": report.anonymous,
        "case_id": getattr(getattr(report, "case", None), "pk", None),
    }
    if listed:
        return out
    notifier = selectors.may_see_notifier(request.user, report)
    return {
        **out,
        "notifier_name": report.notifier_name if notifier else "",
        "notifier_contact": report.notifier_contact if notifier else "",
        "notifier_relation": report.notifier_relation if notifier else "",
    }


# ----------------------------------------------------------------------------------------------- intake


@router.get("/intake", response=list[dict[str, Any]])
@paginate(AuditedPageNumberPagination)
def intake_list(request: HttpRequest, status: str = "") -> Any:
    """The call log: reports I may see, newest first (who reported, only from the audited detail read)."""
    reports = selectors.intake_list(request.user, status=status).select_related("case")
    return MappedPage(reports, lambda r: _intake_out(r, request, listed=True))


@router.post("/intake", response={201: dict, **ERRORS})
def intake_create(request: HttpRequest, payload: IntakeIn) -> Any:
    """Log a call, walk-in or notification. The reporter's identity is kept from everyone else."""
    report = services.intake_record(actor=signed_in_user(request), **payload.dict())
    return Status(201, _intake_out(report, request))


@router.get("/intake/{report_id}", response={200: dict, **ERRORS})
def intake_detail(request: HttpRequest, report_id: int) -> Any:
    report = get_for_user(IntakeReport.objects.select_related("area"), request.user, report_id)
    if selectors.may_see_notifier(request.user, report) and report.notifier_name:
        audit_read(actor=request.user, obj=report, what="notifier")
    return _intake_out(report, request)


@router.post("/intake/{report_id}/close", response={200: dict, **ERRORS})
def intake_close(request: HttpRequest, report_id: int, payload: IntakeCloseIn) -> Any:
    report = get_for_user(IntakeReport.objects.all(), request.user, report_id, Action.CHANGE)
    report = services.intake_close(actor=signed_in_user(request), report=report, **payload.dict())
    return _intake_out(report, request)


@router.post("/intake/{report_id}/case", response={201: dict, **ERRORS})
def intake_to_case(request: HttpRequest, report_id: int, payload: IntakeCaseIn) -> Any:
    """The report becomes a case, for a registry person or a new one: it carries the report's place, urgency
    and suspected exploitation over, and links back to it."""
    report = get_for_user(IntakeReport.objects.all(), request.user, report_id, Action.CHANGE)
    case = services.case_open(
        actor=signed_in_user(request),
        opened_on=payload.opened_on,
        person=_person(request, payload.person_id),
        person_fields=payload.person.dict() if payload.person else None,
        intake=report,
        agency=report.agency,
        urgency=payload.urgency,
        nationality=payload.nationality,
        caseworker_id=payload.caseworker_id,
    )
    return Status(201, _case_summary(case, request.user))


# ----------------------------------------------------------------------------------------------- cases


@router.get("/cases", response=list[dict[str, Any]])
@paginate(AuditedPageNumberPagination)
def case_list(
    request: HttpRequest, status: str = "", stage: str = "", track: str = "", q: str = "", mine: bool = False
) -> Any:
    """Cases I may open: my agency's (by role and area) and those referred to my agency and accepted."""
    cases = selectors.case_list(request.user, status=status, stage=stage, track=track, query=q, mine=mine)
    return MappedPage(cases, lambda c: _case_list_item(c, request.user))


@router.post("/cases", response={201: dict, **ERRORS})
def case_create(request: HttpRequest, payload: CaseIn) -> Any:
    """Open a case for a registry person (`person_id`) or a new one (`person`)."""
    data = payload.dict()
    person_fields = data.pop("person")
    person_id = data.pop("person_id")
    intake_id = data.pop("intake_id")
    intake = None
    if intake_id is not None:
        intake = get_for_user(IntakeReport.objects.all(), request.user, intake_id, Action.CHANGE)
    case = services.case_open(
        actor=signed_in_user(request),
        person=_person(request, person_id),
        person_fields=person_fields,
        intake=intake,
        **data,
    )
    return Status(201, _case_summary(case, request.user))


@router.get("/cases/{case_id}", response={200: dict, **ERRORS})
def case_detail(request: HttpRequest, case_id: int) -> Any:
    """The whole case. Every read is recorded in the audit trail and shown on the case as 'viewed by'."""
    case = _case(request, case_id)
    audit_read(actor=request.user, obj=case, what="case")
    return _case_detail(case, request.user)


@router.patch("/cases/{case_id}", response={200: dict, **ERRORS})
def case_update(request: HttpRequest, case_id: int, payload: CasePatch) -> Any:
    case = _case(request, case_id, Action.CHANGE)
    case = services.case_update(actor=signed_in_user(request), case=case, **payload.dict(exclude_unset=True))
    return _case_summary(case, request.user)


@router.post("/cases/{case_id}/status", response={200: dict, **ERRORS})
def case_status(request: HttpRequest, case_id: int, payload: StatusIn) -> Any:
    """Record the HTCDS trafficking status and who decided it."""
    case = services.status_decide(
        actor=signed_in_user(request), case=_case(request, case_id, Action.CHANGE), **payload.dict()
    )
    return _case_summary(case, request.user)


@router.post("/cases/{case_id}/track", response={200: dict, **ERRORS})
def case_track(request: HttpRequest, case_id: int, payload: TrackIn) -> Any:
    """Decide the case's track against screening's suggestion, with a reason; both are shown."""
    case = services.track_override(
        actor=signed_in_user(request), case=_case(request, case_id, Action.CHANGE), **payload.dict()
    )
    return _case_summary(case, request.user)


@router.post("/cases/{case_id}/screenings", response={201: ScreeningOut, **ERRORS})
def screening_create(request: HttpRequest, case_id: int, payload: ScreeningIn) -> Any:
    """Apply the child rule (under 18: act + exploitation) or the adult rule (act + means + exploitation)."""
    case = _case(request, case_id, Action.CHANGE)
    return Status(201, services.screening_record(actor=signed_in_user(request), case=case, **payload.dict()))


@router.get("/cases/{case_id}/events", response={200: list[dict[str, Any]], **ERRORS})
def event_list(request: HttpRequest, case_id: int) -> Any:
    """The journey: recruitment, transit, exploitation, in date order."""
    return _case_read(request, case_id, "events")["events"]


@router.post("/cases/{case_id}/events", response={201: IdOut, **ERRORS})
def event_create(request: HttpRequest, case_id: int, payload: EventIn) -> Any:
    case = _case(request, case_id, Action.CHANGE)
    return Status(201, services.event_add(actor=signed_in_user(request), case=case, **payload.dict()))


@router.post("/cases/{case_id}/perpetrators", response={201: IdOut, **ERRORS})
def perpetrator_create(request: HttpRequest, case_id: int, payload: PerpetratorIn) -> Any:
    case = _case(request, case_id, Action.CHANGE)
    return Status(201, services.perpetrator_add(actor=signed_in_user(request), case=case, **payload.dict()))


@router.get("/cases/{case_id}/steps", response={200: list[dict[str, Any]], **ERRORS})
def step_list(request: HttpRequest, case_id: int) -> Any:
    return _case_read(request, case_id, "steps")["steps"]


@router.post("/cases/{case_id}/steps", response={201: dict, **ERRORS})
def step_create(request: HttpRequest, case_id: int, payload: StepIn) -> Any:
    """Move the case to a later stage; out of order, or a return without an assessment, is refused."""
    case = _case(request, case_id, Action.CHANGE)
    data = payload.dict()
    step = services.step_record(
        actor=signed_in_user(request), case=case, stage_code=data.pop("stage"), **data
    )
    return Status(201, {"id": step.pk, "stage": step.stage.code, "started_on": step.started_on})


@router.post("/cases/{case_id}/legal-events", response={201: IdOut, **ERRORS})
def legal_create(request: HttpRequest, case_id: int, payload: LegalIn) -> Any:
    case = _case(request, case_id, Action.CHANGE)
    return Status(201, services.legal_event_add(actor=signed_in_user(request), case=case, **payload.dict()))


@router.post("/cases/{case_id}/deadlines", response={201: IdOut, **ERRORS})
def deadline_create(request: HttpRequest, case_id: int, payload: DeadlineIn) -> Any:
    case = _case(request, case_id, Action.CHANGE)
    return Status(201, services.deadline_add(actor=signed_in_user(request), case=case, **payload.dict()))


@router.get("/cases/{case_id}/services", response={200: list[dict[str, Any]], **ERRORS})
def service_list(request: HttpRequest, case_id: int) -> Any:
    """The support plan."""
    return _case_read(request, case_id, "services")["services"]


@router.post("/cases/{case_id}/services", response={201: IdOut, **ERRORS})
def service_create(request: HttpRequest, case_id: int, payload: ServiceIn) -> Any:
    """A line of the support plan; the receiving agency of an accepted referral adds the services it gives."""
    case, _via = services.case_to_work_on(signed_in_user(request), case_id, "service")
    return Status(201, services.service_add(actor=signed_in_user(request), case=case, **payload.dict()))


@router.post("/cases/{case_id}/shelter-stays", response={201: IdOut, **ERRORS})
def shelter_create(request: HttpRequest, case_id: int, payload: ShelterIn) -> Any:
    """A shelter stay; past its limit (30 days for a child by default) it raises an alert."""
    case = _case(request, case_id, Action.CHANGE)
    return Status(
        201, services.shelter_stay_start(actor=signed_in_user(request), case=case, **payload.dict())
    )


@router.post("/shelter-stays/{stay_id}/end", response={200: IdOut, **ERRORS})
def shelter_end(request: HttpRequest, stay_id: int, payload: EndIn) -> Any:
    """The person left the shelter; an alert about the stay is resolved."""
    stay = services.one_or_404(
        ShelterStay.visible_to(request.user, Action.CHANGE).select_related("case"), stay_id
    )
    return services.shelter_stay_end(actor=signed_in_user(request), stay=stay, ended_on=payload.ended_on)


@router.post("/cases/{case_id}/best-interests", response={201: IdOut, **ERRORS})
def best_interests_create(request: HttpRequest, case_id: int, payload: BestInterestsIn) -> Any:
    """The safety and best-interests assessment that a return needs."""
    case = _case(request, case_id, Action.CHANGE)
    return Status(
        201, services.best_interests_record(actor=signed_in_user(request), case=case, **payload.dict())
    )


@router.post("/cases/{case_id}/repatriations", response={201: dict, **ERRORS})
def repatriation_create(request: HttpRequest, case_id: int, payload: RepatriationIn) -> Any:
    """Prepare a return with its transfer packet (minimum necessary data)."""
    case = _case(request, case_id, Action.CHANGE)
    repatriation = services.repatriation_prepare(actor=signed_in_user(request), case=case, **payload.dict())
    return Status(201, {"id": repatriation.pk, "status": repatriation.status, "packet": repatriation.packet})


@router.post("/repatriations/{repatriation_id}/advance", response={200: dict, **ERRORS})
def repatriation_advance(request: HttpRequest, repatriation_id: int, payload: AdvanceIn) -> Any:
    """prepared → sent → acknowledged → completed (or cancelled)."""
    repatriation = services.one_or_404(
        Repatriation.visible_to(request.user, Action.CHANGE).select_related("case", "assessment"),
        repatriation_id,
    )
    repatriation = services.repatriation_advance(
        actor=signed_in_user(request), repatriation=repatriation, **payload.dict()
    )
    return {"id": repatriation.pk, "status": repatriation.status}


@router.post("/cases/{case_id}/follow-ups", response={201: IdOut, **ERRORS})
def follow_up_create(request: HttpRequest, case_id: int, payload: FollowUpIn) -> Any:
    """A follow-up; the receiving agency of an accepted referral records its own."""
    case, _via = services.case_to_work_on(signed_in_user(request), case_id, "follow_up")
    return Status(201, services.follow_up_record(actor=signed_in_user(request), case=case, **payload.dict()))


def _note(note: Any) -> dict[str, Any]:
    return {
        "id": note.pk,
        "text": note.text,
        "agency": note.agency.code,
        "by": note.recorded_by.get_username() if note.recorded_by else None,
        "at": note.recorded_at,
        "via_referral_id": note.via_referral_id,
    }


@router.get("/cases/{case_id}/notes", response={200: list[dict[str, Any]], **ERRORS})
def note_list(request: HttpRequest, case_id: int) -> Any:
    """The case's notes I may read (the owner all; a receiving agency its own). Each reading is audited."""
    case = _case(request, case_id)
    if not selectors.access(request.user, case).sees(selectors.NOTES):
        return []
    return [_note(n) for n in services.notes_read(actor=signed_in_user(request), case=case)]


@router.post("/cases/{case_id}/notes", response={201: dict, **ERRORS})
def note_create(request: HttpRequest, case_id: int, payload: CaseNoteIn) -> Any:
    """A note on the case, by its owner's staff or by the receiving agency of an accepted referral."""
    case, _via = services.case_to_work_on(signed_in_user(request), case_id, "note")
    note = services.note_add(actor=signed_in_user(request), case=case, text=payload.text)
    return Status(201, _note(note))


@router.get("/cases/{case_id}/conferences", response={200: list[dict[str, Any]], **ERRORS})
def conference_list(request: HttpRequest, case_id: int) -> Any:
    """The case conferences, when the reader's access names them (a receiver: as its profile says)."""
    case = _case(request, case_id)
    if not selectors.access(request.user, case).sees(selectors.CONFERENCES):
        return []
    audit_read(actor=request.user, obj=case, what="conferences")
    return [_conference(c) for c in case.conferences.prefetch_related("actions", "attendees")]


@router.post("/cases/{case_id}/conferences", response={201: dict, **ERRORS})
def conference_create(request: HttpRequest, case_id: int, payload: ConferenceIn) -> Any:
    """A case conference with its decisions and actions (each with an owner and a due date)."""
    case = _case(request, case_id, Action.CHANGE)
    data = payload.dict()
    conference = services.conference_record(actor=signed_in_user(request), case=case, **data)
    return Status(201, _conference(conference))


# ----------------------------------------------------------------------------------------------- referrals


@router.get("/referrals", response=list[dict[str, Any]])
@paginate(AuditedPageNumberPagination)
def referral_list(request: HttpRequest, direction: str = "incoming", status: str = "") -> Any:
    """`direction=incoming` (to my agency) or `outgoing` (from my cases)."""
    if direction == "outgoing":
        qs = selectors.referrals_outgoing(request.user)
    else:
        qs = selectors.referrals_incoming(request.user)
    if status:
        qs = qs.filter(status=status)
    return MappedPage(qs.select_related("from_agency"), lambda r: _referral(r, request.user))


@router.post("/referrals", response={201: dict, **ERRORS})
def referral_create(request: HttpRequest, payload: ReferralIn) -> Any:
    """Refer a case (`purpose` says what for; `reason`, the HTCDS code, follows from it); consent (the
    person's or a guardian's, with its date) or a coordinator's override. The receiving agency of an accepted
    referral may refer the case on."""
    data = payload.dict()
    # (the receiving agency of an accepted referral may refer the case on)
    case, _via = services.case_to_work_on(signed_in_user(request), data.pop("case_id"), "referral")
    referral = services.referral_create(actor=signed_in_user(request), case=case, **data)
    return Status(201, _referral(referral, request.user))


@router.get("/referrals/{referral_id}", response={200: dict, **ERRORS})
def referral_detail(request: HttpRequest, referral_id: int) -> Any:
    return _referral(services.referral_for(request.user, referral_id), request.user)


def _answer(request: HttpRequest, referral_id: int, **kwargs: Any) -> dict[str, Any]:
    referral = services.referral_for(request.user, referral_id)
    actor = signed_in_user(request)
    if "accept" in kwargs:
        referral = services.referral_respond(actor=actor, referral=referral, **kwargs)
    else:
        referral = services.referral_close(actor=actor, referral=referral, **kwargs)
    return _referral(referral, request.user)


@router.post("/referrals/{referral_id}/accept", response={200: dict, **ERRORS})
def referral_accept(request: HttpRequest, referral_id: int, payload: NoteIn) -> Any:
    """The receiving agency takes the case: from now its case staff see this case, and only this one."""
    return _answer(request, referral_id, accept=True, note=payload.note)


@router.post("/referrals/{referral_id}/reject", response={200: dict, **ERRORS})
def referral_reject(request: HttpRequest, referral_id: int, payload: NoteIn) -> Any:
    return _answer(request, referral_id, accept=False, note=payload.note)


@router.post("/referrals/{referral_id}/complete", response={200: dict, **ERRORS})
def referral_complete(request: HttpRequest, referral_id: int, payload: NoteIn) -> Any:
    """The work is done; the receiving agency's access ends."""
    return _answer(request, referral_id, to=Referral.Status.COMPLETED, note=payload.note)


@router.post("/referrals/{referral_id}/revoke", response={200: dict, **ERRORS})
def referral_revoke(request: HttpRequest, referral_id: int, payload: NoteIn) -> Any:
    """The referring agency withdraws the referral; the receiving agency's access ends at once."""
    return _answer(request, referral_id, to=Referral.Status.REVOKED, note=payload.note)


# ----------------------------------------------------------------------------------------------- alerts


def _alert(alert: CaseAlert) -> dict[str, Any]:
    return {
        "id": alert.pk,
        "case_id": alert.case_id,
        "case_reference": alert.case.reference,
        "kind": alert.kind,
        "message": alert.message,
        "status": alert.status,
        "created_at": alert.created_at,
    }


@router.get("/case-alerts", response=list[dict[str, Any]])
@paginate(AuditedPageNumberPagination)
def case_alert_list(request: HttpRequest, status: str = "open") -> Any:
    """Missed deadlines, long shelter stays, overdue actions and follow-ups of my agency's cases."""
    return MappedPage(selectors.alert_inbox(request.user, status=status), _alert)


@router.post("/case-alerts/{alert_id}/acknowledge", response={200: dict, **ERRORS})
def case_alert_acknowledge(request: HttpRequest, alert_id: int) -> Any:
    alert = services.one_or_404(CaseAlert.visible_to(request.user, Action.CHANGE), alert_id)
    return _alert(services.alert_update(actor=signed_in_user(request), alert=alert, to="acknowledged"))


@router.post("/case-alerts/{alert_id}/resolve", response={200: dict, **ERRORS})
def case_alert_resolve(request: HttpRequest, alert_id: int, payload: NoteIn) -> Any:
    alert = services.one_or_404(CaseAlert.visible_to(request.user, Action.CHANGE), alert_id)
    return _alert(
        services.alert_update(actor=signed_in_user(request), alert=alert, to="resolved", note=payload.note)
    )
