"""A person's names in Latin letters, as a machine spells them: stored on every write of a person so the
matcher can meet a name written only in Thai (or Lao, Khmer, Burmese) with the same name written only in Latin
letters. Never shown: it is a key for comparing, not a spelling anyone chose.

Thai goes through PyThaiNLP's rule-based RTGS engine (`royin`: the Royal Institute's system, which Thai
offices and passports mostly follow); Lao, Khmer and Burmese through `uroman` (rougher, loaded only when such
a name is seen). Both run offline: PyThaiNLP is told it may neither download nor write."""

from __future__ import annotations

import os
import re
import unicodedata
from functools import cache
from typing import Any

THAI = ("\u0e00", "\u0e7f")
OTHERS = (("\u0e80", "\u0eff"), ("\u1780", "\u17ff"), ("\u1000", "\u109f"))  # Lao, Khmer, Burmese
LATIN_END = "\u0250"  # Latin letters (Basic Latin to Latin Extended-B) come before this
WRITTEN_FROM = ("given_name", "family_name")  # the fields a romanisation is made from
ROMAN_FIELDS = ("given_name_roman", "family_name_roman")


def _script(word: str) -> str:
    for char in word:
        if THAI[0] <= char <= THAI[1]:
            return "thai"
        if any(low <= char <= high for low, high in OTHERS):
            return "other"
    return "latin"


@cache
def _royin(word: str) -> str:
    os.environ.setdefault("PYTHAINLP_OFFLINE", "1")  # royin is rules only: nothing to fetch or write
    os.environ.setdefault("PYTHAINLP_READ_ONLY", "1")
    from pythainlp.transliterate import romanize

    return str(romanize(word, engine="royin"))


@cache
def _uroman() -> Any:
    import uroman

    return uroman.Uroman()


@cache
def _other(word: str) -> str:
    return str(_uroman().romanize_string(word))


def plain_latin(text: str) -> str:
    """Latin letters as compared: NFC, case folded, accents off (José = jose), anything but letters and
    single spaces gone."""
    kept: list[str] = []
    for char in unicodedata.normalize("NFD", (text or "").casefold()):
        if unicodedata.combining(char) and kept and kept[-1] < LATIN_END:
            continue  # an accent on a Latin letter; a mark on any other script's letter is kept
        kept.append(char)
    text = unicodedata.normalize("NFC", "".join(kept))
    return re.sub(r"\s+", " ", re.sub(r"[^\w\s]|[\d_]", "", text)).strip()


def romanise(name: str) -> str:
    """A name in Latin letters, word by word: Thai by RTGS, Lao, Khmer and Burmese by uroman, Latin as it
    is; lower case, no accents."""
    words = []
    for word in unicodedata.normalize("NFC", name or "").split():
        script = _script(word)
        words.append(_royin(word) if script == "thai" else _other(word) if script == "other" else word)
    return plain_latin(" ".join(words))[:150]


NOTHING_TO_ROMANISE = "-"  # stored for a given name with no letters, so it is not taken as waiting for it


def stored(given: str, family: str) -> tuple[str, str]:
    """The romanisations stored for a given and a family name."""
    return romanise(given) or (NOTHING_TO_ROMANISE if given else ""), romanise(family)


def set_romanised(person: Any) -> None:
    """Write the romanisation of a person's names on the object (before it is saved)."""
    values = stored(getattr(person, "given_name", "") or "", getattr(person, "family_name", "") or "")
    for target, value in zip(ROMAN_FIELDS, values, strict=True):
        setattr(person, target, value)


def pending(people: Any) -> Any:
    """The people of a queryset whose names have not been romanised yet (written by a bulk path that leaves
    it for later: imports; see fill_pending)."""
    return people.filter(given_name_roman="").exclude(given_name="")


def fill_pending(people: Any = None, batch: int = 2000) -> int:
    """Romanise the names of people written without it (a large import lands its people first: the Thai
    romaniser takes about 0.3 ms a name, longer than writing the person). Run by `safepassage people
    romanise` (the worker, every few minutes), after an import when no worker runs, and by the matcher before
    it compares anyone, so no comparison ever meets a name not yet romanised. Returns how many were done."""
    from safepassage.core.copy import update_columns
    from safepassage.registry.models import Person

    people = Person.objects.all() if people is None else people
    done = 0
    while True:
        rows = list(pending(people).order_by("pk").values_list("pk", "given_name", "family_name")[:batch])
        if not rows:
            return done
        update_columns(
            Person, ROMAN_FIELDS, [(pk, *stored(given, family or "")) for pk, given, family in rows]
        )
        done += len(rows)
