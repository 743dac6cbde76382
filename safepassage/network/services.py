"""Writes for the network directory: organisations, responders and their training, committees and seats,
cross-border focal points, and the hotlines system administrators keep."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils.translation import gettext as _

from safepassage.accounts.models import Agency, User
from safepassage.accounts.profiles import ReceivingProfile, organisation_default_profile
from safepassage.audit.services import audit_record, diff
from safepassage.core.access import viewer_for
from safepassage.core.validation import not_in_future
from safepassage.network import help as help_data
from safepassage.network.models import (
    MAINTAINER_ROLES,
    Agreement,
    Committee,
    CommitteeMember,
    DirectoryEntry,
    FocalPoint,
    Hotline,
    Organisation,
    Responder,
    Training,
)
from safepassage.network.validation import (
    COUNTRY,
    Errors,
    clean_choice,
    clean_country,
    clean_expertise,
    clean_flag,
    clean_languages,
    clean_phone,
    clean_text,
    clean_translations,
    find_area,
    find_areas,
    raise_errors,
)

HOTLINE_NUMBER = re.compile(r"^\+?[0-9][0-9 \-]{1,19}$")


# ------------------------------------------------------------------------------------------------- helpers


def _keeper(actor: Any, agency: Agency | None) -> Agency:
    """The agency that keeps a new entry: one the actor coordinates or administers (the one named, if any)."""
    if actor is None:
        if agency is None:
            raise ValidationError({"agency": _("A directory entry must be kept by an agency.")})
        return agency
    for grant in viewer_for(actor).grants:
        if grant.role in MAINTAINER_ROLES and (agency is None or grant.agency_id == agency.pk):
            return agency or Agency.objects.get(pk=grant.agency_id)
    raise PermissionDenied(_("Only coordinators and administrators of an agency can change the directory."))


def _require_keeper(actor: Any, entry: DirectoryEntry) -> None:
    """Only the keeping agency's coordinators and administrators change an entry (server jobs may too)."""
    if actor is not None and not viewer_for(actor).has_role(*MAINTAINER_ROLES, agency_id=entry.agency_id):
        raise PermissionDenied(_("Only the agency that keeps this entry can change it."))


def require_system_admin(actor: Any) -> None:
    """Hotlines belong to no agency: only system administrators (or server commands) change them."""
    if actor is not None and not (actor.is_superuser and actor.is_active):
        raise PermissionDenied(_("Only a system administrator can change the hotlines."))


def _directory(model: Any, actor: Any, pk: Any) -> Any:
    """An active entry of the shared directory the actor may read, or None."""
    qs = model.objects.visible_to(actor) if actor is not None else model.objects.all()
    try:
        return qs.filter(pk=int(pk), active=True).first()
    except (TypeError, ValueError):
        return None


def _account(username: str, errors: Errors) -> User | None:
    if not username.strip():
        return None
    user = User.objects.filter(username=username.strip(), is_active=True).first()
    if user is None:
        errors["username"] = [_("There is no active SafePassage account with this user name.")]
    return user


def _changes(before: Mapping[str, Any], after: Mapping[str, Any]) -> dict[str, Any]:
    return dict(diff(before, after))


# --------------------------------------------------------------------------------------------- organisations

ORGANISATION_FIELDS = (
    "name",
    "kind",
    "country",
    "address",
    "phone",
    "services",
    "languages",
    "notes",
    "active",
    "profile",
)


def _clean_organisation(
    fields: Mapping[str, Any], errors: Errors, current: list[str] | None = None
) -> dict[str, Any]:
    data = {k: v for k, v in fields.items() if k in ORGANISATION_FIELDS}
    clean_text(data, errors, "name", 200, required=True)
    clean_choice(data, errors, "kind", Organisation.Kind.values)
    clean_country(data, errors)
    clean_text(data, errors, "address", 300)
    clean_phone(data, errors)
    clean_expertise(data, errors, "services", current)
    clean_languages(data, errors)
    clean_text(data, errors, "notes", 5000)
    clean_flag(data)
    if data.get("profile"):
        clean_choice(data, errors, "profile", ReceivingProfile.values)
    return data


