"""API: workplaces (with a bbox and a GeoJSON form), evidence, ratings, employers, recruiters, submissions."""

from datetime import date
from typing import Any

from django.http import Http404, HttpRequest, JsonResponse
from ninja import Router, Schema, Status
from ninja.pagination import PageNumberPagination, paginate

from safepassage.accounts.selectors import signed_in_user
from safepassage.core.access import viewer_for
from safepassage.core.api import ErrorOut
from safepassage.core.roles import Action
from safepassage.geo.selectors import get_area
from safepassage.workplaces import selectors, services, status_services
from safepassage.workplaces.models import (
    Employer,
    Intervention,
    Observation,
    Recruiter,
    Workplace,
    may_see_informant,
)

router = Router(tags=["sin space"])
ERRORS: dict[int, Any] = {400: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut}


class WorkplaceIn(Schema):
    name: str
    sector: str
    aliases: list[str] = []
    address: str = ""
    village_code: str | None = None
    lat: float | None = None
    lon: float | None = None
    employer_id: int | None = None
    registration_number: str = ""
    licence_number: str = ""
    workforce_estimate: int | None = None
    status: str = "active"
    watch_listed: bool = False
    watch_reason: str = ""
    last_verified: date | None = None


class WorkplacePatch(Schema):
    name: str | None = None
    sector: str | None = None
    address: str | None = None
    lat: float | None = None
    lon: float | None = None
    status: str | None = None
    watch_listed: bool | None = None
    watch_reason: str | None = None
    workforce_estimate: int | None = None
    last_verified: date | None = None


class WorkplacePartnerOut(Schema):
    """A workplace as its partner employer reads it: what the employer knows already, nothing from the
    evidence (no score, band, watch list, last verification or reasons), so a tip moves nothing here."""

    id: int
    name: str
    aliases: list[str]
    sector: str
    isic_section: str
    address: str
    village_code: str | None
    lat: float | None
    lon: float | None
    employer_id: int | None
    status: str


class WorkplaceOut(WorkplacePartnerOut):
    """A workplace as the owning agency's staff read it: the partner's fields, with its rating and the watch
    list."""

    watch_listed: bool
    watch_reason: str
    last_verified: date | None
    risk_score: float
    risk_band: str
    band: str
    override_reason: str

    @staticmethod
    def resolve_village_code(obj: Workplace) -> str | None:
        return obj.village.code if obj.village else None


class WorkplaceDetailOut(WorkplaceOut):
    risk_breakdown: list[dict[str, Any]]


def _shaped(viewer: Any, workplace: Workplace) -> Workplace | dict[str, Any]:
    """The record itself for the owning agency's staff (read through the staff form); for anyone else who
    may see it (a partner employer), only the partner form's fields, so only that form fits."""
    if selectors.is_staff_of(viewer, workplace):
        return workplace
    return {
        "id": workplace.pk,
        "name": workplace.name,
        "aliases": workplace.aliases,
        "sector": workplace.sector,
        "isic_section": workplace.isic_section,
        "address": workplace.address,
        "village_code": workplace.village.code if workplace.village else None,
        "lat": workplace.lat,
        "lon": workplace.lon,
        "employer_id": workplace.employer_id,
        "status": workplace.status,
    }


class _ShapedPage:
    """A queryset whose page items come out in the form each viewer may read (for the paginator)."""

    def __init__(self, queryset: Any, viewer: Any, shape: Any = None) -> None:
        self.queryset, self.viewer, self.shape = queryset, viewer, shape or _shaped

    def __len__(self) -> int:
        return int(self.queryset.count())

    def __getitem__(self, window: slice) -> list[Any]:
        return [self.shape(self.viewer, w) for w in self.queryset[window]]


class ObservationIn(Schema):
    observed_on: date
    source: str
    reliability: str
    indicators: list[str]
    text: str = ""
    informant: str = ""


class ObservationOut(Schema):
    id: int
    observed_on: date
    source: str
    reliability: str
    indicators: list[str]
    text: str
    informant: str | None


class OverrideIn(Schema):
    band: str
    reason: str = ""


