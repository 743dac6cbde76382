"""Cases opened in bulk (an import of another system's cases): the same checks as `case_open` and
`status_decide`, written a batch at a time with one audit event naming the cases and people made."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from safepassage.accounts.models import Agency, User
from safepassage.audit.services import audit_record
from safepassage.cases import htcds
from safepassage.cases.models import Case, Step, Track, Urgency
from safepassage.cases.services._common import _check_day, _fail, _staff_agency, next_reference
from safepassage.cases.services.case import _clean_case_fields, _first_stage
from safepassage.geo.models import Area, Level
from safepassage.registry.models import Person
from safepassage.registry.services import agency_for_record, clean_person_fields


@dataclass
class CaseDraft:
    """One case to open for a new registry person, as read from a file."""

    person_fields: dict[str, Any]
    opened_on: date
    status: str = ""
    trafficking_status: str = ""
    decided_by_org: str = ""
    fields: dict[str, Any] = field(default_factory=dict)
    # Filled by case_draft_check.
    village: Area | None = None
    person: dict[str, Any] = field(default_factory=dict)
    case: dict[str, Any] = field(default_factory=dict)


def case_draft_check(
    *, actor: User | None, agency: Agency, draft: CaseDraft, villages: dict[str, Area | None]
) -> None:
    """Check one draft as `case_open` and `status_decide` would; every problem found is raised at once,
    each naming its field. `villages` caches village code → area between drafts."""
    errors: dict[str, list[str]] = {}

    def collect(error: ValidationError) -> None:
        for name, messages in error.message_dict.items():
            errors.setdefault(name, []).extend(messages)

    values = dict(draft.person_fields)
    code = str(values.pop("village_code", "") or "")
    if code not in villages:
        villages[code] = Area.objects.filter(code=code, level=Level.VILLAGE).first() if code else None
    draft.village = villages[code]
    if draft.village is None:
        errors["village_code"] = [_no_village(code)]
    else:
        try:
            agency_for_record(actor, draft.village, agency)
        except ValidationError as error:
            collect(error)
    try:
        draft.person = clean_person_fields(values)
        if "given_name" not in draft.person:
            raise _fail("given_name", _("A given name is needed (a nickname is fine)."))
    except ValidationError as error:
        collect(error)
    someone = Person(**{k: v for k, v in draft.person.items() if k in ("birth_date", "birth_year")})
    for check in (
        lambda: _check_day(draft.opened_on, "opened_on", someone),
        lambda: draft.case.update(_clean_case_fields(draft.fields, someone)),
    ):
        try:
            check()
        except ValidationError as error:
            collect(error)
    draft.status = draft.status or htcds.CaseStatus.ACTIVE
    if draft.status not in htcds.CaseStatus.values:
        errors["status"] = [_("Status is one of %(known)s.") % {"known": ", ".join(htcds.CaseStatus.values)}]
    if draft.trafficking_status:
        if draft.trafficking_status not in htcds.TraffickingStatus.values:
            errors["trafficking_status"] = [
                _("Status is one of %(known)s.") % {"known": ", ".join(htcds.TraffickingStatus.values)}
            ]
        if draft.decided_by_org not in htcds.DecisionOrg.values:
            errors["decided_by_org"] = [
                _("Say who decided: %(known)s.") % {"known": ", ".join(htcds.DecisionOrg.values)}
            ]
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def cases_bulk_open(*, actor: User, agency: Agency, drafts: list[CaseDraft], source: str = "") -> list[Case]:
    """Open checked drafts' cases, each for a new registry person kept off volunteers' lists, in a few
    queries; one audit event holds the ids of the cases and people made."""
    owner = _staff_agency(actor, agency)
    if not drafts:
        return []
    stage = _first_stage()
    people = Person.objects.bulk_create(
        [
            Person(agency=owner, village=d.village, created_by=actor, restricted=True, **d.person)
            for d in drafts
        ],
        batch_size=1000,
    )
    numbers: dict[int, int] = {}
    cases = []
    for draft, person in zip(drafts, people, strict=True):
        year = draft.opened_on.year
        if year not in numbers:
            first = next_reference(owner, "C", Case, draft.opened_on)
            numbers[year] = int(first.rsplit("-", 1)[1]) - 1
        numbers[year] += 1
        decided = bool(draft.trafficking_status)
        victim = decided and draft.trafficking_status != htcds.TraffickingStatus.NOT_A_VICTIM
        cases.append(
            Case(
                agency=owner,
                reference=f"C-{year}-{numbers[year]:05d}",
                person=person,
                area=draft.village,
                caseworker=actor,
                opened_on=draft.opened_on,
                urgency=Urgency.NORMAL,
                status=draft.status,
                stage=stage,
                stage_since=draft.opened_on,
                trafficking_status=draft.trafficking_status,
                status_decided_by_org=draft.decided_by_org if decided else "",
                status_decided_by=actor if decided else None,
                status_decided_on=draft.opened_on if decided else None,
                track=Track.TRAFFICKING if victim else Track.UNDETERMINED,
                **draft.case,
            )
        )
    made = Case.objects.bulk_create(cases, batch_size=1000)
    Step.objects.bulk_create(
        [
            Step(case=case, stage=stage, started_on=case.opened_on, responsible=owner, recorded_by=actor)
            for case in made
        ],
        batch_size=1000,
    )
    audit_record(
        actor=actor,
        action="cases.case.bulk_open",
        agency=owner,
        object_type="cases.case",
        changes={
            "source": source,
            "created": len(made),
            "cases": [c.pk for c in made],
            "people": [p.pk for p in people],
        },
    )
    return made


def _no_village(code: str) -> str:
    return _("There is no village with the code %(code)s.") % {"code": code}
