"""Record linkage — API under /api/v1/linkage: the review queue, one pair with its evidence, merge, "not the
same", undo. For the coordinators and administrators of the agencies the records belong to; others get 404."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _
from ninja import Router, Schema
from ninja.pagination import paginate

from safepassage.accounts.selectors import signed_in_user
from safepassage.audit.pagination import AuditedPageNumberPagination
from safepassage.core.api import ErrorOut, MappedPage
from safepassage.core.roles import Action
from safepassage.linkage import services
from safepassage.linkage.models import MatchCandidate, Merge
from safepassage.registry.models import Person

router = Router(tags=["record linkage"])
ERRORS: dict[int, Any] = {400: ErrorOut, 404: ErrorOut, 422: ErrorOut}


class EvidenceOut(Schema):
    field: str
    level: int
    label: str
    weight: float


class RecordOut(Schema):
    id: int
    agency: str
    given_name: str
    family_name: str
    given_name_latin: str
    family_name_latin: str
    sex: str
    birth_date: str | None
    birth_year: int | None
    village_code: str
    national_id: str
    father_name: str
    mother_name: str
    other_names: list[str]


class CandidateOut(Schema):
    id: int
    person_a_id: int
    person_b_id: int
    match_weight: float
    probability: float
    involves_child: bool
    status: str
    across_agencies: bool
    found_at: datetime


class CandidateDetail(CandidateOut):
    evidence: list[EvidenceOut]
    person_a: RecordOut | None
    person_b: RecordOut | None
    merge_id: int | None


class DecisionIn(Schema):
    note: str = ""


class MergeIn(DecisionIn):
    # field → the id of the record (person_a or person_b) whose value the merged record keeps; fields not
    # named keep the kept record's value, its empty ones filled from the other.
    choices: dict[str, int] = {}


class MergeOut(Schema):
    id: int
    candidate_id: int
    survivor_id: int
    merged_id: int
    moved: int
    automatic: bool
    merged_at: datetime
    undone_at: datetime | None


def candidate_out(candidate: MatchCandidate) -> dict[str, Any]:
    return {
        "id": candidate.pk,
        "person_a_id": candidate.person_a_id,
        "person_b_id": candidate.person_b_id,
        "match_weight": round(candidate.match_weight, 2),
        "probability": round(candidate.probability, 4),
        "involves_child": candidate.involves_child,
        "status": candidate.status,
        "across_agencies": candidate.agency_id != candidate.other_agency_id,
        "found_at": candidate.found_at,
    }


def record_out(person: Person | None) -> dict[str, Any] | None:
    if person is None:
        return None
    return {
        "id": person.pk,
        "agency": person.agency.code,
        "given_name": person.given_name,
        "family_name": person.family_name,
        "given_name_latin": person.given_name_latin,
        "family_name_latin": person.family_name_latin,
        "sex": person.sex,
        "birth_date": person.birth_date.isoformat() if person.birth_date else None,
        "birth_year": person.birth_year,
        "village_code": person.village.code,
        "national_id": person.national_id,
        "father_name": person.father_name,
        "mother_name": person.mother_name,
        "other_names": [name for name in person.other_names.splitlines() if name],
    }


def merge_out(record: Merge) -> dict[str, Any]:
    return {
        "id": record.pk,
        "candidate_id": record.candidate_id,
        "survivor_id": record.survivor_id,
        "merged_id": record.merged_id,
        "moved": len(record.moved),
        "automatic": record.automatic,
        "merged_at": record.merged_at,
        "undone_at": record.undone_at,
    }


def detail(user: Any, candidate: MatchCandidate) -> dict[str, Any]:
    a, b = services.pair_records(user, candidate)
    last = candidate.merges.filter(undone_at__isnull=True).order_by("-pk").first()
    return {
        **candidate_out(candidate),
        "evidence": services.evidence_in_words(candidate.evidence),
        "person_a": record_out(a),
        "person_b": record_out(b),
        "merge_id": last.pk if last else None,
    }


@router.get("/linkage/candidates", response=list[CandidateOut])
@paginate(AuditedPageNumberPagination, page_size=50)
def candidate_list(request: HttpRequest, status: str = "pending") -> Any:
    """Likely duplicates, strongest first; `status`: pending (default: all waiting for a decision, undone
    merges included), merged, not_same, undone or all."""
    user = signed_in_user(request)
    if not services.may_review(user):
        raise Http404
    if status != "all" and status not in MatchCandidate.Status.values:
        choices = ", ".join([*MatchCandidate.Status.values, "all"])
        raise ValidationError(
            {
                "status": _("Unknown status “%(status)s”: use one of %(choices)s.")
                % {"status": status, "choices": choices}
            }
        )
    visible = MatchCandidate.objects.visible_to(user)
    pairs = visible if status == "all" else services.candidates_by_status(visible, status)
    return MappedPage(pairs.order_by("-match_weight", "pk"), candidate_out)


@router.get("/linkage/candidates/{candidate_id}", response={200: CandidateDetail, **ERRORS})
def candidate_detail(request: HttpRequest, candidate_id: int) -> Any:
    """One pair: both records (those of your agencies), the match weight, the evidence per field. Audited."""
    user = signed_in_user(request)
    return detail(user, services.candidate_for(user, candidate_id))


@router.post("/linkage/candidates/{candidate_id}/merge", response={200: MergeOut, **ERRORS})
def candidate_merge(request: HttpRequest, candidate_id: int, payload: MergeIn) -> Any:
    """The same person: fold one record into the other, keeping history and provenance (can be undone).
    `choices` picks, field by field, the record whose value is kept (given_name, family_name,
    given_name_latin, family_name_latin, sex, birth_date, birth_year, village_id, national_id, father_name,
    mother_name); every name and spelling of both records stays as another name of the person."""
    user = signed_in_user(request)
    candidate = services.candidate_for(user, candidate_id, Action.CHANGE)
    return merge_out(
        services.merge(actor=user, candidate=candidate, note=payload.note, choices=payload.choices)
    )


@router.post("/linkage/candidates/{candidate_id}/not-same", response={200: CandidateOut, **ERRORS})
def candidate_not_same(request: HttpRequest, candidate_id: int, payload: DecisionIn) -> Any:
    user = signed_in_user(request)
    candidate = services.candidate_for(user, candidate_id, Action.CHANGE)
    return candidate_out(services.not_same(actor=user, candidate=candidate, note=payload.note))


@router.post("/linkage/merges/{merge_id}/undo", response={200: MergeOut, **ERRORS})
def merge_undo(request: HttpRequest, merge_id: int) -> Any:
    """Undo a merge: both records back as they were."""
    user = signed_in_user(request)
    record = Merge.objects.filter(pk=merge_id).select_related("candidate").first()
    if record is None:
        raise Http404
    services.candidate_for(user, record.candidate_id, Action.CHANGE)
    return merge_out(services.undo(actor=user, merge_record=record))
