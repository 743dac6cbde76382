"""What partners' files are known to say, kept as data (data/known.json): the column titles of each field in
every language, the words for sex, titles before names, and survey answers written in words. Also the
columns found from their values when no title is known (a Thai ID number, dates, sex words), shown for review.

`normal` is the one way a column title or a word is reduced before it is compared."""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime
from functools import lru_cache
from pathlib import Path
from typing import Any

from safepassage.core import dates
from safepassage.registry.validation import thai_id_valid

DATA = Path(__file__).parent / "data" / "known.json"
_BRACKETS = re.compile(r"[()\[\]{}<>]")
_JOINERS = re.compile(r"[\s_\-]+")


def normal(text: Any) -> str:
    """A title or word reduced to compare: Unicode compatibility forms (full-width brackets and digits made
    plain), case ignored, brackets dropped, and runs of spaces, dashes and underscores made one underscore.
    `Date of  Birth`, `date_of_birth` and `DATE-OF-BIRTH` are the same; so are `ชื่อ（อังกฤษ）` and
    `ชื่อ (อังกฤษ)`."""
    text = unicodedata.normalize("NFKC", str(text or "")).lstrip("\ufeff").casefold()
    text = _BRACKETS.sub(" ", text).strip()
    return _JOINERS.sub("_", text)


def keys(header: str) -> list[str]:
    """Every name a column title may stand for, the whole title first: then without an ODK or KoboToolbox
    group prefix (`group/field`), then what follows each "-" (ODK Central joins groups with "-")."""
    whole = normal(header)
    found = [whole]
    # SafePassage's own templates head a column "Label (code)": the code in brackets at the end.
    if coded := re.search(r"\(\s*([A-Za-z][\w\-]*)\s*\)\s*$", str(header)):
        found.append(normal(coded[1]))
    rest = str(header).strip().rsplit("/", 1)[-1]
    if normal(rest) not in found:
        found.append(normal(rest))
    while "-" in rest:
        rest = rest.split("-", 1)[1]
        if normal(rest) not in found:
            found.append(normal(rest))
    return found


@lru_cache(maxsize=1)
def load() -> dict[str, Any]:
    with DATA.open(encoding="utf-8") as handle:
        data: dict[str, Any] = json.load(handle)
    return data


def field_names(kind: str, field: str, aliases: Iterable[str] = ()) -> list[str]:
    """The normalised titles a field is known by: its own name, the kind's aliases, and the data's."""
    names = [field, *aliases, *load()["fields"].get(kind, {}).get(field, [])]
    return list(dict.fromkeys(normal(n) for n in names))


def match(
    kind: str,
    columns: Sequence[tuple[str, Sequence[str]]],
    headers: Sequence[str],
    chosen: Mapping[str, str],
    indicators: frozenset[str] = frozenset(),
) -> dict[str, str]:
    """field → column title: what the user chose; else a column whose whole title is a known name of the
    field; else one whose title without its group prefix is. A column named after an indicator (SOC-SEX,
    d_social-soc_sex) is never taken for another field. `columns` is (field, its aliases) in order."""
    mapping: dict[str, str] = {}
    for field, _aliases in columns:
        if chosen.get(field) in headers:
            mapping[field] = chosen[field]
    used = set(mapping.values())
    candidates = []
    for header in headers:
        if not header:
            continue
        header_keys = keys(header)
        if indicators.intersection(header_keys):
            continue
        candidates.append((header, header_keys))
    names = {field: field_names(kind, field, aliases) for field, aliases in columns}
    for depth in (0, 1):  # whole titles for every field first, then titles without their group prefix
        for field, _aliases in columns:
            if field in mapping:
                continue
            for header, header_keys in candidates:
                if header in used:
                    continue
                tried = header_keys[:1] if depth == 0 else header_keys[1:]
                if any(k in names[field] for k in tried):
                    mapping[field] = header
                    used.add(header)
                    break
    return mapping


# Values --------------------------------------------------------------------------------------------------


@lru_cache(maxsize=1)
def sex_words() -> dict[str, str]:
    """normalised word → sex (female, male, other, unknown), in the seven languages and abbreviations."""
    words = {"": "unknown"}
    for sex, spellings in load()["sex"].items():
        for word in spellings:
            words[normal(word)] = sex
    return words


@lru_cache(maxsize=1)
def _titles() -> frozenset[str]:
    return frozenset(normal(t) for t in load()["titles"])


_BURMESE = re.compile(r"[\u1000-\u109f]")


def split_full_name(text: str) -> tuple[str, str]:
    """A full name as (given name, family name): a title before it (นาย, Mrs, ທ້າວ…) dropped, the first
    word the given name, the rest the family name. Burmese names have no family name: all given."""
    words = text.split()
    while len(words) > 1 and normal(words[0]) in _titles():
        words = words[1:]
    if not words:
        return "", ""
    if _BURMESE.search(text):
        return " ".join(words), ""
    return words[0], " ".join(words[1:])


@lru_cache(maxsize=1)
def _answer_words() -> dict[str, int]:
    table = load()["answers"]
    return {normal(word): int(score) for score in ("1", "2", "3") for word in table[score]}


