"""Writes for the safe-migration channel. Registration informs and traces; it never stops anyone leaving:
no function here can record a refusal, and the only things refused are incomplete or wrong data."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import date, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from safepassage.accounts.models import Agency, Membership
from safepassage.audit.services import audit_record
from safepassage.cases import services as case_services
from safepassage.cases.models import age_on
from safepassage.core import erasure
from safepassage.core.access import viewer_for
from safepassage.core.models import get_for_user
from safepassage.core.notices import Notice, NoticeKind, NoticeUrgency, notice_emit
from safepassage.core.roles import Action, Role
from safepassage.geo.models import Area
from safepassage.migration.models import (
    DEFAULT_CHECKIN_DAYS,
    WORKERS,
    Channel,
    CheckIn,
    Counselling,
    MigrationAlert,
    Placement,
    Problem,
    Purpose,
    Registration,
    SiteRegistration,
    TracingStep,
    Vacancy,
    working_agencies,
)
from safepassage.network.models import Committee, Organisation
from safepassage.registry.models import Person
from safepassage.registry.services import person_create
from safepassage.workplaces.kinds import sector_codes
from safepassage.workplaces.models import Employer, LabourIndicator, Recruiter, Workplace
from safepassage.workplaces.services import observation_record

ORIENTATION = {
    "rights": _("Rights at work and as a migrant"),
    "hotlines": _("Hotlines to call (1300, 1506) and the destination contact"),
    "contract": _("What a fair contract says; keep a copy"),
    "fees": _("Fees and deposits: what is lawful, what is not"),
    "trouble": _("What to do if in trouble; keep your own documents"),
}
LONG_PAST_DAYS = 30
# Check-in problems as the labour-rights issues screening knows.
LABOUR_ISSUE = {
    "withholding_of_wages": "unpaid_wages",
    "unlawful_deposits": "irregular_deposit",
    "recruitment_fees": "recruitment_fees",
    "excessive_overtime": "excessive_hours",
    "no_contract": "no_contract",
    "retention_of_documents": "documents_kept",
    "abusive_conditions": "unsafe",
}


def _fail(field: str, message: str) -> ValidationError:
    return ValidationError({field: [message]})


def _area(code: str | None, field: str, level: str | None = None) -> Area | None:
    if not code:
        return None
    qs = Area.objects.filter(code=code)
    if level:
        qs = qs.filter(level=level)
    area = qs.first()
    if area is None:
        raise _fail(field, _("There is no area with the code %(code)s.") % {"code": code})
    return area


def _need_area(code: str | None, field: str, level: str | None = None) -> Area:
    area = _area(code, field, level)
    if area is None:
        raise _fail(field, _("Give the area code."))
    return area


def _visible(model: Any, actor: Any, pk: Any, field: str, **filters: Any) -> Any:
    if pk in (None, ""):
        return None
    obj = model.objects.visible_to(actor).filter(pk=pk, **filters).first()
    if obj is None:
        raise _fail(field, _("There is no such record you can use here."))
    return obj


def _check_days(days: Any) -> list[int]:
    try:
        values = sorted({int(d) for d in days})
    except (TypeError, ValueError):
        raise _fail("checkin_days", _("Give whole numbers of days, e.g. 14, 90, 180.")) from None
    if not values or values[0] < 1 or values[-1] > 3650:
        raise _fail("checkin_days", _("Give at least one check-in, between 1 and 3650 days after arrival."))
    return values


# ----------------------------------------------------------------------------------------------- channels


@transaction.atomic
def channel_create(
    *,
    actor: Any,
    name: str,
    origin_area_code: str,
    destination_country: str,
    destination_area_code: str | None = None,
    destination_place: str = "",
    origin_committee_id: int | None = None,
    origin_organisation_id: int | None = None,
    destination_committee_id: int | None = None,
    destination_organisation_id: int | None = None,
    checkin_days: Sequence[int] | None = None,
    unreachable_days: int = 14,
    arrival_grace_days: int = 7,
    agency: Agency | None = None,
) -> Channel:
    """Open a channel between an origin and a destination (any pair, within or across borders)."""
    viewer = viewer_for(actor)
    owners = [g.agency_id for g in viewer.grants if g.role in (Role.ADMIN, Role.COORDINATOR)]
    if agency is not None:
        owners = [a for a in owners if a == agency.pk]
    if not owners:
        raise Http404
    if not name.strip():
        raise _fail("name", _("Give the channel a name."))
    origin = _need_area(origin_area_code, "origin_area_code")
    country = (destination_country or "").strip().upper()
    if len(country) != 2 or not country.isalpha():
        raise _fail("destination_country", _("Use the two-letter country code, e.g. TH, CN, MY."))
    channel = Channel.objects.create(
        agency=agency or Agency.objects.get(pk=owners[0]),
        name=name.strip(),
        origin_area=origin,
        destination_area=_area(destination_area_code, "destination_area_code"),
        destination_country=country,
        destination_place=destination_place,
        origin_committee=_visible(Committee, actor, origin_committee_id, "origin_committee_id"),
        origin_organisation=_visible(Organisation, actor, origin_organisation_id, "origin_organisation_id"),
        destination_committee=_visible(
            Committee, actor, destination_committee_id, "destination_committee_id"
        ),
        destination_organisation=_visible(
            Organisation, actor, destination_organisation_id, "destination_organisation_id"
        ),
        checkin_days=_check_days(checkin_days if checkin_days is not None else DEFAULT_CHECKIN_DAYS),
        unreachable_days=max(1, int(unreachable_days)),
        arrival_grace_days=max(0, int(arrival_grace_days)),
    )
    audit_record(
        actor=actor,
        action="migration.channel.create",
        obj=channel,
        changes={"name": channel.name, "origin": origin.code, "country": country},
    )
    return channel


@transaction.atomic
def channel_update(
    *,
    actor: Any,
    channel: Channel,
    checkin_days: Sequence[int] | None = None,
    unreachable_days: int | None = None,
) -> Channel:
    """Change a channel's check-in schedule or its 'cannot reach' escalation."""
    channel = get_for_user(Channel.objects.all(), actor, channel.pk, Action.CHANGE)
    changes: dict[str, Any] = {}
    if checkin_days is not None:
        changes["checkin_days"] = [channel.checkin_days, _check_days(checkin_days)]
        channel.checkin_days = changes["checkin_days"][1]
    if unreachable_days is not None:
        if unreachable_days < 1:
            raise _fail("unreachable_days", _("At least one day."))
        changes["unreachable_days"] = [channel.unreachable_days, unreachable_days]
        channel.unreachable_days = unreachable_days
    channel.save()
    audit_record(actor=actor, action="migration.channel.update", obj=channel, changes=changes)
    return channel


