"""API under /api/v1/migration/: channels, voluntary registrations, arrival and check-ins, site registrations,
recruiters' vacancies, alerts. Contacts and documents only where `may_see_contacts` allows; reads audited."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema, Status
from ninja.pagination import PageNumberPagination, paginate

from safepassage.accounts.selectors import signed_in_user
from safepassage.audit.pagination import AuditedPageNumberPagination
from safepassage.audit.services import audit_read
from safepassage.cases.services import one_or_404
from safepassage.core.access import viewer_for
from safepassage.core.api import ErrorOut, MappedPage
from safepassage.core.models import get_for_user
from safepassage.core.roles import Action
from safepassage.migration import services
from safepassage.migration.models import (
    Channel,
    CheckIn,
    MigrationAlert,
    Registration,
    SiteRegistration,
    Vacancy,
    may_see_contacts,
)
from safepassage.registry.models import Person

router = Router(tags=["safe migration"])
ERRORS: dict[int, Any] = {400: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut}


class ChannelIn(Schema):
    name: str
    origin_area_code: str
    destination_country: str
    destination_area_code: str | None = None
    destination_place: str = ""
    origin_committee_id: int | None = None
    origin_organisation_id: int | None = None
    destination_committee_id: int | None = None
    destination_organisation_id: int | None = None
    checkin_days: list[int] | None = None
    unreachable_days: int = 14
    arrival_grace_days: int = 7


class ChannelPatch(Schema):
    checkin_days: list[int] | None = None
    unreachable_days: int | None = None


class PersonIn(Schema):
    given_name: str
    family_name: str = ""
    given_name_latin: str = ""
    family_name_latin: str = ""
    sex: str = "unknown"
    birth_date: date | None = None
    birth_year: int | None = None
    village_code: str


class DocumentIn(Schema):
    kind: str
    number: str = ""


class RegistrationIn(Schema):
    channel_id: int
    purpose: str
    travel_date: date
    consent: str = ""
    consent_on: date | None = None
    person_id: int | None = None
    person: PersonIn | None = None
    expected_arrival: date | None = None
    destination_area_code: str | None = None
    destination_place: str = ""
    sector: str = ""
    planned_workplace_id: int | None = None
    planned_employer_id: int | None = None
    recruiter_id: int | None = None
    phone: str = ""
    messaging: str = ""
    family_contact: str = ""
    documents: list[DocumentIn] = []
    orientation: dict[str, bool] = {}
    completed_compulsory_education: bool | None = None
    registered_on: date | None = None


class ArrivalIn(Schema):
    arrived_on: date
    notes: str = ""


class CheckInIn(Schema):
    done_on: date
    reached: bool
    checkin_id: int | None = None
    how: str = ""
    work_ok: bool | None = None
    pay_ok: bool | None = None
    housing_ok: bool | None = None
    problems: list[str] = []
    notes: str = ""


class WithdrawIn(Schema):
    reason: str = ""
    on: date | None = None


class CounsellingIn(Schema):
    advice: str
    back_to_school: bool = False
    school_id: int | None = None
    outcome: str = ""


class PlacementIn(Schema):
    vacancy_id: int
    placed_on: date


class ObservationIn(Schema):
    workplace_id: int | None = None
    reliability: str = "B"


class VacancyIn(Schema):
    recruiter_id: int
    village_code: str
    posted_on: date
    title: str
    places: int = 1
    wage: str = ""
    fee_charged: bool = False
    min_age: int = 18
    workplace_id: int | None = None


class SiteIn(Schema):
    site_kind: str
    site_name: str
    site_area_code: str
    found_on: date
    person_id: int | None = None
    person: PersonIn | None = None
    employer: str = ""
    workplace_id: int | None = None
    work: str = ""
    origin_area_code: str | None = None
    origin_country: str = ""
    origin_place: str = ""
    family_contact: str = ""


class TracingIn(Schema):
    done_on: date
    action: str
    result: str = ""
    tracing: str = ""


class HandOverIn(Schema):
    to: str


class NoteIn(Schema):
    note: str = ""


def _channel_out(channel: Channel) -> dict[str, Any]:
    return {
        "id": channel.pk,
        "name": channel.name,
        "agency": channel.agency.code,
        "origin_area_code": channel.origin_area.code,
        "destination_country": channel.destination_country,
        "destination_area_code": channel.destination_area.code if channel.destination_area else None,
        "destination_place": channel.destination_place,
        "origin_organisation_id": channel.origin_organisation_id,
        "destination_organisation_id": channel.destination_organisation_id,
        "origin_committee_id": channel.origin_committee_id,
        "destination_committee_id": channel.destination_committee_id,
        "checkin_days": channel.checkin_days,
        "unreachable_days": channel.unreachable_days,
        "arrival_grace_days": channel.arrival_grace_days,
        "active": channel.active,
    }


def _checkin_out(checkin: CheckIn) -> dict[str, Any]:
    return {
        "id": checkin.pk,
        "kind": checkin.kind,
        "due_on": checkin.due_on,
        "done_on": checkin.done_on,
        "reached": checkin.reached,
        "work_ok": checkin.work_ok,
        "pay_ok": checkin.pay_ok,
        "housing_ok": checkin.housing_ok,
        "problems": checkin.problems,
        "observation_id": checkin.observation_id,
        "case_id": checkin.case_id,
    }


def _registration_out(
    registration: Registration, request: HttpRequest, detail: bool = False
) -> dict[str, Any]:
    person = registration.person
    data: dict[str, Any] = {
        "id": registration.pk,
        "channel_id": registration.channel_id,
        "agency": registration.agency.code,
        "person_id": person.pk,
        "given_name": person.given_name,
        "family_name": person.family_name,
        "village_code": person.village.code,
        "purpose": registration.purpose,
        "sector": registration.sector,
        "destination_area_code": registration.destination_area.code
        if registration.destination_area
        else None,
        "destination_place": registration.destination_place,
        "planned_workplace_id": registration.planned_workplace_id,
        "recruiter_id": registration.recruiter_id,
        "registered_on": registration.registered_on,
        "travel_date": registration.travel_date,
        "expected_arrival": registration.expected_arrival,
        "arrived_on": registration.arrived_on,
        "status": registration.status,
        "tracing": registration.tracing,
        "last_contact_on": registration.last_contact_on,
        "unreachable_since": registration.unreachable_since,
        "consent": registration.consent,
        "orientation": registration.orientation,
    }
    if detail:
        # contacts and documents only in the (audited) read of one registration, never in a list
        contacts = may_see_contacts(viewer_for(request.user), registration)
        data["phone"] = registration.phone if contacts else ""
        data["messaging"] = registration.messaging if contacts else ""
        data["family_contact"] = registration.family_contact if contacts else ""
        data["documents"] = registration.documents if contacts else []
        data["checkins"] = [_checkin_out(c) for c in registration.checkins.all()]
        data["counselling"] = [
            {
                "given_on": c.given_on,
                "advice": c.advice,
                "back_to_school": c.back_to_school,
                "outcome": c.outcome,
            }
            for c in registration.counselling.all()
        ]
    return data


def _registration(request: HttpRequest, registration_id: int, action: str = Action.VIEW) -> Registration:
    qs = Registration.objects.select_related("channel__destination_organisation", "person__village", "agency")
    return get_for_user(qs, request.user, registration_id, action)


def _person(request: HttpRequest, person_id: int | None) -> Person | None:
    return None if person_id is None else get_for_user(Person.objects.all(), request.user, person_id)


# ----------------------------------------------------------------------------------------------- channels


@router.get("/migration/channels", response=list[dict[str, Any]])
@paginate(PageNumberPagination)
def channel_list(request: HttpRequest) -> Any:
    """Channels at whose ends my agencies are."""
    qs = Channel.objects.visible_to(request.user).select_related("agency", "origin_area", "destination_area")
    return MappedPage(qs, _channel_out)


@router.post("/migration/channels", response={201: dict, **ERRORS})
def channel_create(request: HttpRequest, payload: ChannelIn) -> Any:
    """Open a channel (administrators and coordinators)."""
    return Status(201, _channel_out(services.channel_create(actor=signed_in_user(request), **payload.dict())))


@router.get("/migration/channels/{channel_id}", response={200: dict, **ERRORS})
def channel_detail(request: HttpRequest, channel_id: int) -> Any:
    return _channel_out(get_for_user(Channel.objects.all(), request.user, channel_id))


@router.patch("/migration/channels/{channel_id}", response={200: dict, **ERRORS})
def channel_update(request: HttpRequest, channel_id: int, payload: ChannelPatch) -> Any:
    """Change the check-in schedule (days after arrival) or the 'cannot reach' escalation."""
    channel = get_for_user(Channel.objects.all(), request.user, channel_id, Action.CHANGE)
    return _channel_out(
        services.channel_update(actor=signed_in_user(request), channel=channel, **payload.dict())
    )


# ------------------------------------------------------------------------------------------- registrations


@router.get("/migration/registrations", response=list[dict[str, Any]])
@paginate(AuditedPageNumberPagination)
def registration_list(
    request: HttpRequest, channel_id: int | None = None, status: str = "", overdue: bool = False
) -> Any:
    """Registrations I may see; `overdue=true` for those with a missed check-in, arrival or contact."""
    qs = Registration.objects.visible_to(request.user).select_related(
        "channel__destination_organisation", "person__village", "agency"
    )
    if channel_id is not None:
        qs = qs.filter(channel_id=channel_id)
    if status:
        qs = qs.filter(status=status)
    if overdue:
        qs = services.overdue(qs)
    return MappedPage(qs, lambda r: _registration_out(r, request))


@router.post("/migration/registrations", response={201: dict, **ERRORS})
def registration_create(request: HttpRequest, payload: RegistrationIn) -> Any:
    """Register someone who chose to, before they leave (with consent; nothing stops anyone leaving)."""
    data = payload.dict()
    channel = get_for_user(Channel.objects.all(), request.user, data.pop("channel_id"))
    person_fields = data.pop("person")
    registration = services.registration_create(
        actor=signed_in_user(request),
        channel=channel,
        person=_person(request, data.pop("person_id")),
        person_fields=person_fields,
        **data,
    )
    return Status(201, _registration_out(registration, request, detail=True))


@router.get("/migration/registrations/{registration_id}", response={200: dict, **ERRORS})
def registration_detail(request: HttpRequest, registration_id: int) -> Any:
    """One registration with its check-ins; a read that shows contact data is audited."""
    registration = _registration(request, registration_id)
    if may_see_contacts(viewer_for(request.user), registration):
        audit_read(actor=request.user, obj=registration, what="contacts")
    return _registration_out(registration, request, detail=True)


@router.post("/migration/registrations/{registration_id}/arrival", response={200: dict, **ERRORS})
def registration_arrival(request: HttpRequest, registration_id: int, payload: ArrivalIn) -> Any:
    """The destination end confirms arrival; check-ins are scheduled from the channel's schedule."""
    registration = _registration(request, registration_id, Action.CHANGE)
    registration = services.arrival_confirm(
        actor=signed_in_user(request), registration=registration, **payload.dict()
    )
    return _registration_out(registration, request, detail=True)


