"""The same person written in Thai script on one record and only in Latin letters on another is found. The
Latin spellings come from an independent, hand-typed list of real spelling conventions
(data/thai_name_spellings.csv: RTGS, passport, informal), never from the matcher's own romaniser."""

from __future__ import annotations

import csv
import random
from collections import Counter
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from safepassage.linkage import matching

SOURCES = ("rtgs", "passport", "informal")
DATA = Path(__file__).parent / "data" / "thai_name_spellings.csv"


def spellings() -> dict[str, list[dict[str, str]]]:
    lines = [line for line in DATA.read_text(encoding="utf-8").splitlines() if not line.startswith("#")]
    names: dict[str, list[dict[str, str]]] = {"given": [], "family": []}
    for row in csv.DictReader(lines):
        names[row["kind"]].append(row)
    return names


def population(people: int = 3000, per_source: int = 110, seed: int = 11) -> tuple[list[dict[str, Any]], set]:
    """Thai-script-only records, and for some of them a Latin-only record of the same person written by
    another office (one spelling source each); plus Latin-only strangers, so Latin records are not all
    duplicates. Returns the records and the planted pairs (with their source)."""
    rng = random.Random(seed)
    names = spellings()
    villages = [f"5001{i:04d}" for i in range(60)]
    today = date(2026, 6, 1)
    rows: list[dict[str, Any]] = []

    def person(key: int) -> dict[str, Any]:
        born = today - timedelta(days=rng.randint(365, 365 * 60))
        return {
            "id": key,
            "agency_id": 1,
            "given": rng.choice(names["given"]),
            "family": rng.choice(names["family"]),
            "sex": rng.choice(["female", "male"]),
            "birth_date": born,
            "birth_year": born.year,
            "village_code": rng.choice(villages),
        }

    def thai(p: dict[str, Any]) -> dict[str, Any]:
        return {**p, "given_name": p["given"]["thai"], "family_name": p["family"]["thai"]}

    def latin(p: dict[str, Any], source: str, key: int) -> dict[str, Any]:
        return {**p, "id": key, "given_name": p["given"][source], "family_name": p["family"][source]}

    originals = [person(key) for key in range(people)]
    rows.extend(thai(p) for p in originals)
    planted: set[tuple[int, int, str]] = set()
    key = people
    chosen = rng.sample(originals, per_source * len(SOURCES))  # each person copied once: pairs are exact
    for number, source in enumerate(SOURCES):
        for original in chosen[number * per_source : (number + 1) * per_source]:
            copy = latin(original, source, key)
            born: date = original["birth_date"]
            draw = rng.random()
            if draw < 0.1:  # only the year known to the second office
                copy["birth_date"] = None
            elif draw < 0.2 and born.day <= 12 and born.day != born.month:
                copy["birth_date"] = born.replace(month=born.day, day=born.month)
            rows.append(copy)
            planted.add((original["id"], key, source))
            key += 1
    for _ in range(people // 5):  # strangers written in Latin letters only
        rows.append(latin(person(key), rng.choice(SOURCES), key))
        key += 1
    return [matching.record(row) for row in rows], planted


def test_thai_script_only_meets_latin_only_across_independent_spellings(capsys):
    records, planted = population()
    found = {(p.a, p.b) for p in matching.find_pairs(records, threshold=0.9)}
    pairs = {(a, b) for a, b, _ in planted}
    hit = Counter(source for a, b, source in planted if (a, b) in found)
    total = Counter(source for _, _, source in planted)
    true = found & pairs
    precision, recall = len(true) / max(len(found), 1), len(true) / len(pairs)
    report = ", ".join(f"{s}: recall {hit[s] / total[s]:.3f} ({hit[s]}/{total[s]})" for s in SOURCES)
    with capsys.disabled():
        print(f"\nacross scripts: precision {precision:.3f}, recall {recall:.3f}; {report}")
    assert recall >= 0.9 and precision >= 0.95, (precision, recall, report)
    assert all(hit[s] / total[s] >= 0.85 for s in SOURCES), report


def test_the_latin_spellings_are_not_the_matchers_own():
    """The list is independent: most of its spellings are not what the stored romanisation gives."""
    from safepassage.registry.names import romanise

    rows = spellings()["given"] + spellings()["family"]
    assert len(rows) >= 60
    own = sum(romanise(row["thai"]) == romanise(row[source]) for row in rows for source in SOURCES)
    assert own < len(rows) * len(SOURCES) / 2