# ----------------------------------------------------------------------------------------------- registration


def _registering_agency(actor: Any, channel: Channel, village: Area) -> Agency:
    """The origin-end agency the actor registers for: staff anywhere there, volunteers in their villages."""
    origin_agencies = {channel.agency_id}
    if channel.origin_organisation is not None and channel.origin_organisation.member_agency_id:
        origin_agencies.add(channel.origin_organisation.member_agency_id)
    allowed = working_agencies(viewer_for(actor), (*WORKERS, Role.ADMIN))
    for grant in viewer_for(actor).grants:
        if grant.agency_id not in origin_agencies or grant.agency_id not in allowed:
            continue
        if grant.role not in (*WORKERS, Role.ADMIN):
            continue
        if grant.area_limited and not any(village.path.startswith(p) for p in grant.area_paths):
            continue
        return Agency.objects.get(pk=grant.agency_id)
    raise _fail("village_code", _("You do not register people for this channel in this village."))


def _clean_documents(documents: Any) -> list[dict[str, str]]:
    rows = []
    for number, item in enumerate(documents or [], start=1):
        kind = str((item or {}).get("kind", "")).strip()
        if not kind:
            raise _fail(
                f"documents[{number}].kind", _("Say which document (passport, ID card, work permit…).")
            )
        rows.append({"kind": kind, "number": str(item.get("number", "")).strip()})
    return rows