class EmployerIn(Schema):
    legal_name: str
    owner_name: str = ""
    registration_number: str = ""
    abides_by_labour_law: bool = False
    registered: bool = False
    trains_staff: bool = False


class EmployerPartnerOut(Schema):
    """An employer as its own partner users read it: its status with the dates it already knows, its
    commitments, awards and the findings notified to it. Nothing from evidence it has not been told of."""

    id: int
    legal_name: str
    registration_number: str
    status: str
    status_from: date | None
    status_review_on: date | None
    good_employer: bool
    commitments: list[dict[str, Any]]
    awards: list[dict[str, Any]]
    violations: list[dict[str, Any]]


class EmployerOut(EmployerPartnerOut):
    """An employer as the keeping agency's staff read it."""

    owner_name: str
    registered: bool

    @staticmethod
    def resolve_awards(obj: Employer) -> list[dict[str, Any]]:
        return [{"awarded_on": a.awarded_on.isoformat(), "name": a.name} for a in obj.awards.all()]

    @staticmethod
    def resolve_violations(obj: Employer) -> list[dict[str, Any]]:
        return [_finding(v, staff=True) for v in obj.violations.all()]

    @staticmethod
    def resolve_commitments(obj: Employer) -> list[dict[str, Any]]:
        return [
            {
                "id": c.pk,
                "signed_on": c.signed_on.isoformat(),
                "text": c.text,
                "signatories": c.signatories,
                "kept": c.kept,
                "checked_on": c.checked_on.isoformat() if c.checked_on else None,
            }
            for c in obj.commitments.all()
        ]


def _finding(v: Any, *, staff: bool) -> dict[str, Any]:
    found = {
        "found_on": v.found_on.isoformat(),
        "law": v.law,
        "outcome": v.outcome,
        "kind": v.kind,
        "notified_on": v.notified_on.isoformat() if v.notified_on else None,
    }
    if staff:
        found.update(id=v.pk, case_reference=v.case_reference, notified_how=v.notified_how)
    return found


def shaped_employer(viewer: Any, employer: Employer) -> Employer | dict[str, Any]:
    """The record for the keeping agency's staff; the partner form for the employer's own users."""
    if employer.agency_id in selectors.staff_agency_ids(viewer):
        return employer
    return {
        "id": employer.pk,
        "legal_name": employer.legal_name,
        "registration_number": employer.registration_number,
        "status": employer.status,
        "status_from": employer.status_from,
        "status_review_on": employer.status_review_on,
        "good_employer": employer.good_employer,
        "commitments": [
            {"signed_on": c.signed_on.isoformat(), "text": c.text, "signatories": c.signatories}
            for c in employer.commitments.all()
        ],
        "awards": [{"awarded_on": a.awarded_on.isoformat(), "name": a.name} for a in employer.awards.all()],
        # Only findings the employer has been told of through the normal channel.
        "violations": [
            _finding(v, staff=False) for v in employer.violations.all() if v.notified_on is not None
        ],
    }


class RecruiterIn(Schema):
    name: str
    kind: str = "person"
    licence_status: str = "unknown"
    licence_number: str = ""
    licence_authority: str = ""
    village_codes: list[str] = []
    registered_on: date | None = None
    registration_office: str = ""


class RecruiterOut(Schema):
    id: int
    name: str
    kind: str
    licence_status: str
    licence_number: str
    screening: str
    red_flags: list[str]
    registered_on: date | None
    village_codes: list[str]

    @staticmethod
    def resolve_village_codes(obj: Recruiter) -> list[str]:
        return [v.code for v in obj.villages.all()]


class LinksIn(Schema):
    workplace_ids: list[int] = []
    person_ids: list[int] = []


class ScreeningIn(Schema):
    screening: str
    red_flags: list[str] = []


class SubmissionIn(Schema):
    period: str
    vacancies: dict[str, int] = {}
    weekly_hours: int | None = None
    living_conditions: str = ""
    workforce: dict[str, dict[str, Any]] = {}
    lowest_daily_wage: int | None = None
    usual_daily_wage: int | None = None
    wages_on_time: bool | None = None
    training_sessions: int = 0
    people_trained: int = 0
    training_topics: str = ""


