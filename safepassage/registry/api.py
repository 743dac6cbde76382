"""API: people, assessments, alerts and the active catalogue."""

from datetime import date
from typing import Any

from django.http import HttpRequest
from django.utils import translation
from ninja import Router, Schema, Status
from ninja.pagination import paginate

from safepassage.accounts.selectors import signed_in_user
from safepassage.audit.pagination import AuditedPageNumberPagination
from safepassage.audit.services import audit_read
from safepassage.core.api import ErrorOut
from safepassage.core.roles import Action
from safepassage.geo.selectors import get_area
from safepassage.registry import selectors, services
from safepassage.registry.models import Alert, Assessment, Catalogue, Household, Indicator, Person

router = Router(tags=["risk index"])
ERRORS: dict[int, Any] = {400: ErrorOut, 404: ErrorOut, 422: ErrorOut}


class PersonIn(Schema):
    given_name: str
    family_name: str = ""
    given_name_latin: str = ""
    family_name_latin: str = ""
    sex: str = "unknown"
    birth_date: date | None = None
    birth_year: int | None = None
    birth_year_estimated: bool = False
    village_code: str
    hometown_code: str | None = None
    household_id: int | None = None
    national_id: str = ""
    father_name: str = ""
    mother_name: str = ""
    languages: list[str] = []
    notes: str = ""
    consent_basis: str = ""
    # For a child: the parent or guardian who agreed to keep the record (asked for anyone under 18).
    guardian_consent_by: str = ""
    guardian_relation: str = ""
    guardian_consent_on: date | None = None


class RedFlagOut(Schema):
    """A red flag that fired: a combination of answers that sets a minimum band whatever the index."""

    code: str
    band: str
    label: str


class PersonOut(Schema):
    id: int
    given_name: str
    family_name: str
    given_name_latin: str
    family_name_latin: str
    sex: str
    birth_date: date | None
    birth_year: int | None
    village_code: str
    household_id: int | None
    agency: str
    index: float | None
    band: str | None
    assessed_on: date | None
    # The catalogue version the current index and band are scored under: the assessment's own, or a
    # newer one after a re-score (the assessment itself keeps its version's scores).
    catalogue_version: int | None
    # The red flags the current answers fire; the band is at least theirs.
    red_flags: list[RedFlagOut]

    @staticmethod
    def resolve_village_code(obj: Person) -> str:
        return obj.village.code

    @staticmethod
    def resolve_agency(obj: Person) -> str:
        return obj.agency.code

    @staticmethod
    def resolve_index(obj: Person) -> float | None:
        return obj.current_index

    @staticmethod
    def resolve_band(obj: Person) -> str | None:
        return obj.current_band or None

    @staticmethod
    def resolve_assessed_on(obj: Person) -> date | None:
        return obj.current_assessed_on

    @staticmethod
    def resolve_red_flags(obj: Person) -> list[dict[str, str]]:
        return obj.named_red_flags

    @staticmethod
    def resolve_catalogue_version(obj: Person) -> int | None:
        catalogue = obj.current_catalogue  # (selected with the person)
        return catalogue.version if catalogue is not None else None


class PersonDetailOut(PersonOut):
    national_id: str
    languages: list[str]
    notes: str
    guardian_consent_by: str
    guardian_relation: str
    guardian_consent_on: date | None
    own_consent_on: date | None
    identity_removed: bool

    @staticmethod
    def resolve_identity_removed(obj: Person) -> bool:
        return obj.erased_at is not None


class AssessmentIn(Schema):
    assessed_on: date
    scores: dict[str, Any]
    source: str = "visit"


class AlertBrief(Schema):
    id: int
    status: str
    reasons: list[dict[str, Any]]


