"""Risk scoring: pure functions over plain data, no database. Every number has its breakdown.

Index (0-100) = (sum of answered scores − answered) / (2 × answered) × 100: all 1s give 0, all 3s give 100.
Unanswered indicators are left out and reported as completeness; below the completeness threshold the
assessment is "incomplete" and gets no band. Multiple vulnerability follows Alkire-Foster (as in the global
MPI): a person's deprivation share is the weight of their indicators at 3 over the weight of those answered;
they are multiply vulnerable when that share is at least k.

Red flags (the "policy overrides" of structured decision-making tools) are combinations of answers, kept
with the catalogue's parameters as data, that set a minimum band whatever the index: an average must never
hide a child about to leave with a broker. They are checked on incomplete assessments too; there the band is
the flag's, and the assessment stays marked incomplete by its completeness.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from operator import itemgetter
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
    red_flags: tuple[RedFlag, ...] = ()
    # Answers the person's record already gives (age band from the birth date, sex): code → rule.
    from_record: tuple[tuple[str, RecordRule], ...] = ()

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
            red_flags=tuple(RedFlag.from_dict(rule) for rule in data.get("red_flags") or ()),
            from_record=tuple(
                (code, RecordRule.from_dict(code, rule))
                for code, rule in (data.get("from_record") or {}).items()
            ),
        )

    def complete(self, index: float | None, completeness: float) -> bool:
        """Whether enough was answered for the index to give a band."""
        return index is not None and completeness >= self.completeness_threshold


@dataclass(frozen=True)
class RedFlag:
    """One red-flag rule: when its answers are given, the band is at least `band`.

    `all` names indicators that must all be scored at least so much, `any` indicators of which one must
    be, and `any_kind` kinds of indicator (T for the sudden events) of which any one at `at` suffices.
    With `under_age`, the rule holds only for someone younger than that on the day of the assessment, or
    whose age is not known (an unknown age is never a reason to hide a child).
    """

    code: str
    band: str
    all: tuple[tuple[str, int], ...] = ()
    any: tuple[tuple[str, int], ...] = ()
    any_kind: str = ""
    at: int = 3
    under_age: int | None = None
    label: Mapping[str, str] = field(default_factory=dict, hash=False, compare=False)
    # Whether it raises an alert of its own. A rule that only restates an early-warning rule as a band
    # floor (a sudden event at 3) leaves the alert to that rule, and so to its settings (no alert on a
    # first assessment unless the catalogue asks), so that a survey round does not raise thousands.
    alert: bool = True

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> RedFlag:
        """Read one rule of a catalogue's `red_flags`; raises ValueError naming what is wrong."""
        if not isinstance(data, Mapping):
            raise ValueError("a red flag is an object with a code, a band and its answers")
        code = data.get("code")
        if not isinstance(code, str) or not RED_FLAG_CODE.fullmatch(code):
            raise ValueError(f"red flag code {code!r}: letters, digits, - and _ only")
        band = data.get("band")
        if band not in BAND_ORDER:
            raise ValueError(f"red flag {code}: band must be low, medium or high, not {band!r}")

        def answers(name: str) -> tuple[tuple[str, int], ...]:
            given = data.get(name) or {}
            if not isinstance(given, Mapping) or not all(
                isinstance(k, str) and v in (1, 2, 3) for k, v in given.items()
            ):
                raise ValueError(f"red flag {code}: {name} maps indicator codes to a score of 1, 2 or 3")
            return tuple(sorted(given.items()))

        all_, any_ = answers("all"), answers("any")
        kinds = str(data.get("any_kind") or "")
        at = data.get("at", 3)
        if at not in (1, 2, 3) or not set(kinds) <= {"S", "T", "C"}:
            raise ValueError(f"red flag {code}: any_kind is made of S, T and C, and at is 1, 2 or 3")
        if not (all_ or any_ or kinds):
            raise ValueError(f"red flag {code}: names no answers (all, any or any_kind)")
        if all_ and (any_ or kinds):
            raise ValueError(f"red flag {code}: either all, or any and any_kind, not both")
        age = data.get("under_age")
        if age is not None and (not isinstance(age, int) or isinstance(age, bool) or not 0 < age < 130):
            raise ValueError(f"red flag {code}: under_age is a whole number of years")
        label = data.get("label") or {}
        if not isinstance(label, Mapping):
            raise ValueError(f"red flag {code}: label is a text per language")
        alert = data.get("alert", True)
        if not isinstance(alert, bool):
            raise ValueError(f"red flag {code}: alert is true or false")
        return cls(code, band, all_, any_, kinds, at, age, dict(label), alert)


