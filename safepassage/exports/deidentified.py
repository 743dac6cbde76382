"""A de-identified dataset in the style of the Counter Trafficking Data Collaborative (CTDC): a row per case,
no name, ID, address, free text or date finer than a year, then k-anonymity (k = 11, as CTDC) over every
column of the file, all of which are quasi-identifiers.

`deidentify` is a pure function over plain rows, tested on its own (STYLE.md habit 4). docs/exports.md
explains the method and gives the utility it keeps on the demo."""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from safepassage.cases.models import Case, JourneyEvent, age_on
from safepassage.core.disclosure import THRESHOLD
from safepassage.exports.htcds import gender
from safepassage.exports.regions import region

K = THRESHOLD
SUPPRESSED = "Suppressed"
OTHER = "Other"
YEAR = "yearOfRegistration"
AGE = "ageBroad"

# CTDC's age bands (ageBroad), broad on purpose; "" when the age is not known.
AGE_BANDS = ((0, 8), (9, 17), (18, 20), (21, 23), (24, 26), (27, 29), (30, 38), (39, 47), (48, None))
# Wider bands are unions of CTDC bands, so that the file can still be pooled with CTDC's.
WIDER_AGE = {
    "0--8": "0--17",
    "9--17": "0--17",
    "18--20": "18--29",
    "21--23": "18--29",
    "24--26": "18--29",
    "27--29": "18--29",
    "30--38": "30+",
    "39--47": "30+",
    "48+": "30+",
}
CHILD_OR_ADULT = {band: "0--17" if wide == "0--17" else "18+" for band, wide in WIDER_AGE.items()}
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
COLUMNS = (
    YEAR,
    AGE,
    "gender",
    "citizenship",
    "countryOfExploitation",
    "traffickingStatus",
    "recruiterRelationship",
    *EXPLOITATION_FLAGS,
    *CONTROL_FLAGS,
)
# Quasi-identifiers: what someone outside could know about a victim or link from elsewhere (a neighbour, an
# employer, a news report, a court record, another agency's file). Every column of the file is one: the
# year, age, gender and nationality; where they were exploited; whether they were found to be a victim; who
# recruited them; how they were exploited and controlled. A column left out of this list could single
# someone out (a trafficking status alone did, in a class of one).
QUASI_IDENTIFIERS = COLUMNS
# What a cell of each column is worth when choosing what to keep (generalisation levels, then which cells to
# suppress). Where victims were exploited is what most readings of a CTDC file start from (its dashboards,
# IOM's and UNODC's reports), and the issue that rebuilt this found it suppressed in every row, so it counts
# double; then where they come from, when and how old they were; then gender, whether they were found to be
# victims and the two main kinds of exploitation; a flag of a rarer kind, the recruiter or a means of
# control matters least. With 23 quasi-identifiers and k = 11 a file of a few hundred cases holds a few
# dozen distinct rows, so these weights decide what is left: docs/exports.md gives it for the demo.
WEIGHTS: dict[str, float] = {
    "countryOfExploitation": 12,
    "citizenship": 6,
    YEAR: 6,
    AGE: 5,
    "gender": 4,
    "traffickingStatus": 3,
    **dict.fromkeys(EXPLOITATION_FLAGS, 1),
    "isForcedLabour": 3,
    "isSexualExploit": 3,
    "recruiterRelationship": 1,
    **dict.fromkeys(CONTROL_FLAGS, 1),
}
# The columns by worth, most first (ties in the order above): the order in which they are tried, which
# breaks ties between columns that would keep as much.
IMPORTANCE = tuple(sorted(WEIGHTS, key=lambda name: -WEIGHTS[name]))


def age_band(age: int | None) -> str:
    if age is None or age < 0:
        return ""
    for low, high in AGE_BANDS:
        if high is None:
            return f"{low}+"
        if low <= age <= high:
            return f"{low}--{high}"
    return ""


def _country_of_exploitation(case: Case) -> str:
    """The country of the first exploitation event of the journey (events come prefetched)."""
    events = [e for e in case.events.all() if e.kind == JourneyEvent.Kind.EXPLOITATION and e.country]
    return events[0].country if events else ""