@router.post("/migration/registrations/{registration_id}/checkins", response={201: dict, **ERRORS})
def registration_checkin(request: HttpRequest, registration_id: int, payload: CheckInIn) -> Any:
    """Record a scheduled check-in (`checkin_id`) or an extra contact."""
    registration = _registration(request, registration_id, Action.CHANGE)
    data = payload.dict()
    checkin_id = data.pop("checkin_id")
    checkin = one_or_404(registration.checkins.all(), checkin_id) if checkin_id else None
    done = services.checkin_record(
        actor=signed_in_user(request), registration=registration, checkin=checkin, **data
    )
    return Status(201, _checkin_out(done))


@router.post("/migration/registrations/{registration_id}/withdraw", response={200: dict, **ERRORS})
def registration_withdraw(request: HttpRequest, registration_id: int, payload: WithdrawIn) -> Any:
    """The person withdraws consent: tracing stops and contact data is erased (audited)."""
    registration = _registration(request, registration_id, Action.CHANGE)
    registration = services.consent_withdraw(
        actor=signed_in_user(request), registration=registration, **payload.dict()
    )
    erased = registration.person.erased_at is not None
    return {
        **_registration_out(registration, request, detail=True),
        "person_erased": erased,
        "person_kept_because": "" if erased else services.withdrawal_keeps_person(registration),
    }


