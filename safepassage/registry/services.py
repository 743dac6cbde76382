"""Writes for the risk index: catalogues, people, households, assessments and alerts."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.db.models import Q
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from safepassage.accounts.models import Agency, Membership
from safepassage.audit.services import audit_record, diff
from safepassage.core.access import viewer_for
from safepassage.core.notices import NoticeUrgency, notice_emit
from safepassage.core.roles import Action, Role
from safepassage.geo.models import Area, Level
from safepassage.registry import cells, scoring
from safepassage.registry.models import (
    Alert,
    Assessment,
    Catalogue,
    GuardianRelation,
    Household,
    Indicator,
    Person,
)
from safepassage.registry.notices import alert_notice
from safepassage.registry.validation import clean_assessed_on, clean_national_id, clean_scores

CATALOGUE_FORMAT = "safepassage-catalogue/1"
PERSON_FIELDS = (
    "given_name",
    "family_name",
    "given_name_latin",
    "family_name_latin",
    "sex",
    "birth_date",
    "birth_year",
    "birth_year_estimated",
    "national_id",
    "father_name",
    "mother_name",
    "languages",
    "notes",
    "consent_basis",
    "guardian_consent_by",
    "guardian_relation",
    "guardian_consent_on",
)
GUARDIAN_FIELDS = ("guardian_consent_by", "guardian_relation", "guardian_consent_on")


# ---------------------------------------------------------------------------------------------- catalogues


def require_system_admin(actor: Any) -> None:
    """Catalogues are shared by every agency: only system administrators (or server commands) change them."""
    if actor is not None and not actor.is_superuser:
        raise PermissionDenied(_("Only a system administrator can change the indicator catalogue."))


def active_catalogue() -> Catalogue:
    """The catalogue new assessments use."""
    catalogue = (
        Catalogue.objects.filter(status=Catalogue.Status.ACTIVE).prefetch_related("indicators").first()
    )
    if catalogue is None:
        raise ValidationError(
            {"catalogue": _("No indicator catalogue is active. Ask a system administrator.")}
        )
    return catalogue


# Assessments name their person without the database checking each one (db_constraint=False on
# Assessment.person: a survey round of a million spent 6 s at commit on those checks), and people are
# removed only by a merge (linkage). So the two take turns under one advisory lock: whatever writes
# assessments holds it shared, from before it looks its people up until it commits; removing a person
# holds it alone. A writer that starts after a merge no longer finds the person removed, and a merge
# never removes a person while assessments may be being written for them.
PEOPLE_LOCK = 0x53500001  # (an advisory lock key of this project's own)


def hold_people() -> None:
    """Inside a transaction that writes assessments: hold the people lock (above), shared, until it ends,
    waiting for a merge under way to finish. On SQLite there is nothing to take: its transactions write
    one at a time, each from its start."""
    _people_lock("pg_advisory_xact_lock_shared")


def hold_people_for_removal() -> bool:
    """Inside a transaction that removes people: hold the people lock (above) alone until it ends, if no
    one is writing assessments; False if someone is. It does not wait: a merge waiting behind a survey
    import of a million rows would hold up every assessment saved meanwhile, queued behind it."""
    return _people_lock("pg_try_advisory_xact_lock")


def _people_lock(function: str) -> bool:
    if not connection.in_atomic_block:
        raise RuntimeError("the people lock is held until the transaction ends: take it inside one")
    if connection.vendor != "postgresql":
        return True
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {function}(%s)", [PEOPLE_LOCK])
        (taken,) = cursor.fetchone()
    return taken is not False  # (the waiting form gives no answer: void)


INDICATOR_CODE = re.compile(r"[A-Za-z][A-Za-z0-9_.-]{0,31}")


def _check_catalogue_data(data: Mapping[str, Any]) -> None:
    errors: dict[str, list[str]] = {}
    if data.get("format") != CATALOGUE_FORMAT:
        errors["format"] = [_("expected %(format)s") % {"format": CATALOGUE_FORMAT}]
    indicators = data.get("indicators")
    if not isinstance(indicators, list) or not indicators:
        errors["indicators"] = [_("the catalogue has no indicators")]
        indicators = []
    seen: set[str] = set()
    for n, item in enumerate(indicators, start=1):
        where = f"indicators[{n}]"
        code = item.get("code") if isinstance(item, dict) else None
        if not code:
            errors.setdefault(where, []).append(_("has no code"))
            continue
        if not isinstance(code, str) or not INDICATOR_CODE.fullmatch(code):
            # (codes name form fields, JSON keys and columns in files: nothing that needs quoting)
            errors.setdefault(f"{where}.code", []).append(
                _("a code is up to 32 letters, digits, dashes, underscores and dots, starting with a letter")
            )
            continue
        if code in seen:
            errors.setdefault(where, []).append(_("%(code)s appears twice") % {"code": code})
        seen.add(code)
        if item.get("level") not in Indicator.Level.values:
            errors.setdefault(f"{where}.level", []).append(_("must be I, H or V"))
        if item.get("kind") not in Indicator.Kind.values:
            errors.setdefault(f"{where}.kind", []).append(_("must be S, T or C"))
        if item.get("domain") not in Indicator.Domain.values:
            errors.setdefault(f"{where}.domain", []).append(
                _("must be one of %(domains)s") % {"domains": ", ".join(Indicator.Domain.values)}
            )
        if not isinstance(item.get("label"), dict) or not item["label"].get("en"):
            errors.setdefault(f"{where}.label", []).append(_("needs at least an English label"))
        try:
            if float(item.get("weight", 1)) <= 0:
                raise ValueError
        except (TypeError, ValueError):
            errors.setdefault(f"{where}.weight", []).append(_("must be a number above 0"))
    parameters = data.get("parameters") or {}
    try:
        _check_parameters(parameters, seen)
    except ValidationError as error:
        errors.update({f"parameters.{k}": v for k, v in error.message_dict.items()})
    if errors:
        raise ValidationError(errors)


def _check_parameters(parameters: Mapping[str, Any], codes: set[str] | None = None) -> None:
    """Scoring parameters the scorer can read, and red flags that name only indicators of the version
    (`codes`, when given)."""
    if not isinstance(parameters, Mapping):
        raise ValidationError({"parameters": _("must be an object")})
    try:
        params = scoring.Parameters.from_dict(parameters)
    except (TypeError, ValueError, AttributeError) as error:
        field = "red_flags" if "red flag" in str(error) else "parameters"
        raise ValidationError({field: str(error)}) from None
    flags = [flag.code for flag in params.red_flags]
    if len(set(flags)) != len(flags):
        raise ValidationError({"red_flags": _("two red flags have the same code")})
    if codes is not None:
        for flag in params.red_flags:
            unknown = sorted({code for code, _score in (*flag.all, *flag.any)} - codes)
            if unknown:
                raise ValidationError(
                    {
                        "red_flags": _("red flag %(flag)s names indicators not in this version: %(codes)s")
                        % {"flag": flag.code, "codes": ", ".join(unknown)}
                    }
                )


@transaction.atomic
def catalogue_load(*, actor: Any, data: Mapping[str, Any], activate: bool = False) -> Catalogue:
    """Create a catalogue version from its file form (see `safepassage catalogue export`)."""
    require_system_admin(actor)
    _check_catalogue_data(data)
    version = int(data.get("version") or 0)
    if not version or Catalogue.objects.filter(version=version).exists():
        version = (Catalogue.objects.order_by("-version").values_list("version", flat=True).first() or 0) + 1
    catalogue = Catalogue.objects.create(
        version=version, name=str(data.get("name", ""))[:200], parameters=dict(data.get("parameters") or {})
    )
    Indicator.objects.bulk_create(
        Indicator(
            catalogue=catalogue,
            code=item["code"],
            position=n,
            domain=item["domain"],
            level=item["level"],
            kind=item["kind"],
            label=item["label"],
            rubric=item.get("rubric", {}),
            weight=float(item.get("weight", 1)),
            max_score=int(item.get("max_score", 3)),
            active=bool(item.get("active", True)),
        )
        for n, item in enumerate(data["indicators"])
    )
    audit_record(
        actor=actor,
        action="registry.catalogue.load",
        obj=catalogue,
        changes={"version": version, "indicators": len(data["indicators"])},
    )
    if activate:
        _activate(actor=actor, catalogue=catalogue)
    return catalogue


def catalogue_as_data(catalogue: Catalogue) -> dict[str, Any]:
    """A catalogue version in its file form."""
    return {
        "format": CATALOGUE_FORMAT,
        "version": catalogue.version,
        "name": catalogue.name,
        "parameters": catalogue.parameters,
        "indicators": [
            {
                "code": i.code,
                "domain": i.domain,
                "level": i.level,
                "kind": i.kind,
                "weight": i.weight,
                "max_score": i.max_score,
                "active": i.active,
                "label": i.label,
                "rubric": i.rubric,
            }
            for i in catalogue.indicators.all()
        ],
    }


@transaction.atomic
def catalogue_copy(*, actor: Any, source: Catalogue, name: str = "") -> Catalogue:
    """Start a new draft version from an existing one."""
    data = catalogue_as_data(source)
    data["version"] = 0
    data["name"] = name or source.name
    return catalogue_load(actor=actor, data=data)


@transaction.atomic
def indicator_update(*, actor: Any, indicator: Indicator, **fields: Any) -> Indicator:
    """Edit an indicator of a draft version; active and retired versions never change."""
    require_system_admin(actor)
    if indicator.catalogue.status != Catalogue.Status.DRAFT:
        raise ValidationError({"catalogue": _("Only a draft version can be edited. Make a copy first.")})
    allowed = {"label", "rubric", "weight", "active", "kind", "domain", "max_score"}
    unknown = set(fields) - allowed
    if unknown:
        raise ValidationError({name: _("cannot be changed here") for name in unknown})
    before = {name: getattr(indicator, name) for name in fields}
    for name, value in fields.items():
        setattr(indicator, name, value)
    indicator.full_clean(exclude=["catalogue"])
    indicator.save()
    audit_record(actor=actor, action="registry.indicator.update", obj=indicator, changes=diff(before, fields))
    return indicator


@transaction.atomic
def catalogue_update_parameters(
    *, actor: Any, catalogue: Catalogue, parameters: Mapping[str, Any]
) -> Catalogue:
    """Change a draft version's scoring parameters."""
    require_system_admin(actor)
    if catalogue.status != Catalogue.Status.DRAFT:
        raise ValidationError({"catalogue": _("Only a draft version can be edited. Make a copy first.")})
    _check_parameters(parameters, {i.code for i in catalogue.indicators.all()})
    before = catalogue.parameters
    catalogue.parameters = dict(parameters)
    catalogue.save(update_fields=["parameters"])
    audit_record(
        actor=actor,
        action="registry.catalogue.parameters",
        obj=catalogue,
        changes={"before": before, "after": dict(parameters)},
    )
    return catalogue