def row(case: Case) -> dict[str, Any]:
    """One case with no name, ID, address, free text or date finer than a year."""
    year = case.opened_on.year
    out: dict[str, Any] = {
        YEAR: str(year),
        AGE: age_band(age_on(case.person, date(year, 7, 1))),
        "gender": gender(case.person.sex),
        "citizenship": case.nationality,
        "countryOfExploitation": _country_of_exploitation(case),
        "traffickingStatus": case.trafficking_status,
        "recruiterRelationship": case.relationship_to_trafficker,
    }
    for name, code in EXPLOITATION_FLAGS.items():
        out[name] = int(code in case.exploitation_types)
    for name, code in CONTROL_FLAGS.items():
        out[name] = int(code in case.control_methods)
    return out


# Generalisation hierarchies ---------------------------------------------------------------------------------


def _years(width: int) -> Callable[[Any], Any]:
    """A year as the period of `width` years holding it; periods start on multiples of the width, so the
    periods of two files line up (2024--2025, 2024--2027)."""

    def widen(value: Any) -> Any:
        if not str(value).isdigit():
            return value
        start = int(value) - int(value) % width
        return f"{start}--{start + width - 1}"

    return widen


@dataclass(frozen=True)
class Hierarchy:
    """How a column's values widen, narrowest first. Level 0 is the value as recorded; each `widen` function
    maps a recorded value to the next level (each level is a union of the one before); with `other`, rare
    values at the widest level go into "Other". "" (not known) stays "" at every level."""

    levels: tuple[str, ...] = ("as recorded",)
    widen: tuple[Callable[[Any], Any], ...] = ()
    other: bool = False

    @property
    def top(self) -> int:
        """The widest level a rare value can reach."""
        return len(self.levels) - 1 + int(self.other)

    def at(self, value: Any, level: int) -> Any:
        if level == 0 or value == "":
            return value
        if level == len(self.levels):
            return OTHER
        return self.widen[level - 1](value)


FLAG = Hierarchy()
HIERARCHIES: dict[str, Hierarchy] = {
    YEAR: Hierarchy(("year", "2-year period", "4-year period"), (_years(2), _years(4))),
    AGE: Hierarchy(
        ("CTDC band", "band 0--17, 18--29 or 30+", "child or adult"),
        (lambda v: WIDER_AGE.get(v, v), lambda v: CHILD_OR_ADULT.get(v, v)),
    ),
    "gender": Hierarchy(other=True),
    "citizenship": Hierarchy(("country", "region"), (region,), other=True),
    "countryOfExploitation": Hierarchy(("country", "region"), (region,), other=True),
    "traffickingStatus": Hierarchy(other=True),
    "recruiterRelationship": Hierarchy(other=True),
}


def hierarchy(name: str) -> Hierarchy:
    return HIERARCHIES.get(name, FLAG)


# The report -------------------------------------------------------------------------------------------------


@dataclass
class Change:
    """What happened to one quasi-identifier column in the records that were kept: how many values were
    widened or blanked, and what they became. Which original values they were is not said: naming them would
    undo the suppression (if only "VN" was blanked, every "Suppressed" in the column is VN)."""

    records: int = 0
    into: set[str] = field(default_factory=set)

    def as_dict(self) -> dict[str, Any]:
        return {"records": self.records, "into": sorted(self.into)}


@dataclass
class Utility:
    """What is left of one column in the file: rows with the value as recorded, rows with a wider value
    (a region, a period, a wider band, "Other") and rows where it is suppressed."""

    as_recorded: int = 0
    widened: int = 0
    suppressed: int = 0

    @property
    def shown(self) -> int:
        """Rows that keep the column (as recorded or widened): the column's utility."""
        return self.as_recorded + self.widened

    def as_dict(self) -> dict[str, int]:
        return {
            "shown": self.shown,
            "as_recorded": self.as_recorded,
            "widened": self.widened,
            "suppressed": self.suppressed,
        }