@transaction.atomic
def registration_create(
    *,
    actor: Any,
    channel: Channel,
    purpose: str,
    travel_date: date,
    consent: str,
    consent_on: date | None = None,
    person: Person | None = None,
    person_fields: Mapping[str, Any] | None = None,
    expected_arrival: date | None = None,
    destination_area_code: str | None = None,
    destination_place: str = "",
    sector: str = "",
    planned_workplace_id: int | None = None,
    planned_employer_id: int | None = None,
    recruiter_id: int | None = None,
    phone: str = "",
    messaging: str = "",
    family_contact: str = "",
    documents: Sequence[Mapping[str, Any]] = (),
    orientation: Mapping[str, bool] | None = None,
    completed_compulsory_education: bool | None = None,
    registered_on: date | None = None,
) -> Registration:
    """Register someone who chose to, before they leave. A child who has not finished compulsory education
    gets a counselling record and a back-to-school referral — and is registered all the same."""
    channel = get_for_user(Channel.objects.select_related("origin_organisation"), actor, channel.pk)
    if not channel.active:
        raise _fail("channel", _("This channel is closed."))
    today = timezone.localdate()
    registered_on = registered_on or today
    if registered_on > today:
        raise _fail("registered_on", _("The date cannot be in the future."))
    if consent not in Registration.Consent.values:
        raise _fail(
            "consent",
            _("Registration is voluntary: record the person's consent (and a guardian's for a child)."),
        )
    consent_on = consent_on or registered_on
    if consent_on > today:
        raise _fail("consent_on", _("The date cannot be in the future."))
    if purpose not in Purpose.values:
        raise _fail("purpose", _("Say why they go: work, study, family or other."))
    if travel_date < registered_on - timedelta(days=LONG_PAST_DAYS):
        raise _fail("travel_date", _("This travel date is long past: register people before they leave."))
    if sector and sector not in sector_codes():
        raise _fail("sector", _("Unknown sector %(sector)s.") % {"sector": sector})
    expected_arrival = expected_arrival or travel_date + timedelta(days=2)
    if expected_arrival < travel_date:
        raise _fail("expected_arrival", _("Arrival comes after the travel date."))
    destination = _area(destination_area_code, "destination_area_code")
    recruiter = _visible(Recruiter, actor, recruiter_id, "recruiter_id")
    if recruiter is not None and recruiter.registered_on is None:
        raise _fail(
            "recruiter_id",
            _(
                "This recruiter has not registered at the local authority office: "
                "register and screen them first."
            ),
        )
    if person is not None:
        person = get_for_user(Person.objects.select_related("village"), actor, person.pk)
        village = person.village
    else:
        values = dict(person_fields or {})
        village = _need_area(values.get("village_code"), "village_code", "village")
    owner = _registering_agency(actor, channel, village)
    if person is None:
        person = person_create(actor=actor, agency=owner, **dict(person_fields or {}))
    age = age_on(person, registered_on)
    if consent == Registration.Consent.PERSON and age is not None and age < 18:
        raise _fail("consent", _("For a child, a parent or guardian agrees together with the child."))
    unknown = sorted(set(orientation or {}) - set(ORIENTATION))
    if unknown:
        raise _fail("orientation", _("Unknown orientation topics: %(codes)s") % {"codes": ", ".join(unknown)})
    registration = Registration.objects.create(
        agency=owner,
        channel=channel,
        person=person,
        purpose=purpose,
        sector=sector,
        destination_area=destination or channel.destination_area,
        destination_place=destination_place or channel.destination_place,
        planned_workplace=_visible(Workplace, actor, planned_workplace_id, "planned_workplace_id"),
        planned_employer=_visible(Employer, actor, planned_employer_id, "planned_employer_id"),
        recruiter=recruiter,
        travel_date=travel_date,
        expected_arrival=expected_arrival,
        phone=phone,
        messaging=messaging,
        family_contact=family_contact,
        documents=_clean_documents(documents),
        consent=consent,
        consent_on=consent_on,
        orientation={k: bool(v) for k, v in (orientation or {}).items()},
        completed_compulsory_education=completed_compulsory_education,
        status=Registration.Status.TRAVELLING if travel_date <= today else Registration.Status.REGISTERED,
        registered_by=actor,
        registered_on=registered_on,
    )
    if age is not None and age < 18 and completed_compulsory_education is False:
        Counselling.objects.create(
            registration=registration,
            given_on=registered_on,
            by=actor,
            advice=_(
                "Has not finished compulsory education: talked about finishing school first, the risks of "
                "work away from home for a child, and the help available. The choice stays theirs."
            ),
            back_to_school=True,
        )
    audit_record(
        actor=actor,
        action="migration.registration.create",
        obj=registration,
        changes={
            "channel": channel.pk,
            "person": person.pk,
            "purpose": purpose,
            "travel_date": travel_date,
            "phone": phone,
            "documents": len(registration.documents),
        },
    )
    return registration


def _registration_for(actor: Any, registration: Registration) -> Registration:
    return get_for_user(
        Registration.objects.select_related("channel__destination_organisation", "person", "agency"),
        actor,
        registration.pk,
        Action.CHANGE,
    )


@transaction.atomic
def counselling_record(
    *,
    actor: Any,
    registration: Registration,
    advice: str,
    back_to_school: bool = False,
    school_id: int | None = None,
    outcome: str = "",
    given_on: date | None = None,
) -> Counselling:
    """Advice given before departure (never a refusal), with a back-to-school referral where it fits."""
    registration = _registration_for(actor, registration)
    if not advice.strip():
        raise _fail("advice", _("Write the advice given."))
    school = _visible(Organisation, actor, school_id, "school_id")
    counselling = Counselling.objects.create(
        registration=registration,
        given_on=given_on or timezone.localdate(),
        by=actor,
        advice=advice,
        back_to_school=back_to_school or school is not None,
        school=school,
        outcome=outcome,
    )
    audit_record(
        actor=actor,
        action="migration.counselling.create",
        obj=registration,
        changes={"back_to_school": counselling.back_to_school},
    )
    return counselling


def _schedule(registration: Registration, arrived_on: date) -> None:
    for days in registration.channel.checkin_days or DEFAULT_CHECKIN_DAYS:
        CheckIn.objects.get_or_create(
            registration=registration,
            kind=CheckIn.Kind.SCHEDULED,
            due_on=arrived_on + timedelta(days=int(days)),
        )