@dataclass(frozen=True)
class RecordRule:
    """How an indicator is answered from the person's record instead of asked: by age in whole years on
    the day (`ages`: inclusive ranges with their score) or by sex (`sexes`: sex → score)."""

    ages: tuple[tuple[int, int, int], ...] = ()
    sexes: tuple[tuple[str, int], ...] = ()

    @classmethod
    def from_dict(cls, code: str, data: Mapping[str, Any]) -> RecordRule:
        if not isinstance(data, Mapping) or set(data) - {"age", "sex"} or len(data) != 1:
            raise ValueError(f"from_record {code}: give either age ranges or sexes")
        try:
            if "age" in data:
                ages = tuple((int(low), int(high), int(score)) for low, high, score in data["age"])
                if any(score not in (1, 2, 3) or low > high for low, high, score in ages):
                    raise ValueError
                return cls(ages=ages)
            sexes = tuple((str(sex), int(score)) for sex, score in data["sex"].items())
            if any(score not in (1, 2, 3) for _sex, score in sexes):
                raise ValueError
            return cls(sexes=sexes)
        except (TypeError, ValueError, AttributeError):
            raise ValueError(
                f"from_record {code}: age is a list of [from, to, score], sex maps a sex to a score 1-3"
            ) from None

    def answer(self, ages: Iterable[int], sex: str) -> int | None:
        """The score the record gives (every age it allows must give the same), or None: ask."""
        if self.sexes:
            return dict(self.sexes).get(sex)
        found = {next((s for low, high, s in self.ages if low <= age <= high), None) for age in ages}
        return found.pop() if len(found) == 1 else None


def possible_ages(on: date, birth_date: date | None, birth_year: int | None) -> list[int]:
    """The ages someone may be on `on`: one by birth date, two by year of birth, none when not known."""
    if birth_date is not None:
        return [on.year - birth_date.year - ((on.month, on.day) < (birth_date.month, birth_date.day))]
    if birth_year is not None:
        return sorted({max(on.year - birth_year - 1, 0), max(on.year - birth_year, 0)})
    return []


def record_answers(
    params: Parameters, on: date, birth_date: date | None, birth_year: int | None, sex: str
) -> dict[str, int]:
    """The answers a person's record gives on `on` (Parameters.from_record), by indicator code."""
    ages = possible_ages(on, birth_date, birth_year)
    found = {}
    for code, rule in params.from_record:
        value = rule.answer(ages, sex) if (ages or rule.sexes) else None
        if value is not None:
            found[code] = value
    return found


RED_FLAG_CODE = re.compile(r"[A-Za-z][A-Za-z0-9_-]{0,39}")


def youngest_age(on: date, birth_date: date | None, birth_year: int | None) -> int | None:
    """Someone's age in whole years on `on`: by birth date, else the younger of the two ages a year of
    birth allows (a child until they may no longer be one), else None (not known)."""
    if birth_date is not None:
        return on.year - birth_date.year - ((on.month, on.day) < (birth_date.month, birth_date.day))
    if birth_year is not None:
        return max(on.year - birth_year - 1, 0)
    return None


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
    red_flags: tuple[str, ...] = ()  # the codes of the red flags that fired, in catalogue order