@dataclass
class Suppression:
    """What de-identification did, to print beside the data; counts are of the records in the file."""

    k: int
    quasi_identifiers: tuple[str, ...]
    records_in: int = 0
    records_out: int = 0
    records_dropped: int = 0
    generalised: dict[str, Change] = field(default_factory=dict)
    blanked: dict[str, Change] = field(default_factory=dict)
    smallest_group: int = 0
    levels: dict[str, str] = field(default_factory=dict)
    utility: dict[str, Utility] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {
            "k": self.k,
            "quasi_identifiers": list(self.quasi_identifiers),
            "records_in": self.records_in,
            "records_out": self.records_out,
            "records_dropped": self.records_dropped,
            "generalised": {name: c.as_dict() for name, c in self.generalised.items()},
            "blanked": {name: c.as_dict() for name, c in self.blanked.items()},
            "smallest_group": self.smallest_group,
            "levels": dict(self.levels),
            "utility": {name: u.as_dict() for name, u in self.utility.items()},
        }


# The method -------------------------------------------------------------------------------------------------


def _recode(column: Sequence[Any], h: Hierarchy, base: int, k: int) -> list[Any]:
    """Global recoding of one column at level `base`; then a value held by fewer than k records in the whole
    file widens a level at a time (a rare country to its region, a rare region to "Other", a rare year to
    its period) until it is held by k or cannot widen."""
    held = Counter(column)
    level = dict.fromkeys(held, base)
    while True:
        shown = Counter[Any]()
        for value, n in held.items():
            shown[h.at(value, level[value])] += n
        rare = [v for v in held if v != "" and level[v] < h.top and shown[h.at(v, level[v])] < k]
        if not rare:
            break
        for value in rare:
            level[value] += 1
    return [h.at(v, level[v]) for v in column]


def _plan(
    sizes: dict[int, int], k: int, worth: float, row_worth: float
) -> tuple[float, set[int], int, int, bool] | None:
    """How a group would show one column: (information gained, the values shown, the value that gives
    records to the others and how many, whether the others are left out instead); None when no value is
    held by k records (nor will be in any part of the group).

    The records whose value is held by k in the group show it; the others stay together without it, topped
    up to k from the largest value when they are fewer. When no value can spare them, either the least
    common of the shown values joins the others, or the others (a few records that stand out) are left out,
    whichever keeps more: a record left out loses every cell (row_worth), so that only happens for a column
    worth more than the records it costs."""
    big = {v: n for v, n in sizes.items() if n >= k}
    if not big:
        return None
    rest = sum(sizes.values()) - sum(big.values())
    best: tuple[float, set[int], int, int, bool] = (0.0, set(), -1, 0, False)
    while big:
        shown = sum(big.values())
        if rest == 0 or rest >= k:
            return max(best, (worth * shown, set(big), -1, 0, False), key=lambda plan: plan[0])
        need = k - rest
        donors = [v for v, n in big.items() if n - need >= k]
        if donors:
            donor = max(donors, key=lambda v: (big[v], -v))
            return max(best, (worth * (shown - need), set(big), donor, need, False), key=lambda plan: plan[0])
        best = max(best, (worth * shown - rest * row_worth, set(big), -1, 0, True), key=lambda plan: plan[0])
        rest += big.pop(min(big, key=lambda v: (big[v], v)))
    return best


def _local_suppression(table: Sequence[Sequence[int]], worth: Sequence[float], k: int) -> list[int]:
    """Which cells each record keeps, as a bit mask over the columns (-1: the record is left out), so that
    records with equal kept cells (the others suppressed) come at least k at a time.

    Top-down, as a decision tree grows: all records start together with every cell suppressed. A column
    that is the same in the whole group is shown at no cost. Otherwise the group shows the column that keeps
    the most information (`_plan`: records that show it × the column's worth), then the one that splits it
    least (so that later columns still find k records alike), then the more important (columns come in
    IMPORTANCE order), and splits by its value. A group that can show nothing more is a class of the file;
    every group has at least k records."""
    masks = [0] * len(table)
    row_worth = sum(worth)
    stack: list[tuple[list[int], tuple[int, ...], int]] = [
        (list(range(len(table))), tuple(range(len(worth))), 0)
    ]
    while stack:
        group, hidden, mask = stack.pop()
        best: tuple[tuple[float, int, int], int, set[int], int, int, bool] | None = None
        alive = []
        for column in hidden:
            sizes = Counter(table[i][column] for i in group)
            if len(sizes) == 1:
                mask |= 1 << column
                continue
            plan = _plan(sizes, k, worth[column], row_worth)
            if plan is None:
                continue  # no value is held by k records here, nor will be in any part of the group
            alive.append(column)
            gain, shown, donor, need, shed = plan
            key = (round(gain, 9), sum(sizes[v] ** 2 for v in shown), -column)
            if gain > 0 and (best is None or key > best[0]):
                best = (key, column, shown, donor, need, shed)
        if best is None:
            for i in group:
                masks[i] = mask
            continue
        _key, column, shown, donor, need, shed = best
        parts: dict[int, list[int]] = {v: [] for v in shown}
        others: list[int] = []
        for i in group:
            parts.get(table[i][column], others).append(i)
        if donor >= 0:
            others += parts[donor][-need:]
            parts[donor] = parts[donor][:-need]
        remaining = tuple(c for c in alive if c != column)
        stack.extend((part, remaining, mask | 1 << column) for part in parts.values())
        if shed:
            for i in others:
                masks[i] = -1
        elif others:
            stack.append((others, remaining, mask))
    return masks