def _member_agency(code: str, errors: Errors) -> Agency | None:
    if not code:
        return None
    agency = Agency.objects.filter(code=code.strip(), active=True).first()
    if agency is None:
        errors["member_agency_code"] = [
            _("There is no SafePassage agency with the code %(code)s.") % {"code": code}
        ]
    return agency


@transaction.atomic
def organisation_create(
    *,
    actor: Any,
    name: str,
    kind: str,
    agency: Agency | None = None,
    area_code: str | None = None,
    member_agency_code: str | None = None,
    **fields: Any,
) -> Organisation:
    """Add an organisation to the directory: a member agency's office or a service people are referred to."""
    owner = _keeper(actor, agency)
    errors: Errors = {}
    data = _clean_organisation({**fields, "name": name, "kind": kind}, errors)
    area = find_area(area_code, errors)
    member = _member_agency(member_agency_code or "", errors)
    raise_errors(errors)
    # (what it would read of a case: its agency's profile, else one that fits its kind)
    data["profile"] = data.get("profile") or organisation_default_profile(
        data["kind"], data["name"], member.profile if member else ""
    )
    organisation = Organisation.objects.create(agency=owner, area=area, member_agency=member, **data)
    audit_record(
        actor=actor,
        action="network.organisation.create",
        obj=organisation,
        changes={
            **data,
            "area": area.code if area else None,
            "member_agency": member.code if member else None,
        },
    )
    return organisation


@transaction.atomic
def organisation_update(
    *,
    actor: Any,
    organisation: Organisation,
    area_code: str | None = None,
    member_agency_code: str | None = None,
    **fields: Any,
) -> Organisation:
    """Correct an organisation's entry; only the fields given change ('' clears the area or agency link)."""
    _require_keeper(actor, organisation)
    errors: Errors = {}
    data = _clean_organisation(fields, errors, organisation.services)
    area = find_area(area_code, errors) if area_code else None
    member = _member_agency(member_agency_code, errors) if member_agency_code else None
    raise_errors(errors)
    before = {k: getattr(organisation, k) for k in data}
    for name, value in data.items():
        setattr(organisation, name, value)
    changes = _changes(before, data)
    if area_code is not None and area != organisation.area:
        changes["area"] = [organisation.area.code if organisation.area else None, area.code if area else None]
        organisation.area = area
    if member_agency_code is not None and member != organisation.member_agency:
        changes["member_agency"] = [
            organisation.member_agency.code if organisation.member_agency else None,
            member.code if member else None,
        ]
        organisation.member_agency = member
    organisation.save()
    audit_record(actor=actor, action="network.organisation.update", obj=organisation, changes=changes)
    return organisation


# ------------------------------------------------------------------------------------------------ responders

RESPONDER_FIELDS = (
    "name",
    "role_type",
    "title",
    "phone",
    "email",
    "messaging",
    "languages",
    "expertise",
    "availability",
    "available_note",
    "country",
    "active",
)


def _clean_responder(
    fields: Mapping[str, Any], errors: Errors, current: list[str] | None = None
) -> dict[str, Any]:
    data = {k: v for k, v in fields.items() if k in RESPONDER_FIELDS}
    clean_text(data, errors, "name", 200, required=True)
    clean_choice(data, errors, "role_type", Responder.RoleType.values)
    clean_text(data, errors, "title", 200)
    clean_phone(data, errors)
    clean_text(data, errors, "email", 254)
    if data.get("email") and "email" not in errors:
        try:
            validate_email(data["email"])
        except ValidationError:
            errors["email"] = [_("This is not an email address.")]
    clean_text(data, errors, "messaging", 100)
    clean_languages(data, errors)
    clean_expertise(data, errors, "expertise", current)
    clean_choice(data, errors, "availability", Responder.Availability.values)
    clean_text(data, errors, "available_note", 200)
    clean_country(data, errors)
    clean_flag(data)
    return data


def _organisation(actor: Any, organisation_id: Any, errors: Errors) -> Organisation | None:
    organisation = _directory(Organisation, actor, organisation_id)
    if organisation is None:
        errors["organisation_id"] = [_("There is no such organisation in the directory.")]
    return organisation


