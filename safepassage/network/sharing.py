"""Sharing agreements between agencies: recorded by a coordinator of one of them, shown to both agencies'
staff, on the referral form and on the case. An agreement is a record, never a key: what a receiving agency
reads still comes from its receiving profile and the consent on each referral (accounts/profiles.py)."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from safepassage.accounts.models import Agency, User
from safepassage.audit.services import audit_record
from safepassage.core.access import viewer_for
from safepassage.core.roles import Role
from safepassage.network.models import MAINTAINER_ROLES, SharingAgreement
from safepassage.network.validation import Errors, clean_text, raise_errors

# Who reads an agency's agreements: its administrators and case staff.
READERS = (Role.ADMIN, Role.COORDINATOR, Role.CASEWORKER)


def _agencies(actor: User | None, roles: tuple[str, ...]) -> list[int]:
    return [g.agency_id for g in viewer_for(actor).grants if g.role in roles]


def sharing_agreements(user: User | None, *, current: bool = False) -> QuerySet[SharingAgreement]:
    """Agreements either side of which is one of the user's agencies (where they are staff), newest first."""
    mine = _agencies(user, READERS)
    qs = SharingAgreement.objects.filter(Q(agency_id__in=mine) | Q(partner_id__in=mine))
    if current:
        today = timezone.localdate()
        qs = qs.filter(signed_on__lte=today, ended_on__isnull=True).filter(
            Q(ends_on__isnull=True) | Q(ends_on__gte=today)
        )
    return qs.select_related("agency", "partner")


def agreements_between(first_id: int | None, second_id: int | None) -> list[SharingAgreement]:
    """The agreements in force today between two agencies, whichever recorded them."""
    if first_id is None or second_id is None:
        return []
    today = timezone.localdate()
    pair = Q(agency_id=first_id, partner_id=second_id) | Q(agency_id=second_id, partner_id=first_id)
    return [
        a
        for a in SharingAgreement.objects.filter(pair).select_related("agency", "partner")
        if a.in_force(today)
    ]


def may_record(user: User | None) -> bool:
    """Coordinators and administrators record their agency's agreements."""
    return bool(_agencies(user, MAINTAINER_ROLES))


@transaction.atomic
def sharing_agreement_record(
    *,
    actor: User | None,
    partner_code: str,
    title: str,
    purpose: str,
    signed_on: date | None,
    ends_on: date | None = None,
    reference: str = "",
    agency: Agency | None = None,
) -> SharingAgreement:
    """Record an agreement between the actor's agency (the one named, if several) and another agency."""
    own = _agencies(actor, MAINTAINER_ROLES)
    if agency is not None and agency.pk not in own:
        raise PermissionDenied(
            _("Only a coordinator or administrator of the agency can record its agreements.")
        )
    if agency is None:
        if not own:
            raise PermissionDenied(_("Only coordinators and administrators record sharing agreements."))
        agency = Agency.objects.get(pk=own[0])
    errors: Errors = {}
    data: dict[str, Any] = {"title": title, "purpose": purpose, "reference": reference}
    clean_text(data, errors, "title", 300, required=True)
    clean_text(data, errors, "purpose", 5000, required=True)
    clean_text(data, errors, "reference", 100)
    partner = Agency.objects.filter(code=(partner_code or "").strip(), active=True).first()
    if partner is None:
        errors["partner_code"] = [_("There is no SafePassage agency with this code.")]
    elif partner.pk == agency.pk:
        errors["partner_code"] = [_("An agreement is with another agency, not your own.")]
    if signed_on is None:
        errors["signed_on"] = [_("Give the date the agreement was signed.")]
    elif signed_on > timezone.localdate():
        errors["signed_on"] = [_("The date cannot be in the future.")]
    if signed_on is not None and ends_on is not None and ends_on < signed_on:
        errors["ends_on"] = [_("The agreement ends before it was signed.")]
    raise_errors(errors)
    assert partner is not None and signed_on is not None
    agreement = SharingAgreement.objects.create(
        agency=agency, partner=partner, signed_on=signed_on, ends_on=ends_on, recorded_by=actor, **data
    )
    audit_record(
        actor=actor,
        action="network.sharing_agreement.create",
        obj=agreement,
        agency=agency,
        changes={"partner": partner.code, "signed_on": signed_on, "ends_on": ends_on},
    )
    return agreement


@transaction.atomic
def sharing_agreement_end(*, actor: User | None, pk: Any, ended_on: date | None = None) -> SharingAgreement:
    """End an agreement early (either agency's coordinators or administrators)."""
    mine = _agencies(actor, MAINTAINER_ROLES)
    if not str(pk).isdigit():
        raise Http404
    agreement = (
        SharingAgreement.objects.select_for_update()
        .filter(Q(agency_id__in=mine) | Q(partner_id__in=mine), pk=int(pk))
        .first()
    )
    if agreement is None:
        raise Http404
    ended_on = ended_on or timezone.localdate()
    if ended_on < agreement.signed_on:
        raise_errors({"ended_on": [_("The agreement cannot end before it was signed.")]})
    agreement.ended_on = ended_on
    agreement.save(update_fields=["ended_on"])
    audit_record(
        actor=actor,
        action="network.sharing_agreement.end",
        obj=agreement,
        agency=agreement.agency,
        changes={"ended_on": ended_on},
    )
    return agreement