def _information(column: Sequence[Any]) -> float:
    """The entropy of a column's values, in bits."""
    n = len(column)
    return -sum(m / n * math.log2(m / n) for m in Counter(column).values()) if n else 0.0


@dataclass
class _Candidate:
    """One choice of global levels, recoded and locally suppressed."""

    score: float
    levels: tuple[int, ...]
    values: list[list[Any]]
    masks: list[int]


def _try(
    columns: Sequence[Sequence[Any]],
    hierarchies: Sequence[Hierarchy],
    levels: tuple[int, ...],
    weights: Sequence[float],
    recorded: Sequence[float],
    k: int,
) -> _Candidate:
    """Recode every column at its level, suppress locally, and measure the information kept: over the cells
    shown, the column's weight times the share of its information (entropy) that its level keeps, so that a
    region shown for nearly everyone (South-eastern Asia, in a file of Mekong nationalities) counts for
    little, and four years evenly spread, shown as two periods, count for half."""
    values = [_recode(c, h, lv, k) for c, h, lv in zip(columns, hierarchies, levels, strict=True)]
    worth = [
        weight * (_information(v) / bits if bits else 1.0)
        for weight, v, bits in zip(weights, values, recorded, strict=True)
    ]
    codes: list[dict[Any, int]] = [{} for _ in columns]
    table = [
        tuple(codes[c].setdefault(column[i], len(codes[c])) for c, column in enumerate(values))
        for i in range(len(columns[0]))
    ]
    masks = _local_suppression(table, worth, k)
    score = sum(w for mask in masks if mask >= 0 for c, w in enumerate(worth) if mask >> c & 1)
    return _Candidate(score, levels, values, masks)


def _search(
    evaluate: Callable[[tuple[int, ...]], _Candidate], hierarchies: Sequence[Hierarchy]
) -> _Candidate:
    """The global levels that keep the most information: a hill climb over the lattice of levels (one
    column one level wider or narrower at a time, to the best neighbour while it keeps more), once from
    every column as recorded and once from every column at its widest; the better of the two. On the test
    populations and the demo it found the best of all 36 combinations, trying about half of them."""
    seen: dict[tuple[int, ...], _Candidate] = {}

    def score(levels: tuple[int, ...]) -> _Candidate:
        if levels not in seen:
            seen[levels] = evaluate(levels)
        return seen[levels]

    found: list[_Candidate] = []
    for start in (tuple(0 for _ in hierarchies), tuple(len(h.levels) - 1 for h in hierarchies)):
        current = score(start)
        while True:
            neighbours = [
                (*current.levels[:c], level + step, *current.levels[c + 1 :])
                for c, (h, level) in enumerate(zip(hierarchies, current.levels, strict=True))
                for step in (1, -1)
                if 0 <= level + step < len(h.levels)
            ]
            best = max((score(n) for n in neighbours), key=lambda cand: cand.score, default=current)
            if best.score <= current.score + 1e-9:
                break
            current = best
        found.append(current)
    return max(found, key=lambda cand: (cand.score, [-level for level in cand.levels]))