def _activate(*, actor: Any, catalogue: Catalogue) -> None:
    Catalogue.objects.filter(status=Catalogue.Status.ACTIVE).update(status=Catalogue.Status.RETIRED)
    catalogue.status = Catalogue.Status.ACTIVE
    catalogue.activated_at = timezone.now()
    catalogue.save(update_fields=["status", "activated_at"])


@transaction.atomic
def catalogue_activate(*, actor: Any, catalogue: Catalogue) -> Catalogue:
    """Make a draft the version new assessments use; the previous one retires. Old assessments keep theirs."""
    require_system_admin(actor)
    if catalogue.status != Catalogue.Status.DRAFT:
        raise ValidationError({"catalogue": _("Only a draft version can be activated.")})
    if not catalogue.indicators.filter(active=True).exists():
        raise ValidationError({"catalogue": _("A catalogue needs at least one active indicator.")})
    _activate(actor=actor, catalogue=catalogue)
    audit_record(
        actor=actor,
        action="registry.catalogue.activate",
        obj=catalogue,
        changes={"version": catalogue.version},
    )
    return catalogue


# ----------------------------------------------------------------------------------------- people and homes


def _village(code: str | None, field: str = "village_code") -> Area:
    area = Area.objects.filter(code=code or "").first()
    if area is None:
        raise ValidationError({field: _("There is no area with the code %(code)s.") % {"code": code}})
    if area.level != Level.VILLAGE:
        raise ValidationError(
            {
                field: _("%(code)s is a %(level)s, not a village.")
                % {"code": code, "level": area.get_level_display()}
            }
        )
    return area


