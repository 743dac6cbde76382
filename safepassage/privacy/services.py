"""Writes for people's rights: erasure on request (and after a withdrawal of consent), its re-application
after a restore, correction requests, and a person's own consent at 18.

Who may erase: a coordinator of the agency that holds the person (docs/roles.md, "Who may erase").
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from safepassage.accounts.models import User
from safepassage.audit.services import audit_record
from safepassage.core.access import viewer_for
from safepassage.core.models import get_for_user
from safepassage.core.roles import Action, Role
from safepassage.privacy import stores
from safepassage.privacy.backup.erasures import log_keep
from safepassage.privacy.models import CorrectionRequest, ErasureLog, ErasureReason
from safepassage.registry.models import Person
from safepassage.registry.services import PERSON_FIELDS, age_on

# What a person may ask to have corrected: their registry details, or something in their case.
CORRECTABLE = (*PERSON_FIELDS, "village", "case", "registration", "other")


def _fail(field: str, message: str) -> ValidationError:
    return ValidationError({field: [message]})


def is_coordinator_of(actor: User | None, agency_id: int) -> bool:
    return actor is not None and viewer_for(actor).has_role(Role.COORDINATOR, agency_id=agency_id)


def person_for(actor: User | None, pk: Any) -> Person:
    """A person the actor may see, or 404 (absent and not theirs look the same)."""
    return get_for_user(Person.objects.select_related("agency", "village"), actor, pk)


def coordinated_person(actor: User | None, pk: Any) -> Person:
    """A person the actor may see and, as a coordinator of the agency holding them, decide about."""
    person = person_for(actor, pk)
    if not is_coordinator_of(actor, person.agency_id):
        raise PermissionDenied(_("Only a coordinator of the agency that holds this person may do this."))
    return person


# ------------------------------------------------------------------------------------------------ erasure


def _erase(
    actor: User | None, person: Person, *, kind: str, reason: str, action: str = "privacy.person.erase"
) -> ErasureLog:
    person = Person.objects.select_for_update().get(pk=person.pk)
    records = stores.find_all(person)
    stores.scrub_all(records)
    log = ErasureLog.objects.create(
        kind=kind,
        reason=reason,
        agency_id=person.agency_id,
        person_id=person.pk,
        records=records,
        erased_by=actor,
    )
    log_keep(log)
    audit_record(
        actor=actor,
        action=action,
        obj=person,
        agency=person.agency,
        changes={
            "reason": reason,
            "erasure": log.pk,
            "records": {label: len(ids) for label, ids in records.items()},
        },
    )
    return log


@transaction.atomic
def erase_person(*, actor: User | None, person: Person, reason: str) -> ErasureLog:
    """Remove a person's identity from every store on request: names, contacts, identifiers, free text
    about them and files naming them. Record keys and codes stay (the figures do not move); the erasure
    log says which rows, when, by whom and why (a category), never what was removed."""
    person = coordinated_person(actor, person.pk)
    if reason not in ErasureReason.values or reason == ErasureReason.RETENTION:
        raise _fail("reason", _("Choose why this person is erased."))
    if person.erased_at is not None:
        raise _fail("person", _("This person's name and details were already removed."))
    return _erase(actor, person, kind=ErasureLog.Kind.REQUEST, reason=reason)


@transaction.atomic
def erase_for_withdrawal(*, actor: User | None, person: Person, source: str) -> ErasureLog:
    """A withdrawal of consent (the migration channel's) erases the person it decided nothing else holds."""
    return _erase(
        actor,
        person,
        kind=ErasureLog.Kind.WITHDRAWAL,
        reason=ErasureReason.CONSENT_WITHDRAWN,
        action=f"privacy.person.erase_{source}",
    )


@transaction.atomic
def reapply_erasures(*, since: date | None = None) -> dict[str, int]:
    """After a restore from a backup, remove again every identity the erasure log says was removed (the
    backup may be older than the erasure). Safe to run at any time: rows already erased stay so."""
    logs = ErasureLog.objects.all()
    if since is not None:
        logs = logs.filter(erased_at__date__gte=since)
    done = {"logs": 0, "rows": 0}
    now = timezone.now()
    for log in logs.iterator():
        done["rows"] += stores.scrub_all(log.records)
        done["logs"] += 1
    logs.update(reapplied_at=now)
    audit_record(
        actor=None,
        action="privacy.erasure.reapply",
        object_type="privacy.erasurelog",
        changes=dict(done),
    )
    return done


# ------------------------------------------------------------------------------------------- corrections


@transaction.atomic
def correction_request_record(
    *,
    actor: User | None,
    person: Person,
    fields: list[str],
    details: str,
    requested_on: date | None = None,
) -> CorrectionRequest:
    """The person says something held about them is wrong: recorded for the agency holding them."""
    person = get_for_user(Person.objects.all(), actor, person.pk, Action.CHANGE)
    unknown = [f for f in fields if f not in CORRECTABLE]
    if not fields or unknown:
        raise _fail("fields", _("Choose what the person says is wrong."))
    if not details.strip():
        raise _fail("details", _("Write what the person says is right."))
    requested_on = requested_on or timezone.localdate()
    if requested_on > timezone.localdate():
        raise _fail("requested_on", _("The date cannot be in the future."))
    request = CorrectionRequest.objects.create(
        agency_id=person.agency_id,
        person=person,
        fields=list(fields),
        details=details.strip(),
        requested_on=requested_on,
        requested_by=actor,
    )
    audit_record(
        actor=actor,
        action="privacy.correction.create",
        obj=request,
        agency=person.agency,
        changes={"person": person.pk, "fields": list(fields)},
    )
    return request


@transaction.atomic
def correction_resolve(
    *, actor: User | None, request: CorrectionRequest, corrected: bool, note: str
) -> CorrectionRequest:
    """The agency holding the person answers: corrected, or not (saying why)."""
    request = get_for_user(CorrectionRequest.objects.select_for_update(), actor, request.pk, Action.CHANGE)
    if request.status != CorrectionRequest.Status.OPEN:
        raise _fail("status", _("This request was already answered."))
    if not note.strip():
        raise _fail("note", _("Write what was done, or why it was not corrected."))
    request.status = CorrectionRequest.Status.CORRECTED if corrected else CorrectionRequest.Status.REFUSED
    request.note = note.strip()
    request.resolved_by, request.resolved_at = actor, timezone.now()
    request.save()
    audit_record(
        actor=actor,
        action="privacy.correction.resolve",
        obj=request,
        changes={"status": request.status, "person": request.person_id},
    )
    return request


# --------------------------------------------------------------------------------------------- turning 18


@transaction.atomic
def own_consent_record(*, actor: User | None, person: Person, on: date | None = None) -> Person:
    """A child on the record turned 18 and agreed themselves that the agency keeps it."""
    person = coordinated_person(actor, person.pk)
    on = on or timezone.localdate()
    if on > timezone.localdate():
        raise _fail("on", _("The date cannot be in the future."))
    age = age_on(person, on)
    if age is None or age < 18:
        raise _fail("on", _("Only someone aged 18 or more can agree for themselves."))
    if person.erased_at is not None:
        raise _fail("person", _("This person's name and details were already removed."))
    person.own_consent_on = on
    person.save(update_fields=["own_consent_on", "updated_at"])
    audit_record(actor=actor, action="privacy.person.own_consent", obj=person, changes={"own_consent_on": on})
    return person
