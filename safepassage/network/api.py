"""API: the network directory — organisations, responders (with the ranked search), training, committees,
focal points, return agreements and hotlines."""

from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Router, Schema, Status
from ninja.pagination import PageNumberPagination, paginate

from safepassage.accounts.selectors import signed_in_user
from safepassage.audit.services import audit_read
from safepassage.core.access import viewer_for
from safepassage.core.api import ErrorOut
from safepassage.core.roles import Action
from safepassage.geo.models import Area
from safepassage.network import selectors, services, sharing
from safepassage.network.models import (
    Committee,
    Hotline,
    Organisation,
    Responder,
    SharingAgreement,
    may_see_address,
)

router = Router(tags=["network"])
ERRORS: dict[int, Any] = {400: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut}


# ---------------------------------------------------------------------------------------------- organisations


class OrganisationIn(Schema):
    name: str
    kind: str
    country: str = "TH"
    area_code: str | None = None
    member_agency_code: str | None = None
    address: str = ""
    phone: str = ""
    services: list[str] = []
    languages: list[str] = []
    notes: str = ""
    active: bool = True


class OrganisationPatch(Schema):
    name: str | None = None
    kind: str | None = None
    country: str | None = None
    area_code: str | None = None
    member_agency_code: str | None = None
    address: str | None = None
    phone: str | None = None
    services: list[str] | None = None
    languages: list[str] | None = None
    notes: str | None = None
    active: bool | None = None


class OrganisationOut(Schema):
    id: int
    name: str
    kind: str
    agency: str
    member_agency: str | None
    country: str
    area_code: str | None
    address: str
    phone: str
    services: list[str]
    languages: list[str]
    notes: str
    active: bool

    @staticmethod
    def resolve_agency(obj: Organisation) -> str:
        return obj.agency.code

    @staticmethod
    def resolve_member_agency(obj: Organisation) -> str | None:
        return obj.member_agency.code if obj.member_agency else None

    @staticmethod
    def resolve_area_code(obj: Organisation) -> str | None:
        return obj.area.code if obj.area else None

    # Lists never carry a shelter's address: it is read on the detail, by staff only, and audited
    # (_with_address marks the organisation whose address may be shown).
    @staticmethod
    def resolve_address(obj: Organisation) -> str:
        shown = obj.kind != Organisation.Kind.SHELTER or getattr(obj, "show_address", False)
        return obj.address if shown else ""


def _with_address(organisation: Organisation, shown: bool) -> Organisation:
    organisation.show_address = shown  # type: ignore[attr-defined]
    return organisation


@router.get("/organisations", response=list[OrganisationOut])
@paginate(PageNumberPagination)
def organisation_list(
    request: HttpRequest, kind: str = "", country: str = "", area: str = "", q: str = ""
) -> Any:
    """Organisations of the directory (a shelter's address only on its detail, for staff)."""
    return selectors.organisation_list(
        viewer=request.user, kind=kind, country=country, text=q, area=_area(area, "area")
    ).select_related("agency")


@router.post("/organisations", response={201: OrganisationOut, **ERRORS})
def organisation_create(request: HttpRequest, payload: OrganisationIn) -> Status[Organisation]:
    """Add an organisation (coordinators and administrators; kept by their agency)."""
    organisation = services.organisation_create(actor=signed_in_user(request), **payload.dict())
    return Status(201, _with_address(organisation, True))


@router.get("/organisations/{organisation_id}", response={200: OrganisationOut, 404: ErrorOut})
def organisation_get(request: HttpRequest, organisation_id: int) -> Organisation:
    """One organisation; reading a shelter's address is audited."""
    organisation = selectors.get_organisation_for_user(request.user, organisation_id)
    shown = may_see_address(viewer_for(request.user), organisation)
    if shown and organisation.kind == Organisation.Kind.SHELTER and organisation.address:
        audit_read(actor=request.user, obj=organisation, what="address")
    return _with_address(organisation, shown)


