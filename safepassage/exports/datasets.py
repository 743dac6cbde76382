"""What an export holds: cases in the Human Trafficking Case Data Standard (HTCDS 2.0), or a de-identified
dataset in the style of the Counter Trafficking Data Collaborative (CTDC) with k-anonymity.

Both are built from the cases a user may read, one row per case, streamed. The de-identification is a pure
function over rows (`deidentify`), tested on its own."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from safepassage.cases.models import Case, JourneyEvent, age_on
from safepassage.reports.suppression import K

# ---------------------------------------------------------------------------------------------- HTCDS 2.0

# The registry's sex as an HTCDS prs_Gender value.
GENDER = {
    "female": "Feminine",
    "male": "Masculine",
    "other": "NonConforming",
    "unknown": "NonSpecifiedUnknown",
}
MULTI = ";"  # multi-select picklist values joined as Salesforce (the standard's reference system) does

# Columns of the HTCDS export, in the standard's order. Identity fields (names, birth date, ID number) are
# in the file only for an identified export; the rest always.
HTCDS_IDENTITY = ("prs_FirstName", "prs_SecondName", "prs_Birthdate", "prs_IdentityNumber")
HTCDS_FIELDS = (
    "sp_CaseReference",
    *HTCDS_IDENTITY,
    "prs_Gender",
    "prs_Citizenship",
    "vic_TraffickingStatus",
    "vic_TraffickingStatusDecisionMakingOrg",
    "vic_RelationshipToTrafficker",
    "vic_AgeWhenTrafficked",
    "vic_RecruitmentWebsitesAndApps",
    "vic_MethodOfRecruitment",
    "vic_MethodsOfControl",
    "vic_TypeOfExploitation",
    "vic_ForcedLabourIndustry",
    "vic_TypeOfSexExploitation",
    "cas_Status",
    "cas_IncomingReferralDate",
)


def _multi(values: Iterable[str]) -> str:
    return MULTI.join(values)


def htcds_row(case: Case, *, identity: bool) -> dict[str, Any]:
    """One case as HTCDS fields, and sp_CaseReference: not an HTCDS field but SafePassage's one extension
    (marked by its prefix), the agency's case reference, so that a partner can answer about a case."""
    person = case.person
    row: dict[str, Any] = {
        "sp_CaseReference": case.reference,
        "prs_Gender": GENDER.get(person.sex, "NonSpecifiedUnknown"),
        "prs_Citizenship": case.nationality,
        "vic_TraffickingStatus": case.trafficking_status,
        "vic_TraffickingStatusDecisionMakingOrg": case.status_decided_by_org,
        "vic_RelationshipToTrafficker": case.relationship_to_trafficker,
        "vic_AgeWhenTrafficked": case.age_when_trafficked if case.age_when_trafficked is not None else "",
        "vic_RecruitmentWebsitesAndApps": _multi(case.recruitment_apps),
        "vic_MethodOfRecruitment": _multi(case.recruitment_methods),
        "vic_MethodsOfControl": _multi(case.control_methods),
        "vic_TypeOfExploitation": _multi(case.exploitation_types),
        "vic_ForcedLabourIndustry": case.labour_industry,
        "vic_TypeOfSexExploitation": _multi(case.sex_exploitation_types),
        "cas_Status": case.status,
        "cas_IncomingReferralDate": case.opened_on.isoformat(),
    }
    if identity:
        row.update(
            {
                "prs_FirstName": person.given_name,
                "prs_SecondName": person.family_name,
                "prs_Birthdate": person.birth_date.isoformat() if person.birth_date else "",
                "prs_IdentityNumber": person.national_id,
            }
        )
    return row


def htcds_columns(*, identity: bool) -> list[str]:
    return [f for f in HTCDS_FIELDS if identity or f not in HTCDS_IDENTITY]


def htcds_rows(cases: Iterable[Case], *, identity: bool) -> Iterator[dict[str, Any]]:
    for case in cases:
        yield htcds_row(case, identity=identity)


# ------------------------------------------------------------------------------------- CTDC-style dataset

