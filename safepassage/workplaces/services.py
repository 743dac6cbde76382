"""Writes for sin space: workplaces, evidence and ratings, employers, recruiters, employer submissions."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from safepassage.accounts.models import Agency
from safepassage.audit.services import audit_record, diff
from safepassage.core.access import viewer_for
from safepassage.core.files import check_attachment
from safepassage.core.roles import Action, Role
from safepassage.core.validation import not_in_future
from safepassage.geo.models import Area, Level
from safepassage.workplaces.kinds import sector_codes
from safepassage.workplaces.models import (
    Attachment,
    Employer,
    EmployerCommitment,
    EmployerSubmission,
    Intervention,
    LabourIndicator,
    Observation,
    RatingChange,
    Recruiter,
    Workplace,
)
from safepassage.workplaces.rating import Evidence, rate

# (south, west, north, east) of each country's territory, to catch coordinates typed the wrong way round.
COUNTRY_BOXES = {
    "TH": (5.6, 97.3, 20.5, 105.7),
    "LA": (13.9, 100.0, 22.5, 107.7),
    "KH": (10.4, 102.3, 14.7, 107.7),
    "MM": (9.6, 92.1, 28.6, 101.2),
    "VN": (8.4, 102.1, 23.4, 109.5),
    "CN": (18.1, 73.5, 53.6, 134.8),
}
BANDS = ("none", "low", "medium", "high")
WORKPLACE_FIELDS = (
    "name",
    "aliases",
    "sector",
    "address",
    "lat",
    "lon",
    "outline",
    "registration_number",
    "licence_number",
    "workforce_estimate",
    "status",
    "watch_listed",
    "watch_reason",
    "last_verified",
)


def check_point(lat: Any, lon: Any, country: str) -> tuple[float | None, float | None]:
    """Coordinates in range and inside the country; a swapped pair is named as such."""
    if lat in (None, "") and lon in (None, ""):
        return None, None
    errors: dict[str, list[str]] = {}
    try:
        lat_f, lon_f = float(lat), float(lon)
    except (TypeError, ValueError):
        raise ValidationError({"lat": _("Give both latitude and longitude as numbers.")}) from None
    if not -90 <= lat_f <= 90:
        errors["lat"] = [_("Latitude must be between -90 and 90.")]
    if not -180 <= lon_f <= 180:
        errors["lon"] = [_("Longitude must be between -180 and 180.")]
    box = COUNTRY_BOXES.get(country)
    if box is not None:
        south, west, north, east = box
        if south <= lon_f <= north and west <= lat_f <= east and not (south <= lat_f <= north):
            raise ValidationError({"lat": [_("Latitude and longitude look swapped: latitude comes first.")]})
    if not errors and box is not None:
        south, west, north, east = box
        if not (south <= lat_f <= north and west <= lon_f <= east):
            if south <= lon_f <= north and west <= lat_f <= east:
                errors["lat"] = [_("Latitude and longitude look swapped: latitude comes first.")]
            else:
                errors["lat"] = [_("This point is outside %(country)s.") % {"country": country}]
    if errors:
        raise ValidationError(errors)
    return lat_f, lon_f


def _owner(actor: Any, agency: Agency | None) -> Agency:
    viewer = viewer_for(actor)
    for grant in viewer.grants:
        if grant.role in (Role.ADMIN, Role.COORDINATOR, Role.CASEWORKER) and (
            agency is None or grant.agency_id == agency.pk
        ):
            return agency or Agency.objects.get(pk=grant.agency_id)
    raise PermissionDenied(_("Only staff of an agency can record workplaces."))


def _clean(fields: Mapping[str, Any], country: str, current_sector: str = "") -> dict[str, Any]:
    """A retired sector is refused, except a workplace keeping the one it has."""
    data = {k: v for k, v in fields.items() if k in WORKPLACE_FIELDS}
    errors: dict[str, list[str]] = {}
    if "sector" in data and data["sector"] not in sector_codes() and data["sector"] != current_sector:
        errors["sector"] = [_("Unknown sector %(sector)s.") % {"sector": data["sector"]}]
    if "name" in data and not str(data["name"]).strip():
        errors["name"] = [_("A workplace needs a name.")]
    if data.get("last_verified") and data["last_verified"] > timezone.localdate():
        errors["last_verified"] = [_("This date cannot be in the future.")]
    if "status" in data and data["status"] not in Workplace.Status.values:
        errors["status"] = [_("Status is active, closed or unknown.")]
    if "lat" in data or "lon" in data:
        try:
            data["lat"], data["lon"] = check_point(data.get("lat"), data.get("lon"), country)
        except ValidationError as error:
            errors.update(error.message_dict)
    if errors:
        raise ValidationError(errors)
    return data


def _area(code: str | None) -> Area | None:
    if not code:
        return None
    area = Area.objects.filter(code=code, level=Level.VILLAGE).first()
    if area is None:
        raise ValidationError(
            {"village_code": _("There is no village with the code %(code)s.") % {"code": code}}
        )
    return area


@transaction.atomic
def workplace_create(
    *,
    actor: Any,
    agency: Agency | None = None,
    village_code: str | None = None,
    employer_id: int | None = None,
    **fields: Any,
) -> Workplace:
    """Register a workplace."""
    owner = _owner(actor, agency) if actor is not None else agency
    if owner is None:
        raise ValidationError({"agency": _("A workplace must belong to an agency.")})
    data = _clean(fields, owner.country)
    for required in ("name", "sector"):
        if required not in data:
            raise ValidationError({required: _("This field is required.")})
    employer = None
    if employer_id is not None:
        employer = (
            Employer.objects.visible_to(actor, Action.CHANGE).filter(pk=employer_id).first()
            if actor is not None
            else Employer.objects.filter(pk=employer_id).first()
        )
        if employer is None:
            raise ValidationError({"employer_id": _("There is no such employer of yours.")})
    workplace = Workplace.objects.create(agency=owner, village=_area(village_code), employer=employer, **data)
    audit_record(
        actor=actor,
        action="workplaces.workplace.create",
        obj=workplace,
        changes={k: v for k, v in data.items() if k != "outline"},
    )
    return workplace


@transaction.atomic
def workplace_update(
    *, actor: Any, workplace: Workplace, village_code: str | None = None, **fields: Any
) -> Workplace:
    """Correct or complete a workplace's details."""
    data = _clean(fields, workplace.agency.country, workplace.sector)
    before = {k: getattr(workplace, k) for k in data}
    for name, value in data.items():
        setattr(workplace, name, value)
    changed = list(data)
    if village_code is not None:
        workplace.village = _area(village_code)
        changed.append("village")
    workplace.save(update_fields=[*changed, "updated_at"])  # never the rating fields, which evidence owns
    audit_record(
        actor=actor,
        action="workplaces.workplace.update",
        obj=workplace,
        changes=diff(before, {k: v for k, v in data.items() if k != "outline"}),
    )
    return workplace