@transaction.atomic
def arrival_confirm(
    *, actor: Any, registration: Registration, arrived_on: date, notes: str = ""
) -> Registration:
    """The destination end (or the origin, by phone) confirms arrival; the welfare check-ins are scheduled."""
    registration = _registration_for(actor, registration)
    if registration.status == Registration.Status.WITHDRAWN:
        raise _fail("status", _("Consent was withdrawn: this person is not traced."))
    if registration.arrived_on is not None:
        raise _fail("arrived_on", _("Arrival was already confirmed."))
    if arrived_on > timezone.localdate():
        raise _fail("arrived_on", _("The date cannot be in the future."))
    if arrived_on < registration.travel_date:
        raise _fail("arrived_on", _("Arrival cannot come before the travel date."))
    registration.arrived_on, registration.arrival_confirmed_by = arrived_on, actor
    registration.status = Registration.Status.ARRIVED
    registration.last_contact_on = max(registration.last_contact_on or arrived_on, arrived_on)
    registration.unreachable_since = None
    registration.save()
    CheckIn.objects.create(
        registration=registration,
        kind=CheckIn.Kind.ARRIVAL,
        due_on=registration.expected_arrival,
        done_on=arrived_on,
        reached=True,
        notes=notes,
        recorded_by=actor,
    )
    _schedule(registration, arrived_on)
    _resolve(registration, MigrationAlert.Kind.ARRIVAL)
    audit_record(
        actor=actor,
        action="migration.registration.arrived",
        obj=registration,
        changes={"arrived_on": arrived_on},
    )
    return registration


@transaction.atomic
def checkin_record(
    *,
    actor: Any,
    registration: Registration,
    done_on: date,
    reached: bool,
    checkin: CheckIn | None = None,
    how: str = "",
    work_ok: bool | None = None,
    pay_ok: bool | None = None,
    housing_ok: bool | None = None,
    problems: Iterable[str] = (),
    notes: str = "",
) -> CheckIn:
    """Record a check-in (a scheduled one, or an extra contact): reached or not, and how things are."""
    registration = _registration_for(actor, registration)
    if registration.status == Registration.Status.WITHDRAWN or not registration.tracing:
        raise _fail("registration", _("Consent was withdrawn: this person is no longer traced."))
    if done_on > timezone.localdate():
        raise _fail("done_on", _("The date cannot be in the future."))
    if done_on < registration.travel_date:
        raise _fail("done_on", _("A check-in cannot come before the travel date."))
    problems = list(dict.fromkeys(problems))
    unknown = [p for p in problems if p not in Problem.values]
    if unknown:
        raise _fail("problems", _("Unknown problems: %(codes)s") % {"codes": ", ".join(unknown)})
    if not reached and problems:
        raise _fail("problems", _("Problems come from talking to the person: they were not reached."))
    if checkin is not None:
        checkin = CheckIn.objects.filter(pk=checkin.pk, registration=registration).first()
        if checkin is None:
            raise Http404
        if checkin.done_on is not None:
            raise _fail("checkin", _("This check-in was already recorded."))
    else:
        checkin = CheckIn(registration=registration, kind=CheckIn.Kind.EXTRA)
    checkin.done_on, checkin.reached, checkin.how = done_on, reached, how
    checkin.work_ok, checkin.pay_ok, checkin.housing_ok = work_ok, pay_ok, housing_ok
    checkin.problems, checkin.notes, checkin.recorded_by = problems, notes, actor
    checkin.save()
    if reached:
        registration.last_contact_on = max(registration.last_contact_on or done_on, done_on)
        registration.unreachable_since = None
        _resolve(registration, MigrationAlert.Kind.UNREACHABLE)
    elif registration.unreachable_since is None:
        registration.unreachable_since = done_on
    registration.save()
    _resolve_key(f"missed:{checkin.pk}")
    audit_record(
        actor=actor,
        action="migration.checkin.create",
        obj=registration,
        changes={"checkin": checkin.pk, "reached": reached, "problems": problems},
    )
    return checkin