# What an assessment stores of its Result: enough to compare the next assessment with it.
STORED_FIELDS = (
    "index",
    "band",
    "completeness",
    "domain_scores",
    "count_3",
    "deprivation_share",
    "multiple",
    "red_flags",
)


def flags_text(flags: Iterable[str]) -> str:
    """Red flags as stored: their codes joined by commas ("" for none)."""
    return ",".join(flags)


def flags_of(text: str | Sequence[str] | None) -> tuple[str, ...]:
    """Red flags as stored (flags_text), back as codes."""
    if not text:
        return ()
    return tuple(text.split(",")) if isinstance(text, str) else tuple(text)


def earlier_result(index: float | None, band: str, red_flags: str | Sequence[str] = ()) -> Result:
    """An earlier assessment's result as far as warnings() reads it."""
    return Result(index, band, 0.0, 0, 0, {}, 0, 0.0, False, flags_of(red_flags))


def stored_result(values: Mapping[str, Any]) -> Result:
    """A Result rebuilt from a stored assessment (a model or a values() row), for the early-warning rules."""
    fields = {name: values[name] for name in STORED_FIELDS}
    fields["red_flags"] = flags_of(fields["red_flags"])
    return Result(answered=0, applicable=0, **fields)


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
        self.flags = _compiled_flags(params.red_flags, grouped)
        # The lowest digit any rule needs: a sheet with nothing that high fires none (most sheets).
        self.flag_digit = min(
            (str(score) for rule in params.red_flags for _, score in (*rule.all, *rule.any)), default="4"
        )
        if any(rule.any_kind for rule in params.red_flags):
            self.flag_digit = min(self.flag_digit, *(str(r.at) for r in params.red_flags if r.any_kind))

    def flagged(self, sheet: str, age: int | None = None) -> tuple[str, ...]:
        """The red flags an answer sheet fires for someone of `age` (youngest_age; None: not known)."""
        return self._flags(sheet, age)[0]

    def _flags(self, sheet: str, age: int | None) -> tuple[tuple[str, ...], str | None]:
        """The red flags fired, and the highest band among them (None when none fired)."""
        if not self.flags or not sheet or max(sheet) < self.flag_digit:
            return (), None
        fired: list[str] = []
        top = -1
        for code, order, hits, under_age in self.flags:
            if under_age is not None and age is not None and age >= under_age:
                continue
            if hits(sheet):
                fired.append(code)
                top = max(top, order)
        return tuple(fired), (BANDS[top] if fired else None)

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

    def __call__(self, scores: Mapping[str, int], age: int | None = None) -> Result:
        return self._score(self.sheet(scores), age)

    def score_sheet(self, sheet: str, age: int | None = None) -> Result:
        """Score an answer sheet written as sheet() writes it (read back from the database, say), for
        someone of `age` on the day (youngest_age; None when not known), which red flags may test."""
        if len(sheet) != len(self.codes) or sheet.strip("0123"):
            raise ValueError(f"not an answer sheet of {len(self.codes)} digits 0-3: {sheet!r}")
        return self._score(sheet, age)

    def _score(self, sheet: str, age: int | None = None) -> Result:
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
        complete = index is not None and completeness >= params.completeness_threshold
        band = band_of(index, completeness, params)
        flags: tuple[str, ...] = ()
        if self.flags:
            flags, flag_band = self._flags(sheet, age)
            if flag_band is not None and (band == INCOMPLETE or BAND_ORDER[flag_band] > BAND_ORDER[band]):
                band = flag_band
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
            multiple=complete and share > 0 and share >= params.k - 1e-9,
            red_flags=flags,
        )


# A red flag as a Scorer checks it: code, the order of its band (BAND_ORDER), a test of an answer sheet, and
# the age it is for those under (None: everyone).
CompiledFlag = tuple[str, int, Callable[[str], bool], int | None]
BANDS = sorted(BAND_ORDER, key=BAND_ORDER.__getitem__)