def agency_for_record(actor: Any, village: Area, agency: Agency | None = None) -> Agency:
    """The agency a new record in `village` belongs to: the actor's, where they may record in that village."""
    viewer = viewer_for(actor)
    for grant in viewer.grants:
        if agency is not None and grant.agency_id != agency.pk:
            continue
        if Action.CHANGE not in Person.ROLE_ACTIONS.get(grant.role, frozenset()):
            continue
        if grant.area_limited and not any(village.path.startswith(p) for p in grant.area_paths):
            continue
        return agency or Agency.objects.get(pk=grant.agency_id)
    raise ValidationError(
        {"village_code": _("You do not work in this village, so you cannot add people there.")}
    )


SEXES = frozenset((None, *Person.Sex.values))


def clean_person_fields(fields: Mapping[str, Any]) -> dict[str, Any]:
    """A person's fields checked and normalised (the ID number, the year from the date); every problem
    reported at once. Shared by the forms, the API and the imports."""
    data = {k: v for k, v in fields.items() if k in PERSON_FIELDS}
    errors: dict[str, list[str]] = {}
    if "given_name" in data and not str(data["given_name"] or "").strip():
        errors["given_name"] = [_("A given name is needed (a nickname is fine).")]
    if data.get("sex") not in SEXES:
        errors["sex"] = [_("Sex is female, male, other or unknown.")]
    today = timezone.localdate()
    birth_date = data.get("birth_date")
    if birth_date:
        if birth_date > today:
            errors["birth_date"] = [_("The date of birth cannot be in the future.")]
        elif birth_date.year < today.year - 120:
            errors["birth_date"] = [_("The date of birth is more than 120 years ago.")]
        else:
            data["birth_year"] = birth_date.year
    year = data.get("birth_year")
    if year is not None and not birth_date and not (today.year - 120 <= int(year) <= today.year):
        errors["birth_year"] = [
            _("The year of birth must be between %(low)d and %(high)d.")
            % {"low": today.year - 120, "high": today.year}
        ]
    errors.update(_guardian_errors(data, today))
    if "national_id" in data:
        try:
            data["national_id"] = clean_national_id(str(data["national_id"] or ""))
        except ValidationError as error:
            errors.update(error.message_dict)
    if errors:
        raise ValidationError(errors)
    return data