@router.patch("/organisations/{organisation_id}", response={200: OrganisationOut, **ERRORS})
def organisation_update(
    request: HttpRequest, organisation_id: int, payload: OrganisationPatch
) -> Organisation:
    """Correct an organisation (the keeping agency's coordinators and administrators)."""
    organisation = selectors.get_organisation_for_user(request.user, organisation_id, Action.CHANGE)
    organisation = services.organisation_update(
        actor=signed_in_user(request), organisation=organisation, **payload.dict(exclude_unset=True)
    )
    return _with_address(organisation, True)


# ------------------------------------------------------------------------------------------------ responders


class ResponderIn(Schema):
    organisation_id: int
    name: str
    role_type: str
    title: str = ""
    phone: str = ""
    email: str = ""
    messaging: str = ""
    languages: list[str] = []
    expertise: list[str] = []
    area_codes: list[str] = []
    availability: str = "available"
    available_note: str = ""
    country: str = "TH"
    username: str | None = None


class ResponderPatch(Schema):
    organisation_id: int | None = None
    name: str | None = None
    role_type: str | None = None
    title: str | None = None
    phone: str | None = None
    email: str | None = None
    messaging: str | None = None
    languages: list[str] | None = None
    expertise: list[str] | None = None
    area_codes: list[str] | None = None
    availability: str | None = None
    available_note: str | None = None
    country: str | None = None
    active: bool | None = None
    username: str | None = None


class ResponderOut(Schema):
    id: int
    name: str
    role_type: str
    title: str
    organisation_id: int
    organisation: str
    agency: str
    languages: list[str]
    expertise: list[str]
    area_codes: list[str]
    availability: str
    available_note: str
    country: str
    active: bool
    coverage: str | None = None
    coverage_area: str | None = None
    why: list[str] = []

    @staticmethod
    def resolve_organisation(obj: Responder) -> str:
        return obj.organisation.name

    @staticmethod
    def resolve_agency(obj: Responder) -> str:
        return obj.agency.code

    @staticmethod
    def resolve_area_codes(obj: Responder) -> list[str]:
        return sorted(a.code for a in obj.areas.all())

    # Set on the responders of a ranked search (see responder_list); empty otherwise.
    @staticmethod
    def resolve_coverage(obj: Responder) -> str | None:
        return getattr(obj, "match_coverage", None)

    @staticmethod
    def resolve_coverage_area(obj: Responder) -> str | None:
        return getattr(obj, "match_area", None)

    @staticmethod
    def resolve_why(obj: Responder) -> list[str]:
        return list(getattr(obj, "match_why", []))


class TrainingIn(Schema):
    course: str
    provider: str = ""
    completed_on: date
    expires_on: date | None = None


class TrainingOut(Schema):
    id: int
    course: str
    provider: str
    completed_on: date
    expires_on: date | None


class SeatOut(Schema):
    committee_id: int
    committee: str
    seat: str


class ResponderDetailOut(ResponderOut):
    phone: str
    email: str
    messaging: str
    contacts_shown: bool
    has_account: bool
    trainings: list[TrainingOut]
    committees: list[SeatOut]

    # Personal contacts come from `shown_contacts`, set by _with_contacts for those who may see them.
    @staticmethod
    def resolve_phone(obj: Responder) -> str:
        return _contact(obj, "phone")

    @staticmethod
    def resolve_email(obj: Responder) -> str:
        return _contact(obj, "email")

    @staticmethod
    def resolve_messaging(obj: Responder) -> str:
        return _contact(obj, "messaging")

    @staticmethod
    def resolve_contacts_shown(obj: Responder) -> bool:
        return getattr(obj, "shown_contacts", None) is not None

    @staticmethod
    def resolve_has_account(obj: Responder) -> bool:
        return obj.user_id is not None

    @staticmethod
    def resolve_trainings(obj: Responder) -> list[Any]:
        return list(obj.trainings.all())

    @staticmethod
    def resolve_committees(obj: Responder) -> list[dict[str, Any]]:
        return [
            {"committee_id": s.committee_id, "committee": s.committee.name, "seat": s.seat}
            for s in obj.seats.all()
        ]


def _contact(responder: Responder, name: str) -> str:
    return str((getattr(responder, "shown_contacts", None) or {}).get(name, ""))


