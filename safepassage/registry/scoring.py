"""Risk scoring: pure functions over plain data, no database. Every number has its breakdown.

Index (0-100) = (sum of answered scores − answered) / (2 × answered) × 100: all 1s give 0, all 3s give 100.
Unanswered indicators are left out and reported as completeness; below the completeness threshold the
assessment is "incomplete" and gets no band. Multiple vulnerability follows Alkire-Foster (as in the global
MPI): a person's deprivation share is the weight of their indicators at 3 over the weight of those answered;
they are multiply vulnerable when that share is at least k.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

BAND_ORDER = {"low": 0, "medium": 1, "high": 2}
INCOMPLETE = "incomplete"


@dataclass(frozen=True)
class IndicatorSpec:
    """What scoring needs to know about one indicator."""

    code: str
    domain: str
    level: str  # I individual, H household, V village
    kind: str  # S stable, T trigger, C conditional
    weight: float = 1.0
    max_score: int = 3


@dataclass(frozen=True)
class Parameters:
    """A catalogue version's scoring parameters."""

    medium_from: float = 34.0
    high_above: float = 66.0
    completeness_threshold: float = 0.5
    k: float = 1 / 3
    index_rise: float = 15.0
    band_rise: bool = True
    trigger_newly_3: bool = True
    first_assessment_triggers: bool = False

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Parameters:
        """Read the parameters stored with a catalogue version."""
        bands = data.get("bands", {})
        warning = data.get("early_warning", {})
        return cls(
            medium_from=float(bands.get("medium_from", 34)),
            high_above=float(bands.get("high_above", 66)),
            completeness_threshold=float(data.get("completeness_threshold", 0.5)),
            k=float(data.get("multiple_vulnerability_k", 1 / 3)),
            index_rise=float(warning.get("index_rise", 15)),
            band_rise=bool(warning.get("band_rise", True)),
            trigger_newly_3=bool(warning.get("trigger_newly_3", True)),
            first_assessment_triggers=bool(warning.get("first_assessment_triggers", False)),
        )


@dataclass(slots=True)
class Result:
    """The scores of one assessment, with everything needed to explain them."""

    index: float | None
    band: str
    completeness: float
    answered: int
    applicable: int
    domain_scores: dict[str, float | None]
    count_3: int
    deprivation_share: float
    multiple: bool


# What an assessment stores of its Result: enough to compare the next assessment with it.
STORED_FIELDS = ("index", "band", "completeness", "domain_scores", "count_3", "deprivation_share", "multiple")


def earlier_result(index: float | None, band: str) -> Result:
    """An earlier assessment's result as far as warnings() reads it."""
    return Result(index, band, 0.0, 0, 0, {}, 0, 0.0, False)


def stored_result(values: Mapping[str, Any]) -> Result:
    """A Result rebuilt from a stored assessment (a model or a values() row), for the early-warning rules."""
    return Result(answered=0, applicable=0, **{name: values[name] for name in STORED_FIELDS})


def band_of(index: float | None, completeness: float, params: Parameters) -> str:
    """low / medium / high, or incomplete when too few indicators were answered."""
    if index is None or completeness < params.completeness_threshold:
        return INCOMPLETE
    if index > params.high_above:
        return "high"
    if index >= params.medium_from:
        return "medium"
    return "low"


def _grouped(indicators: Sequence[IndicatorSpec]) -> list[IndicatorSpec]:
    """The indicators grouped by domain (domains in order of first appearance, indicators in catalogue
    order within each): the order of an answer sheet's digits, so each domain's answers are one slice."""
    domains = list(dict.fromkeys(i.domain for i in indicators))
    return sorted(indicators, key=lambda i: domains.index(i.domain))


def sheet_codes(indicators: Sequence[IndicatorSpec]) -> list[str]:
    """The codes in the order of an answer sheet's digits (Scorer.sheet) for these indicators. An
    assessment stores its answers so, under its catalogue version's indicators, which never change once
    the version is active."""
    return [i.code for i in _grouped(indicators)]


def applicable(indicators: Sequence[IndicatorSpec], levels: str) -> list[IndicatorSpec]:
    """The indicators a subject is scored on: I and H for a person, V for a village."""
    return [i for i in indicators if i.level in levels]