@transaction.atomic
def responder_create(
    *,
    actor: Any,
    organisation_id: int,
    name: str,
    role_type: str,
    agency: Agency | None = None,
    area_codes: Sequence[str] = (),
    username: str | None = None,
    **fields: Any,
) -> Responder:
    """Add a responder: who they are, how to reach them, what they help with, where, in which languages."""
    owner = _keeper(actor, agency)
    errors: Errors = {}
    data = _clean_responder({**fields, "name": name, "role_type": role_type}, errors)
    organisation = _organisation(actor, organisation_id, errors)
    areas = find_areas(area_codes, errors)
    user = _account(username or "", errors)
    raise_errors(errors)
    assert organisation is not None  # checked above
    responder = Responder.objects.create(agency=owner, organisation=organisation, user=user, **data)
    responder.areas.set(areas)
    audit_record(
        actor=actor,
        action="network.responder.create",
        obj=responder,
        changes={
            **data,
            "organisation": responder.organisation_id,
            "areas": [a.code for a in areas],
            "user": user.pk if user else None,
        },
    )
    return responder


@transaction.atomic
def responder_update(
    *,
    actor: Any,
    responder: Responder,
    organisation_id: int | None = None,
    area_codes: Sequence[str] | None = None,
    username: str | None = None,
    **fields: Any,
) -> Responder:
    """Correct a responder's entry; only the fields given change (area_codes replaces the areas covered,
    username '' unlinks the SafePassage account)."""
    _require_keeper(actor, responder)
    errors: Errors = {}
    data = _clean_responder(fields, errors, responder.expertise)
    organisation = _organisation(actor, organisation_id, errors) if organisation_id is not None else None
    areas = find_areas(area_codes, errors) if area_codes is not None else None
    user = _account(username, errors) if username is not None else None
    raise_errors(errors)
    before = {k: getattr(responder, k) for k in data}
    for name, value in data.items():
        setattr(responder, name, value)
    changes = _changes(before, data)
    if organisation is not None and organisation.pk != responder.organisation_id:
        changes["organisation"] = [responder.organisation_id, organisation.pk]
        responder.organisation = organisation
    if username is not None and (user.pk if user else None) != responder.user_id:
        changes["user"] = [responder.user_id, user.pk if user else None]
        responder.user = user
    responder.save()
    if areas is not None:
        old = sorted(responder.areas.values_list("code", flat=True))
        new = sorted(a.code for a in areas)
        if old != new:
            responder.areas.set(areas)
            changes["areas"] = [old, new]
    audit_record(actor=actor, action="network.responder.update", obj=responder, changes=changes)
    return responder


@transaction.atomic
def training_add(
    *,
    actor: Any,
    responder: Responder,
    course: str,
    completed_on: date,
    provider: str = "",
    expires_on: date | None = None,
) -> Training:
    """Record a course a responder completed (and until when it stays valid)."""
    _require_keeper(actor, responder)
    errors: Errors = {}
    data: dict[str, Any] = {"course": course, "provider": provider}
    clean_text(data, errors, "course", 200, required=True)
    clean_text(data, errors, "provider", 200)
    try:
        not_in_future(completed_on, "completed_on")
    except ValidationError as error:
        errors.update(error.message_dict)
    if expires_on is not None and expires_on <= completed_on:
        errors["expires_on"] = [_("A training stays valid until a date after it was completed.")]
    raise_errors(errors)
    training = Training.objects.create(
        responder=responder, completed_on=completed_on, expires_on=expires_on, **data
    )
    audit_record(
        actor=actor,
        action="network.training.add",
        obj=responder,
        changes={"training": training.pk, **data, "completed_on": completed_on, "expires_on": expires_on},
    )
    return training


# ------------------------------------------------------------------------------------------------ committees

COMMITTEE_FIELDS = ("name", "kind", "meets", "active")


def _clean_committee(fields: Mapping[str, Any], errors: Errors) -> dict[str, Any]:
    data = {k: v for k, v in fields.items() if k in COMMITTEE_FIELDS}
    clean_text(data, errors, "name", 200, required=True)
    clean_choice(data, errors, "kind", Committee.Kind.values)
    clean_text(data, errors, "meets", 200)
    clean_flag(data)
    return data