class AssessmentOut(Schema):
    id: int
    assessed_on: date
    catalogue_version: int
    source: str
    scores: dict[str, int]
    index: float | None
    band: str
    # False when too few questions were answered for the index to give a band: the band is then a red
    # flag's (or "incomplete" when none fired).
    complete: bool
    red_flags: list[RedFlagOut]
    completeness: float
    domain_scores: dict[str, float | None]
    count_3: int
    deprivation_share: float
    multiple_vulnerability: bool
    alerts: list[AlertBrief]
    # Answers that contradict the person's record (age band, sex), kept as given: correct one of them.
    warnings: list[str] = []

    @staticmethod
    def resolve_warnings(obj: Assessment) -> list[str]:
        return getattr(obj, "warnings", [])

    @staticmethod
    def resolve_catalogue_version(obj: Assessment) -> int:
        return obj.catalogue.version

    @staticmethod
    def resolve_red_flags(obj: Assessment) -> list[dict[str, str]]:
        return obj.named_red_flags

    @staticmethod
    def resolve_multiple_vulnerability(obj: Assessment) -> bool:
        return obj.multiple

    @staticmethod
    def resolve_alerts(obj: Assessment) -> list[Alert]:
        alert = getattr(obj, "alert", None)
        return [alert] if alert is not None else []


class AlertOut(Schema):
    id: int
    status: str
    reasons: list[dict[str, Any]]
    person_id: int | None
    village_code: str
    created_at: Any
    due_at: Any
    escalation_level: int
    resolution_note: str

    @staticmethod
    def resolve_village_code(obj: Alert) -> str:
        return obj.village.code


class ResolveIn(Schema):
    note: str


class IndicatorOut(Schema):
    code: str
    domain: str
    level: str
    kind: str
    weight: float
    max_score: int
    # The question and what each score means in the language asked for (Accept-Language or ?lang=; English
    # where the catalogue has no text in it), then every language's texts as the catalogue keeps them.
    question: str
    answers: dict[str, str]
    label: dict[str, str]
    rubric: dict[str, dict[str, str]]

    @staticmethod
    def resolve_question(obj: Indicator) -> str:
        return obj.title

    @staticmethod
    def resolve_answers(obj: Indicator) -> dict[str, str]:
        return {str(value): obj.rubric_text(value) for value in range(1, obj.max_score + 1)}


class CatalogueOut(Schema):
    version: int
    name: str
    status: str
    language: str
    parameters: dict[str, Any]
    indicators: list[IndicatorOut]

    @staticmethod
    def resolve_language(obj: Catalogue) -> str:
        return translation.get_language() or "en"

    @staticmethod
    def resolve_indicators(obj: Catalogue) -> list[Indicator]:
        return [i for i in obj.indicators.all() if i.active]


@router.get("/people", response=list[PersonOut])
@paginate(AuditedPageNumberPagination)
def person_list(
    request: HttpRequest, village_code: str = "", q: str = "", band: str = "", due: bool = False
) -> Any:
    """People I may see (none for analysts and partners), filtered by village, name, band or due date."""
    village = get_area(village_code) if village_code else None
    return selectors.person_list(
        viewer=request.user,
        village=village,
        query=q,
        band=band,
        due=due,
        catalogue=selectors.active_catalogue_or_none(),
    )


@router.post("/people", response={201: PersonDetailOut, **ERRORS})
def person_create(request: HttpRequest, payload: PersonIn) -> Status[Person]:
    """Add a person in a village I work in."""
    data = payload.dict()
    person = services.person_create(actor=signed_in_user(request), ask_guardian=True, **data)
    return Status(201, selectors.get_person_for_user(request.user, person.pk))


@router.get("/people/{person_id}", response={200: PersonDetailOut, 404: ErrorOut})
def person_get(request: HttpRequest, person_id: int) -> Person:
    """One person; 404 if not mine to see. Every read is audited."""
    person = selectors.get_person_for_user(request.user, person_id)
    audit_read(actor=request.user, obj=person, what="api person")
    return person


@router.get("/people/{person_id}/assessments", response={200: list[AssessmentOut], 404: ErrorOut})
def assessment_list(request: HttpRequest, person_id: int) -> list[Assessment]:
    """A person's assessments, newest first. Every read is audited."""
    person = selectors.get_person_for_user(request.user, person_id)
    audit_read(actor=request.user, obj=person, what="api assessments")
    return list(
        Assessment.objects.visible_to(request.user)
        .filter(person=person)
        .select_related("catalogue", "alert")
        .order_by("-assessed_on", "-id")
    )