class Scorer:
    """score() prepared once for a catalogue version, for scoring many assessments quickly.

    A survey round scores a million answer sheets, so each sheet is first written as one digit per
    indicator ("1", "2", "3", or "0" for unanswered) in the order of `codes`, and everything is counted
    with str.count over that text and its slices (one per domain). A re-score reads the sheets in that
    form straight from the database. With whole-number weights (unless an administrator sets fractions)
    the arithmetic is on whole numbers: the results are the same, to the last bit, as adding the weights
    one answered indicator at a time.
    """

    def __init__(self, indicators: Sequence[IndicatorSpec], params: Parameters) -> None:
        self.domains = list(dict.fromkeys(i.domain for i in indicators))
        grouped = _grouped(indicators)
        self.codes = [i.code for i in grouped]
        # Each domain's slice of the sheet, with the scores of the slices seen so far: a domain has a few
        # indicators, so few possible slices (4 ** its size), and a round meets each again and again.
        self.slices: list[tuple[str, int, int, dict[str, float | None]]] = []
        start = 0
        for domain in self.domains:
            end = start + sum(1 for i in grouped if i.domain == domain)
            self.slices.append((domain, start, end, {}))
            start = end
        self.unit_weights = all(i.weight == 1 for i in indicators)
        whole = all(float(i.weight).is_integer() for i in indicators)
        self.whole_weights = [int(i.weight) for i in grouped] if whole else []  # empty: some are fractions
        # With whole weights, each domain's slice with its weights, and the (answered, at 3) weight of the
        # slices seen so far, remembered as the slices' scores are.
        self.weight_slices: list[tuple[int, int, list[int], dict[str, tuple[int, int]]]] = [
            (start, end, self.whole_weights[start:end], {}) for _domain, start, end, _seen in self.slices
        ]
        # For fractions: (place on the sheet, weight) in catalogue order, the order they are added in.
        self.weighted = [(self.codes.index(i.code), i.weight) for i in indicators]
        self.params = params

    def sheet(self, scores: Mapping[str, int]) -> str:
        """An answer sheet as the digits score_sheet() reads. Raises ValueError for a score outside 1-3."""
        get = scores.get
        try:
            return "".join([_DIGITS[get(code)] for code in self.codes])
        except KeyError as missing:
            raise ValueError(f"a score is 1, 2 or 3, not {missing.args[0]!r}") from None

    def _weights(self, sheet: str) -> tuple[float, float]:
        """The summed weight of the answered indicators and of those at 3 (weights not all 1)."""
        if self.whole_weights:  # whole numbers add up exactly in any order: domain by domain
            answered, deprived = 0, 0
            for start, end, weights, seen in self.weight_slices:
                picked = sheet[start:end]
                pair = seen.get(picked)
                if pair is None:
                    pair = (
                        sum(w for w, v in zip(weights, picked, strict=True) if v != "0"),
                        sum(w for w, v in zip(weights, picked, strict=True) if v == "3"),
                    )
                    if len(seen) < SEEN_LIMIT:
                        seen[picked] = pair
                answered += pair[0]
                deprived += pair[1]
            return float(answered), float(deprived)
        answered_weight = deprived_weight = 0.0  # fractions: added in catalogue order, one at a time
        for at, weight in self.weighted:
            value = sheet[at]
            if value != "0":
                answered_weight += weight
                if value == "3":
                    deprived_weight += weight
        return answered_weight, deprived_weight

    def __call__(self, scores: Mapping[str, int]) -> Result:
        return self._score(self.sheet(scores))

    def score_sheet(self, sheet: str) -> Result:
        """Score an answer sheet written as sheet() writes it (read back from the database, say)."""
        if len(sheet) != len(self.codes) or sheet.strip("0123"):
            raise ValueError(f"not an answer sheet of {len(self.codes)} digits 0-3: {sheet!r}")
        return self._score(sheet)

    def _score(self, sheet: str) -> Result:
        params = self.params
        count = sheet.count
        twos, threes = count("2"), count("3")
        applicable = len(sheet)
        answered = applicable - count("0")
        if self.unit_weights:
            answered_weight, deprived_weight = float(answered), float(threes)
        else:
            answered_weight, deprived_weight = self._weights(sheet)
        completeness = round(answered / applicable, 4) if applicable else 0.0
        index = _index(twos, threes, answered)
        share = deprived_weight / answered_weight if answered_weight else 0.0
        band = band_of(index, completeness, params)
        domain_scores: dict[str, float | None] = {}
        for domain, start, end, seen in self.slices:
            picked = sheet[start:end]
            value = seen.get(picked, _UNSEEN)
            if value is _UNSEEN:
                value = index_of_sheet(picked)
                if len(seen) < SEEN_LIMIT:
                    seen[picked] = value
            domain_scores[domain] = value  # type: ignore[assignment]
        return Result(
            index=index,
            band=band,
            completeness=completeness,
            answered=answered,
            applicable=applicable,
            domain_scores=domain_scores,
            count_3=threes,
            deprivation_share=round(share, 4),
            multiple=band != INCOMPLETE and share > 0 and share >= params.k - 1e-9,
        )


_DIGITS: dict[Any, str] = {None: "0", 1: "1", 2: "2", 3: "3"}
_UNSEEN = object()
SEEN_LIMIT = 4096  # slices remembered per domain (all of them for a domain of up to 6 indicators)