class SubmissionOut(Schema):
    id: int
    period: str
    vacancies: dict[str, int]
    weekly_hours: int | None
    living_conditions: str
    workforce: dict[str, dict[str, Any]]
    lowest_daily_wage: int | None
    usual_daily_wage: int | None
    wages_on_time: bool | None
    training_sessions: int
    people_trained: int
    training_topics: str


@router.get("/workplaces", response=list[WorkplaceOut | WorkplacePartnerOut])
@paginate(PageNumberPagination)
def workplace_list(
    request: HttpRequest,
    bbox: str = "",
    sector: str = "",
    band: str = "",
    watch_listed: bool | None = None,
    area: str = "",
    q: str = "",
) -> Any:
    """Workplaces I may see; `bbox=west,south,east,north`. See /workplaces.geojson for the map form. A
    partner employer gets its workplaces without the rating or the watch list (the partner form)."""
    workplaces = selectors.workplace_list(
        viewer=request.user,
        bbox=bbox,
        sector=sector,
        band=band,
        watch_listed=watch_listed,
        area=get_area(area) if area else None,
        query=q,
    )
    return _ShapedPage(workplaces, viewer_for(request.user))


@router.get("/workplaces.geojson", response={200: dict, 400: ErrorOut})
def workplace_geojson(
    request: HttpRequest,
    bbox: str = "",
    sector: str = "",
    band: str = "",
    watch_listed: bool | None = None,
    area: str = "",
) -> JsonResponse:
    """The same filters as a GeoJSON FeatureCollection of points: workplaces only, never homes or shelters."""
    qs = selectors.workplace_list(
        viewer=request.user,
        bbox=bbox,
        sector=sector,
        band=band,
        watch_listed=watch_listed,
        area=get_area(area) if area else None,
    )
    return JsonResponse(selectors.as_geojson(qs, viewer=request.user), content_type="application/geo+json")


@router.post("/workplaces", response={201: WorkplaceDetailOut, **ERRORS})
def workplace_create(request: HttpRequest, payload: WorkplaceIn) -> Status[Workplace]:
    """Register a workplace."""
    workplace = services.workplace_create(actor=signed_in_user(request), **payload.dict())
    return Status(201, workplace)


@router.get(
    "/workplaces/{workplace_id}", response={200: WorkplaceDetailOut | WorkplacePartnerOut, 404: ErrorOut}
)
def workplace_get(request: HttpRequest, workplace_id: int) -> Workplace | dict[str, Any]:
    """One workplace with its rating breakdown (the partner form, without the rating, for its employer)."""
    workplace = selectors.get_workplace_for_user(request.user, workplace_id)
    return _shaped(viewer_for(request.user), workplace)


@router.patch("/workplaces/{workplace_id}", response={200: WorkplaceDetailOut, **ERRORS})
def workplace_update(request: HttpRequest, workplace_id: int, payload: WorkplacePatch) -> Workplace:
    """Correct a workplace; only the fields sent change."""
    workplace = selectors.get_workplace_for_user(request.user, workplace_id, Action.CHANGE)
    fields = payload.dict(exclude_unset=True)
    if ("lat" in fields) != ("lon" in fields):
        fields.setdefault("lat", workplace.lat)
        fields.setdefault("lon", workplace.lon)
    return services.workplace_update(actor=signed_in_user(request), workplace=workplace, **fields)


def _observation_out(viewer: Any, observation: Observation) -> dict[str, Any]:
    return {
        "id": observation.pk,
        "observed_on": observation.observed_on,
        "source": observation.source,
        "reliability": observation.reliability,
        "indicators": observation.indicators,
        "text": observation.text,
        "informant": observation.informant if may_see_informant(viewer, observation) else None,
    }


@router.get("/workplaces/{workplace_id}/observations", response={200: list[ObservationOut], 404: ErrorOut})
def observation_list(request: HttpRequest, workplace_id: int) -> list[dict[str, Any]]:
    """The evidence on a workplace; who informed only for the recording agency's coordinators."""
    workplace = selectors.get_workplace_for_user(request.user, workplace_id)
    viewer = viewer_for(request.user)
    if not selectors.is_staff_of(viewer, workplace):
        raise Http404  # a partner employer sees its workplace, never the evidence about it
    observations = selectors.observation_list(viewer=request.user, workplace=workplace)
    return [_observation_out(viewer, o) for o in observations]