@router.post("/migration/registrations/{registration_id}/counselling", response={201: dict, **ERRORS})
def registration_counselling(request: HttpRequest, registration_id: int, payload: CounsellingIn) -> Any:
    """Advice given (never a refusal), with a back-to-school referral where it fits."""
    registration = _registration(request, registration_id, Action.CHANGE)
    counselling = services.counselling_record(
        actor=signed_in_user(request), registration=registration, **payload.dict()
    )
    return Status(201, {"id": counselling.pk, "back_to_school": counselling.back_to_school})


@router.post("/migration/registrations/{registration_id}/placements", response={201: dict, **ERRORS})
def registration_placement(request: HttpRequest, registration_id: int, payload: PlacementIn) -> Any:
    """Place a registered person in a registered recruiter's vacancy."""
    registration = _registration(request, registration_id, Action.CHANGE)
    placement = services.placement_create(
        actor=signed_in_user(request), registration=registration, **payload.dict()
    )
    return Status(201, {"id": placement.pk, "vacancy_id": placement.vacancy_id})


def _checkin(request: HttpRequest, checkin_id: int) -> CheckIn:
    registrations = Registration.objects.visible_to(request.user, Action.CHANGE)
    return one_or_404(CheckIn.objects.filter(registration__in=registrations), checkin_id)