def _index(twos: int, threes: int, answered: int) -> float | None:
    """The 0-100 index of `answered` answers of which `twos` are 2 and `threes` are 3 (the sum of the
    answers less one per answer: each 2 adds 1 and each 3 adds 2); None when nothing was answered."""
    return round((twos + 2 * threes) / (2 * answered) * 100, 2) if answered else None


def index_of_sheet(sheet: str) -> float | None:
    """The 0-100 index of (part of) an answer sheet."""
    count = sheet.count
    return _index(count("2"), count("3"), len(sheet) - count("0"))


def score(scores: Mapping[str, int], indicators: Sequence[IndicatorSpec], params: Parameters) -> Result:
    """Score one assessment. `scores` holds only answered indicators; `indicators` those applicable."""
    return Scorer(indicators, params)(scores)


@dataclass(frozen=True)
class Reason:
    """Why an alert was raised, in data a page can explain."""

    rule: str
    detail: dict[str, Any]


def warnings(
    *,
    previous: tuple[Result, Mapping[str, int]] | None,
    current: tuple[Result, Mapping[str, int]],
    trigger_codes: Iterable[str],
    params: Parameters,
) -> list[Reason]:
    """The early-warning rules that fire when `current` follows `previous` (None for a first assessment).

    A first assessment is a baseline: nothing in it is "new", so it warns only when the catalogue asks
    for warnings on first assessments (first_assessment_triggers). Of `previous` it reads only the
    index and band of the result and the trigger indicators of the answers (all that bulk recording
    fetches of each person's previous assessment, see earlier_result).
    """
    result, scores = current
    reasons: list[Reason] = []
    old_scores: Mapping[str, int] = previous[1] if previous else {}
    if params.trigger_newly_3 and (previous is not None or params.first_assessment_triggers):
        newly = [c for c in trigger_codes if scores.get(c) == 3 and old_scores.get(c) != 3]
        if newly:
            reasons.append(Reason("trigger_newly_3", {"indicators": sorted(newly)}))
    if previous is None:
        return reasons
    old = previous[0]
    banded = old.band in BAND_ORDER and result.band in BAND_ORDER
    if params.band_rise and banded and BAND_ORDER[result.band] > BAND_ORDER[old.band]:
        reasons.append(Reason("band_rise", {"from": old.band, "to": result.band}))
    if old.index is not None and result.index is not None and result.band != INCOMPLETE:
        rise = round(result.index - old.index, 2)
        if rise >= params.index_rise:
            reasons.append(Reason("index_rise", {"from": old.index, "to": result.index, "rise": rise}))
    return reasons


def changes(previous: Mapping[str, int], current: Mapping[str, int]) -> list[dict[str, Any]]:
    """The indicators that moved between two assessments, biggest moves first."""
    moved = []
    for code in sorted(set(previous) | set(current)):
        before, after = previous.get(code), current.get(code)
        if before != after:
            moved.append({"code": code, "from": before, "to": after})
    return sorted(moved, key=lambda m: -abs((m["to"] or 0) - (m["from"] or 0)))


@dataclass
class AreaPoverty:
    """Alkire-Foster figures for a group of assessed people."""

    n: int
    q: int
    H: float
    A: float
    M0: float
    contributions: dict[str, float] = field(default_factory=dict)


def alkire_foster(
    people: Sequence[Mapping[str, int]], indicators: Sequence[IndicatorSpec], k: float
) -> AreaPoverty:
    """Headcount H, intensity A, M0 = H × A and each indicator's share of M0, over people's latest scores.

    A person's deprivation share is over the indicators they were asked; each indicator's contribution is
    its part of the multiply vulnerable people's summed shares, so contributions add up to 1.
    """
    weights = {i.code: i.weight for i in indicators}
    shares: list[float] = []
    parts: dict[str, float] = dict.fromkeys(weights, 0.0)
    for scores in people:
        answered = {c: v for c, v in scores.items() if c in weights}
        total = sum(weights[c] for c in answered)
        if not total:
            continue
        share = sum(weights[c] for c, v in answered.items() if v == 3) / total
        if share >= k - 1e-9 and share > 0:
            shares.append(share)
            for c, v in answered.items():
                if v == 3:
                    parts[c] += weights[c] / total
    n = len(people)
    q = len(shares)
    H = q / n if n else 0.0
    A = sum(shares) / q if q else 0.0
    summed = sum(shares)
    contributions = {c: round(v / summed, 4) for c, v in parts.items() if v} if summed else {}
    return AreaPoverty(
        n=n, q=q, H=round(H, 4), A=round(A, 4), M0=round(H * A, 4), contributions=contributions
    )