@router.post("/workplaces/{workplace_id}/observations", response={201: ObservationOut, **ERRORS})
def observation_create(
    request: HttpRequest, workplace_id: int, payload: ObservationIn
) -> Status[dict[str, Any]]:
    """Add evidence; the workplace is rated again."""
    workplace = selectors.get_workplace_for_user(request.user, workplace_id, Action.CHANGE)
    observation = services.observation_record(
        actor=signed_in_user(request), workplace=workplace, **payload.dict()
    )
    return Status(201, _observation_out(viewer_for(request.user), observation))


@router.post("/workplaces/{workplace_id}/rating-override", response={200: WorkplaceDetailOut, **ERRORS})
def rating_override(request: HttpRequest, workplace_id: int, payload: OverrideIn) -> Workplace:
    """A coordinator sets the band by judgement, with a reason ('' removes the override)."""
    workplace = selectors.get_workplace_for_user(request.user, workplace_id, Action.CHANGE)
    return services.rating_override(
        actor=signed_in_user(request), workplace=workplace, band=payload.band, reason=payload.reason
    )


@router.get("/workplaces/{workplace_id}/submissions", response={200: list[SubmissionOut], 404: ErrorOut})
def submission_list(request: HttpRequest, workplace_id: int) -> Any:
    """What the employer reported about this workplace."""
    workplace = selectors.get_workplace_for_user(request.user, workplace_id)
    from safepassage.workplaces.models import EmployerSubmission

    return list(EmployerSubmission.objects.visible_to(request.user).filter(workplace=workplace))


@router.post("/workplaces/{workplace_id}/submissions", response={201: SubmissionOut, **ERRORS})
def submission_create(request: HttpRequest, workplace_id: int, payload: SubmissionIn) -> Status[Any]:
    """A partner employer reports conditions at its workplace: counts only, never names."""
    workplace = selectors.get_workplace_for_user(request.user, workplace_id)
    submission = services.submission_create(
        actor=signed_in_user(request), workplace=workplace, **payload.dict()
    )
    return Status(201, submission)


class InterventionIn(Schema):
    happened_on: date
    kind: str
    people_assisted: int = 0
    notes: str = ""


class InterventionOut(Schema):
    id: int
    happened_on: date
    kind: str
    people_assisted: int
    notes: str


@router.get("/workplaces/{workplace_id}/interventions", response={200: list[InterventionOut], 404: ErrorOut})
def intervention_list(request: HttpRequest, workplace_id: int) -> Any:
    """Interceptions and interventions at a workplace (staff of the owning agency)."""
    workplace = selectors.get_workplace_for_user(request.user, workplace_id)
    if not selectors.is_staff_of(viewer_for(request.user), workplace):
        raise Http404
    return list(Intervention.objects.visible_to(request.user).filter(workplace=workplace))


@router.post("/workplaces/{workplace_id}/interventions", response={201: InterventionOut, **ERRORS})
def intervention_create(request: HttpRequest, workplace_id: int, payload: InterventionIn) -> Status[Any]:
    """Log an interception or intervention."""
    workplace = selectors.get_workplace_for_user(request.user, workplace_id, Action.CHANGE)
    return Status(
        201,
        services.intervention_record(actor=signed_in_user(request), workplace=workplace, **payload.dict()),
    )


@router.get("/employers", response=list[EmployerOut | EmployerPartnerOut])
@paginate(PageNumberPagination)
def employer_list(request: HttpRequest) -> Any:
    """Employers I may see (an employer's own users: the partner form)."""
    viewer = viewer_for(request.user)
    employers = selectors.employer_list(viewer=request.user).prefetch_related("awards", "violations")
    return _ShapedPage(employers, viewer, shaped_employer)


@router.post("/employers", response={201: EmployerOut, **ERRORS})
def employer_create(request: HttpRequest, payload: EmployerIn) -> Status[Employer]:
    """Register an employer."""
    return Status(201, services.employer_create(actor=signed_in_user(request), **payload.dict()))