@router.post("/migration/checkins/{checkin_id}/observation", response={201: dict, **ERRORS})
def checkin_observation(request: HttpRequest, checkin_id: int, payload: ObservationIn) -> Any:
    """A problem reported at the check-in becomes evidence on the workplace (sin space)."""
    observation = services.problem_to_observation(
        actor=signed_in_user(request), checkin=_checkin(request, checkin_id), **payload.dict()
    )
    return Status(201, {"observation_id": observation.pk, "workplace_id": observation.workplace_id})


@router.post("/migration/checkins/{checkin_id}/case", response={201: dict, **ERRORS})
def checkin_case(request: HttpRequest, checkin_id: int) -> Any:
    """A problem reported at the check-in becomes a labour-rights case, linked back."""
    case = services.problem_to_case(actor=signed_in_user(request), checkin=_checkin(request, checkin_id))
    return Status(201, {"case_id": case.pk, "reference": case.reference, "track": case.track})


# ----------------------------------------------------------------------------------------------- vacancies


def _vacancy_out(vacancy: Vacancy) -> dict[str, Any]:
    return {
        "id": vacancy.pk,
        "recruiter_id": vacancy.recruiter_id,
        "village_code": vacancy.village.code,
        "workplace_id": vacancy.workplace_id,
        "posted_on": vacancy.posted_on,
        "title": vacancy.title,
        "places": vacancy.places,
        "wage": vacancy.wage,
        "fee_charged": vacancy.fee_charged,
        "min_age": vacancy.min_age,
    }


@router.get("/migration/vacancies", response=list[dict[str, Any]])
@paginate(PageNumberPagination)
def vacancy_list(request: HttpRequest) -> Any:
    """Jobs registered recruiters brought to our villages."""
    return MappedPage(Vacancy.objects.visible_to(request.user).select_related("village"), _vacancy_out)


@router.post("/migration/vacancies", response={201: dict, **ERRORS})
def vacancy_create(request: HttpRequest, payload: VacancyIn) -> Any:
    return Status(201, _vacancy_out(services.vacancy_create(actor=signed_in_user(request), **payload.dict())))


# ----------------------------------------------------------------------------------------------- sites


def _site_out(site: SiteRegistration, request: HttpRequest) -> dict[str, Any]:
    staff = SiteRegistration.objects.visible_to(request.user, Action.CHANGE).filter(pk=site.pk).exists()
    return {
        "id": site.pk,
        "person_id": site.person_id,
        "site_kind": site.site_kind,
        "site_name": site.site_name,
        "site_area_code": site.site_area.code,
        "found_on": site.found_on,
        "employer": site.employer,
        "work": site.work,
        "origin_area_code": site.origin_area.code if site.origin_area else None,
        "origin_country": site.origin_country,
        "origin_place": site.origin_place,
        "family_contact": site.family_contact if staff else "",
        "tracing": site.tracing,
        "steps": [{"done_on": s.done_on, "action": s.action, "result": s.result} for s in site.steps.all()],
        "case_id": site.case_id,
        "registration_id": site.registration_id,
    }