def _rerate(workplace: Workplace, *, as_of: date | None = None, actor: Any = None) -> bool:
    evidence = [
        Evidence(o.pk, o.observed_on, o.reliability, tuple(o.indicators))
        for o in workplace.observations.all()
    ]
    rating = rate(evidence, as_of=as_of or timezone.localdate())
    changed = (rating.score, rating.band) != (workplace.risk_score, workplace.risk_band)
    workplace.risk_score, workplace.risk_band, workplace.risk_breakdown = (
        rating.score,
        rating.band,
        rating.breakdown,
    )
    workplace.save(update_fields=["risk_score", "risk_band", "risk_breakdown", "updated_at"])
    if changed:
        RatingChange.objects.create(
            workplace=workplace,
            score=rating.score,
            band=rating.band,
            override_band=workplace.override_band,
            by=actor,
        )
    return changed


@transaction.atomic
def observation_record(
    *,
    actor: Any,
    workplace: Workplace,
    observed_on: date,
    source: str,
    reliability: str,
    indicators: list[str],
    text: str = "",
    informant: str = "",
) -> Observation:
    """Add evidence about a workplace and rate it again."""
    errors: dict[str, list[str]] = {}
    if observed_on > timezone.localdate():
        errors["observed_on"] = [_("The date cannot be in the future.")]
    if source not in Observation.Source.values:
        errors["source"] = [_("Unknown source %(source)s.") % {"source": source}]
    if reliability not in Observation.Reliability.values:
        errors["reliability"] = [_("Reliability is A, B, C, D or E.")]
    unknown = [i for i in indicators if i not in LabourIndicator.values]
    if unknown:
        errors["indicators"] = [_("Unknown indicators: %(codes)s") % {"codes": ", ".join(unknown)}]
    if errors:
        raise ValidationError(errors)
    owner = _owner(actor, workplace.agency) if actor is not None else workplace.agency
    observation = Observation.objects.create(
        agency=owner,
        workplace=workplace,
        observed_on=observed_on,
        source=source,
        reliability=reliability,
        indicators=sorted(set(indicators)),
        text=text,
        informant=informant,
        recorded_by=actor,
    )
    if observation.primary and (workplace.last_verified is None or observed_on > workplace.last_verified):
        workplace.last_verified = observed_on
        workplace.save(update_fields=["last_verified"])
    _rerate(workplace, actor=actor)
    audit_record(
        actor=actor,
        action="workplaces.observation.record",
        obj=observation,
        agency=owner,
        changes={
            "workplace": workplace.pk,
            "indicators": observation.indicators,
            "informant": informant,
            "score": workplace.risk_score,
        },
    )
    return observation