@router.post("/people/{person_id}/assessments", response={201: AssessmentOut, 200: AssessmentOut, **ERRORS})
def assessment_create(request: HttpRequest, person_id: int, payload: AssessmentIn) -> Status[Assessment]:
    """Record an assessment (individual and household indicators); 200 if the same one was sent before."""
    person = selectors.get_person_for_user(request.user, person_id, Action.CHANGE)
    recorded = services.assessment_record(
        actor=signed_in_user(request),
        person=person,
        assessed_on=payload.assessed_on,
        scores=payload.scores,
        source=payload.source,
    )
    recorded.assessment.warnings = recorded.warnings  # type: ignore[attr-defined]
    return Status(201 if recorded.created else 200, recorded.assessment)


@router.post("/villages/{code}/assessments", response={201: AssessmentOut, 200: AssessmentOut, **ERRORS})
def village_assessment_create(request: HttpRequest, code: str, payload: AssessmentIn) -> Status[Assessment]:
    """Record a village's own indicators (services, border distance, broker activity)."""
    village = get_area(code)
    recorded = services.assessment_record(
        actor=signed_in_user(request),
        village=village,
        assessed_on=payload.assessed_on,
        scores=payload.scores,
        source=payload.source,
    )
    return Status(201 if recorded.created else 200, recorded.assessment)


class HouseholdIn(Schema):
    village_code: str
    label: str = ""


class HouseholdOut(Schema):
    id: int
    village_code: str
    label: str
    members: list[int]

    @staticmethod
    def resolve_village_code(obj: Household) -> str:
        return obj.village.code

    @staticmethod
    def resolve_members(obj: Household, context: dict[str, Any]) -> list[int]:
        return list(
            Person.objects.visible_to(context["request"].user)
            .filter(household=obj)
            .values_list("pk", flat=True)
        )


@router.post("/households", response={201: HouseholdOut, **ERRORS})
def household_create(request: HttpRequest, payload: HouseholdIn) -> Status[Household]:
    """Add a household in a village I work in; people join it with `household_id`."""
    household = services.household_create(
        actor=signed_in_user(request), village_code=payload.village_code, label=payload.label
    )
    return Status(201, household)


@router.get("/households/{household_id}", response={200: HouseholdOut, 404: ErrorOut})
def household_get(request: HttpRequest, household_id: int) -> Household:
    """A household and its members' ids; 404 if not mine to see."""
    return selectors.get_household_for_user(request.user, household_id)


@router.get("/alerts", response=list[AlertOut])
@paginate(AuditedPageNumberPagination)
def alert_list(request: HttpRequest, status: str = "", mine: bool = False) -> Any:
    """Alerts of my agency and alerts routed to me."""
    return selectors.alert_list(viewer=request.user, status=status, mine=mine)


@router.post("/alerts/{alert_id}/acknowledge", response={200: AlertOut, **ERRORS})
def alert_acknowledge(request: HttpRequest, alert_id: int) -> Alert:
    """I have seen this alert and will act on it."""
    alert = selectors.get_alert_for_user(request.user, alert_id, Action.CHANGE)
    return services.alert_acknowledge(actor=signed_in_user(request), alert=alert)


@router.post("/alerts/{alert_id}/resolve", response={200: AlertOut, **ERRORS})
def alert_resolve(request: HttpRequest, alert_id: int, payload: ResolveIn) -> Alert:
    """Close an alert with a note of what was done."""
    alert = selectors.get_alert_for_user(request.user, alert_id, Action.CHANGE)
    return services.alert_resolve(actor=signed_in_user(request), alert=alert, note=payload.note)


@router.get("/catalogues/active", response={200: CatalogueOut, 404: ErrorOut})
def catalogue_active(request: HttpRequest) -> Catalogue:
    """The indicators and scoring rules new assessments use, with the questions and answers in the language
    of `Accept-Language` or `?lang=` (English by default)."""
    catalogue = selectors.active_catalogue_or_none()
    if catalogue is None:
        from django.http import Http404

        raise Http404
    return catalogue
