"""Workplace risk rating: a pure function of the evidence on file, always with its breakdown.

Each indicator seen in an observation adds weight × reliability × recency, where recency halves every
`half_life_days` (old evidence counts less). The same evidence on the same day gives the same rating.
Sector plays no part: risk comes from evidence, never from a stereotype about a trade.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date

# The ILO's 11 indicators of forced labour, plus four that the seeds name.
SEVERE = {
    "physical_sexual_violence",
    "debt_bondage",
    "retention_of_documents",
    "restriction_of_movement",
    "child_workers",
}
MINOR = {"unlawful_deposits", "no_contract", "recruitment_fees"}
INDICATOR_WEIGHTS: dict[str, float] = {
    **dict.fromkeys(SEVERE, 3.0),
    **dict.fromkeys(
        [
            "abuse_of_vulnerability",
            "deception",
            "isolation",
            "intimidation_threats",
            "withholding_of_wages",
            "abusive_conditions",
            "excessive_overtime",
        ],
        2.0,
    ),
    **dict.fromkeys(MINOR, 1.0),
}
RELIABILITY: dict[str, float] = {"A": 1.0, "B": 0.8, "C": 0.6, "D": 0.4, "E": 0.2}


@dataclass(frozen=True)
class Evidence:
    """One observation as the rating sees it."""

    observation_id: int
    observed_on: date
    reliability: str
    indicators: tuple[str, ...]


@dataclass(frozen=True)
class RatingParams:
    """How evidence is weighed and banded."""

    half_life_days: float = 365.0
    medium_from: float = 3.0
    high_from: float = 8.0


@dataclass
class Rating:
    """A rating with every contribution that makes it up."""

    score: float
    band: str
    breakdown: list[dict[str, object]] = field(default_factory=list)


def rate(
    evidence: Iterable[Evidence],
    *,
    as_of: date,
    params: RatingParams = RatingParams(),
    weights: Mapping[str, float] = INDICATOR_WEIGHTS,
) -> Rating:
    """Rate a workplace from its observations as of a day; evidence dated after it is ignored."""
    total = 0.0
    breakdown: list[dict[str, object]] = []
    for item in sorted(evidence, key=lambda e: (e.observed_on, e.observation_id)):
        age = (as_of - item.observed_on).days
        if age < 0:
            continue
        recency = 0.5 ** (age / params.half_life_days)
        reliability = RELIABILITY.get(item.reliability, 0.0)
        for indicator in sorted(set(item.indicators)):
            points = weights.get(indicator, 0.0) * reliability * recency
            if points <= 0:
                continue
            total += points
            breakdown.append(
                {
                    "observation": item.observation_id,
                    "observed_on": item.observed_on.isoformat(),
                    "indicator": indicator,
                    "weight": weights.get(indicator, 0.0),
                    "reliability": reliability,
                    "recency": round(recency, 4),
                    "points": round(points, 3),
                }
            )
    total = round(total, 3)
    band = "high" if total >= params.high_from else ("medium" if total >= params.medium_from else "low")
    if total == 0:
        band = "none"
    breakdown.sort(key=lambda b: -float(b["points"]))  # type: ignore[arg-type]
    return Rating(score=total, band=band, breakdown=breakdown)
