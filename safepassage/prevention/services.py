"""Writes for prevention: who received what (a person, a household, a whole village), the catalogue, and a
village's findings with their attachments. Every write checks that the actor may record there and is
audited in the same transaction (notes and findings masked in the trail)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from safepassage.accounts.models import Agency, User
from safepassage.audit.services import audit_record
from safepassage.core.dates import parse_date
from safepassage.core.files import check_attachment
from safepassage.core.roles import Action
from safepassage.geo.models import Area, Level
from safepassage.prevention.models import Delivery, Finding, FindingAttachment, Intervention, PackageRule
from safepassage.registry.models import Household, Person
from safepassage.registry.services import agency_for_record

Errors = dict[str, list[str]]


def _day(value: Any, name: str, errors: Errors, *, required: bool = False) -> date | None:
    if value in (None, ""):
        if required:
            errors[name] = [_("This field is required.")]
        return None
    day = value if isinstance(value, date) else parse_date(value)
    if day is None:
        errors[name] = [_("Write the date as YYYY-MM-DD.")]
    elif day > timezone.localdate():
        errors[name] = [_("The date cannot be in the future.")]
        return None
    return day


def _intervention(value: Intervention | str, errors: Errors) -> Intervention | None:
    if isinstance(value, Intervention):
        return value
    found = Intervention.objects.filter(code=str(value or "").strip(), active=True).first()
    if found is None:
        errors["intervention"] = [_("Choose an intervention from the catalogue.")]
    return found


def _may_change(actor: User | None, model: Any, pk: int) -> bool:
    return actor is None or model.objects.visible_to(actor, Action.CHANGE).filter(pk=pk).exists()


@transaction.atomic
def delivery_record(
    *,
    actor: User | None,
    intervention: Intervention | str,
    started_on: Any,
    person: Person | None = None,
    household: Household | None = None,
    village: Area | None = None,
    ended_on: Any = None,
    note: str = "",
    agency: Agency | None = None,
) -> Delivery:
    """Record that a person, a household or a whole village received an intervention from the agency.
    Exactly one of person, household, village; the actor must be able to change that person's or
    household's record, or record in that village (volunteers: their own villages)."""
    errors: Errors = {}
    found = _intervention(intervention, errors)
    start = _day(started_on, "started_on", errors, required=True)
    end = _day(ended_on, "ended_on", errors)
    if start and end and end < start:
        errors["ended_on"] = [_("The end is before the start.")]
    note = str(note or "").strip()
    if len(note) > 2000:
        errors["note"] = [_("Keep this under %(n)d characters.") % {"n": 2001}]
    if sum(x is not None for x in (person, household, village)) != 1:
        errors["level"] = [_("Say who received it: one person, one household or the whole village.")]
    if errors:
        raise ValidationError(errors)
    if person is not None:
        if not _may_change(actor, Person, person.pk):
            raise PermissionDenied(_("You cannot record help for this person."))
        level, owner, place = Delivery.Level.PERSON, person.agency, person.village
    elif household is not None:
        if not _may_change(actor, Household, household.pk):
            raise PermissionDenied(_("You cannot record help for this household."))
        level, owner, place = Delivery.Level.HOUSEHOLD, household.agency, household.village
    else:
        assert village is not None
        if village.level != Level.VILLAGE:
            raise ValidationError({"village": [_("Choose a village.")]})
        level, place = Delivery.Level.VILLAGE, village
        if actor is None:
            if agency is None:
                raise ValidationError({"agency": [_("Say which agency gave it.")]})
            owner = agency
        else:
            try:
                owner = agency_for_record(actor, village, agency)
            except ValidationError:
                raise PermissionDenied(_("You do not work in this village.")) from None
    assert found is not None and start is not None
    delivery = Delivery.objects.create(
        agency=owner,
        intervention=found,
        level=level,
        person=person,
        household=household,
        village=place,
        started_on=start,
        ended_on=end,
        note=note,
        recorded_by=actor,
    )
    audit_record(
        actor=actor,
        action="prevention.delivery.create",
        obj=delivery,
        changes={
            "intervention": found.code,
            "level": level,
            "person": person.pk if person else None,
            "household": household.pk if household else None,
            "village": place.code,
            "started_on": start,
            "ended_on": end,
            "note": note,
        },
    )
    return delivery


@transaction.atomic
def deliveries_record_many(
    *, actor: User | None, intervention: Intervention | str, started_on: Any, people: Iterable[Person]
) -> list[Delivery]:
    """The volunteer's short way: one intervention on one day for several people of a village."""
    chosen = list(people)
    if not chosen:
        raise ValidationError({"people": [_("Tick at least one person.")]})
    return [
        delivery_record(actor=actor, intervention=intervention, started_on=started_on, person=p)
        for p in chosen
    ]


@transaction.atomic
def delivery_end(*, actor: User | None, delivery: Delivery, ended_on: Any) -> Delivery:
    """Say when a piece of help ended (a course finished, a loan repaid)."""
    if not _may_change(actor, Delivery, delivery.pk):
        raise PermissionDenied(_("You cannot change this record."))
    errors: Errors = {}
    end = _day(ended_on, "ended_on", errors, required=True)
    if end and end < delivery.started_on:
        errors["ended_on"] = [_("The end is before the start.")]
    if errors:
        raise ValidationError(errors)
    before = delivery.ended_on
    delivery.ended_on = end
    delivery.save(update_fields=["ended_on", "updated_at"])
    audit_record(
        actor=actor, action="prevention.delivery.update", obj=delivery, changes={"ended_on": [before, end]}
    )
    return delivery


