"""What a packet carries: only the fields of the parts the peer's receiving profile reads (and those the
person's own consent opens to it), from the same profiles as referrals here (accounts/profiles.py).

`FIELDS` names the packet fields of each part; a field of a part the profile does not read is never put in
the packet, so it never leaves this installation."""

from __future__ import annotations

from typing import Any

from safepassage.cases import selectors
from safepassage.cases.models import Case, Repatriation, ReturnMeasureKind

# Every packet says what it is and where it comes from (no personal data).
ALWAYS = ("kind", "case_reference", "child", "sending_agency", "basis")
FIELDS: dict[str, tuple[str, ...]] = {
    "identity": ("given_name", "family_name", "name_latin", "sex", "birth_date", "birth_year", "languages"),
    "address": ("address",),
    "health": ("health",),
    "documentation": ("immigration_status",),
    "citizenship": (),
    "victim": ("nationality", "trafficking_status", "exploitation_types"),
    "screening": (),
    "journey": ("journey",),
    "perpetrators": ("perpetrators",),
    "lifecycle": ("stage",),
    "legal": (),
    "support": ("support_needed",),
    "returns": ("best_interests", "return", "return_measures", "return_partners"),
    "conferences": (),
    "notes": (),
}


def parts_for(profile: str, *, basis: str, covers: list[str]) -> frozenset[str]:
    """The parts a peer of `profile` receives: its profile's, plus what the person's own consent covers (a
    best-interests decision opens nothing beyond the profile, as for referrals)."""
    named = basis == "consent"
    return selectors.profile_parts(profile, covers=covers if named else (), named=named)


def allowed_fields(parts: frozenset[str]) -> frozenset[str]:
    return frozenset(ALWAYS) | frozenset(f for part in parts for f in FIELDS.get(part, ()))


def _all_fields(case: Case, repatriation: Repatriation | None) -> dict[str, Any]:
    person = case.person
    values: dict[str, Any] = {
        "given_name": person.given_name,
        "family_name": person.family_name,
        "name_latin": person.latin_name,
        "sex": person.sex,
        "birth_date": person.birth_date.isoformat() if person.birth_date else None,
        "birth_year": person.birth_year,
        "languages": list(person.languages or []),
        "address": case.address,
        "health": case.health,
        "immigration_status": case.immigration_status,
        "nationality": case.nationality,
        "trafficking_status": case.trafficking_status,
        "exploitation_types": list(case.exploitation_types or []),
        "journey": [
            {
                "kind": e.kind,
                "occurred_on": e.occurred_on.isoformat(),
                "country": e.country,
                "place": e.place,
            }
            for e in case.events.order_by("occurred_on", "id")
        ],
        "perpetrators": [
            {"roles": list(p.roles or []), "sex": p.sex, "nationality": p.nationality}
            for p in case.perpetrators.order_by("id")
        ],
        "stage": case.stage.code,
        "support_needed": sorted({s.kind for s in case.services.all() if s.status in ("planned", "ongoing")}),
    }
    assessment = repatriation.assessment if repatriation is not None else case.assessments.first()
    if assessment is not None:
        values["best_interests"] = {
            "assessed_on": assessment.assessed_on.isoformat(),
            "assessor": assessment.assessor,
            "recommendation": assessment.recommendation,
            "family_traced": assessment.family_traced,
            "home_safe": assessment.home_safe,
        }
    if repatriation is not None:
        area = repatriation.destination_area
        values["return"] = {
            "destination_country": repatriation.destination_country,
            "destination_area": area.code if area else None,
            # enough for the other side to find it in its own tree, or to record it as named
            "destination_area_name": area.name_en if area else None,
            "destination_area_level": area.level if area else None,
            "destination_area_path": area.path if area else None,
            "agreement": repatriation.agreement.name if repatriation.agreement else None,
            "planned_on": repatriation.planned_on.isoformat() if repatriation.planned_on else None,
            "summary_language": repatriation.summary_language,
            "summary": repatriation.translated_summary,
        }
        names = {k.code: k.name for k in ReturnMeasureKind.objects.filter(code__in=repatriation.measures)}
        values["return_measures"] = {
            "measures": [{"code": code, "name": names.get(code, code)} for code in repatriation.measures],
            "note": repatriation.measures_note,
        }
        values["return_partners"] = [
            {
                "role": p.role,
                "role_name": str(p.get_role_display()),
                "name": p.name,
                "country": p.country,
                "contact": p.contact,
            }
            for p in repatriation.partners.order_by("id")
        ]
    return values


def build(
    case: Case, *, kind: str, basis: str, parts: frozenset[str], repatriation: Repatriation | None
) -> dict[str, Any]:
    """The packet: the fields the parts allow, and nothing else."""
    allowed = allowed_fields(parts)
    values = _all_fields(case, repatriation)
    packet: dict[str, Any] = {
        "kind": kind,
        "case_reference": case.reference,
        "child": case.is_child,
        "sending_agency": case.agency.name,
        "basis": basis,
    }
    packet.update({k: v for k, v in values.items() if k in allowed})
    return packet