def _guardian_errors(data: Mapping[str, Any], today: date) -> dict[str, list[str]]:
    """A guardian's consent is whole (who, their relation, when) or absent."""
    given = {name: data.get(name) for name in GUARDIAN_FIELDS if name in data}
    if not any(given.values()):
        return {}
    errors: dict[str, list[str]] = {}
    if not str(data.get("guardian_consent_by") or "").strip():
        errors["guardian_consent_by"] = [_("Write the name of the parent or guardian who agreed.")]
    relation = data.get("guardian_relation")
    if relation not in GuardianRelation.values:
        errors["guardian_relation"] = [_("Choose how the person who agreed is related to the child.")]
    on = data.get("guardian_consent_on")
    if on is None:
        errors["guardian_consent_on"] = [_("Give the date the parent or guardian agreed.")]
    elif on > today:
        errors["guardian_consent_on"] = [_("The date cannot be in the future.")]
    return errors


def needs_guardian(data: Mapping[str, Any], today: date | None = None) -> bool:
    """Whether a record being made is a child's without a guardian's consent (asked when registering)."""
    on = today or timezone.localdate()
    age = age_on(Person(birth_date=data.get("birth_date"), birth_year=data.get("birth_year")), on)
    return age is not None and age < 18 and not data.get("guardian_consent_by")


@transaction.atomic
def person_create(
    *,
    actor: Any,
    village_code: str,
    household_id: int | None = None,
    agency: Agency | None = None,
    hometown_code: str | None = None,
    ask_guardian: bool = False,
    **fields: Any,
) -> Person:
    """Add a person to the registry in a village the actor works in. Registering a child on a page or
    through the API (`ask_guardian`) needs a parent's or guardian's consent: who, relation and date."""
    village = _village(village_code)
    owner = agency_for_record(actor, village, agency) if actor is not None else agency
    if owner is None:
        raise ValidationError({"agency": _("A person must belong to an agency.")})
    data = clean_person_fields(fields)
    if "given_name" not in data:
        raise ValidationError({"given_name": _("A given name is needed (a nickname is fine).")})
    if ask_guardian and needs_guardian(data, timezone.localdate()):
        raise ValidationError(
            {
                "guardian_consent_by": _(
                    "This is a child: write which parent or guardian agreed to keep this record, "
                    "their relation to the child and the date."
                )
            }
        )
    household = None
    if household_id is not None:
        household = (
            Household.objects.visible_to(actor, Action.CHANGE).filter(pk=household_id).first()
            if actor is not None
            else Household.objects.filter(pk=household_id).first()
        )
        if household is None:
            raise ValidationError({"household_id": _("There is no such household you can add people to.")})
    hometown = _village(hometown_code, "hometown_code") if hometown_code else None
    person = Person.objects.create(
        agency=owner, village=village, household=household, hometown=hometown, created_by=actor, **data
    )
    audit_record(
        actor=actor,
        action="registry.person.create",
        obj=person,
        changes={"village": village.code, **data},
    )
    return person