@transaction.atomic
def consent_withdraw(
    *, actor: Any, registration: Registration, on: date | None = None, reason: str = ""
) -> Registration:
    """The person no longer wants to be traced: tracing stops at once and their contact data is erased."""
    registration = _registration_for(actor, registration)
    if registration.status == Registration.Status.WITHDRAWN:
        raise _fail("status", _("Consent was already withdrawn."))
    erased = [name for name in Registration.CONTACT_FIELDS if getattr(registration, name)]
    registration.phone = registration.messaging = registration.family_contact = ""
    registration.documents = []
    registration.status = Registration.Status.WITHDRAWN
    registration.tracing = False
    registration.withdrawn_on = on or timezone.localdate()
    registration.unreachable_since = None
    registration.save()
    CheckIn.objects.filter(registration=registration, done_on__isnull=True).delete()
    MigrationAlert.objects.filter(registration=registration).exclude(
        status=MigrationAlert.Status.RESOLVED
    ).update(
        status=MigrationAlert.Status.RESOLVED,
        resolved_at=timezone.now(),
        resolution_note=_("Consent withdrawn."),
    )
    kept_because = withdrawal_keeps_person(registration)
    audit_record(
        actor=actor,
        action="migration.registration.withdraw",
        obj=registration,
        changes={
            "erased": erased,
            "reason": reason,
            "withdrawn_on": registration.withdrawn_on,
            "person_erased": not kept_because,
        },
    )
    if not kept_because:
        erasure.erase_withdrawn(actor=actor, person=registration.person, source="withdrawal")
        registration.refresh_from_db()
        registration.person.refresh_from_db()
    return registration


def withdrawal_keeps_person(registration: Registration) -> str:
    """Why withdrawing this registration's consent keeps the registry person (empty: it does not).

    The channel made the person's record; once the person withdraws, it is erased too, unless something
    else rests on it: a case, another registration, an assessment, or another agency's record."""
    person = registration.person
    if person.erased_at is not None:
        return ""
    if person.agency_id != registration.agency_id:
        return _("The person's record belongs to another agency, which keeps it.")
    if person.cases.exists():
        return _("The person has a case: their record stays with the case.")
    others = Registration.objects.filter(person=person).exclude(pk=registration.pk).exists()
    if others or SiteRegistration.objects.filter(person=person).exists():
        return _("The person has another registration: their record stays for it.")
    if person.assessments.exists():
        return _("The person was assessed outside the channel: their record stays for that.")
    return ""


@transaction.atomic
def problem_to_observation(
    *, actor: Any, checkin: CheckIn, workplace_id: int | None = None, reliability: str = "B"
) -> Any:
    """A problem reported at a check-in becomes evidence on the workplace (sin space), linked back from the
    check-in only. The observation carries no registration number and none of the worker's words: their notes
    go into the protected who-informed field, which only the recording agency's coordinators read."""
    registration = _registration_for(actor, checkin.registration)
    if checkin.observation_id:
        raise _fail("checkin", _("This check-in is already on the workplace's record."))
    indicators = [p for p in checkin.problems if p in LabourIndicator.values]
    if not indicators:
        raise _fail("problems", _("None of these problems is a workplace indicator."))
    workplace = _visible(Workplace, actor, workplace_id, "workplace_id") or registration.planned_workplace
    if workplace is None:
        raise _fail("workplace_id", _("Say which workplace."))
    observation = observation_record(
        actor=actor,
        workplace=workplace,
        observed_on=checkin.done_on or timezone.localdate(),
        source="report",
        reliability=reliability,
        indicators=indicators,
        text=_("Reported by a worker at a safe-migration check-in."),
        informant=checkin.notes.strip(),
    )
    checkin.observation = observation
    checkin.save(update_fields=["observation"])
    audit_record(
        actor=actor,
        action="migration.checkin.observation",
        obj=registration,
        changes={"checkin": checkin.pk, "observation": observation.pk},
    )
    return observation


@transaction.atomic
def problem_to_case(*, actor: Any, checkin: CheckIn) -> Any:
    """A problem reported at a check-in becomes a labour-rights case in one step, linked back, with the
    journey (home village → destination) and the problems as screening input."""
    registration = _registration_for(actor, checkin.registration)
    if checkin.case_id:
        raise _fail("checkin", _("This check-in already has a case."))
    if not checkin.problems:
        raise _fail("problems", _("No problem was reported at this check-in."))
    today = timezone.localdate()
    if not Person.objects.visible_to(actor).filter(pk=registration.person_id).exists():
        raise _fail(
            "checkin",
            _("The case is opened by the registering agency's case staff: ask %(agency)s.")
            % {"agency": registration.agency.name},
        )
    case = case_services.case_open(actor=actor, person=registration.person, opened_on=today)
    case_services.event_add(
        actor=actor,
        case=case,
        kind="recruitment",
        occurred_on=min(registration.travel_date, today),
        area_code=registration.person.village.code,
    )
    where = registration.destination_area
    case_services.event_add(
        actor=actor,
        case=case,
        kind="exploitation",
        occurred_on=checkin.done_on or today,
        area_code=where.code if where else None,
        country="" if where else registration.channel.destination_country,
        place=registration.destination_place,
        workplace_id=registration.planned_workplace_id,
    )
    issues = sorted({LABOUR_ISSUE[p] for p in checkin.problems if p in LABOUR_ISSUE})
    case_services.screening_record(
        actor=actor,
        case=case,
        screened_on=today,
        acts=["recruitment"] + (["transport"] if registration.recruiter_id else []),
        purposes=["forced_labour"]
        if {"restriction_of_movement", "physical_sexual_violence"} & set(checkin.problems)
        else [],
        labour_issues=issues or ["contract_breach"],
        notes=_("From a safe-migration check-in (registration #%(id)s).") % {"id": registration.pk},
    )
    case.refresh_from_db()
    checkin.case = case
    checkin.save(update_fields=["case"])
    audit_record(
        actor=actor,
        action="migration.checkin.case",
        obj=registration,
        changes={"checkin": checkin.pk, "case": case.pk},
    )
    return case