def deidentify(
    rows: Iterable[dict[str, Any]], *, k: int = K, quasi: Sequence[str] = QUASI_IDENTIFIERS
) -> tuple[list[dict[str, Any]], Suppression]:
    """k-anonymity over the quasi-identifiers: in the result every combination of their values is shared by
    at least k records. Generalisation first, local suppression last:

    1. global recoding: each column is given at one level of its hierarchy (a year or a period of years; a
       CTDC age band or a wider one; a country or its region), and a value held by fewer than k records in
       the file widens further, up to "Other" (`_recode`);
    2. local suppression: cells become "Suppressed" where they must, and the few records that would still
       stand out are left out (`_local_suppression`);
    3. the levels are those that keep the most information (`_try`, `_search`).

    Deterministic: the same cases give the same file. When the file has fewer than k records nothing can be
    given."""
    originals = [dict(r) for r in rows]
    order = sorted(quasi, key=lambda name: IMPORTANCE.index(name) if name in IMPORTANCE else len(IMPORTANCE))
    hierarchies = [hierarchy(name) for name in order]
    report = Suppression(
        k=k,
        quasi_identifiers=tuple(quasi),
        records_in=len(originals),
        generalised={name: Change() for name in quasi},
        blanked={name: Change() for name in quasi},
        utility={name: Utility() for name in quasi},
    )
    if len(originals) < k:
        report.records_dropped = len(originals)
        return [], report
    columns = [[r[name] for r in originals] for name in order]
    weights = [WEIGHTS.get(name, 1.0) for name in order]
    recorded = [_information(c) for c in columns]
    best = _search(lambda levels: _try(columns, hierarchies, levels, weights, recorded, k), hierarchies)
    kept: list[dict[str, Any]] = []
    data: list[dict[str, Any]] = []
    for i, original in enumerate(originals):
        mask = best.masks[i]
        if mask < 0:
            continue
        kept.append(original)
        final = dict(original)
        for c, name in enumerate(order):
            final[name] = best.values[c][i] if mask >> c & 1 else SUPPRESSED
        data.append(final)
    report.records_out = len(data)
    report.records_dropped = len(originals) - len(data)
    report.levels = {name: h.levels[lv] for name, h, lv in zip(order, hierarchies, best.levels, strict=True)}
    for original, final in zip(kept, data, strict=True):
        for name in quasi:
            utility = report.utility[name]
            if final[name] == SUPPRESSED:
                utility.suppressed += 1
                report.blanked[name].records += 1
                report.blanked[name].into.add(SUPPRESSED)
            elif final[name] == original[name]:
                utility.as_recorded += 1
            else:
                utility.widened += 1
                report.generalised[name].records += 1
                report.generalised[name].into.add(str(final[name]))
    sizes = Counter(tuple(r[name] for name in quasi) for r in data)
    report.smallest_group = min(sizes.values()) if sizes else 0
    return data, report


def report_text(report: dict[str, Any], translate: Any) -> str:
    """The suppression report as plain text, for the zip and the XLSX's own sheet (translate: gettext)."""
    _ = translate
    out = report["records_out"]
    lines = [
        _("De-identified dataset: what was done so that nobody can be recognised."),
        _("Quasi-identifiers (columns that together could single someone out): %(names)s")
        % {"names": ", ".join(report["quasi_identifiers"])},
        _("k = %(k)d: every combination of their values in the file is shared by at least %(k)d records.")
        % {"k": report["k"]},
        _("Records: %(a)d in, %(b)d in the file, %(c)d left out.")
        % {"a": report["records_in"], "b": out, "c": report["records_dropped"]},
        _("k reached: %(n)d (the smallest group of records alike in every quasi-identifier).")
        % {"n": report["smallest_group"]},
        _("What each column keeps, of the %(n)d rows (its utility):") % {"n": out},
    ]
    for name, kept in report.get("utility", {}).items():
        line = _(
            "%(name)s (%(level)s): shown in %(shown)d rows (%(share)d%%): %(as_recorded)d as recorded, "
            "%(widened)d widened, %(suppressed)d suppressed."
        ) % {
            "name": name,
            "level": report["levels"].get(name, ""),
            "share": round(100 * kept["shown"] / out) if out else 0,
            **kept,
        }
        into = report["generalised"].get(name, {}).get("into")
        if kept["widened"] and into:
            line += " " + _("Widened to: %(values)s.") % {"values": ", ".join(into)}
        lines.append(line)
    return "\n".join(lines) + "\n"