@transaction.atomic
def person_update(*, actor: Any, person: Person, village_code: str | None = None, **fields: Any) -> Person:
    """Correct or complete a person's details."""
    data = clean_person_fields(fields)
    before = {k: getattr(person, k) for k in data}
    if village_code and village_code != person.village.code:
        village = _village(village_code)
        agency_for_record(actor, village, person.agency)
        before["village"] = person.village.code
        data["village"] = village
    old_village = person.village_id
    for name, value in data.items():
        setattr(person, name, value)
    # Only the fields changed here: the current-risk fields belong to assessments and may be newer in the
    # database than on this object.
    person.save(update_fields=[*data, "updated_at"])
    if {"village", "sex", "birth_year", "birth_date"} & set(data):
        cells.refresh(villages=[old_village, person.village_id])
    after = {k: (v.code if isinstance(v, Area) else v) for k, v in data.items()}
    audit_record(actor=actor, action="registry.person.update", obj=person, changes=diff(before, after))
    return person


def guardian_consent_record(
    *,
    actor: Any,
    person: Person,
    guardian_consent_by: str,
    guardian_relation: str,
    guardian_consent_on: date | None,
) -> Person:
    """Record (or correct) the parent's or guardian's consent on a child's record: all three are needed."""
    if not str(guardian_consent_by or "").strip():
        raise ValidationError(
            {"guardian_consent_by": _("Write the name of the parent or guardian who agreed.")}
        )
    return person_update(
        actor=actor,
        person=person,
        guardian_consent_by=guardian_consent_by.strip(),
        guardian_relation=guardian_relation,
        guardian_consent_on=guardian_consent_on,
    )


@transaction.atomic
def household_create(
    *, actor: Any, village_code: str, label: str = "", agency: Agency | None = None
) -> Household:
    """Add a household in a village the actor works in."""
    village = _village(village_code)
    owner = agency_for_record(actor, village, agency) if actor is not None else agency
    if owner is None:
        raise ValidationError({"agency": _("A household must belong to an agency.")})
    household = Household.objects.create(agency=owner, village=village, label=label[:100])
    audit_record(
        actor=actor, action="registry.household.create", obj=household, changes={"village": village.code}
    )
    return household


# ------------------------------------------------------------------------------------------- assessments


def fingerprint(subject: str, assessed_on: date, scores: Mapping[str, int], catalogue_id: int) -> str:
    """Same subject, day, catalogue and answers, same fingerprint: a resubmission is not a new assessment."""
    return answers_fingerprint(subject, assessed_on, answers_text(scores), catalogue_id)


def answers_text(scores: Mapping[str, int]) -> str:
    """The answers as the fingerprint spells them: CODE=value, by code, comma-separated."""
    return ",".join(f"{code}={value}" for code, value in sorted(scores.items()))


def answers_fingerprint(subject: str, assessed_on: date, answers: str, catalogue_id: int) -> str:
    """fingerprint() from answers already spelled by answers_text() (bulk recording spells them faster)."""
    text = f"{subject}|{assessed_on.isoformat()}|{catalogue_id}|{answers}"
    return hashlib.sha256(text.encode()).hexdigest()


@dataclass(frozen=True)
class Recorded:
    """What recording an assessment did."""

    assessment: Assessment
    alert: Alert | None
    created: bool
    # What the caller should check: answers that contradict the person's record (kept as given).
    warnings: list[str] = field(default_factory=list)


# More places an alert about a village goes to, added by apps above the risk index without it importing
# them: callables (agency_id, village) -> user ids, appended in their AppConfig.ready() (the network
# directory adds the accounts of the responders who cover the village).
RecipientSource = Callable[[int, Area], Iterable[int]]
RECIPIENT_SOURCES: list[RecipientSource] = []


def recipients_for(
    agency_id: int, village: Area, routing: list[tuple[int, str, list[str]]] | None = None
) -> list[int]:
    """Who an alert about `village` goes to: the owning agency's volunteers there, and its coordinators,
    and whoever the RECIPIENT_SOURCES add. `routing` is alert_routing(agency_id), when the caller routes
    alerts to many villages."""
    users: list[int] = []
    for user_id, role, paths in alert_routing(agency_id) if routing is None else routing:
        if role == Role.VOLUNTEER and not paths:
            continue
        if not paths or any(village.path.startswith(p) for p in paths):
            users.append(user_id)
    for source in RECIPIENT_SOURCES:
        users.extend(source(agency_id, village))
    return sorted(set(users))