@transaction.atomic
def rating_override(*, actor: Any, workplace: Workplace, band: str, reason: str) -> Workplace:
    """A coordinator sets the band by judgement, with a reason; '' removes the override. History is kept."""
    if not viewer_for(actor).has_role(Role.COORDINATOR, Role.ADMIN, agency_id=workplace.agency_id):
        raise PermissionDenied(_("Only the owning agency's coordinators can override a rating."))
    if band and band not in BANDS:
        raise ValidationError({"band": _("Band is none, low, medium or high.")})
    if band and not reason.strip():
        raise ValidationError({"reason": _("Say why the rating is overridden.")})
    before = workplace.override_band
    workplace.override_band, workplace.override_reason = band, reason.strip()
    workplace.save(update_fields=["override_band", "override_reason"])
    RatingChange.objects.create(
        workplace=workplace,
        score=workplace.risk_score,
        band=workplace.risk_band,
        override_band=band,
        reason=reason.strip(),
        by=actor,
    )
    audit_record(
        actor=actor,
        action="workplaces.rating.override",
        obj=workplace,
        changes={"override_band": [before, band], "reason": reason.strip()},
    )
    return workplace


@transaction.atomic
def workplaces_rerate(*, as_of: date | None = None) -> int:
    """Rate every workplace again (evidence ages every day); run nightly. Returns how many changed."""
    changed = 0
    for workplace in Workplace.objects.prefetch_related("observations").iterator(chunk_size=2000):
        changed += _rerate(workplace, as_of=as_of)
    audit_record(
        actor=None,
        action="workplaces.rerate",
        object_type="workplaces.workplace",
        changes={"changed": changed},
    )
    return changed


@transaction.atomic
def employer_create(
    *,
    actor: Any,
    legal_name: str,
    agency: Agency | None = None,
    partner_agency: Agency | None = None,
    **fields: Any,
) -> Employer:
    """Register an employer (optionally linked to its own partner agency)."""
    owner = _owner(actor, agency) if actor is not None else agency
    if owner is None:
        raise ValidationError({"agency": _("An employer must belong to an agency.")})
    if not legal_name.strip():
        raise ValidationError({"legal_name": _("An employer needs a name.")})
    allowed = {
        "owner_name",
        "registration_number",
        "contacts",
        "abides_by_labour_law",
        "registered",
        "trains_staff",
    }
    employer = Employer.objects.create(
        agency=owner,
        legal_name=legal_name.strip(),
        partner_agency=partner_agency,
        **{k: v for k, v in fields.items() if k in allowed},
    )
    audit_record(
        actor=actor,
        action="workplaces.employer.create",
        obj=employer,
        changes={"legal_name": legal_name, **{k: v for k, v in fields.items() if k in allowed}},
    )
    return employer


@transaction.atomic
def commitment_add(
    *, actor: Any, employer: Employer, signed_on: date, text: str, signatories: list[str]
) -> EmployerCommitment:
    """Record a commitment the employer signed."""
    not_in_future(signed_on, "signed_on")
    commitment = EmployerCommitment.objects.create(
        employer=employer, signed_on=signed_on, text=text, signatories=signatories
    )
    audit_record(
        actor=actor,
        action="workplaces.employer.commitment",
        obj=employer,
        changes={"signed_on": signed_on.isoformat(), "signatories": signatories},
    )
    return commitment