def _with_contacts(request: HttpRequest, responder: Responder, *, audit: bool) -> Responder:
    """The responder with its personal contacts for those who may see them; that read is audited."""
    contacts = selectors.contacts_for(request.user, responder)
    if contacts and audit and any(contacts.values()):
        audit_read(actor=request.user, obj=responder, what="contacts")
    responder.shown_contacts = contacts  # type: ignore[attr-defined]
    return responder


def _area(code: str, field: str) -> Area | None:
    if not code:
        return None
    area = Area.objects.filter(code=code.strip()).first()
    if area is None:
        raise ValidationError({field: _("There is no area with the code %(code)s.") % {"code": code}})
    return area


@router.get("/responders", response=list[ResponderOut])
@paginate(PageNumberPagination)
def responder_list(
    request: HttpRequest,
    village_code: str = "",
    language: str = "",
    expertise: str = "",
    role_type: str = "",
    q: str = "",
) -> Any:
    """Responders of the directory. With `village_code`: who can respond there, ranked by how closely they
    cover it (village, subdistrict, district, province, anywhere), then availability, then name; each
    result says how it matched (`coverage`, `coverage_area`, `why`)."""
    filters: dict[str, Any] = {
        "language": language,
        "expertise": expertise,
        "role_type": role_type,
        "text": q,
    }
    village = _area(village_code, "village_code")
    if village is None:
        return selectors.responder_list(viewer=request.user, **filters)
    ranked = []
    for match in selectors.responders_search(request.user, village=village, **filters):
        responder = match.responder
        responder.match_coverage = match.coverage  # type: ignore[attr-defined]
        responder.match_area = match.area.code if match.area else None  # type: ignore[attr-defined]
        responder.match_why = match.reasons  # type: ignore[attr-defined]
        ranked.append(responder)
    return ranked


@router.post("/responders", response={201: ResponderDetailOut, **ERRORS})
def responder_create(request: HttpRequest, payload: ResponderIn) -> Status[Responder]:
    """Add a responder (coordinators and administrators; kept by their agency)."""
    responder = services.responder_create(actor=signed_in_user(request), **payload.dict())
    responder = selectors.get_responder_for_user(request.user, responder.pk)
    return Status(201, _with_contacts(request, responder, audit=False))


@router.get("/responders/{responder_id}", response={200: ResponderDetailOut, 404: ErrorOut})
def responder_get(request: HttpRequest, responder_id: int) -> Responder:
    """One responder; personal contacts only for those allowed (empty otherwise), and reading them is
    audited."""
    responder = selectors.get_responder_for_user(request.user, responder_id)
    return _with_contacts(request, responder, audit=True)


@router.patch("/responders/{responder_id}", response={200: ResponderDetailOut, **ERRORS})
def responder_update(request: HttpRequest, responder_id: int, payload: ResponderPatch) -> Responder:
    """Correct a responder; only the fields sent change (`area_codes` replaces the areas covered)."""
    responder = selectors.get_responder_for_user(request.user, responder_id, Action.CHANGE)
    services.responder_update(
        actor=signed_in_user(request), responder=responder, **payload.dict(exclude_unset=True)
    )
    responder = selectors.get_responder_for_user(request.user, responder_id)
    return _with_contacts(request, responder, audit=False)


@router.post("/responders/{responder_id}/trainings", response={201: TrainingOut, **ERRORS})
def training_add(request: HttpRequest, responder_id: int, payload: TrainingIn) -> Status[Any]:
    """Record a course the responder completed."""
    responder = selectors.get_responder_for_user(request.user, responder_id, Action.CHANGE)
    training = services.training_add(actor=signed_in_user(request), responder=responder, **payload.dict())
    return Status(201, training)


# ------------------------------------------------------------------------------------------------ committees


class CommitteeIn(Schema):
    name: str
    kind: str
    area_code: str | None = None
    meets: str = ""
    active: bool = True


class CommitteeOut(Schema):
    id: int
    name: str
    kind: str
    agency: str
    area_code: str | None
    meets: str
    active: bool
    member_count: int

    @staticmethod
    def resolve_agency(obj: Committee) -> str:
        return obj.agency.code

    @staticmethod
    def resolve_area_code(obj: Committee) -> str | None:
        return obj.area.code if obj.area else None

    @staticmethod
    def resolve_member_count(obj: Committee) -> int:
        count = getattr(obj, "member_count", None)
        return count if count is not None else obj.seats.count()


