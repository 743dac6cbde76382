"""The package check (R-074, W-19): rules kept as data (prevention.PackageRule) flag a person, a household or
a village whose help has drifted — micro-finance without safe-migration information, income generation alone.

A person's package is what they received themselves, what their household received, and what their whole
village received (a safe-migration session for everyone counts for each of its people). A household's is its
own and its village's; a village's, what the village received as a whole. Pure over codes and groups; the
reads below gather them in a few queries.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Q

from safepassage.prevention.models import Delivery, Intervention, PackageRule
from safepassage.registry.models import Household, Person


@dataclass
class Package:
    """What someone received, as the check sees it, and the rules it breaks."""

    deliveries: list[Delivery] = field(default_factory=list)
    drifts: list[PackageRule] = field(default_factory=list)

    @property
    def drifting(self) -> bool:
        return bool(self.drifts)


def _matches(ref: str, codes: set[str], groups: set[str]) -> bool:
    return ref[6:] in groups if ref.startswith("group:") else ref in codes


def drifts(received: Iterable[tuple[str, str]], rules: Iterable[PackageRule]) -> list[PackageRule]:
    """The rules broken by a package of (intervention code, group) pairs: it holds one of a rule's
    `when_any` and none of its `unless_any`. An empty package breaks nothing."""
    pairs = list(received)
    codes = {c for c, _g in pairs}
    groups = {g for _c, g in pairs}
    return [
        rule
        for rule in rules
        if any(_matches(r, codes, groups) for r in rule.when_any)
        and not any(_matches(r, codes, groups) for r in rule.unless_any)
    ]


def active_rules() -> list[PackageRule]:
    return list(PackageRule.objects.filter(active=True))


def _pairs(deliveries: Iterable[Delivery]) -> list[tuple[str, str]]:
    return [(d.intervention.code, d.intervention.group) for d in deliveries]


def _for(q: Q) -> list[Delivery]:
    return list(Delivery.objects.filter(q).select_related("intervention", "agency").order_by("-started_on"))


def person_package(person: Person) -> Package:
    """A person's package: their own help, their household's and their whole village's."""
    q = Q(person=person) | Q(level=Delivery.Level.VILLAGE, village_id=person.village_id)
    if person.household_id:
        q |= Q(household_id=person.household_id)
    deliveries = _for(q)
    return Package(deliveries, drifts(_pairs(deliveries), active_rules()))


def household_package(household: Household) -> Package:
    """A household's package: its own help and its whole village's (its members' own are checked one by
    one)."""
    deliveries = _for(
        Q(household=household) | Q(level=Delivery.Level.VILLAGE, village_id=household.village_id)
    )
    return Package(deliveries, drifts(_pairs(deliveries), active_rules()))


def village_package(village_id: int) -> Package:
    """What a village received as a whole."""
    deliveries = _for(Q(level=Delivery.Level.VILLAGE, village_id=village_id))
    return Package(deliveries, drifts(_pairs(deliveries), active_rules()))


def people_drifts(people: Iterable[Any]) -> dict[int, list[PackageRule]]:
    """For many people at once (rows with pk, village_id, household_id): the rules each one's package
    breaks, for those who received anything. Three queries whatever the number of people."""
    rows = list(people)
    if not rows:
        return {}
    groups = dict(Intervention.objects.values_list("code", "group"))
    ids = [p.pk for p in rows]
    households = {p.household_id for p in rows if p.household_id}
    villages = {p.village_id for p in rows}
    own: dict[int, list[str]] = defaultdict(list)
    of_household: dict[int, list[str]] = defaultdict(list)
    of_village: dict[int, list[str]] = defaultdict(list)
    q = (
        Q(person_id__in=ids)
        | Q(household_id__in=households)
        | Q(level=Delivery.Level.VILLAGE, village_id__in=villages)
    )
    for level, person_id, household_id, village_id, code in Delivery.objects.filter(q).values_list(
        "level", "person_id", "household_id", "village_id", "intervention__code"
    ):
        if level == Delivery.Level.PERSON:
            own[person_id].append(code)
        elif level == Delivery.Level.HOUSEHOLD:
            of_household[household_id].append(code)
        else:
            of_village[village_id].append(code)
    rules = active_rules()
    out: dict[int, list[PackageRule]] = {}
    for p in rows:
        codes = own.get(p.pk, []) + of_household.get(p.household_id, []) + of_village.get(p.village_id, [])
        if codes:
            out[p.pk] = drifts([(c, groups.get(c, "")) for c in codes], rules)
    return out