@transaction.atomic
def recruiter_create(
    *, actor: Any, name: str, agency: Agency | None = None, village_codes: Sequence[str] = (), **fields: Any
) -> Recruiter:
    """Register a recruiter or broker."""
    owner = _owner(actor, agency) if actor is not None else agency
    if owner is None:
        raise ValidationError({"agency": _("A recruiter record must belong to an agency.")})
    allowed = {
        "kind",
        "licence_status",
        "licence_number",
        "licence_authority",
        "registered_on",
        "registration_office",
        "red_flags",
    }
    data = {k: v for k, v in fields.items() if k in allowed}
    not_in_future(data.get("registered_on"), "registered_on")
    villages = list(Area.objects.filter(code__in=list(village_codes), level=Level.VILLAGE))
    missing = sorted(set(village_codes) - {v.code for v in villages})
    if missing:
        raise ValidationError(
            {"village_codes": _("Unknown villages: %(codes)s") % {"codes": ", ".join(missing)}}
        )
    recruiter = Recruiter.objects.create(agency=owner, name=name.strip(), **data)
    recruiter.villages.set(villages)
    audit_record(
        actor=actor,
        action="workplaces.recruiter.create",
        obj=recruiter,
        changes={"name": name, **data, "villages": sorted(village_codes)},
    )
    return recruiter


@transaction.atomic
def recruiter_screen(*, actor: Any, recruiter: Recruiter, result: str, red_flags: list[str]) -> Recruiter:
    """Record the outcome of screening a recruiter."""
    if result not in Recruiter.Screening.values:
        raise ValidationError({"screening": _("Screening is pending, cleared or concerns.")})
    recruiter.screening, recruiter.red_flags = result, sorted(set(red_flags))
    recruiter.screened_by, recruiter.screened_on = actor, timezone.localdate()
    recruiter.save()
    audit_record(
        actor=actor,
        action="workplaces.recruiter.screen",
        obj=recruiter,
        changes={"screening": result, "red_flags": recruiter.red_flags},
    )
    return recruiter


RETURN_FIELDS = (
    "lowest_daily_wage",
    "usual_daily_wage",
    "wages_on_time",
    "training_sessions",
    "people_trained",
    "training_topics",
)
NAME_KEYS = {"name", "names", "worker", "workers", "given_name", "family_name"}


@transaction.atomic
def submission_create(
    *,
    actor: Any,
    workplace: Workplace,
    period: str,
    vacancies: Mapping[str, int],
    workforce: Mapping[str, Mapping[str, int]],
    weekly_hours: int | None = None,
    living_conditions: str = "",
    **wages_and_training: Any,
) -> EmployerSubmission:
    """A partner employer reports on one of its workplaces (its periodic return): counts, wages and the
    training it gave, never names."""
    viewer = viewer_for(actor)
    employer = workplace.employer
    if (
        employer is None
        or employer.partner_agency_id is None
        or not viewer.has_role(Role.PARTNER, agency_id=employer.partner_agency_id)
    ):
        raise PermissionDenied(_("Only the workplace's own employer can submit its conditions."))
    errors: dict[str, list[str]] = {}
    for group, counts in workforce.items():
        if group in NAME_KEYS or not isinstance(counts, Mapping):
            errors[f"workforce.{group}"] = [
                _("Give counts by group (sex, age band, nationality…), never names.")
            ]
            continue
        for key, value in counts.items():
            if not isinstance(value, int) or isinstance(value, bool) or value < 0:
                errors[f"workforce.{group}.{key}"] = [_("A count is a whole number, 0 or more.")]
    for skill, value in vacancies.items():
        if not isinstance(value, int) or isinstance(value, bool) or value < 0:
            errors[f"vacancies.{skill}"] = [_("A count is a whole number, 0 or more.")]
    if weekly_hours is not None and not 0 <= weekly_hours <= 168:
        errors["weekly_hours"] = [_("A week has 168 hours.")]
    returned = {k: v for k, v in wages_and_training.items() if k in RETURN_FIELDS and v is not None}
    for key in ("lowest_daily_wage", "usual_daily_wage", "training_sessions", "people_trained"):
        given = returned.get(key)
        if given is not None and (not isinstance(given, int) or isinstance(given, bool) or given < 0):
            errors[key] = [_("A count is a whole number, 0 or more.")]
    if (returned.get("lowest_daily_wage") or 0) > (returned.get("usual_daily_wage") or 10**9):
        errors["lowest_daily_wage"] = [_("The lowest wage cannot be above the usual wage.")]
    returned["training_topics"] = str(returned.get("training_topics", ""))[:300]
    if errors:
        raise ValidationError(errors)
    submission = EmployerSubmission.objects.create(
        agency_id=employer.partner_agency_id,
        workplace=workplace,
        period=period[:20],
        vacancies=dict(vacancies),
        workforce={k: dict(v) for k, v in workforce.items()},
        weekly_hours=weekly_hours,
        living_conditions=living_conditions,
        submitted_by=actor,
        **returned,
    )
    audit_record(
        actor=actor,
        action="workplaces.submission.create",
        obj=submission,
        changes={
            "workplace": workplace.pk,
            "period": period,
            **{k: v for k, v in returned.items() if k != "training_topics"},
        },
    )
    return submission


