"""Receiving profiles: what each kind of agency reads of a case referred to it (PRODUCT.md rule 8).

The one home for "the receiving profile's fields": referrals (cases), the directory (network), break-glass and
cross-border exchange read them from here. What a profile reads is data (`data/receiving_profiles.json`); this
module names the parts in words a sender understands and checks the data when it is first read.

Enforcement (police, immigration, prosecutor) is decided by the profile, never by an agency's kind.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.db import models
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

DATA = Path(__file__).parent / "data" / "receiving_profiles.json"

# The parts of a case, in the order a reader meets them. cases.selectors uses the same codes.
PART_LABELS: dict[str, Promise] = {
    "identity": _("name, sex, birth date and languages"),
    "address": _("current address"),
    "health": _("health notes"),
    "documentation": _("documentation (immigration) status"),
    "citizenship": _("documents, citizenship and civil-registration problems"),
    "victim": _("trafficking status, nationality and how they were exploited"),
    "screening": _("screening answers"),
    "journey": _("the journey (places and workplaces)"),
    "perpetrators": _("who took part in the exploitation"),
    "lifecycle": _("where the case stands (stage and steps)"),
    "legal": _("the legal process and its deadlines"),
    "support": _("the support plan and shelter stays"),
    "returns": _("best-interests assessments, returns and follow-ups"),
    "conferences": _("case conferences"),
    "notes": _("their own agency's notes"),
}
PARTS = tuple(PART_LABELS)
# What consent may open to a profile that does not read it already: the consent must name the agency and say
# which of these it covers.
CONSENT_PARTS = ("address", "health", "documentation", "citizenship")
# What no enforcement profile (police, immigration, prosecutor) may read, with consent or without: a person's
# documents and statelessness (issue 22, PRODUCT.md rule 2). The data file cannot open it to them.
NEVER_TO_ENFORCEMENT = frozenset({"citizenship"})


class ReceivingProfile(models.TextChoices):
    """The kinds of receiving agency; what each reads is in data/receiving_profiles.json."""

    CASE_MANAGEMENT = "case_management", _("Social welfare: full case management")
    SHELTER = "shelter", _("Shelter")
    NGO = "ngo", _("NGO service")
    HEALTH = "health", _("Health care")
    PROSECUTOR = "prosecutor", _("Prosecutor")
    POLICE = "police", _("Police")
    IMMIGRATION = "immigration", _("Immigration")
    LABOUR_INSPECTION = "labour_inspection", _("Labour inspection")
    ORIGIN_AGENCY = "origin_agency", _("Agency of the country of origin")


@dataclass(frozen=True)
class Profile:
    """One receiving profile: the parts it always reads, those only consent opens, and whether it enforces."""

    code: str
    enforcement: bool
    reads: frozenset[str]
    with_consent: frozenset[str]

    @property
    def label(self) -> str:
        return str(ReceivingProfile(self.code).label)

    @property
    def never(self) -> frozenset[str]:
        return frozenset(PARTS) - self.reads - self.with_consent

    def parts(self, *, covers: Iterable[str] = (), named: bool = False) -> frozenset[str]:
        """What it reads under a consent that names it (`named`) and covers `covers`."""
        opened = self.with_consent & frozenset(covers) if named else frozenset()
        return self.reads | opened


def _check(raw: dict[str, Any]) -> Profile:
    code = str(raw.get("code", ""))
    if code not in ReceivingProfile.values:
        raise ImproperlyConfigured(f"{DATA.name}: unknown profile {code!r}")
    reads = frozenset(str(p) for p in raw.get("reads", []))
    with_consent = frozenset(str(p) for p in raw.get("with_consent", []))
    unknown = (reads | with_consent) - set(PARTS)
    if unknown:
        raise ImproperlyConfigured(f"{DATA.name}: {code} names unknown parts {sorted(unknown)}")
    if reads & with_consent:
        raise ImproperlyConfigured(f"{DATA.name}: {code} lists {sorted(reads & with_consent)} twice")
    if with_consent - set(CONSENT_PARTS):
        raise ImproperlyConfigured(f"{DATA.name}: {code}: consent opens only {', '.join(CONSENT_PARTS)}")
    enforcement = bool(raw.get("enforcement", False))
    if enforcement and (reads | with_consent) & NEVER_TO_ENFORCEMENT:
        raise ImproperlyConfigured(
            f"{DATA.name}: {code} enforces and may never read {', '.join(sorted(NEVER_TO_ENFORCEMENT))}"
        )
    return Profile(code, enforcement, reads, with_consent)


@cache
def profiles() -> dict[str, Profile]:
    """Every profile, by code, read once from the data file."""
    data = json.loads(DATA.read_text(encoding="utf-8"))
    found = {p.code: p for p in (_check(raw) for raw in data["profiles"])}
    missing = set(ReceivingProfile.values) - set(found)
    if missing:
        raise ImproperlyConfigured(f"{DATA.name}: no entry for {sorted(missing)}")
    return found


def get_profile(code: str) -> Profile | None:
    """The profile of that code; None for a blank code (an agency that receives no cases: employers)."""
    return profiles().get(code or "")


def is_enforcement(code: str) -> bool:
    """Police, immigration or prosecutor."""
    found = get_profile(code)
    return found is not None and found.enforcement


def enforcement_codes() -> frozenset[str]:
    return frozenset(code for code, p in profiles().items() if p.enforcement)


def part_labels(parts: Iterable[str]) -> list[str]:
    """The parts in words, in reading order."""
    wanted = set(parts)
    return [str(label) for code, label in PART_LABELS.items() if code in wanted]


# ------------------------------------------------------------------------------------ defaults from kinds
# The same rules are copied into the data migrations that gave existing agencies and organisations a profile.

_ENFORCEMENT_WORDS = (
    ("immigra", ReceivingProfile.IMMIGRATION),
    ("prosecut", ReceivingProfile.PROSECUTOR),
    ("attorney", ReceivingProfile.PROSECUTOR),
)
_AGENCY_KINDS = {
    "government": ReceivingProfile.CASE_MANAGEMENT,
    "international": ReceivingProfile.CASE_MANAGEMENT,
    "ngo": ReceivingProfile.NGO,
    "union": ReceivingProfile.NGO,
    "employer": "",
}
_ORGANISATION_KINDS = {
    "hotline": ReceivingProfile.NGO,
    "shelter": ReceivingProfile.SHELTER,
    "legal_aid": ReceivingProfile.NGO,
    "hospital": ReceivingProfile.HEALTH,
    "school": ReceivingProfile.NGO,
    "consulate": ReceivingProfile.ORIGIN_AGENCY,
    "labour_office": ReceivingProfile.LABOUR_INSPECTION,
    "social_services": ReceivingProfile.CASE_MANAGEMENT,
    "ngo": ReceivingProfile.NGO,
    "other": ReceivingProfile.NGO,
}


def enforcement_profile(name: str, code: str = "") -> str:
    """An enforcement agency's profile: police, unless its name or code says immigration or prosecutor."""
    words = f"{name} {code}".casefold()
    for word, found in _ENFORCEMENT_WORDS:
        if word in words:
            return str(found)
    return str(ReceivingProfile.POLICE)


def default_profile(kind: str, name: str = "", code: str = "") -> str:
    """The profile an agency of this kind gets when none is chosen ("" for employers: they receive no case).

    A government agency is taken to be a social-welfare agency that runs full case management, which keeps
    what such receivers read today; an agency that is not should be given its own profile."""
    if kind == "enforcement":
        return enforcement_profile(name, code)
    return str(_AGENCY_KINDS.get(kind, ReceivingProfile.NGO))


def organisation_default_profile(kind: str, name: str = "", agency_profile: str = "") -> str:
    """A directory organisation's profile: its SafePassage agency's, else one that fits its kind."""
    if agency_profile:
        return agency_profile
    if kind == "police":
        return enforcement_profile(name)
    if kind == "member":
        return str(ReceivingProfile.CASE_MANAGEMENT)
    return str(_ORGANISATION_KINDS.get(kind, ReceivingProfile.NGO))