@transaction.atomic
def committee_create(
    *,
    actor: Any,
    name: str,
    kind: str,
    agency: Agency | None = None,
    area_code: str | None = None,
    **fields: Any,
) -> Committee:
    """Add a standing committee: a DOC, an MDT, a child-protection or village committee."""
    owner = _keeper(actor, agency)
    errors: Errors = {}
    data = _clean_committee({**fields, "name": name, "kind": kind}, errors)
    area = find_area(area_code, errors)
    raise_errors(errors)
    committee = Committee.objects.create(agency=owner, area=area, **data)
    audit_record(
        actor=actor,
        action="network.committee.create",
        obj=committee,
        changes={**data, "area": area.code if area else None},
    )
    return committee


@transaction.atomic
def committee_update(
    *, actor: Any, committee: Committee, area_code: str | None = None, **fields: Any
) -> Committee:
    """Correct a committee; only the fields given change ('' clears the area)."""
    _require_keeper(actor, committee)
    errors: Errors = {}
    data = _clean_committee(fields, errors)
    area = find_area(area_code, errors) if area_code else None
    raise_errors(errors)
    before = {k: getattr(committee, k) for k in data}
    for name, value in data.items():
        setattr(committee, name, value)
    changes = _changes(before, data)
    if area_code is not None and area != committee.area:
        changes["area"] = [committee.area.code if committee.area else None, area.code if area else None]
        committee.area = area
    committee.save()
    audit_record(actor=actor, action="network.committee.update", obj=committee, changes=changes)
    return committee


@transaction.atomic
def committee_seat_set(
    *,
    actor: Any,
    committee: Committee,
    responder_id: int,
    seat: str = CommitteeMember.Seat.MEMBER,
    since: date | None = None,
) -> tuple[CommitteeMember, bool]:
    """Give a responder a seat on a committee, or change their seat; returns (seat, created)."""
    _require_keeper(actor, committee)
    errors: Errors = {}
    responder = _directory(Responder, actor, responder_id)
    if responder is None:
        errors["responder_id"] = [_("There is no such responder in the directory.")]
    if seat not in CommitteeMember.Seat.values:
        errors["seat"] = [_("A seat is chair, secretary or member.")]
    try:
        not_in_future(since, "since")
    except ValidationError as error:
        errors.update(error.message_dict)
    raise_errors(errors)
    member, created = CommitteeMember.objects.update_or_create(
        committee=committee, responder=responder, defaults={"seat": seat, "since": since}
    )
    audit_record(
        actor=actor,
        action="network.committee.seat",
        obj=committee,
        changes={"responder": responder_id, "seat": seat, "since": since, "created": created},
    )
    return member, created


@transaction.atomic
def committee_seat_remove(*, actor: Any, committee: Committee, responder_id: int) -> None:
    """Take a responder off a committee."""
    _require_keeper(actor, committee)
    deleted, _count = CommitteeMember.objects.filter(committee=committee, responder_id=responder_id).delete()
    if not deleted:
        raise ValidationError({"responder_id": _("This responder has no seat on the committee.")})
    audit_record(
        actor=actor, action="network.committee.unseat", obj=committee, changes={"responder": responder_id}
    )


# ------------------------------------------------------------------------------------- focal points, hotlines


def _agreement(code: str, country: str | None, errors: Errors) -> Agreement | None:
    if not code:
        return None
    agreement = Agreement.objects.filter(code=code.strip(), active=True).first()
    if agreement is None:
        errors["agreement_code"] = [_("There is no agreement with the code %(code)s.") % {"code": code}]
    elif country and country not in agreement.countries:
        errors["agreement_code"] = [_("%(country)s is not a party to this agreement.") % {"country": country}]
    return agreement


@transaction.atomic
def focal_point_create(
    *,
    actor: Any,
    country: str,
    purpose: str,
    responder_id: int,
    agency: Agency | None = None,
    agreement_code: str | None = None,
    active: bool = True,
) -> FocalPoint:
    """Name the responder to contact in a country for one purpose, under a return agreement if any."""
    owner = _keeper(actor, agency)
    errors: Errors = {}
    data: dict[str, Any] = {"country": country, "purpose": purpose, "active": active}
    clean_country(data, errors)
    clean_choice(data, errors, "purpose", FocalPoint.Purpose.values)
    clean_flag(data)
    responder = _directory(Responder, actor, responder_id)
    if responder is None:
        errors["responder_id"] = [_("There is no such responder in the directory.")]
    agreement = _agreement(agreement_code or "", data["country"], errors)
    raise_errors(errors)
    focal_point = FocalPoint.objects.create(agency=owner, responder=responder, agreement=agreement, **data)
    audit_record(
        actor=actor,
        action="network.focal_point.create",
        obj=focal_point,
        changes={**data, "responder": responder_id, "agreement": agreement.code if agreement else None},
    )
    return focal_point