def alert_routing(agency_id: int) -> list[tuple[int, str, list[str]]]:
    """The agency's volunteers and coordinators who get alerts: (user id, role, paths of their areas)."""
    memberships = Membership.objects.filter(
        agency_id=agency_id, active=True, role__in=[Role.VOLUNTEER, Role.COORDINATOR], user__is_active=True
    ).prefetch_related("areas")
    return [(m.user_id, m.role, [a.path for a in m.areas.all()]) for m in memberships]


def _subject_q(person: Person | None, village: Area, agency: Agency) -> Q:
    """One person's assessments, or one agency's assessments of one village (agencies assess separately)."""
    if person is not None:
        return Q(person=person)
    return Q(village=village, subject_is_village=True, agency=agency)


def _previous(person: Person | None, village: Area, agency: Agency, assessed_on: date) -> Assessment | None:
    qs = Assessment.objects.filter(_subject_q(person, village, agency), assessed_on__lte=assessed_on)
    return qs.order_by("-assessed_on", "-id").first()


def result_under(assessment: Assessment, catalogue: Catalogue) -> scoring.Result:
    """What an assessment's answers score under a catalogue version: its stored result under its own
    version, or, under another, the answers that version asks scored again (what a re-score gives)."""
    if assessment.catalogue_id == catalogue.pk:
        return scoring.stored_result(vars(assessment))
    specs = catalogue.specs("V" if assessment.subject_is_village else "IH")
    asked = {s.code for s in specs}
    answers = {code: value for code, value in assessment.scores.items() if code in asked}
    age = age_on(assessment.person, assessment.assessed_on)
    return scoring.score(answers, specs, catalogue.params(), age)


def record_answers(person: Person, on: date, catalogue: Catalogue) -> dict[str, int]:
    """The answers the person's record gives on a day (the catalogue's `from_record`: age band from the
    birth date or year, sex), which a visit does not ask again."""
    return scoring.record_answers(catalogue.params(), on, person.birth_date, person.birth_year, person.sex)


def with_record_answers(
    answers: dict[str, int],
    person: Person,
    on: date,
    catalogue: Catalogue,
    specs: list[scoring.IndicatorSpec],
) -> tuple[dict[str, int], list[str]]:
    """The answers with those the record gives filled in where they were not given, and a warning for
    each given answer that contradicts the record (the 15-18 age band for a man born in 1969): it is kept
    as given, since either may be wrong, and the warning says so, so that one of them is corrected."""
    asked = {spec.code for spec in specs}
    given = {code: value for code, value in record_answers(person, on, catalogue).items() if code in asked}
    warnings = [
        _(
            "%(code)s was answered %(given)s, but the person's record (date of birth, sex) gives "
            "%(value)s: correct the answer or the record."
        )
        % {"code": code, "value": value, "given": answers[code]}
        for code, value in given.items()
        if code in answers and answers[code] != value
    ]
    return {**given, **answers}, warnings


def age_on(person: Person | None, on: date) -> int | None:
    """A person's age on a day as the red flags read it (scoring.youngest_age); None for a village."""
    if person is None:
        return None
    return scoring.youngest_age(on, person.birth_date, person.birth_year)


def _current_fields(
    latest: Assessment | None, result: scoring.Result | None, catalogue: Catalogue | None
) -> dict[str, Any]:
    """A person's current-risk columns: their newest assessment, and its answers' result under `catalogue`."""
    return {
        "current_assessment": latest,
        "current_index": result.index if result else None,
        "current_band": result.band if result else "",
        "current_assessed_on": latest.assessed_on if latest else None,
        "current_multiple": result.multiple if result else False,
        "current_deprivation_share": result.deprivation_share if result else None,
        "current_catalogue": catalogue,
        "current_red_flags": scoring.flags_text(result.red_flags) if result else "",
    }


def current_risk_fields(latest: Assessment | None) -> dict[str, Any]:
    """A person's current-risk columns when `latest` is their newest assessment: scored under the active
    catalogue version (as a re-score would) when it was made under another."""
    if latest is None:
        return _current_fields(None, None, None)
    catalogue = Catalogue.objects.filter(status=Catalogue.Status.ACTIVE).first() or latest.catalogue
    return _current_fields(latest, result_under(latest, catalogue), catalogue)


def ack_deadline(catalogue: Catalogue, now: datetime | None = None) -> datetime:
    """When an alert must be acknowledged by, under this catalogue's rules."""
    hours = float(catalogue.parameters.get("early_warning", {}).get("acknowledge_hours", 72))
    return (now or timezone.now()) + timedelta(hours=hours)