@router.get("/employers/{employer_id}", response={200: EmployerOut | EmployerPartnerOut, 404: ErrorOut})
def employer_get(request: HttpRequest, employer_id: int) -> Employer | dict[str, Any]:
    """One employer (its own users: the partner form)."""
    employer = selectors.get_employer_for_user(request.user, employer_id)
    return shaped_employer(viewer_for(request.user), employer)


@router.get("/recruiters", response=list[RecruiterOut])
@paginate(PageNumberPagination)
def recruiter_list(request: HttpRequest, screening: str = "") -> Any:
    """Recruiters and brokers I may see."""
    return selectors.recruiter_list(viewer=request.user, screening=screening)


@router.post("/recruiters", response={201: RecruiterOut, **ERRORS})
def recruiter_create(request: HttpRequest, payload: RecruiterIn) -> Status[Recruiter]:
    """Register a recruiter or broker (e.g. at the local authority office)."""
    return Status(201, services.recruiter_create(actor=signed_in_user(request), **payload.dict()))


@router.post("/recruiters/{recruiter_id}/screening", response={200: RecruiterOut, **ERRORS})
def recruiter_screen(request: HttpRequest, recruiter_id: int, payload: ScreeningIn) -> Recruiter:
    """Record a screening result and red flags."""
    recruiter = selectors.get_recruiter_for_user(request.user, recruiter_id, Action.CHANGE)
    return services.recruiter_screen(
        actor=signed_in_user(request),
        recruiter=recruiter,
        result=payload.screening,
        red_flags=payload.red_flags,
    )


@router.post("/recruiters/{recruiter_id}/links", response={200: RecruiterOut, **ERRORS})
def recruiter_link(request: HttpRequest, recruiter_id: int, payload: LinksIn) -> Recruiter:
    """Link a recruiter to workplaces they supply and people they placed."""
    recruiter = selectors.get_recruiter_for_user(request.user, recruiter_id, Action.CHANGE)
    return services.recruiter_link(
        actor=signed_in_user(request),
        recruiter=recruiter,
        workplace_ids=payload.workplace_ids,
        person_ids=payload.person_ids,
    )


class CommitmentIn(Schema):
    signed_on: date
    text: str
    signatories: list[str] = []


class AwardIn(Schema):
    awarded_on: date
    name: str


class ViolationIn(Schema):
    found_on: date
    law: str
    outcome: str = ""
    kind: str = "other"
    case_reference: str = ""
    notified_on: date | None = None
    notified_how: str = ""


@router.post("/employers/{employer_id}/commitments", response={201: EmployerOut, **ERRORS})
def commitment_add(request: HttpRequest, employer_id: int, payload: CommitmentIn) -> Status[Employer]:
    """Record a commitment the employer signed."""
    employer = selectors.get_employer_for_user(request.user, employer_id, Action.CHANGE)
    services.commitment_add(actor=signed_in_user(request), employer=employer, **payload.dict())
    return Status(201, selectors.get_employer_for_user(request.user, employer_id))


@router.post("/employers/{employer_id}/awards", response={201: EmployerOut, **ERRORS})
def award_add(request: HttpRequest, employer_id: int, payload: AwardIn) -> Status[Employer]:
    """Record an award the employer received."""
    employer = selectors.get_employer_for_user(request.user, employer_id, Action.CHANGE)
    services.employer_award_add(actor=signed_in_user(request), employer=employer, **payload.dict())
    return Status(201, selectors.get_employer_for_user(request.user, employer_id))


@router.post("/employers/{employer_id}/violations", response={201: EmployerOut, **ERRORS})
def violation_add(request: HttpRequest, employer_id: int, payload: ViolationIn) -> Status[Employer]:
    """Record a breach found against the employer, and its outcome."""
    employer = selectors.get_employer_for_user(request.user, employer_id, Action.CHANGE)
    status_services.employer_violation_add(actor=signed_in_user(request), employer=employer, **payload.dict())
    return Status(201, selectors.get_employer_for_user(request.user, employer_id))