@transaction.atomic
def attachment_add(*, actor: Any, observation: Observation, upload: Any) -> Attachment:
    """Keep a photo or document with an observation (JPEG, PNG, WebP or PDF, up to 10 MB), privately."""
    content_type = check_attachment(upload)
    attachment = Attachment.objects.create(
        observation=observation,
        file=upload,
        name=str(upload.name)[:200],
        content_type=content_type,
        size=upload.size,
    )
    audit_record(
        actor=actor,
        action="workplaces.attachment.add",
        obj=observation,
        changes={"attachment": attachment.pk, "size": upload.size, "content_type": content_type},
    )
    return attachment


@transaction.atomic
def intervention_record(
    *,
    actor: Any,
    workplace: Workplace,
    happened_on: date,
    kind: str,
    people_assisted: int = 0,
    notes: str = "",
) -> Intervention:
    """Log an interception or intervention at a workplace."""
    errors: dict[str, list[str]] = {}
    if happened_on > timezone.localdate():
        errors["happened_on"] = [_("The date cannot be in the future.")]
    if kind not in Intervention.Kind.values:
        errors["kind"] = [_("Unknown kind %(kind)s.") % {"kind": kind}]
    if people_assisted < 0:
        errors["people_assisted"] = [_("A count is a whole number, 0 or more.")]
    if errors:
        raise ValidationError(errors)
    owner = _owner(actor, workplace.agency) if actor is not None else workplace.agency
    intervention = Intervention.objects.create(
        agency=owner,
        workplace=workplace,
        happened_on=happened_on,
        kind=kind,
        people_assisted=people_assisted,
        notes=notes,
        recorded_by=actor,
    )
    audit_record(
        actor=actor,
        action="workplaces.intervention.record",
        obj=intervention,
        changes={"workplace": workplace.pk, "kind": kind, "people_assisted": people_assisted},
    )
    return intervention


@transaction.atomic
def employer_award_add(*, actor: Any, employer: Employer, awarded_on: date, name: str) -> Any:
    """Record an award an employer received."""
    not_in_future(awarded_on, "awarded_on")
    award = employer.awards.create(awarded_on=awarded_on, name=name)
    audit_record(
        actor=actor,
        action="workplaces.employer.award",
        obj=employer,
        changes={"awarded_on": awarded_on, "name": name},
    )
    return award


@transaction.atomic
def recruiter_link(
    *, actor: Any, recruiter: Recruiter, workplace_ids: Sequence[int] = (), person_ids: Sequence[int] = ()
) -> Recruiter:
    """Link a recruiter to the workplaces they supply and the people they placed (those the actor may see)."""
    from safepassage.registry.models import Person

    workplaces = list(Workplace.objects.visible_to(actor).filter(pk__in=list(workplace_ids)))
    people = list(Person.objects.visible_to(actor).filter(pk__in=list(person_ids)))
    missing_w = sorted(set(workplace_ids) - {w.pk for w in workplaces})
    missing_p = sorted(set(person_ids) - {p.pk for p in people})
    errors: dict[str, list[str]] = {}
    if missing_w:
        errors["workplace_ids"] = [_("No such workplaces of yours: %(ids)s") % {"ids": missing_w}]
    if missing_p:
        errors["person_ids"] = [_("No such people of yours: %(ids)s") % {"ids": missing_p}]
    if errors:
        raise ValidationError(errors)
    recruiter.workplaces.add(*workplaces)
    recruiter.placed_people.add(*people)
    audit_record(
        actor=actor,
        action="workplaces.recruiter.link",
        obj=recruiter,
        changes={"workplaces": [w.pk for w in workplaces], "people": [p.pk for p in people]},
    )
    return recruiter