# ---------------------------------------------------------------------------------------------- catalogue


def _require_sysadmin(actor: User | None) -> None:
    if actor is not None and not actor.is_superuser:
        raise PermissionDenied(_("Only a system administrator changes the catalogue."))


def _refs(values: Sequence[str], errors: Errors, name: str) -> list[str]:
    codes = set(Intervention.objects.values_list("code", flat=True))
    groups = set(Intervention.Group.values)
    out = []
    for raw in values:
        ref = str(raw).strip()
        if not ref:
            continue
        ok = ref[6:] in groups if ref.startswith("group:") else ref in codes
        if not ok:
            errors.setdefault(name, []).append(
                _("%(ref)s is neither an intervention's code nor group:<group>.") % {"ref": ref}
            )
        out.append(ref)
    return out


@transaction.atomic
def intervention_save(
    *, actor: User | None, code: str, group: str, label: dict[str, str], active: bool = True
) -> Intervention:
    """Add an intervention to the catalogue or change one (system administrators; audited)."""
    _require_sysadmin(actor)
    errors: Errors = {}
    if group not in Intervention.Group.values:
        errors["group"] = [_("Choose one of the listed values.")]
    label = {k: str(v).strip() for k, v in label.items() if str(v).strip()}
    if not label.get("en"):
        errors["label"] = [_("Give at least the English name.")]
    if errors:
        raise ValidationError(errors)
    item, created = Intervention.objects.update_or_create(
        code=code, defaults={"group": group, "label": label, "active": active}
    )
    audit_record(
        actor=actor,
        action=f"prevention.intervention.{'create' if created else 'update'}",
        obj=item,
        changes={"code": code, "group": group, "active": active},
        plain=("code", "group"),
    )
    return item


@transaction.atomic
def rule_save(
    *,
    actor: User | None,
    code: str,
    label: dict[str, str],
    when_any: Sequence[str],
    unless_any: Sequence[str],
    active: bool = True,
) -> PackageRule:
    """Add or change a package rule (system administrators; audited). Entries are intervention codes or
    group:<group>."""
    _require_sysadmin(actor)
    errors: Errors = {}
    when = _refs(when_any, errors, "when_any")
    unless = _refs(unless_any, errors, "unless_any")
    if not when:
        errors.setdefault("when_any", []).append(_("Name at least one intervention or group."))
    label = {k: str(v).strip() for k, v in label.items() if str(v).strip()}
    if not label.get("en"):
        errors["label"] = [_("Give at least the English name.")]
    if errors:
        raise ValidationError(errors)
    rule, created = PackageRule.objects.update_or_create(
        code=code, defaults={"label": label, "when_any": when, "unless_any": unless, "active": active}
    )
    audit_record(
        actor=actor,
        action=f"prevention.packagerule.{'create' if created else 'update'}",
        obj=rule,
        changes={"code": code, "when_any": ",".join(when), "unless_any": ",".join(unless), "active": active},
        plain=("code", "when_any", "unless_any"),
    )
    return rule


# ----------------------------------------------------------------------------------------------- findings


@transaction.atomic
def finding_add(
    *,
    actor: User | None,
    village: Area,
    kind: str,
    held_on: Any,
    title: str,
    findings: str = "",
    participants: str = "",
    agency: Agency | None = None,
    upload: Any = None,
) -> Finding:
    """Record a needs assessment or a participatory finding about a village, with an attachment when one
    is given (audited; the texts masked)."""
    errors: Errors = {}
    if kind not in Finding.Kind.values:
        errors["kind"] = [_("Choose one of the listed values.")]
    day = _day(held_on, "held_on", errors, required=True)
    title = str(title or "").strip()
    if not title:
        errors["title"] = [_("This field is required.")]
    elif len(title) > 200:
        errors["title"] = [_("Keep this under %(n)d characters.") % {"n": 201}]
    if village.level != Level.VILLAGE:
        errors["village"] = [_("Choose a village.")]
    if errors:
        raise ValidationError(errors)
    if actor is None:
        if agency is None:
            raise ValidationError({"agency": [_("Say which agency gave it.")]})
        owner = agency
    else:
        try:
            owner = agency_for_record(actor, village, agency)
        except ValidationError:
            raise PermissionDenied(_("You do not work in this village.")) from None
    assert day is not None
    finding = Finding.objects.create(
        agency=owner,
        village=village,
        kind=kind,
        held_on=day,
        title=title,
        findings=str(findings or "").strip(),
        participants=str(participants or "").strip(),
        recorded_by=actor,
    )
    audit_record(
        actor=actor,
        action="prevention.finding.create",
        obj=finding,
        changes={
            "village": village.code,
            "kind": kind,
            "held_on": day,
            "title": title,
            "findings": finding.findings,
            "participants": finding.participants,
        },
        plain=("kind",),
    )
    if upload is not None:
        attachment_add(actor=actor, finding=finding, upload=upload)
    return finding


@transaction.atomic
def attachment_add(*, actor: User | None, finding: Finding, upload: Any) -> FindingAttachment:
    """Keep a photo or a PDF with a finding, sealed on disk (core.files)."""
    if not _may_change(actor, Finding, finding.pk):
        raise PermissionDenied(_("You cannot change this record."))
    content_type = check_attachment(upload)
    attachment = FindingAttachment.objects.create(
        finding=finding, file=upload, name=str(upload.name)[:200], content_type=content_type, size=upload.size
    )
    audit_record(
        actor=actor,
        action="prevention.attachment.add",
        obj=finding,
        changes={"attachment": attachment.pk, "size": upload.size, "content_type": content_type},
    )
    return attachment