# ----------------------------------------------------------------------------------------------- recruiters


@transaction.atomic
def vacancy_create(
    *,
    actor: Any,
    recruiter_id: int,
    village_code: str,
    posted_on: date,
    title: str,
    places: int = 1,
    wage: str = "",
    fee_charged: bool = False,
    min_age: int = 18,
    workplace_id: int | None = None,
) -> Vacancy:
    """Jobs a recruiter brings to the village, recorded when they register at the local authority office."""
    recruiter = _visible(Recruiter, actor, recruiter_id, "recruiter_id")
    if recruiter is None:
        raise _fail("recruiter_id", _("Choose the recruiter."))
    if recruiter.registered_on is None:
        raise _fail("recruiter_id", _("Register the recruiter at the local authority office first."))
    village = _need_area(village_code, "village_code", "village")
    if posted_on > timezone.localdate():
        raise _fail("posted_on", _("The date cannot be in the future."))
    if not title.strip():
        raise _fail("title", _("Say what the job is."))
    if places < 1:
        raise _fail("places", _("At least one place."))
    viewer = viewer_for(actor)
    owner = next(
        (
            g.agency_id
            for g in viewer.grants
            if g.role in (*WORKERS, Role.ADMIN)
            and (not g.area_limited or any(village.path.startswith(p) for p in g.area_paths))
        ),
        None,
    )
    if owner is None:
        raise Http404
    vacancy = Vacancy.objects.create(
        agency_id=owner,
        recruiter=recruiter,
        village=village,
        workplace=_visible(Workplace, actor, workplace_id, "workplace_id"),
        posted_on=posted_on,
        title=title.strip(),
        places=places,
        wage=wage,
        fee_charged=fee_charged,
        min_age=min_age,
    )
    audit_record(
        actor=actor,
        action="migration.vacancy.create",
        obj=vacancy,
        changes={"recruiter": recruiter.pk, "title": vacancy.title, "fee_charged": fee_charged},
    )
    return vacancy


@transaction.atomic
def placement_create(
    *, actor: Any, registration: Registration, vacancy_id: int, placed_on: date
) -> Placement:
    """Link a registered person to a registered recruiter's vacancy (and its workplace)."""
    registration = _registration_for(actor, registration)
    vacancy = _visible(Vacancy, actor, vacancy_id, "vacancy_id")
    if vacancy is None:
        raise _fail("vacancy_id", _("Choose the vacancy."))
    if placed_on > timezone.localdate():
        raise _fail("placed_on", _("The date cannot be in the future."))
    if Placement.objects.filter(registration=registration, vacancy=vacancy).exists():
        raise _fail("vacancy_id", _("Already placed in this vacancy."))
    placement = Placement.objects.create(
        registration=registration, vacancy=vacancy, placed_on=placed_on, recorded_by=actor
    )
    updates = []
    if registration.recruiter_id is None:
        registration.recruiter_id = vacancy.recruiter_id
        updates.append("recruiter")
    if registration.planned_workplace_id is None and vacancy.workplace_id:
        registration.planned_workplace_id = vacancy.workplace_id
        updates.append("planned_workplace")
    if updates:
        registration.save(update_fields=updates)
    audit_record(
        actor=actor,
        action="migration.placement.create",
        obj=registration,
        changes={"vacancy": vacancy.pk, "recruiter": vacancy.recruiter_id},
    )
    return placement


# ----------------------------------------------------------------------------------------------- sites