@transaction.atomic
def focal_point_update(
    *,
    actor: Any,
    focal_point: FocalPoint,
    responder_id: int | None = None,
    agreement_code: str | None = None,
    **fields: Any,
) -> FocalPoint:
    """Change a focal point ('' as agreement_code removes the agreement)."""
    _require_keeper(actor, focal_point)
    errors: Errors = {}
    data = {k: v for k, v in fields.items() if k in ("country", "purpose", "active")}
    clean_country(data, errors)
    clean_choice(data, errors, "purpose", FocalPoint.Purpose.values)
    clean_flag(data)
    responder = None
    if responder_id is not None:
        responder = _directory(Responder, actor, responder_id)
        if responder is None:
            errors["responder_id"] = [_("There is no such responder in the directory.")]
    country = data.get("country", focal_point.country)
    agreement = _agreement(agreement_code, country, errors) if agreement_code else None
    if agreement_code is None and focal_point.agreement and country not in focal_point.agreement.countries:
        errors["country"] = [_("%(country)s is not a party to this agreement.") % {"country": country}]
    raise_errors(errors)
    before = {k: getattr(focal_point, k) for k in data}
    for name, value in data.items():
        setattr(focal_point, name, value)
    changes = _changes(before, data)
    if responder is not None and responder.pk != focal_point.responder_id:
        changes["responder"] = [focal_point.responder_id, responder.pk]
        focal_point.responder = responder
    if agreement_code is not None and agreement != focal_point.agreement:
        changes["agreement"] = [
            focal_point.agreement.code if focal_point.agreement else None,
            agreement.code if agreement else None,
        ]
        focal_point.agreement = agreement
    focal_point.save()
    audit_record(actor=actor, action="network.focal_point.update", obj=focal_point, changes=changes)
    return focal_point


HOTLINE_FIELDS = ("country", "number", "name", "purpose", "hours", "languages", "active", "translations")


def _clean_hotline(fields: Mapping[str, Any], errors: Errors) -> dict[str, Any]:
    data = {k: v for k, v in fields.items() if k in HOTLINE_FIELDS}
    clean_country(data, errors)
    clean_text(data, errors, "number", 20, required=True)
    if data.get("number") and "number" not in errors and not HOTLINE_NUMBER.match(data["number"]):
        errors["number"] = [_("A hotline number has digits only (spaces and dashes allowed).")]
    clean_text(data, errors, "name", 200, required=True)
    clean_text(data, errors, "purpose", 300)
    clean_text(data, errors, "hours", 100)
    clean_languages(data, errors)
    clean_translations(data, errors, {"name": 200, "purpose": 300, "hours": 100})
    clean_flag(data)
    return data


def _hotline_organisation(organisation_id: int | None, errors: Errors) -> Organisation | None:
    if organisation_id is None:
        return None
    organisation = Organisation.objects.filter(pk=organisation_id).first()
    if organisation is None:
        errors["organisation_id"] = [_("There is no such organisation in the directory.")]
    return organisation


@transaction.atomic
def hotline_create(
    *,
    actor: Any,
    country: str,
    number: str,
    name: str,
    organisation_id: int | None = None,
    **fields: Any,
) -> Hotline:
    """Add a hotline people can call (the coordination centre: help.may_keep)."""
    help_data.require_keeper(actor)
    errors: Errors = {}
    data = _clean_hotline({**fields, "country": country, "number": number, "name": name}, errors)
    organisation = _hotline_organisation(organisation_id, errors)
    if not errors and Hotline.objects.filter(country=data["country"], number=data["number"]).exists():
        errors["number"] = [_("This country already has a hotline with this number.")]
    raise_errors(errors)
    hotline = Hotline.objects.create(organisation=organisation, **data)
    audit_record(
        actor=actor,
        action="network.hotline.create",
        obj=hotline,
        changes={**data, "organisation": organisation_id},
    )
    return hotline