@lru_cache(maxsize=8)
def _rubrics(catalogue_id: int | None) -> dict[str, dict[str, int]]:
    from safepassage.registry.models import Indicator

    found: dict[str, dict[str, int]] = {}
    indicators = Indicator.objects.filter(catalogue_id=catalogue_id) if catalogue_id else []
    for indicator in indicators:
        table: dict[str, int] = {}
        for score, texts in (indicator.rubric or {}).items():
            for text in (texts or {}).values() if isinstance(texts, dict) else [texts]:
                if text and str(score).isdigit():
                    table.setdefault(normal(text), int(score))
        found[indicator.code] = table
    return found


def answer_score(code: str, text: str, catalogue_id: int | None = None) -> int | None:
    """A survey answer written in words as its score (1 lowest risk to 3 highest): the indicator's own
    answer texts in any language first, then words any survey uses (pass/fail as BMN writes, low/high);
    None when the words are not known."""
    if catalogue_id is None:
        from safepassage.registry.services import active_catalogue

        catalogue_id = active_catalogue().pk
    key = normal(text)
    own = _rubrics(catalogue_id).get(code, {})
    if key in own:
        return own[key]
    return _answer_words().get(key)


def forget() -> None:
    """Drop what is cached (a catalogue edited in a test)."""
    _rubrics.cache_clear()


# Columns found from their values ---------------------------------------------------------------------------

SAMPLE_ROWS = 200
_DATE_TEXT = (dates._ISO, dates._DMY)


def _is_date(value: Any) -> bool:
    if isinstance(value, date | datetime):
        return True
    text = str(value).strip()
    if not any(p.match(text) for p in _DATE_TEXT):
        return False
    try:
        return dates.parse_date(text) is not None
    except dates.ValueProblem:
        return False


def _is_thai_id(value: Any) -> bool:
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return thai_id_valid(str(value).strip())


def _all(values: list[Any], test: Any, share: float = 1.0) -> bool:
    return len(values) >= 2 and sum(1 for x in values if test(x)) >= share * len(values)


def detect(
    headers: Sequence[str],
    sample: Sequence[Mapping[str, Any]],
    mapping: Mapping[str, str],
    fields: Sequence[str],
    *,
    has_scores: bool = False,
    excluded: Iterable[str] = (),
) -> dict[str, str]:
    """field → column title, found from the values of columns no title matched: 13 digits with a valid Thai
    check digit (national_id), sex words of any of the seven languages (sex), dates (birth_date, or with
    scores in the file the later of two date columns as assessed_on). Only what is unambiguous: one column
    for a field. A given-name column whose names mostly hold two words, with no family-name column, is a
    full name (split into given and family)."""
    used = set(mapping.values()) | set(excluded)
    free = [h for h in headers if h and h not in used]
    values = {h: [row.get(h) for row in sample if str(row.get(h) or "").strip()] for h in headers if h}
    found: dict[str, str] = {}

    def one(field: str, columns: list[str]) -> None:
        if field in fields and field not in mapping and len(columns) == 1:
            found[field] = columns[0]

    one("national_id", [h for h in free if _all(values[h], _is_thai_id, 0.9)])
    words = sex_words()
    one("sex", [h for h in free if _all(values[h], lambda x: normal(x) in words)])
    dated = [h for h in free if _all(values[h], _is_date)]
    if len(dated) == 1 and not (has_scores and "assessed_on" not in mapping and "birth_date" not in mapping):
        one("birth_date" if "birth_date" not in mapping else "assessed_on", dated)
    elif len(dated) == 2 and has_scores and {"birth_date", "assessed_on"}.isdisjoint(mapping):
        first, second = (_dates(sample, h) for h in dated)
        pairs = [(a, b) for a, b in zip(first, second, strict=True) if a and b]
        born, assessed = (0, 1) if pairs and all(a < b for a, b in pairs) else (1, 0)
        if pairs and all((a < b) == (born == 0) and a != b for a, b in pairs):
            one("birth_date", [dated[born]])
            one("assessed_on", [dated[assessed]])
    for given, family, full in (
        ("given_name", "family_name", "full_name"),
        ("given_name_latin", "family_name_latin", "full_name_latin"),
    ):
        header = mapping.get(given)
        if full in fields and header and family not in mapping and full not in mapping:
            names = values.get(header, [])
            if _all(names, lambda x: len(str(x).split()) >= 2, 0.6):
                found[full] = header
    return found


def _dates(sample: Sequence[Mapping[str, Any]], header: str) -> list[date | None]:
    out: list[date | None] = []
    for row in sample:
        try:
            out.append(dates.parse_date(row.get(header)) or None)
        except dates.ValueProblem:
            out.append(None)
    return out


def with_detected(mapping: dict[str, str], detected: Mapping[str, str]) -> dict[str, str]:
    """The mapping with the columns found from their values: a full name takes its column from the given
    name it was first matched as."""
    merged = dict(mapping)
    for field, header in detected.items():
        if field in merged:
            continue
        for other, taken in list(merged.items()):
            if taken == header and field.startswith("full_name"):
                del merged[other]
        if header not in merged.values():
            merged[field] = header
    return merged