class MemberOut(Schema):
    responder_id: int
    name: str
    role_type: str
    organisation: str
    seat: str
    since: date | None


class CommitteeDetailOut(CommitteeOut):
    members: list[MemberOut]

    @staticmethod
    def resolve_members(obj: Committee) -> list[dict[str, Any]]:
        return [
            {
                "responder_id": s.responder_id,
                "name": s.responder.name,
                "role_type": s.responder.role_type,
                "organisation": s.responder.organisation.name,
                "seat": s.seat,
                "since": s.since,
            }
            for s in selectors.seats_in_order(obj)
        ]


class SeatIn(Schema):
    responder_id: int
    seat: str = "member"
    since: date | None = None


@router.get("/committees", response=list[CommitteeOut])
@paginate(PageNumberPagination)
def committee_list(request: HttpRequest, kind: str = "", area: str = "") -> Any:
    """Committees: DOCs, MDTs, child-protection and village committees."""
    return selectors.committee_list(viewer=request.user, kind=kind, area=_area(area, "area")).select_related(
        "agency"
    )


@router.post("/committees", response={201: CommitteeDetailOut, **ERRORS})
def committee_create(request: HttpRequest, payload: CommitteeIn) -> Status[Committee]:
    """Add a committee (coordinators and administrators; kept by their agency)."""
    committee = services.committee_create(actor=signed_in_user(request), **payload.dict())
    return Status(201, selectors.get_committee_for_user(request.user, committee.pk))


@router.get("/committees/{committee_id}", response={200: CommitteeDetailOut, 404: ErrorOut})
def committee_get(request: HttpRequest, committee_id: int) -> Committee:
    """One committee with its members: chair, secretary, members."""
    return selectors.get_committee_for_user(request.user, committee_id)


@router.post(
    "/committees/{committee_id}/members",
    response={200: CommitteeDetailOut, 201: CommitteeDetailOut, **ERRORS},
)
def committee_member_add(request: HttpRequest, committee_id: int, payload: SeatIn) -> Status[Committee]:
    """Give a responder a seat (201), or change the seat they hold (200)."""
    committee = selectors.get_committee_for_user(request.user, committee_id, Action.CHANGE)
    _seat, created = services.committee_seat_set(
        actor=signed_in_user(request), committee=committee, **payload.dict()
    )
    return Status(201 if created else 200, selectors.get_committee_for_user(request.user, committee_id))


# ------------------------------------------------------------------------- focal points, agreements, hotlines


class FocalPointIn(Schema):
    country: str
    purpose: str
    responder_id: int
    agreement_code: str | None = None


class FocalPointOut(Schema):
    id: int
    country: str
    purpose: str
    responder_id: int
    responder: str
    organisation: str
    agreement_code: str | None

    @staticmethod
    def resolve_responder(obj: Any) -> str:
        return obj.responder.name

    @staticmethod
    def resolve_organisation(obj: Any) -> str:
        return obj.responder.organisation.name

    @staticmethod
    def resolve_agreement_code(obj: Any) -> str | None:
        return obj.agreement.code if obj.agreement else None


class AgreementOut(Schema):
    code: str
    name: str
    countries: list[str]
    signed_on: date | None
    # The name in other languages: {"name": {"th": "…", …}}; English in `name`.
    translations: dict[str, dict[str, str]]


class HotlineIn(Schema):
    country: str
    number: str
    name: str
    purpose: str = ""
    hours: str = ""
    languages: list[str] = []
    organisation_id: int | None = None
    active: bool = True
    translations: dict[str, dict[str, str]] = {}


class HotlinePatch(Schema):
    country: str | None = None
    number: str | None = None
    name: str | None = None
    purpose: str | None = None
    hours: str | None = None
    languages: list[str] | None = None
    organisation_id: int | None = None
    active: bool | None = None
    translations: dict[str, dict[str, str]] | None = None


