"""Cases as rows of the Human Trafficking Case Data Standard (HTCDS 2.0, IOM): one row per victim-case, the
standard's field names as column names and its code-list values as cell values.

Every column is a field of the standard (`HTCDS_Field_Standards_2.0.ods`, checked by a test). The standard has
no case identifier, so the file carries none: rows come in the order the cases were opened."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from safepassage.cases import htcds_lists
from safepassage.cases.models import Case

# The registry's sex as an HTCDS prs_Gender value.
GENDER = {
    "female": "Feminine",
    "male": "Masculine",
    "other": "NonConforming",
    "unknown": "NonSpecifiedUnknown",
}
UNKNOWN_GENDER = "NonSpecifiedUnknown"
MULTI = ";"  # multi-select picklist values joined as Salesforce (the standard's reference system) does

# Who the person is: in the file only when the requester may see victims' identity (the owning agency's case
# staff, docs/roles.md); left out, column and all, otherwise.
IDENTITY_FIELDS = ("prs_FirstName", "prs_SecondName", "prs_Birthdate", "prs_IdentityNumber")
# Columns in the standard's order.
FIELDS = (
    *IDENTITY_FIELDS,
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
# Never exported, whoever asks: the current address, health notes and documentation status (sensitive, and
# documentation status must never reach enforcement, PRODUCT.md rule 2), who reported the case, perpetrators,
# free-text notes.


def columns(*, identity: bool) -> list[str]:
    """The header of an HTCDS export."""
    return [name for name in FIELDS if identity or name not in IDENTITY_FIELDS]


def gender(sex: str, htcds_gender: str = "") -> str:
    """prs_Gender: the case's own HTCDS gender where it was recorded, else the nearest to the person's sex."""
    return htcds_gender or GENDER.get(sex, UNKNOWN_GENDER)


def _multi(values: Iterable[str]) -> str:
    return MULTI.join(values)


def row(case: Case, *, identity: bool) -> dict[str, Any]:
    """One case as HTCDS fields (cas_IncomingReferralDate: the day the case was opened)."""
    person = case.person
    out: dict[str, Any] = {
        "prs_Gender": gender(person.sex, case.gender),
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
        out["prs_FirstName"] = person.given_name
        out["prs_SecondName"] = person.family_name
        out["prs_Birthdate"] = person.birth_date.isoformat() if person.birth_date else ""
        out["prs_IdentityNumber"] = person.national_id
    return out


def rows(cases: Iterable[Case], *, identity: bool) -> Iterator[dict[str, Any]]:
    for case in cases:
        yield row(case, identity=identity)


# IOM's Excel template (the single-select file with validation, v2.0): its layout and labels
# are kept as data in cases/data/htcds_lists.json. Fields the template has and SafePassage keeps; the rest of
# its columns stay empty.
TEMPLATE_LIST_FIELDS = {
    "prs_Gender",
    "prs_Citizenship",
    "vic_TraffickingStatus",
    "vic_TraffickingStatusDecisionMakingOrg",
    "vic_MethodOfRecruitment",
    "vic_MethodsOfControl",
    "vic_TypeOfExploitation",
    "vic_ForcedLabourIndustry",
    "vic_TypeOfSexExploitation",
    "cas_Status",
}
LABEL_SEPARATOR = "; "  # several answers in one cell of a single-select template


def template_row(case: Case, *, identity: bool) -> dict[str, Any]:
    """One case as the template's fields (standard names), values as the template's labels."""
    values = row(case, identity=identity)
    out: dict[str, Any] = {
        "con_Consent": htcds_lists.label("con_Consent", "TRUE" if case.consent_to_share else "FALSE")
    }
    for field in TEMPLATE_LIST_FIELDS:
        codes = [c for c in str(values.get(field) or "").split(MULTI) if c]
        out[field] = LABEL_SEPARATOR.join(htcds_lists.label(field, code) for code in codes)
    out["cas_IncomingReferralDate"] = case.opened_on
    if identity:
        out["prs_FirstName"] = case.person.given_name
        out["prs_SecondName"] = case.person.family_name
        out["prs_Birthdate"] = case.person.birth_date or ""
    return out


def template_rows(cases: Iterable[Case], *, identity: bool) -> Iterator[dict[str, Any]]:
    for case in cases:
        yield template_row(case, identity=identity)