def _site(request: HttpRequest, site_id: int, action: str = Action.VIEW) -> SiteRegistration:
    return get_for_user(
        SiteRegistration.objects.select_related("site_area", "origin_area"), request.user, site_id, action
    )


@router.get("/migration/sites", response=list[dict[str, Any]])
@paginate(AuditedPageNumberPagination)
def site_list(request: HttpRequest) -> Any:
    """Working children registered at sites (markets, ports) and their family tracing (the family's
    contact only from the audited detail read)."""
    qs = SiteRegistration.objects.visible_to(request.user).select_related("site_area", "origin_area")
    return MappedPage(qs, lambda s: {k: v for k, v in _site_out(s, request).items() if k != "family_contact"})


@router.post("/migration/sites", response={201: dict, **ERRORS})
def site_create(request: HttpRequest, payload: SiteIn) -> Any:
    data = payload.dict()
    person_fields = data.pop("person")
    site = services.site_registration_create(
        actor=signed_in_user(request),
        person=_person(request, data.pop("person_id")),
        person_fields=person_fields,
        **data,
    )
    return Status(201, _site_out(site, request))


@router.get("/migration/sites/{site_id}", response={200: dict, **ERRORS})
def site_detail(request: HttpRequest, site_id: int) -> Any:
    site = _site(request, site_id)
    audit_read(actor=request.user, obj=site, what="site registration")
    return _site_out(site, request)


@router.post("/migration/sites/{site_id}/tracing", response={201: dict, **ERRORS})
def site_tracing(request: HttpRequest, site_id: int, payload: TracingIn) -> Any:
    """A step of family tracing; `tracing` = found / not_found closes it."""
    site = _site(request, site_id, Action.CHANGE)
    services.tracing_step_add(actor=signed_in_user(request), site=site, **payload.dict())
    site.refresh_from_db()
    return Status(201, _site_out(site, request))


@router.post("/migration/sites/{site_id}/hand-over", response={200: dict, **ERRORS})
def site_hand_over(request: HttpRequest, site_id: int, payload: HandOverIn) -> Any:
    """Hand the child over to a case (`to=case`) or link them to their channel registration."""
    site = _site(request, site_id, Action.CHANGE)
    services.site_hand_over(actor=signed_in_user(request), site=site, to=payload.to)
    site.refresh_from_db()
    return _site_out(site, request)


# ----------------------------------------------------------------------------------------------- alerts


def _alert_out(alert: MigrationAlert) -> dict[str, Any]:
    return {
        "id": alert.pk,
        "registration_id": alert.registration_id,
        "kind": alert.kind,
        "message": alert.message,
        "status": alert.status,
        "created_at": alert.created_at,
        "acknowledged_at": alert.acknowledged_at,
    }


@router.get("/migration/alerts", response=list[dict[str, Any]])
@paginate(AuditedPageNumberPagination)
def alert_list(request: HttpRequest, status: str = "open") -> Any:
    """Missed check-ins, unconfirmed arrivals and people out of reach, at both ends of my channels."""
    qs = MigrationAlert.objects.filter(registration__in=Registration.objects.visible_to(request.user))
    if status:
        qs = qs.filter(status=status)
    return MappedPage(qs.order_by("-created_at"), _alert_out)


@router.post("/migration/alerts/{alert_id}/acknowledge", response={200: dict, **ERRORS})
def alert_acknowledge(request: HttpRequest, alert_id: int) -> Any:
    """Mark an open alert as seen: someone is acting on it."""
    qs = MigrationAlert.objects.filter(
        registration__in=Registration.objects.visible_to(request.user, Action.CHANGE)
    )
    alert = one_or_404(qs, alert_id)
    return _alert_out(services.alert_acknowledge(actor=signed_in_user(request), alert=alert))


@router.post("/migration/alerts/{alert_id}/resolve", response={200: dict, **ERRORS})
def alert_resolve(request: HttpRequest, alert_id: int, payload: NoteIn) -> Any:
    qs = MigrationAlert.objects.filter(
        registration__in=Registration.objects.visible_to(request.user, Action.CHANGE)
    )
    alert = one_or_404(qs, alert_id)
    return _alert_out(services.alert_resolve(actor=signed_in_user(request), alert=alert, note=payload.note))