def _compiled_flags(rules: Sequence[RedFlag], grouped: Sequence[IndicatorSpec]) -> list[CompiledFlag]:
    """The rules that can fire on these indicators' answer sheets, each with a test of a sheet. A rule
    naming an indicator the sheet does not hold (a village's sheet, a version without it) never fires."""
    places = {spec.code: at for at, spec in enumerate(grouped)}
    compiled: list[CompiledFlag] = []
    for rule in rules:
        if rule.all:
            if all(code in places for code, _ in rule.all):
                needs = [(places[code], str(score)) for code, score in rule.all]
                compiled.append((rule.code, BAND_ORDER[rule.band], _test(needs, every=True), rule.under_age))
            continue
        anyof = [(places[code], str(score)) for code, score in rule.any if code in places]
        anyof += [(at, str(rule.at)) for at, spec in enumerate(grouped) if spec.kind in rule.any_kind]
        if anyof:
            compiled.append((rule.code, BAND_ORDER[rule.band], _test(anyof, every=False), rule.under_age))
    return compiled


def _test(needs: Sequence[tuple[int, str]], *, every: bool) -> Callable[[str], bool]:
    """A test of an answer sheet: are all (every) or any of these places at least their digit? Survey
    rounds run it on every sheet, so the places are read by one itemgetter and, when every digit needed is
    3 (the usual rule), compared as one tuple or searched in it."""
    places = [at for at, _digit in needs]
    digits = tuple(digit for _at, digit in needs)
    if len(needs) == 1:
        at, digit = needs[0]
        return lambda sheet: sheet[at] >= digit
    read = itemgetter(*places)
    if set(digits) == {"3"}:
        if every:
            return lambda sheet: read(sheet) == digits
        return lambda sheet: "3" in read(sheet)
    if every:
        return lambda sheet: all(c >= d for c, d in zip(read(sheet), digits, strict=True))
    return lambda sheet: any(c >= d for c, d in zip(read(sheet), digits, strict=True))


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


def score(
    scores: Mapping[str, int],
    indicators: Sequence[IndicatorSpec],
    params: Parameters,
    age: int | None = None,
) -> Result:
    """Score one assessment. `scores` holds only answered indicators; `indicators` those applicable;
    `age` the person's on the day, for the red flags that test it (None: not known)."""
    return Scorer(indicators, params)(scores, age)


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

    A red flag that fires warns whatever the completeness, on a first assessment too, unless it had
    fired on the previous assessment already (that one warned).
    """
    result, scores = current
    reasons: list[Reason] = []
    old_scores: Mapping[str, int] = previous[1] if previous else {}
    if params.trigger_newly_3 and (previous is not None or params.first_assessment_triggers):
        newly = [c for c in trigger_codes if scores.get(c) == 3 and old_scores.get(c) != 3]
        if newly:
            reasons.append(Reason("trigger_newly_3", {"indicators": sorted(newly)}))
    if previous is None:
        return reasons + _red_flagged(result, (), params)
    old = previous[0]
    banded = old.band in BAND_ORDER and result.band in BAND_ORDER
    if params.band_rise and banded and BAND_ORDER[result.band] > BAND_ORDER[old.band]:
        reasons.append(Reason("band_rise", {"from": old.band, "to": result.band}))
    if (
        old.index is not None
        and result.index is not None
        and params.complete(result.index, result.completeness)
    ):
        rise = round(result.index - old.index, 2)
        if rise >= params.index_rise:
            reasons.append(Reason("index_rise", {"from": old.index, "to": result.index, "rise": rise}))
    return reasons + _red_flagged(result, old.red_flags, params)


def _red_flagged(result: Result, before: Sequence[str], params: Parameters) -> list[Reason]:
    """The red-flag warning: the alerting flags that fire now and did not on the assessment before."""
    quiet = {flag.code for flag in params.red_flags if not flag.alert}
    raised = [flag for flag in result.red_flags if flag not in before and flag not in quiet]
    return [Reason("red_flag", {"flags": raised, "band": result.band})] if raised else []


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
