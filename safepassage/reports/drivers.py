"""What drives an area's risk: for each indicator, how many assessed people answered it and how many are at 3,
and its part of the area's multiple vulnerability (Alkire-Foster M0).

Each person's current answers are read (there are no cells per indicator), with their record keys for
readers outside the owning agency's case staff: every count is then published through the cell-key method
from the keys of exactly the people it counts, so `n` beside `answered` no longer gives the number who left
a question out.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from safepassage.core import disclosure
from safepassage.geo.models import Area
from safepassage.registry import scoring
from safepassage.registry.models import Catalogue, Person
from safepassage.reports import protect
from safepassage.reports.selectors import audit_request, report_scope


@dataclass
class Tally:
    """A count and the sum of its people's record keys."""

    n: int = 0
    key: int = 0

    def add(self, key: int) -> None:
        self.n += 1
        self.key += key


@dataclass
class Indicator:
    """One indicator's tallies over the area's people."""

    answered: Tally = field(default_factory=Tally)
    at_3: Tally = field(default_factory=Tally)
    multiple_at_3: Tally = field(default_factory=Tally)  # multiply vulnerable people at 3 on it


def area_drivers(*, viewer: Any, area: Area, catalogue: Catalogue) -> dict[str, Any]:
    """Which indicators drive an area's risk: the share of assessed people at 3 on each, and each
    indicator's contribution to the area's M0. Exact for the owning agency's case staff; for every other
    reader through the cell-key method, and audited."""
    scope = report_scope(viewer)
    audit_request(viewer, scope, "drivers", {"area": area.code})
    people = Person.objects.filter(
        scope.q, village__path__startswith=area.path, current_assessment__isnull=False
    )
    answers = list(people.values_list("current_assessment__scores", "record_key").iterator(chunk_size=5000))
    specs = catalogue.specs("IH")
    k = catalogue.params().k
    poverty = scoring.alkire_foster([scores for scores, _key in answers], specs, k)
    if scope.exact:
        return _exact(area, answers, specs, poverty)
    return _protected(area, answers, specs, k, poverty)


def _exact(
    area: Area,
    answers: Sequence[tuple[Mapping[str, int], int]],
    specs: Sequence[scoring.IndicatorSpec],
    poverty: scoring.AreaPoverty,
) -> dict[str, Any]:
    rows: list[dict[str, Any]] = []
    for spec in specs:
        at_3 = sum(1 for s, _key in answers if s.get(spec.code) == 3)
        answered = sum(1 for s, _key in answers if spec.code in s)
        rows.append(
            {
                "code": spec.code,
                "answered": answered,
                "at_3": at_3,
                "share_at_3": round(at_3 / answered, 4) if answered else None,
                "contribution": poverty.contributions.get(spec.code, 0.0),
            }
        )
    rows.sort(key=lambda r: (-(r["contribution"] or 0), -(r["share_at_3"] or 0)))
    return {
        "area": area.code,
        "area_name": area.name,
        "n": len(answers),
        "H": poverty.H,
        "A": poverty.A,
        "M0": poverty.M0,
        "perturbed": False,
        "indicators": rows,
    }


def _protected(
    area: Area,
    answers: Sequence[tuple[Mapping[str, int], int]],
    specs: Sequence[scoring.IndicatorSpec],
    k: float,
    poverty: scoring.AreaPoverty,
) -> dict[str, Any]:
    """Counts through the cell-key method; H, A and the shares as perturbed means (withheld under 11 by any
    route); each indicator's part of M0 from the perturbed counts of multiply vulnerable people at 3 on
    it, withheld where that count shows as "<11"."""
    everyone, multiple = Tally(), Tally()
    shares = 0.0
    tallies = {spec.code: Indicator() for spec in specs}
    for scores, key in answers:
        everyone.add(key)
        own = scoring.alkire_foster([scores], specs, k)
        vulnerable = own.q == 1
        if vulnerable:
            multiple.add(key)
            shares += own.A
        for code, value in scores.items():
            tally = tallies.get(code)
            if tally is None:
                continue
            tally.answered.add(key)
            if value == 3:
                tally.at_3.add(key)
                if vulnerable:
                    tally.multiple_at_3.add(key)
    n = protect.count(everyone.n, everyone.key)
    if n == protect.SMALL or not everyone.n:
        return {
            "area": area.code,
            "area_name": area.name,
            "n": n,
            "perturbed": True,
            "suppressed": True,
            "indicators": [],
        }
    H = protect.share(multiple.n, everyone.n, everyone.key, multiple.key)
    A: float | None = None
    if H == 0.0:
        A = 0.0
    elif H is not None:
        A = protect.mean(shares, multiple.n, multiple.key, span=1.0, digits=4)
    weights = {spec.code: spec.weight for spec in specs}
    # Each indicator's weighted count of multiply vulnerable people at 3 on it, perturbed; those shown as
    # "<11" still count in the whole (so the others' parts stay right) but get no part of their own.
    parts = {
        code: weights[code] * disclosure.perturbed_count(t.multiple_at_3.n, t.multiple_at_3.key)
        for code, t in tallies.items()
    }
    whole = sum(parts.values())
    rows: list[dict[str, Any]] = []
    for spec in specs:
        t = tallies[spec.code]
        shown_part = protect.count(t.multiple_at_3.n, t.multiple_at_3.key)
        rows.append(
            {
                "code": spec.code,
                "answered": protect.count(t.answered.n, t.answered.key),
                "at_3": protect.count(t.at_3.n, t.at_3.key),
                "share_at_3": protect.share(t.at_3.n, t.answered.n, t.answered.key, t.at_3.key),
                "contribution": None
                if shown_part == protect.SMALL
                else (round(parts[spec.code] / whole, 3) if whole else 0.0),
            }
        )
    rows.sort(key=lambda r: (-protect.number(r["contribution"]), -protect.number(r["share_at_3"])))
    return {
        "area": area.code,
        "area_name": area.name,
        "n": n,
        "H": H,
        "A": A,
        "M0": round(H * A, 4) if H is not None and A is not None else None,
        "perturbed": True,
        "indicators": rows,
    }