# CTDC's age bands (broad on purpose); "" when the age is not known.
AGE_BANDS = ((0, 8), (9, 17), (18, 20), (21, 23), (24, 26), (27, 29), (30, 38), (39, 47), (48, 200))
SUPPRESSED = "Suppressed"
# Quasi-identifiers: what, combined, could single out a person. The order is the order they give way in when a
# group is too small: the least useful for analysis first.
QUASI_IDENTIFIERS = ("countryOfExploitation", "citizenship", "yearOfRegistration", "ageBroad", "gender")
EXPLOITATION_FLAGS = {
    "isForcedLabour": "ForcedLabour",
    "isSexualExploit": "SexualExploitation",
    "isChildLabour": "ChildLabour",
    "isForcedMarriage": "ForcedMarriage",
    "isServitude": "Servitude",
    "isForcedBegging": "ForcedBegging",
    "isOrganRemoval": "OrganRemoval",
    "isOtherExploit": "Other",
}
CONTROL_FLAGS = {
    "meansDebtBondage": "DebtBondage",
    "meansTakesEarnings": "TakesEarnings",
    "meansThreats": "PhysicalThreats",
    "meansPsychologicalAbuse": "PsychologicalAbuse",
    "meansPhysicalAbuse": "PhysicalAbuse",
    "meansSexualAbuse": "SexualAbuse",
    "meansFalsePromises": "FalsePromises",
    "meansWithholdsDocuments": "WithholdsDocuments",
}
DEIDENTIFIED_COLUMNS = (
    "yearOfRegistration",
    "ageBroad",
    "gender",
    "citizenship",
    "countryOfExploitation",
    "traffickingStatus",
    "recruiterRelationship",
    *EXPLOITATION_FLAGS,
    *CONTROL_FLAGS,
)


def age_band(age: int | None) -> str:
    if age is None:
        return ""
    for low, high in AGE_BANDS:
        if low <= age <= high:
            return f"{low}+" if high >= 200 else f"{low}--{high}"
    return ""


def _country_of_exploitation(case: Case) -> str:
    events = [e for e in case.events.all() if e.kind == JourneyEvent.Kind.EXPLOITATION and e.country]
    return events[0].country if events else ""


def ctdc_row(case: Case) -> dict[str, Any]:
    """One case with no name, ID, address, free text or date finer than a year."""
    year = case.opened_on.year
    row: dict[str, Any] = {
        "yearOfRegistration": str(year),
        "ageBroad": age_band(age_on(case.person, date(year, 7, 1))),
        "gender": GENDER.get(case.person.sex, "NonSpecifiedUnknown"),
        "citizenship": case.nationality,
        "countryOfExploitation": _country_of_exploitation(case),
        "traffickingStatus": case.trafficking_status,
        "recruiterRelationship": case.relationship_to_trafficker,
    }
    for name, code in EXPLOITATION_FLAGS.items():
        row[name] = int(code in case.exploitation_types)
    for name, code in CONTROL_FLAGS.items():
        row[name] = int(code in case.control_methods)
    return row


@dataclass
class Suppression:
    """What de-identification did, to print beside the data."""

    k: int
    records_in: int = 0
    records_out: int = 0
    records_dropped: int = 0
    blanked: dict[str, int] = field(default_factory=dict)  # quasi-identifier → values replaced by Suppressed
    smallest_group: int = 0

    def as_dict(self) -> dict[str, Any]:
        return {
            "k": self.k,
            "records_in": self.records_in,
            "records_out": self.records_out,
            "records_dropped": self.records_dropped,
            "blanked": self.blanked,
            "smallest_group": self.smallest_group,
            "quasi_identifiers": list(QUASI_IDENTIFIERS),
        }


def _key(row: dict[str, Any], names: Sequence[str]) -> tuple[Any, ...]:
    return tuple(row[n] for n in names)


def deidentify(
    rows: Iterable[dict[str, Any]], *, k: int = K, quasi: Sequence[str] = QUASI_IDENTIFIERS
) -> tuple[list[dict[str, Any]], Suppression]:
    """k-anonymity over the quasi-identifiers: every combination of their values that remains is shared by at
    least k records. Values give way one quasi-identifier at a time (in `quasi` order, least useful first):
    in the records whose group is still smaller than k, that quasi-identifier becomes "Suppressed". Records
    still in a group smaller than k at the end are dropped. The report says how many values and records
    went."""
    data = [dict(r) for r in rows]
    report = Suppression(k=k, records_in=len(data), blanked=dict.fromkeys(quasi, 0))
    for name in quasi:
        sizes = Counter(_key(r, quasi) for r in data)
        small = [r for r in data if sizes[_key(r, quasi)] < k]
        if not small:
            break
        for row in small:
            if row[name] != SUPPRESSED:
                row[name] = SUPPRESSED
                report.blanked[name] += 1
    sizes = Counter(_key(r, quasi) for r in data)
    kept = [r for r in data if sizes[_key(r, quasi)] >= k]
    report.records_out = len(kept)
    report.records_dropped = len(data) - len(kept)
    final = Counter(_key(r, quasi) for r in kept)
    report.smallest_group = min(final.values()) if final else 0
    return kept, report