@transaction.atomic
def assessment_record(
    *,
    actor: Any,
    assessed_on: date,
    scores: Mapping[str, Any],
    person: Person | None = None,
    village: Area | None = None,
    source: str = Assessment.Source.VISIT,
    agency: Agency | None = None,
) -> Recorded:
    """Score and keep one assessment of a person (I and H indicators) or a village (V indicators).

    Raises early-warning alerts against the person's previous assessment. Submitting the same assessment
    again returns the first one and raises nothing new.
    """
    if (person is None) == (village is None):
        raise ValueError("assess a person or a village")
    warnings: list[str] = []
    if person is not None:
        hold_people()  # (before the person is looked up: see hold_people)
        people = Person.objects.visible_to(actor, Action.CHANGE) if actor is not None else Person.objects
        if not people.filter(pk=person.pk).exists():
            raise Http404
    if source not in Assessment.Source.values:
        raise ValidationError({"source": _("Unknown source %(source)s.") % {"source": source}})
    assessed_on = clean_assessed_on(assessed_on)
    catalogue = active_catalogue()
    levels = "IH" if person is not None else "V"
    specs = catalogue.specs(levels)
    cleaned = clean_scores(scores, specs, _("person") if person is not None else _("village"))
    if person is not None:
        if person.birth_date and assessed_on < person.birth_date:
            raise ValidationError({"assessed_on": _("The assessment date is before the person was born.")})
        cleaned, warnings = with_record_answers(cleaned, person, assessed_on, catalogue, specs)
        place, owner, subject = person.village, person.agency, f"p{person.pk}"
    else:
        assert village is not None
        if village.level != Level.VILLAGE:
            raise ValidationError({"village_code": _("Only villages are assessed.")})
        place = village
        chosen = agency or (agency_for_record(actor, village) if actor is not None else None)
        if chosen is None:
            raise ValidationError({"agency": _("A village assessment must belong to an agency.")})
        owner = chosen
        subject = f"v{village.pk}:{owner.pk}"
    print_ = fingerprint(subject, assessed_on, cleaned, catalogue.pk)
    same = Assessment.objects.filter(
        Q(person=person, assessed_on=assessed_on) if person is not None else Q(person__isnull=True),
        fingerprint=print_,
    ).first()
    if same is not None:
        return Recorded(same, getattr(same, "alert", None), created=False, warnings=warnings)

    params = catalogue.params()
    scorer = scoring.Scorer(specs, params)
    sheet = scorer.sheet(cleaned)
    result = scorer.score_sheet(sheet, age_on(person, assessed_on))
    previous = _previous(person, place, owner, assessed_on)
    before = None
    if previous is not None:
        earlier = scoring.stored_result(vars(previous))
        if person is not None and previous.pk == person.current_assessment_id:
            # Compared with the person's current risk: the same as that assessment's own result unless
            # a re-score has since put it on a newer catalogue version.
            earlier = scoring.earlier_result(
                person.current_index, person.current_band, person.current_red_flags
            )
        before = (earlier, previous.scores)
    assessment = Assessment.objects.create(
        agency=owner,
        person=person,
        village=place,
        subject_is_village=person is None,
        catalogue=catalogue,
        assessed_on=assessed_on,
        assessor=actor,
        source=source,
        scores=cleaned,
        fingerprint=print_,
        index=result.index,
        band=result.band,
        completeness=result.completeness,
        domain_scores=result.domain_scores,
        count_3=result.count_3,
        deprivation_share=result.deprivation_share,
        multiple=result.multiple,
        sheet=sheet,
        red_flags=scoring.flags_text(result.red_flags),
    )
    if person is not None and (
        person.current_assessed_on is None or assessed_on >= person.current_assessed_on
    ):
        current = _current_fields(assessment, result, catalogue)
        Person.objects.filter(pk=person.pk).update(**current)
        for name, value in current.items():
            setattr(person, name, value)
        cells.refresh(villages=[person.village_id])
    alert = None
    # Only a newer assessment warns: one entered late for an earlier date is history, not news.
    is_latest = not Assessment.objects.filter(
        _subject_q(person, place, owner), assessed_on__gt=assessed_on
    ).exists()
    if is_latest:
        triggers = [s.code for s in specs if s.kind == Indicator.Kind.TRIGGER]
        reasons = scoring.warnings(
            previous=before,
            current=(result, cleaned),
            trigger_codes=triggers,
            params=params,
        )
        if reasons:
            alert = Alert.objects.create(
                agency=owner,
                person=person,
                village=place,
                assessment=assessment,
                reasons=[{"rule": r.rule, **r.detail} for r in reasons],
                due_at=ack_deadline(catalogue),
            )
            recipients = recipients_for(owner.pk, place)
            alert.recipients.set(recipients)
            notice_emit([alert_notice(alert, recipients)])
    audit_record(
        actor=actor,
        action="registry.assessment.record",
        obj=assessment,
        changes={"index": result.index, "band": result.band, "alert": alert.pk if alert else None},
    )
    return Recorded(assessment, alert, created=True, warnings=warnings)


