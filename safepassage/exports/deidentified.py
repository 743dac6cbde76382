"""A de-identified dataset in the style of the Counter Trafficking Data Collaborative (CTDC): a row per case,
no name, ID, address, free text or date finer than a year, then k-anonymity (k = 11, as CTDC) over the
quasi-identifiers.

`deidentify` is a pure function over plain rows, tested on its own (STYLE.md habit 4)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from safepassage.cases.models import Case, JourneyEvent, age_on
from safepassage.exports.htcds import gender
from safepassage.reports.suppression import K

# CTDC's age bands (ageBroad), broad on purpose; "" when the age is not known.
AGE_BANDS = ((0, 8), (9, 17), (18, 20), (21, 23), (24, 26), (27, 29), (30, 38), (39, 47), (48, None))
# The one step of generalisation before anything is blanked: a band widens to a child, young-adult or adult
# band. The wide bands are unions of CTDC bands, so the file can still be pooled with CTDC's.
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
SUPPRESSED = "Suppressed"
AGE = "ageBroad"
# Quasi-identifiers: what, combined, could single someone out. Their order is the order they give way in
# when a group is too small: the least useful for analysis first.
QUASI_IDENTIFIERS = ("countryOfExploitation", "citizenship", "yearOfRegistration", AGE, "gender")
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
    "yearOfRegistration",
    AGE,
    "gender",
    "citizenship",
    "countryOfExploitation",
    "traffickingStatus",
    "recruiterRelationship",
    *EXPLOITATION_FLAGS,
    *CONTROL_FLAGS,
)


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
        "yearOfRegistration": str(year),
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
        }


def _key(row: dict[str, Any], names: Sequence[str]) -> tuple[Any, ...]:
    return tuple(row[n] for n in names)


def _small(data: list[dict[str, Any]], quasi: Sequence[str], k: int) -> list[dict[str, Any]]:
    """The records whose equivalence class (same values of every quasi-identifier) is smaller than k."""
    sizes = Counter(_key(r, quasi) for r in data)
    return [r for r in data if sizes[_key(r, quasi)] < k]


def deidentify(
    rows: Iterable[dict[str, Any]], *, k: int = K, quasi: Sequence[str] = QUASI_IDENTIFIERS
) -> tuple[list[dict[str, Any]], Suppression]:
    """k-anonymity over the quasi-identifiers: in the result every combination of their values is shared by
    at least k records. Four steps, each only as far as needed:

    1. a value of a quasi-identifier held by fewer than k records in the whole dataset can never be in a group
       of k: it is blanked ("Suppressed") everywhere (ages are widened instead, in step 2);
    2. generalise: in the records whose group is still under k, the age band widens (`WIDER_AGE`);
    3. suppress: one quasi-identifier at a time, in `quasi` order (least useful first), the value is blanked
       in the records whose group is still under k;
    4. records still in a group under k are dropped.
    """
    originals = [dict(r) for r in rows]
    data = [dict(r) for r in originals]
    for name in quasi:
        if name == AGE:
            continue
        counts = Counter(r[name] for r in data)
        for r in data:
            if counts[r[name]] < k:
                r[name] = SUPPRESSED
    if AGE in quasi:
        for r in _small(data, quasi, k):
            r[AGE] = WIDER_AGE.get(r[AGE], r[AGE])
    for name in quasi:
        small = _small(data, quasi, k)
        if not small:
            break
        for r in small:
            r[name] = SUPPRESSED
    sizes = Counter(_key(r, quasi) for r in data)
    kept_pairs = [(o, r) for o, r in zip(originals, data, strict=True) if sizes[_key(r, quasi)] >= k]
    report = Suppression(
        k=k,
        quasi_identifiers=tuple(quasi),
        records_in=len(data),
        records_out=len(kept_pairs),
        records_dropped=len(data) - len(kept_pairs),
        generalised={name: Change() for name in quasi},
        blanked={name: Change() for name in quasi},
    )
    for original, final in kept_pairs:
        for name in quasi:
            if final[name] == original[name]:
                continue
            change = report.blanked[name] if final[name] == SUPPRESSED else report.generalised[name]
            change.records += 1
            change.into.add(str(final[name]))
    final_sizes = Counter(_key(r, quasi) for _, r in kept_pairs)
    report.smallest_group = min(final_sizes.values()) if final_sizes else 0
    return [r for _, r in kept_pairs], report


def report_text(report: dict[str, Any], translate: Any) -> str:
    """The suppression report as plain text, for the zip (translate: gettext)."""
    _ = translate
    lines = [
        _("De-identified dataset: what was done so that nobody can be recognised."),
        _("Quasi-identifiers (columns that together could single someone out): %(names)s")
        % {"names": ", ".join(report["quasi_identifiers"])},
        _("k = %(k)d: every combination of their values in the file is shared by at least %(k)d records.")
        % {"k": report["k"]},
        _("Records: %(a)d in, %(b)d in the file, %(c)d left out.")
        % {"a": report["records_in"], "b": report["records_out"], "c": report["records_dropped"]},
    ]
    for name, change in report["generalised"].items():
        if change["records"]:
            lines.append(
                _("%(name)s: widened in %(n)d records, to %(values)s.")
                % {"name": name, "n": change["records"], "values": ", ".join(change["into"])}
            )
    for name, change in report["blanked"].items():
        if change["records"]:
            lines.append(
                _("%(name)s: replaced by “Suppressed” in %(n)d records.")
                % {"name": name, "n": change["records"]}
            )
    lines.append(_("Smallest group in the file: %(n)d records.") % {"n": report["smallest_group"]})
    return "\n".join(lines) + "\n"