@transaction.atomic
def hotline_update(
    *, actor: Any, hotline: Hotline, organisation_id: int | None = None, **fields: Any
) -> Hotline:
    """Correct a hotline (the coordination centre: help.may_keep); only the fields given change. A changed
    number is unchecked again."""
    help_data.require_keeper(actor)
    errors: Errors = {}
    data = _clean_hotline(fields, errors)
    organisation = _hotline_organisation(organisation_id, errors)
    country, number = data.get("country", hotline.country), data.get("number", hotline.number)
    if not errors and Hotline.objects.filter(country=country, number=number).exclude(pk=hotline.pk).exists():
        errors["number"] = [_("This country already has a hotline with this number.")]
    raise_errors(errors)
    if "translations" not in data:
        # A text in another language translated the old English: drop it rather than show it for the new.
        reworded = {f for f in ("name", "purpose", "hours") if f in data and data[f] != getattr(hotline, f)}
        if reworded & set(hotline.translations):
            data["translations"] = {f: t for f, t in hotline.translations.items() if f not in reworded}
    before = {k: getattr(hotline, k) for k in data}
    for name, value in data.items():
        setattr(hotline, name, value)
    changes = _changes(before, data)
    if organisation is not None and organisation.pk != hotline.organisation_id:
        changes["organisation"] = [hotline.organisation_id, organisation.pk]
        hotline.organisation = organisation
    if {"number", "country"} & set(changes):
        hotline.checked_on, hotline.checked_by, hotline.check_note = None, None, ""
    hotline.save()
    audit_record(actor=actor, action="network.hotline.update", obj=hotline, changes=changes)
    return hotline


@transaction.atomic
def directory_load(*, actor: Any, data: Mapping[str, Any]) -> dict[str, int]:
    """Load hotlines and return agreements from data shaped like network/data/directory.json: new ones are
    added, known ones (same country and number; same code) corrected. All or nothing."""
    require_system_admin(actor)
    counts = {"hotlines added": 0, "hotlines updated": 0, "agreements added": 0, "agreements updated": 0}
    for n, row in enumerate(data.get("hotlines", [])):
        fields = {k: v for k, v in row.items() if k in HOTLINE_FIELDS}
        known = Hotline.objects.filter(
            country=str(row.get("country", "")).strip().upper(), number=str(row.get("number", "")).strip()
        ).first()
        try:
            if known is None:
                hotline_create(actor=actor, **{"country": "", "number": "", "name": "", **fields})
                counts["hotlines added"] += 1
            else:
                hotline_update(actor=actor, hotline=known, **fields)
                counts["hotlines updated"] += 1
        except ValidationError as error:
            raise ValidationError(
                {f"hotlines.{n}.{field}": problems for field, problems in error.message_dict.items()}
            ) from None
    for n, row in enumerate(data.get("agreements", [])):
        errors: Errors = {}
        values: dict[str, Any] = {"code": row.get("code", ""), "name": row.get("name", "")}
        if "translations" in row:
            values["translations"] = row["translations"]
        clean_text(values, errors, "code", 40, required=True)
        clean_text(values, errors, "name", 300, required=True)
        clean_translations(values, errors, {"name": 300})
        countries = [str(c).strip().upper() for c in row.get("countries", [])]
        if not countries or not all(COUNTRY.match(c) for c in countries):
            errors["countries"] = [_("Give the two-letter codes of the countries, e.g. TH, MM.")]
        try:
            signed_on = date.fromisoformat(row["signed_on"]) if row.get("signed_on") else None
        except (TypeError, ValueError):
            errors["signed_on"] = [_("Write the date as YYYY-MM-DD.")]
        if errors:
            raise ValidationError({f"agreements.{n}.{field}": problems for field, problems in errors.items()})
        defaults = {"name": values["name"], "countries": countries, "signed_on": signed_on, "active": True}
        if "translations" in values:
            defaults["translations"] = values["translations"]
        elif Agreement.objects.filter(code=values["code"]).exclude(name=values["name"]).exists():
            defaults["translations"] = {}  # (they translated the old name)
        agreement, created = Agreement.objects.update_or_create(code=values["code"], defaults=defaults)
        counts["agreements added" if created else "agreements updated"] += 1
        audit_record(
            actor=actor,
            action="network.agreement.load",
            obj=agreement,
            changes={"name": agreement.name, "countries": countries, "signed_on": signed_on},
        )
    return counts
