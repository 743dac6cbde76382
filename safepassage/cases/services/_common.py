"""Shared by the case services: validation helpers, who may work on a case, references and the audit."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Max
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from safepassage.accounts.models import Agency, User
from safepassage.audit.services import audit_record
from safepassage.cases import htcds, selectors
from safepassage.cases.models import (
    CASE_ROLES,
    Case,
    Referral,
)
from safepassage.cases.selectors import RECEIVER_ADDS
from safepassage.core.access import viewer_for
from safepassage.core.countries import is_country
from safepassage.core.models import get_for_user
from safepassage.core.roles import Action, Role
from safepassage.geo.models import Area
from safepassage.network.models import Organisation, Responder
from safepassage.registry.models import Person

CASE_FIELDS = (
    "nationality",
    "gender",
    "consent_to_share",
    "exploitation_types",
    "sex_exploitation_types",
    "control_methods",
    "recruitment_methods",
    "recruitment_apps",
    "relationship_to_trafficker",
    "age_when_trafficked",
    "labour_industry",
    "address",
    "health",
    "immigration_status",
    "caseworker_id",
    "area_code",
)
LIST_FIELDS = {
    "exploitation_types": htcds.Exploitation,
    "sex_exploitation_types": htcds.SexExploitation,
    "control_methods": htcds.ControlMethod,
    "recruitment_methods": htcds.RecruitmentMethod,
    "recruitment_apps": htcds.RecruitmentApp,
}
CHOICE_FIELDS = {
    "relationship_to_trafficker": htcds.Relationship,
    "labour_industry": htcds.LabourIndustry,
    "gender": htcds.Gender,
    "immigration_status": Case.ImmigrationStatus,
}
COUNTRY_CODE = "^[A-Z]{2}$"


# ----------------------------------------------------------------------------------------------- helpers


def _fail(field: str, message: str) -> ValidationError:
    return ValidationError({field: [message]})


def _staff_agency(actor: Any, agency: Agency | None = None) -> Agency:
    """The agency the actor does case work for (coordinator or caseworker)."""
    viewer = viewer_for(actor)
    for grant in viewer.grants:
        if grant.role in CASE_ROLES and (agency is None or grant.agency_id == agency.pk):
            return agency or Agency.objects.get(pk=grant.agency_id)
    raise Http404


def one_or_404(queryset: Any, pk: Any) -> Any:
    """One row of an already scoped queryset, or 404 (absent and not yours look the same)."""
    try:
        obj = queryset.filter(pk=int(pk)).first()
    except (TypeError, ValueError):
        obj = None
    if obj is None:
        raise Http404
    return obj


def _editable(actor: Any, case: Case) -> Case:
    """The case again, if the actor may change it (the owning agency's case staff); 404 otherwise."""
    return get_for_user(Case.objects.select_related("person", "stage"), actor, case.pk, Action.CHANGE)


def _workable(actor: User | None, case: Case, kind: str) -> tuple[Case, Referral | None]:
    """The case again, and the accepted referral the actor works under when their agency is not its owner.

    The owner's case staff record anything; the receiving agency of an accepted referral adds only what
    RECEIVER_ADDS names (services, notes, follow-ups, an onward referral), each resting on that referral and
    its consent. Anyone else: 404."""
    qs = Case.objects.select_related("person", "stage", "agency")
    viewer = viewer_for(actor)
    own = qs.filter(Case.own_q(viewer, Action.CHANGE), pk=case.pk).first()
    if own is not None:
        return own, None
    if kind not in RECEIVER_ADDS:
        raise Http404
    shared = qs.filter(pk=case.pk).first()
    accepted = selectors.accepted_referrals(viewer, shared) if shared is not None else []
    if shared is None or not accepted:
        raise Http404
    return shared, accepted[0]


def case_to_work_on(actor: User | None, pk: Any, kind: str) -> tuple[Case, Referral | None]:
    """A case the actor may add `kind` to (as its owner, or under an accepted referral), or 404."""
    try:
        case = Case.objects.select_related("person", "stage", "agency").get(pk=int(pk))
    except (Case.DoesNotExist, TypeError, ValueError):
        raise Http404 from None
    return _workable(actor, case, kind)


def is_coordinator_of(actor: Any, agency_id: int) -> bool:
    return viewer_for(actor).has_role(Role.COORDINATOR, agency_id=agency_id)


def _codes(value: Any, choices: Any, field: str) -> list[str]:
    values = list(value or [])
    unknown = [v for v in values if v not in choices.values]
    if unknown:
        raise _fail(
            field,
            _("Unknown code %(codes)s; the HTCDS list has %(known)s.")
            % {"codes": ", ".join(map(str, unknown)), "known": ", ".join(choices.values)},
        )
    return sorted(set(values), key=values.index)


def _check_day(
    value: date | None, field: str, person: Person | None = None, *, future_ok: bool = False
) -> None:
    """Not in the future (unless allowed) and not before the person was born."""
    if value is None:
        return
    if not future_ok and value > timezone.localdate():
        raise _fail(field, _("The date cannot be in the future."))
    if person is not None:
        born = person.birth_date or (date(person.birth_year, 1, 1) if person.birth_year else None)
        if born is not None and value < born:
            raise _fail(field, _("The date is before the person was born."))


def _country(value: str, field: str) -> str:
    """An ISO 3166 country code ("mm" is MM); anything else is refused, naming the field."""
    value = (value or "").strip().upper()
    if value and not is_country(value):
        raise _fail(field, _("Choose the country from the list (ISO codes such as TH, MM, LA)."))
    return value


def _area(code: str | None, field: str) -> Area | None:
    if not code:
        return None
    area = Area.objects.filter(code=code).first()
    if area is None:
        raise _fail(field, _("There is no area with the code %(code)s.") % {"code": code})
    return area


def _visible(model: Any, actor: Any, pk: Any, field: str, **filters: Any) -> Any:
    """A record from another module that the actor may see, or an error naming the field."""
    if pk in (None, ""):
        return None
    obj = model.objects.visible_to(actor).filter(pk=pk, **filters).first()
    if obj is None:
        raise _fail(field, _("There is no such record you can use here."))
    return obj


def _organisation(actor: Any, pk: Any, field: str, **filters: Any) -> Organisation | None:
    return _visible(Organisation, actor, pk, field, active=True, **filters)


def _responder(actor: Any, pk: Any, field: str) -> Responder | None:
    return _visible(Responder, actor, pk, field, active=True)


def next_reference(agency: Agency, prefix: str, model: Any, day: date) -> str:
    """The next reference of the year for an agency: C-2026-00042."""
    start = f"{prefix}-{day.year}-"
    last = (
        model.objects.filter(agency=agency, reference__startswith=start)
        .aggregate(last=Max("reference"))
        .get("last")
    )
    number = int(last.rsplit("-", 1)[1]) + 1 if last else 1
    return f"{start}{number:05d}"


def _case_audit(actor: Any, action: str, case: Case, obj: Any = None, **changes: Any) -> None:
    audit_record(actor=actor, action=action, obj=obj or case, agency=case.agency, changes=changes)


def _work_audit(
    actor: User | None, action: str, case: Case, obj: Any, via: Referral | None, **changes: Any
) -> None:
    """A record added to a case; by a receiving agency, naming the referral (and the consent) it rests on.
    The event goes to the case's owner's trail, as the case's reads do."""
    if via is not None:
        changes = {**changes, "referral": via.pk, "consent": via.consent}
    _case_audit(actor, action, case, obj, **changes)


# ----------------------------------------------------------------------------------------------- intake