# -------------------------------------------------------------------------------------------------- alerts


@transaction.atomic
def alert_acknowledge(*, actor: Any, alert: Alert) -> Alert:
    """Someone has seen the alert and will act; stops escalation."""
    if alert.status != Alert.Status.OPEN:
        raise ValidationError({"status": _("Only an open alert can be acknowledged.")})
    alert.status = Alert.Status.ACKNOWLEDGED
    alert.acknowledged_at = timezone.now()
    alert.acknowledged_by = actor
    alert.save(update_fields=["status", "acknowledged_at", "acknowledged_by"])
    audit_record(actor=actor, action="registry.alert.acknowledge", obj=alert)
    return alert


@transaction.atomic
def alert_resolve(*, actor: Any, alert: Alert, note: str) -> Alert:
    """Close an alert, saying what was done."""
    if alert.status == Alert.Status.RESOLVED:
        raise ValidationError({"status": _("This alert is already resolved.")})
    if not note.strip():
        raise ValidationError({"note": _("Say what was done, so others can follow up.")})
    now = timezone.now()
    if alert.status == Alert.Status.OPEN:
        alert.acknowledged_at, alert.acknowledged_by = now, actor
    alert.status = Alert.Status.RESOLVED
    alert.resolved_at, alert.resolved_by, alert.resolution_note = now, actor, note.strip()
    alert.save()
    audit_record(actor=actor, action="registry.alert.resolve", obj=alert, changes={"note": note.strip()})
    return alert


@transaction.atomic
def alerts_escalate(*, now: datetime | None = None) -> int:
    """Escalate open alerts past their deadline to the owning agency's coordinators and administrators.

    Each escalation gives the alert a new deadline, so an alert ignored again escalates again.
    """
    now = now or timezone.now()
    escalated = 0
    for alert in (
        Alert.objects.select_for_update(of=("self",))
        .filter(status=Alert.Status.OPEN, due_at__lt=now)
        .select_related("assessment__catalogue")
    ):
        leaders = Membership.objects.filter(
            agency_id=alert.agency_id, active=True, role__in=[Role.COORDINATOR, Role.ADMIN]
        ).values_list("user_id", flat=True)
        alert.recipients.add(*leaders)
        notice_emit([alert_notice(alert, leaders, urgency=NoticeUrgency.SOON)])
        alert.escalation_level += 1
        alert.escalated_at = now
        catalogue = alert.assessment.catalogue if alert.assessment else active_catalogue()
        alert.due_at = ack_deadline(catalogue, now)
        alert.save(update_fields=["escalation_level", "escalated_at", "due_at"])
        audit_record(
            actor=None, action="registry.alert.escalate", obj=alert, changes={"level": alert.escalation_level}
        )
        escalated += 1
    return escalated


@transaction.atomic
def alerts_overdue_scan(*, today: date | None = None) -> int:
    """Raise an alert for each high-risk person not re-assessed within the catalogue's limit (once each)."""
    today = today or timezone.localdate()
    catalogue = active_catalogue()
    months = int(catalogue.parameters.get("early_warning", {}).get("high_not_reassessed_months", 12))
    cutoff = today - timedelta(days=round(months * 30.44))
    raised = 0
    people = Person.objects.filter(current_band="high", current_assessed_on__lt=cutoff)
    for person in people.select_related("village").prefetch_related("alerts"):
        if any(
            a.status != Alert.Status.RESOLVED and Alert.Rule.OVERDUE in a.rules for a in person.alerts.all()
        ):
            continue
        alert = Alert.objects.create(
            agency_id=person.agency_id,
            person=person,
            village=person.village,
            reasons=[
                {
                    "rule": Alert.Rule.OVERDUE,
                    "last_assessed_on": person.current_assessed_on.isoformat()
                    if person.current_assessed_on
                    else None,
                    "months": months,
                }
            ],
            due_at=ack_deadline(catalogue),
        )
        recipients = recipients_for(person.agency_id, person.village)
        alert.recipients.set(recipients)
        notice_emit([alert_notice(alert, recipients)])
        audit_record(actor=None, action="registry.alert.overdue", obj=alert)
        raised += 1
    return raised
