"""Generated people with planted duplicates, for the linkage tests and benchmark (never real data).

Each duplicate is the same person recorded again by another source, with the differences real records have:
the name in Thai script on one record (with its Latin spelling in the Latin field) and in Latin letters only
on the other, day and month of birth swapped, the ID number missing, a letter of the Latin name changed."""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

# Thai syllables with their usual Latin spelling (RTGS-like); names are built from two or three of them, so
# there are thousands of different names, and people with the same name are as common as in a real district.
SYLLABLES = [
    ("สม", "som"),
    ("ชาย", "chai"),
    ("หญิง", "ying"),
    ("มา", "ma"),
    ("ลี", "li"),
    ("นก", "nok"),
    ("ทอง", "thong"),
    ("บัว", "bua"),
    ("แก้ว", "kaeo"),
    ("ปอง", "pong"),
    ("คำ", "kham"),
    ("ดา", "da"),
    ("รา", "ra"),
    ("ดี", "di"),
    ("ประ", "pra"),
    ("ภา", "pha"),
    ("วัน", "wan"),
    ("สุ", "su"),
    ("อรุณ", "arun"),
    ("จันทร์", "chan"),
    ("บุญ", "bun"),
    ("มี", "mi"),
    ("ศรี", "si"),
    ("เพ็ญ", "phen"),
    ("นิด", "nit"),
    ("พร", "phon"),
    ("ลำ", "lam"),
    ("ดวน", "duan"),
    ("อำ", "am"),
    ("ไพ", "phai"),
    ("แสง", "saeng"),
    ("ดาว", "dao"),
    ("พรหม", "phrom"),
    ("สิงห์", "sing"),
    ("สุข", "suk"),
    ("ใจ", "chai"),
    ("วงศ์", "wong"),
    ("ไทย", "thai"),
    ("ปัญ", "pan"),
    ("ญา", "ya"),
    ("อินทร์", "in"),
    ("ดวง", "duang"),
    ("ทิพ", "thip"),
    ("เนตร", "net"),
    ("กมล", "kamon"),
]
VARIANTS = {"th": "t", "ph": "p", "kh": "k", "ch": "j", "i": "ee", "ae": "e", "o": "oo", "u": "oo"}


def _name(rng: random.Random, parts: int) -> tuple[str, str]:
    chosen = [rng.choice(SYLLABLES) for _ in range(parts)]
    return "".join(t for t, _ in chosen), "".join(latin for _, latin in chosen).capitalize()


def _variant(latin: str, rng: random.Random) -> str:
    """The same name as another office spells it (a different romanisation)."""
    options = [(a, b) for a, b in VARIANTS.items() if a in latin.lower()]
    if not options:
        return latin + "h"
    a, b = rng.choice(options)
    return latin.lower().replace(a, b, 1).capitalize()


@dataclass(frozen=True)
class Generated:
    """People as dicts of Person fields (with `key`, a stable number, and `village_code`), and the pairs of
    keys that are the same person."""

    people: list[dict[str, Any]]
    same: set[tuple[int, int]]


def _thai_id(rng: random.Random) -> str:
    digits = [rng.randint(1, 8)] + [rng.randint(0, 9) for _ in range(11)]
    check = (11 - sum(d * (13 - i) for i, d in enumerate(digits)) % 11) % 10
    return "".join(map(str, digits)) + str(check)


def people(n: int, villages: list[str], *, duplicates: float = 0.1, seed: int = 5) -> Generated:
    """`n` people, about `duplicates` of whom are recorded a second time with realistic differences."""
    rng = random.Random(seed)  # noqa: S311 - generated test data, not secrets
    today = date.today()
    result: list[dict[str, Any]] = []
    same: set[tuple[int, int]] = set()
    clusters: dict[int, list[int]] = {}
    base_count = int(n / (1 + duplicates))
    for key in range(base_count):
        g = _name(rng, 2)
        f = _name(rng, 3)
        born = today - timedelta(days=rng.randint(365, 365 * 60))
        father, mother = _name(rng, 2), _name(rng, 2)
        result.append(
            {
                "key": key,
                "given_name": g[0],
                "family_name": f[0],
                "given_name_latin": g[1],
                "family_name_latin": f[1],
                "sex": rng.choice(["female", "male"]),
                "birth_date": born,
                "birth_year": born.year,
                "village_code": rng.choice(villages),
                "national_id": _thai_id(rng) if rng.random() < 0.7 else "",
                "father_name": f"{father[0]} {f[0]}" if rng.random() < 0.5 else "",
                "mother_name": f"{mother[0]} {f[0]}" if rng.random() < 0.5 else "",
            }
        )
    for key in range(base_count, n):
        original = result[rng.randrange(base_count)]
        copy = dict(original, key=key)
        change = rng.choice(["latin_only", "swap", "no_id", "typo"])
        if change in ("latin_only", "typo") or rng.random() < 0.5:
            # Another agency wrote the name in Latin letters only (maybe spelled their way).
            given = original["given_name_latin"]
            copy.update(
                given_name=_variant(given, rng) if change == "typo" else given,
                family_name=original["family_name_latin"],
                given_name_latin="",
                family_name_latin="",
                father_name="",
                mother_name="",
            )
        birth: date = original["birth_date"]
        if change == "swap" and birth.day <= 12 and birth.day != birth.month:
            copy["birth_date"] = birth.replace(month=birth.day, day=birth.month)
        if change == "no_id" or rng.random() < 0.3:
            copy["national_id"] = ""
        if rng.random() < 0.3:  # only the year is known to the second source
            copy["birth_date"] = None
        result.append(copy)
        clusters.setdefault(original["key"], [original["key"]]).append(key)
    for keys in clusters.values():  # every two records of one person are a pair, copies of a copy too
        same.update((a, b) for i, a in enumerate(keys) for b in keys[i + 1 :])
    return Generated(result, same)


def records(generated: Generated, agency: int = 1) -> Iterator[dict[str, Any]]:
    """The generated people as the matcher's records, with their key as id."""
    from safepassage.linkage.matching import record

    for person in generated.people:
        yield record({**person, "id": person["key"], "agency_id": agency})