@transaction.atomic
def site_registration_create(
    *,
    actor: Any,
    site_kind: str,
    site_name: str,
    site_area_code: str,
    found_on: date,
    person: Person | None = None,
    person_fields: Mapping[str, Any] | None = None,
    employer: str = "",
    workplace_id: int | None = None,
    work: str = "",
    origin_area_code: str | None = None,
    origin_country: str = "",
    origin_place: str = "",
    family_contact: str = "",
) -> SiteRegistration:
    """A working child found at a site, registered with who they work for; family tracing opens."""
    if site_kind not in SiteRegistration.Site.values:
        raise _fail("site_kind", _("Say what kind of site."))
    if not site_name.strip():
        raise _fail("site_name", _("Name the site."))
    site_area = _need_area(site_area_code, "site_area_code")
    if found_on > timezone.localdate():
        raise _fail("found_on", _("The date cannot be in the future."))
    viewer = viewer_for(actor)
    owner = None
    for grant in viewer.grants:
        if grant.role in (*WORKERS, Role.ADMIN) and (
            not grant.area_limited or any(site_area.path.startswith(p) for p in grant.area_paths)
        ):
            owner = Agency.objects.get(pk=grant.agency_id)
            break
    if owner is None:
        raise _fail("site_area_code", _("You do not work in this area."))
    if person is not None:
        person = get_for_user(Person.objects.all(), actor, person.pk)
    else:
        values = dict(person_fields or {})
        values.setdefault("village_code", site_area_code if site_area.level == "village" else None)
        if not values.get("village_code"):
            raise _fail("village_code", _("Give the village where the child is now."))
        person = person_create(actor=actor, agency=owner, **values)
    country = (origin_country or "").strip().upper()
    if country and (len(country) != 2 or not country.isalpha()):
        raise _fail("origin_country", _("Use the two-letter country code, e.g. MM."))
    site = SiteRegistration.objects.create(
        agency=owner,
        person=person,
        site_kind=site_kind,
        site_name=site_name.strip(),
        site_area=site_area,
        found_on=found_on,
        employer=employer,
        workplace=_visible(Workplace, actor, workplace_id, "workplace_id"),
        work=work,
        origin_area=_area(origin_area_code, "origin_area_code"),
        origin_country=country,
        origin_place=origin_place,
        family_contact=family_contact,
        recorded_by=actor,
    )
    audit_record(
        actor=actor,
        action="migration.site.create",
        obj=site,
        changes={"site": site.site_name, "person": person.pk, "family_contact": family_contact},
    )
    return site


@transaction.atomic
def tracing_step_add(
    *, actor: Any, site: SiteRegistration, done_on: date, action: str, result: str = "", tracing: str = ""
) -> TracingStep:
    """One step of family tracing; `tracing` closes it (found / not found) when it ends."""
    site = get_for_user(SiteRegistration.objects.all(), actor, site.pk, Action.CHANGE)
    if not action.strip():
        raise _fail("action", _("Say what was done."))
    if done_on > timezone.localdate() or done_on < site.found_on:
        raise _fail("done_on", _("The date must be between the day the child was found and today."))
    if tracing and tracing not in SiteRegistration.Tracing.values:
        raise _fail("tracing", _("Unknown tracing outcome."))
    step = TracingStep.objects.create(
        site_registration=site, done_on=done_on, action=action, result=result, recorded_by=actor
    )
    if tracing:
        site.tracing = tracing
        site.save(update_fields=["tracing", "updated_at"])
    audit_record(actor=actor, action="migration.tracing.create", obj=site, changes={"tracing": site.tracing})
    return step


@transaction.atomic
def site_hand_over(*, actor: Any, site: SiteRegistration, to: str, channel_id: int | None = None) -> Any:
    """Hand the child over to a case (opened now) or link them to a channel registration."""
    site = get_for_user(SiteRegistration.objects.select_related("person"), actor, site.pk, Action.CHANGE)
    if to == "case":
        if site.case_id:
            raise _fail("to", _("Already handed over to a case."))
        case = case_services.case_open(actor=actor, person=site.person, opened_on=timezone.localdate())
        site.case = case
        site.save(update_fields=["case", "updated_at"])
        audit_record(actor=actor, action="migration.site.case", obj=site, changes={"case": case.pk})
        return case
    if to == "registration":
        registration = (
            Registration.objects.visible_to(actor).filter(person=site.person).order_by("-travel_date").first()
        )
        if registration is None:
            raise _fail("to", _("Register the child on a channel first."))
        site.registration = registration
        site.save(update_fields=["registration", "updated_at"])
        audit_record(
            actor=actor,
            action="migration.site.registration",
            obj=site,
            changes={"registration": registration.pk},
        )
        return registration
    raise _fail("to", _("Hand over to a case or to a channel registration."))


# ----------------------------------------------------------------------------------------------- alerts


def _resolve(registration: Registration, kind: str) -> None:
    MigrationAlert.objects.filter(registration=registration, kind=kind).exclude(
        status=MigrationAlert.Status.RESOLVED
    ).update(
        status=MigrationAlert.Status.RESOLVED, resolved_at=timezone.now(), resolution_note=_("Contact made.")
    )


def _resolve_key(key: str) -> None:
    MigrationAlert.objects.filter(key=key).exclude(status=MigrationAlert.Status.RESOLVED).update(
        status=MigrationAlert.Status.RESOLVED, resolved_at=timezone.now(), resolution_note=_("Done.")
    )


def alert_recipients(registration: Registration) -> list[int]:
    """Both ends: coordinators of the registering and the destination agencies, and who registered."""
    agencies = {registration.agency_id, registration.channel.destination_agency_id} - {None}
    users = set(
        Membership.objects.filter(
            agency_id__in=agencies, role=Role.COORDINATOR, active=True, user__is_active=True
        ).values_list("user_id", flat=True)
    )
    if registration.registered_by_id:
        users.add(registration.registered_by_id)
    return sorted(users)