class HotlineOut(Schema):
    id: int
    country: str
    number: str
    name: str
    purpose: str
    hours: str
    languages: list[str]
    active: bool
    # Name, purpose and hours in other languages: {"name": {"th": "…"}, "purpose": {…}, "hours": {…}}.
    translations: dict[str, dict[str, str]]


@router.get("/focal-points", response=list[FocalPointOut])
@paginate(PageNumberPagination)
def focal_point_list(request: HttpRequest, country: str = "", purpose: str = "") -> Any:
    """Who to contact in a country for return, family tracing, labour cases or safe migration."""
    return selectors.focal_point_list(viewer=request.user, country=country, purpose=purpose)


@router.post("/focal-points", response={201: FocalPointOut, **ERRORS})
def focal_point_create(request: HttpRequest, payload: FocalPointIn) -> Status[Any]:
    """Name a focal point (coordinators and administrators; kept by their agency)."""
    return Status(201, services.focal_point_create(actor=signed_in_user(request), **payload.dict()))


@router.get("/agreements", response=list[AgreementOut])
@paginate(PageNumberPagination)
def agreement_list(request: HttpRequest) -> Any:
    """The bilateral and regional return agreements in force."""
    return selectors.agreement_list()


@router.get("/hotlines", response=list[HotlineOut])
@paginate(PageNumberPagination)
def hotline_list(request: HttpRequest, country: str = "") -> Any:
    """Hotlines people can call, for every signed-in user."""
    return selectors.hotline_list(country=country)


@router.post("/hotlines", response={201: HotlineOut, **ERRORS})
def hotline_create(request: HttpRequest, payload: HotlineIn) -> Status[Hotline]:
    """Add a hotline (system administrators)."""
    return Status(201, services.hotline_create(actor=signed_in_user(request), **payload.dict()))


@router.patch("/hotlines/{hotline_id}", response={200: HotlineOut, **ERRORS})
def hotline_update(request: HttpRequest, hotline_id: int, payload: HotlinePatch) -> Hotline:
    """Correct a hotline (system administrators); only the fields sent change."""
    hotline = selectors.get_hotline(hotline_id)
    return services.hotline_update(
        actor=signed_in_user(request), hotline=hotline, **payload.dict(exclude_unset=True)
    )


# ------------------------------------------------------------------------------------- sharing agreements


class SharingAgreementIn(Schema):
    partner_code: str
    title: str
    purpose: str
    signed_on: date | None = None
    ends_on: date | None = None
    reference: str = ""


class SharingEndIn(Schema):
    ended_on: date | None = None


def _sharing(agreement: SharingAgreement) -> dict[str, Any]:
    return {
        "id": agreement.pk,
        "agency": agreement.agency.code,
        "partner": agreement.partner.code,
        "title": agreement.title,
        "purpose": agreement.purpose,
        "reference": agreement.reference,
        "signed_on": agreement.signed_on,
        "ends_on": agreement.ends_on,
        "ended_on": agreement.ended_on,
    }


@router.get("/sharing-agreements", response=list[dict[str, Any]])
@paginate(PageNumberPagination)
def sharing_agreement_list(request: HttpRequest, current: bool = False) -> Any:
    """Agreements to share case records between the user's agencies and others (`current`: in force today).
    They are recorded and shown; what a receiver reads still comes from its receiving profile and consent."""
    return [_sharing(a) for a in sharing.sharing_agreements(signed_in_user(request), current=current)]


@router.post("/sharing-agreements", response={201: dict, 400: ErrorOut, 403: ErrorOut})
def sharing_agreement_create(request: HttpRequest, payload: SharingAgreementIn) -> Any:
    """Record an agreement with another agency (`partner_code`): coordinators and administrators."""
    agreement = sharing.sharing_agreement_record(actor=signed_in_user(request), **payload.dict())
    return Status(201, _sharing(agreement))


@router.post("/sharing-agreements/{agreement_id}/end", response={200: dict, 400: ErrorOut, 404: ErrorOut})
def sharing_agreement_end(request: HttpRequest, agreement_id: int, payload: SharingEndIn) -> Any:
    """End an agreement early (either agency's coordinators and administrators)."""
    found = sharing.sharing_agreement_end(actor=signed_in_user(request), pk=agreement_id, **payload.dict())
    return _sharing(found)