def _raise(registration: Registration, kind: str, key: str, message: str) -> bool:
    alert, created = MigrationAlert.objects.get_or_create(
        key=key, defaults={"registration": registration, "kind": kind, "message": message}
    )
    if created:
        recipients = alert_recipients(registration)
        alert.recipients.set(recipients)
        audit_record(
            actor=None, action="migration.alert.create", obj=registration, changes={"kind": kind, "key": key}
        )
        notice_emit(
            [
                Notice(
                    kind=NoticeKind.MIGRATION_ALERT,
                    recipients=tuple(recipients),
                    reference=f"M-{registration.pk}",
                    link=reverse("migration:registration", args=[registration.pk]),
                    urgency=NoticeUrgency.SOON
                    if kind == MigrationAlert.Kind.UNREACHABLE
                    else NoticeUrgency.DIGEST,
                )
            ]
        )
    return created


@transaction.atomic
def alerts_scan(*, today: date | None = None) -> dict[str, int]:
    """Raise each alert once: arrivals not confirmed in time, missed check-ins, people out of reach too long.
    Registrations whose consent was withdrawn are never traced."""
    today = today or timezone.localdate()
    raised = {"arrival": 0, "missed": 0, "unreachable": 0}
    traced = Registration.objects.filter(tracing=True).exclude(status=Registration.Status.WITHDRAWN)
    for registration in traced.filter(
        arrived_on__isnull=True, status__in=["registered", "travelling"]
    ).select_related("channel__destination_organisation"):
        if registration.expected_arrival + timedelta(days=registration.channel.arrival_grace_days) < today:
            raised["arrival"] += _raise(
                registration,
                MigrationAlert.Kind.ARRIVAL,
                f"arrival:{registration.pk}",
                _("Arrival not confirmed (expected %(day)s).") % {"day": registration.expected_arrival},
            )
    for checkin in CheckIn.objects.filter(
        registration__in=traced, done_on__isnull=True, due_on__lt=today
    ).select_related("registration__channel__destination_organisation"):
        raised["missed"] += _raise(
            checkin.registration,
            MigrationAlert.Kind.MISSED,
            f"missed:{checkin.pk}",
            _("Check-in due %(day)s was not made.") % {"day": checkin.due_on},
        )
    for registration in traced.filter(unreachable_since__isnull=False).select_related(
        "channel__destination_organisation"
    ):
        assert registration.unreachable_since is not None
        if registration.unreachable_since + timedelta(days=registration.channel.unreachable_days) <= today:
            raised["unreachable"] += _raise(
                registration,
                MigrationAlert.Kind.UNREACHABLE,
                f"unreachable:{registration.pk}:{registration.unreachable_since.isoformat()}",
                _("Cannot be reached since %(day)s.") % {"day": registration.unreachable_since},
            )
    return raised


@transaction.atomic
def alert_acknowledge(*, actor: Any, alert: MigrationAlert) -> MigrationAlert:
    """Someone at either end has seen the alert and is acting on it."""
    _registration_for(actor, alert.registration)
    alert = MigrationAlert.objects.select_for_update().get(pk=alert.pk)
    if alert.status != MigrationAlert.Status.OPEN:
        raise _fail("status", _("Only an open alert can be marked as seen."))
    alert.status = MigrationAlert.Status.ACKNOWLEDGED
    alert.acknowledged_by, alert.acknowledged_at = actor, timezone.now()
    alert.save(update_fields=["status", "acknowledged_by", "acknowledged_at"])
    audit_record(
        actor=actor, action="migration.alert.acknowledge", obj=alert.registration, changes={"alert": alert.pk}
    )
    return alert


@transaction.atomic
def alert_resolve(*, actor: Any, alert: MigrationAlert, note: str) -> MigrationAlert:
    if not note.strip():
        raise _fail("note", _("Say what was done."))
    _registration_for(actor, alert.registration)
    alert.status, alert.resolved_at, alert.resolution_note = (
        MigrationAlert.Status.RESOLVED,
        timezone.now(),
        note,
    )
    alert.save()
    audit_record(
        actor=actor, action="migration.alert.resolve", obj=alert.registration, changes={"alert": alert.pk}
    )
    return alert


def overdue(registrations: Any, today: date | None = None) -> Any:
    """Registrations with a check-in past due, an unconfirmed arrival past grace, or out of reach."""
    today = today or timezone.localdate()
    late_checkin = Q(checkins__done_on__isnull=True, checkins__due_on__lt=today)
    not_arrived = Q(arrived_on__isnull=True, expected_arrival__lt=today)
    return (
        registrations.filter(tracing=True)
        .filter(late_checkin | not_arrived | Q(unreachable_since__isnull=False))
        .distinct()
    )
