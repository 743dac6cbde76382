"""Finding the same person twice: a Splink (Fellegi-Sunter) model over the registry, run in DuckDB.

Each record is compared field by field; each field's comparison falls in a level ("exactly the same",
"spelled alike", "day and month swapped", …) whose weight the model learns from the data itself (u by
random sampling, m by expectation maximisation), and the weights add up to the pair's match weight. Names are
compared in
Latin letters — the `*_latin` field, or the name itself when it is written in Latin letters — so a Thai and
a Latin spelling of one name meet; the name in its own script is compared exactly as well.

Blocking keeps the pairs compared near-linear: only pairs with the same year of birth and village, or the
same ID number, or the same first letters of the Latin names and year of birth, or the same name in its own
script and village are scored. The same settings run on Spark for a country (see docs/linkage.md)."""

from __future__ import annotations

import contextlib
import io
import logging
import re
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from django.utils.translation import gettext_noop

from safepassage.linkage.spelling import fold
from safepassage.registry.names import romanise


@dataclass(frozen=True)
class JaroWinkler:
    """A level "Jaro-Winkler similarity at least `threshold`": Splink writes it in each backend's own SQL
    (`jaro_winkler_similarity` in DuckDB, the `jaro_winkler` UDF on Spark)."""

    column: str
    threshold: float
    forms: bool = False  # the best over the Latin forms of a name (`_a` as written, `_b` romanised)


# Levels of every comparison, from most to least alike: (SQL condition, label). The label is what the review
# page explains (through gettext). Nulls are a level of their own, with no weight: a missing ID says nothing.
def _either(field: str) -> str:
    """Two records' names the same through any of their Latin forms: the spelling written on the record
    (`_a`) or the machine's romanisation of the name in its own script (`_b`)."""
    return " OR ".join(f"{field}_{x}_l = {field}_{y}_r" for x in "ab" for y in "ab")


def _alike(field: str, threshold: float) -> JaroWinkler:
    """The best Jaro-Winkler similarity over the Latin forms of the two records' names."""
    return JaroWinkler(field, threshold, forms=True)


def best_of_forms(function: str, field: str, threshold: float) -> str:
    """SQL: the best similarity (`function`, the backend's Jaro-Winkler) of any two Latin forms."""
    pairs = ", ".join(f"coalesce({function}({field}_{x}_l, {field}_{y}_r), 0)" for x in "ab" for y in "ab")
    return f"greatest({pairs}) >= {threshold}"


# Levels of every comparison, from most to least alike: (SQL condition, label). The label is what the review
# page explains (through gettext). Nulls are a level of their own, with no weight: a missing ID says nothing.
FIELDS: dict[str, list[tuple[str | JaroWinkler, str]]] = {
    "given_latin": [
        (_either("given"), gettext_noop("Given names the same in Latin letters")),
        (_alike("given", 0.92), gettext_noop("Given names spelled alike")),
        (_alike("given", 0.80), gettext_noop("Given names a little alike")),
    ],
    "family_latin": [
        (_either("family"), gettext_noop("Family names the same in Latin letters")),
        (_alike("family", 0.92), gettext_noop("Family names spelled alike")),
        (_alike("family", 0.80), gettext_noop("Family names a little alike")),
    ],
    "name_script": [
        ("name_script_l = name_script_r", gettext_noop("Names the same in their own script")),
    ],
    "birth_date": [
        ("birth_date_l = birth_date_r", gettext_noop("Same date of birth")),
        (
            "substr(birth_date_l, 1, 4) = substr(birth_date_r, 1, 4) "
            "AND substr(birth_date_l, 6, 2) = substr(birth_date_r, 9, 2) "
            "AND substr(birth_date_l, 9, 2) = substr(birth_date_r, 6, 2)",
            gettext_noop("Same date of birth with day and month swapped"),
        ),
        (
            "birth_date_l IS NOT NULL AND birth_date_r IS NOT NULL",
            gettext_noop("Different dates of birth"),
        ),
        (
            "birth_year_l = birth_year_r",
            gettext_noop("Same year of birth (the full date not known on one record)"),
        ),
        (
            "abs(birth_year_l - birth_year_r) <= 1",
            gettext_noop("Years of birth one apart (the full date not known on one record)"),
        ),
    ],
    "sex": [("sex_l = sex_r", gettext_noop("Same sex"))],
    "village": [("village_l = village_r", gettext_noop("Same village"))],
    "parents": [
        ("parents_l = parents_r", gettext_noop("Same parents' names")),
        (JaroWinkler("parents", 0.88), gettext_noop("Parents' names alike")),
    ],
    "national_id": [("national_id_l = national_id_r", gettext_noop("Same ID number"))],
}
# Starting m probabilities (how often a true match falls in each level, most alike first, "different" last):
# sensible values from the data quality of partners' lists. Expectation maximisation refines them when the
# data allow; when it cannot (a level never seen among the likely matches), these stand.
M_START: dict[str, list[float]] = {
    "given_latin": [0.80, 0.12, 0.05, 0.03],
    "family_latin": [0.85, 0.08, 0.04, 0.03],
    "name_script": [0.55, 0.45],
    "birth_date": [0.60, 0.05, 0.01, 0.28, 0.04, 0.02],
    "sex": [0.98, 0.02],
    "village": [0.85, 0.15],
    "parents": [0.65, 0.20, 0.15],
    "national_id": [0.95, 0.05],
}
# How often two records of different people fall in each level (the same order): used, with M_START, when
# a population is too small to learn from (fewer than MIN_TRAIN people, or training finds no likely pairs).
# Measured on generated districts of a few thousand people (tests/linkage) and rounded.
U_FIXED: dict[str, list[float]] = {
    "given_latin": [0.003, 0.01, 0.08, 0.907],
    "family_latin": [0.001, 0.005, 0.05, 0.944],
    "name_script": [0.0005, 0.9995],
    "birth_date": [0.0002, 0.00002, 0.95, 0.01, 0.02, 0.01978],
    "sex": [0.5, 0.5],
    "village": [0.05, 0.95],
    "parents": [0.001, 0.01, 0.989],
    "national_id": [0.0001, 0.9999],
}
# Levels whose m is never re-estimated (field → level indexes in FIELDS): two known full dates of birth that
# differ are rare for one person (a slip of the pen), but where many people share a name expectation
# maximisation would learn them as common and propose namesakes of one village.
M_FIXED: dict[str, set[int]] = {"birth_date": {2}}
MIN_TRAIN = 1000
NULL_COLUMNS = {
    "given_latin": "given_b",
    "family_latin": "family_b",
    "birth_date": "birth_year",
    "parents": "parents",
}  # the column whose absence makes a null level
DIFFERENT = {
    "given_latin": gettext_noop("Given names differ"),
    "family_latin": gettext_noop("Family names differ"),
    "name_script": gettext_noop("Names differ in their own script"),
    "birth_date": gettext_noop("Born in different years"),
    "sex": gettext_noop("Different sex"),
    "village": gettext_noop("Different villages"),
    "parents": gettext_noop("Different parents' names"),
    "national_id": gettext_noop("Different ID numbers"),
}
MISSING = gettext_noop("Not known on one record")
# What each comparison looks at, in words: the review page names the field a "not known" is about.
FIELD_NAMES = {
    "given_latin": gettext_noop("Given name"),
    "family_latin": gettext_noop("Family name"),
    "name_script": gettext_noop("Name in its own script"),
    "birth_date": gettext_noop("Date of birth"),
    "sex": gettext_noop("Sex"),
    "village": gettext_noop("Village"),
    "parents": gettext_noop("Parents' names"),
    "national_id": gettext_noop("ID card number"),
}
COLUMNS = (
    "id",
    "agency",
    "given_a",
    "given_b",
    "family_a",
    "family_b",
    "name_script",
    "birth_date",
    "birth_year",
    "sex",
    "village",
    "parents",
    "national_id",
)


@lru_cache(maxsize=1 << 17)
def normalise(text: str) -> str:
    """NFC, case folded, one space between words: for comparing, never for showing. Marks stay: in Thai,
    Lao, Khmer and Burmese they are vowels and tones, part of the name (สุข is not สข)."""
    text = unicodedata.normalize("NFC", text or "")
    return re.sub(r"\s+", " ", text.casefold()).strip()


LATIN_END = "\u0250"  # Latin letters (Basic Latin to Latin Extended-B) come before this


@lru_cache(maxsize=1 << 17)  # (names repeat: see spelling.fold)
def fold_latin(text: str) -> str:
    """A name in Latin letters as compared: normalised, and accents off the Latin letters (José = Jose)."""
    kept: list[str] = []
    for char in unicodedata.normalize("NFD", normalise(text)):
        if unicodedata.combining(char) and kept and kept[-1] < LATIN_END:
            continue  # an accent on a Latin letter; a mark on any other script's letter is kept
        kept.append(char)
    return unicodedata.normalize("NFC", "".join(kept))


def _written(name: str, latin: str) -> str:
    """The spelling in Latin letters written on the record: its Latin field, or the name itself when it is
    written in Latin letters; folded (spelling.fold)."""
    if latin:
        return fold(latin)
    text = fold_latin(name)
    return fold(text) if text and all(c.isascii() for c in text.replace(" ", "")) else ""


def _romanised(person: dict[str, Any], field: str) -> str:
    """The machine's romanisation of the name (stored on the person when written), folded."""
    stored = person.get(f"{field}_roman")
    waiting = person.get("given_name_roman") == "" and bool(person.get("given_name"))  # names.fill_pending
    return fold(romanise(person.get(field, "") or "") if stored is None or waiting else stored)


def record(person: dict[str, Any]) -> dict[str, Any]:
    """One registry row (a dict of Person fields) as the matcher compares it; empty values become None."""
    parents = " | ".join(
        p for p in (fold_latin(person.get("father_name", "")), fold_latin(person.get("mother_name", ""))) if p
    )
    birth_date = person.get("birth_date")
    values = {
        "id": person["id"],
        "agency": person["agency_id"],
        "given_a": _written(person.get("given_name", ""), person.get("given_name_latin", "")),
        "given_b": _romanised(person, "given_name"),
        "family_a": _written(person.get("family_name", ""), person.get("family_name_latin", "")),
        "family_b": _romanised(person, "family_name"),
        "name_script": normalise(f"{person.get('given_name', '')} {person.get('family_name', '')}"),
        "birth_date": birth_date.isoformat() if birth_date else "",
        "birth_year": person.get("birth_year") or (birth_date.year if birth_date else None),
        "sex": person.get("sex") if person.get("sex") not in ("", "unknown") else None,
        "village": person.get("village_code") or None,
        "parents": parents,
        # Registry rows give the number's blind index (core.crypto), compared only for equality as the number
        # would be; synthetic rows (benchmarks, tests without a database) give the number.
        "national_id": person.get("national_id_index", person.get("national_id")) or None,
    }
    return {k: (None if v == "" else v) for k, v in values.items()}


def _best_of_forms_class() -> Any:
    import splink.comparison_level_library as cll

    class BestOfForms(cll.CustomLevel):
        """Written in each backend's SQL with its own Jaro-Winkler function (the jar's UDF on Spark)."""

        def __init__(self, condition: JaroWinkler, label: str) -> None:
            super().__init__("TRUE", label)
            self.condition = condition

        def create_sql(self, sql_dialect: Any) -> str:
            jw = sql_dialect.jaro_winkler_function_name
            return best_of_forms(jw, self.condition.column, self.condition.threshold)

    return BestOfForms


def _BestOfForms(condition: JaroWinkler, label: str) -> Any:
    return _best_of_forms_class()(condition, label)


def _comparison(name: str, *, parameters: Parameters | None = None) -> Any:
    import splink.comparison_level_library as cll
    from splink import comparison_library as cl

    null_column = NULL_COLUMNS.get(name, name)
    levels: list[Any] = [
        cll.CustomLevel(
            f"{null_column}_l IS NULL OR {null_column}_r IS NULL", MISSING, base_dialect_str="duckdb"
        )
    ]
    levels[0] = levels[0].configure(is_null_level=True)
    m = parameters.m[name] if parameters else M_START[name]
    u = parameters.u[name] if parameters else U_FIXED[name]
    fixed = parameters is not None
    for index, ((condition, label), start, u_value) in enumerate(zip(FIELDS[name], m, u, strict=False)):
        level: Any
        if isinstance(condition, JaroWinkler) and condition.forms:
            level = _BestOfForms(condition, label)
        elif isinstance(condition, JaroWinkler):
            level = cll.JaroWinklerLevel(condition.column, condition.threshold)
        else:  # plain SQL written for DuckDB; Splink translates it for another backend (sqlglot)
            level = cll.CustomLevel(condition, label, base_dialect_str="duckdb")
        known: dict[str, Any] = {"u_probability": u_value} if fixed else {}
        if index in M_FIXED.get(name, ()):
            known["fix_m_probability"] = True
        levels.append(level.configure(label_for_charts=label, m_probability=start, **known))
    known = {"u_probability": u[-1]} if fixed else {}
    levels.append(cll.ElseLevel().configure(label_for_charts=DIFFERENT[name], m_probability=m[-1], **known))
    return cl.CustomComparison(output_column_name=name, comparison_levels=levels)


@dataclass(frozen=True)
class Parameters:
    """A model's parameters as numbers, whichever engine estimated them: the prior (how likely two records
    picked at random are one person) and, per field, m and u for each level in the order of FIELDS, the
    "different" level last (the null level has none). The same parameters give the same probabilities on
    DuckDB and on Spark."""

    prior: float
    m: dict[str, list[float]]
    u: dict[str, list[float]]

    @classmethod
    def fixed(cls, rows: int) -> Parameters:
        """The documented fixed parameters (M_START, U_FIXED, one likely duplicate per person)."""
        return cls(1 / max(rows, 100), dict(M_START), dict(U_FIXED))

    @classmethod
    def of(cls, linker: Any) -> Parameters:
        """A trained (or fixed) linker's parameters, as it would use them to predict."""
        model = linker._settings_obj  # Splink's values, its defaults applied (the JSON keeps placeholders)
        m: dict[str, list[float]] = {}
        u: dict[str, list[float]] = {}
        for comparison in model.comparisons:
            levels = [level for level in comparison.comparison_levels if not level.is_null_level]
            m[comparison.output_column_name] = [float(level.m_probability) for level in levels]
            u[comparison.output_column_name] = [float(level.u_probability) for level in levels]
        return cls(float(model._probability_two_random_records_match), m, u)

    def usable(self) -> bool:
        """Scoring takes logarithms of the prior and of m/u: none may be 0 (nor the prior 1). (Splink's
        defaults for a level training never saw need not add up to 1: they are kept as they are.)"""
        values = [v for field in (self.m, self.u) for levels in field.values() for v in levels]
        return 0 < self.prior < 1 and all(v > 0 for v in values)

    def as_dict(self) -> dict[str, Any]:
        return {"prior": self.prior, "m": self.m, "u": self.u}


def settings(*, fixed_for: int | None = None, parameters: Parameters | None = None) -> Any:
    """The Splink model's settings: the same on DuckDB here and on Spark for a country. `fixed_for` (a number
    of people) gives the documented fixed parameters instead of trained ones: m from M_START, u from U_FIXED,
    and one likely duplicate per person as the prior; `parameters` gives parameters estimated before (on
    either engine)."""
    from splink import SettingsCreator, block_on

    if fixed_for is not None:
        parameters = Parameters.fixed(fixed_for)
    prior: dict[str, Any] = {}
    if parameters is not None:
        prior["probability_two_random_records_match"] = parameters.prior
    return SettingsCreator(
        **prior,
        link_type="dedupe_only",
        unique_id_column_name="id",
        comparisons=[_comparison(name, parameters=parameters) for name in FIELDS],
        blocking_rules_to_generate_predictions=[
            block_on("birth_year", "village"),
            block_on("national_id"),
            block_on("substr(family_b, 1, 3)", "substr(given_b, 1, 2)", "birth_year"),
            block_on("substr(family_a, 1, 3)", "substr(given_a, 1, 2)", "birth_year"),
            block_on("name_script", "village"),
        ],
        additional_columns_to_retain=["agency"],
        retain_intermediate_calculation_columns=True,
        retain_matching_columns=True,
    )


@dataclass(frozen=True)
class Pair:
    """Two records that may be one person."""

    a: int
    b: int
    match_weight: float
    probability: float
    evidence: list[dict[str, Any]]


def labels() -> dict[str, list[str]]:
    """field → label per comparison level (gamma): -1 missing, 0 different, then least to most alike."""
    return {name: [DIFFERENT[name], *[label for _, label in reversed(FIELDS[name])]] for name in FIELDS}


def find_pairs(
    records: Iterable[dict[str, Any]], *, threshold: float = 0.9, backend: str | None = None
) -> list[Pair]:
    """Train the model on these records and return the pairs whose match probability reaches `threshold`.
    The parameters are estimated in DuckDB; the pairs are predicted with them on `backend` (the setting
    LINKAGE_BACKEND: "duckdb" here, "spark" on SPARK_MASTER)."""
    import pyarrow as pa
    import splink  # its loggers exist before _quiet() silences them
    from django.conf import settings as django_settings

    del splink
    backend = backend or getattr(django_settings, "LINKAGE_BACKEND", "duckdb")
    schema = _schema()
    batches = []
    chunk: list[dict[str, Any]] = []
    for item in records:  # in batches, so a million records never sit in memory as Python objects
        chunk.append(item)
        if len(chunk) == 50_000:
            batches.append(pa.RecordBatch.from_pylist(chunk, schema=schema))
            chunk = []
    batches.append(pa.RecordBatch.from_pylist(chunk, schema=schema))
    table = pa.Table.from_batches(batches, schema=schema)
    if table.num_rows < 2:
        return []
    with _quiet():
        parameters = estimate(table)
        if backend == "spark":
            from safepassage.linkage import spark

            with spark.session() as session:
                return _pairs(spark.api(session), table, parameters, threshold)
        return _pairs(_duckdb(), table, parameters, threshold)


def _duckdb() -> Any:
    import duckdb
    from django.conf import settings as django_settings
    from splink import DuckDBAPI

    # DuckDB would take most of the machine's memory by default; the server has other work to do.
    limit = getattr(django_settings, "LINKAGE_MEMORY_LIMIT", "1GB")
    spill = Path(django_settings.DATA_DIR) / "linkage-tmp"  # never the working directory
    spill.mkdir(parents=True, exist_ok=True)
    config = {"memory_limit": limit, "temp_directory": str(spill), "max_temp_directory_size": "8GB"}
    return DuckDBAPI(connection=duckdb.connect(config=config))


@contextlib.contextmanager
def _quiet() -> Iterator[None]:
    """Splink narrates its training (logging at INFO and WARNING, and print): not for our logs or output."""
    loggers = [
        logging.getLogger(name) for name in list(logging.root.manager.loggerDict) if name.startswith("splink")
    ]
    loggers.append(logging.getLogger("splink"))
    levels = [(logger, logger.level) for logger in loggers]
    for logger in loggers:
        logger.setLevel(logging.ERROR)
    try:
        with contextlib.redirect_stdout(io.StringIO()):
            yield
    finally:
        for logger, level in levels:
            logger.setLevel(level)


def estimate(table: Any) -> Parameters:
    """The model's parameters for these records (a pyarrow table of `record()` rows), estimated in DuckDB:
    trained when there are enough people and training succeeds, else the documented fixed ones."""
    rows = table.num_rows
    if rows >= MIN_TRAIN:
        db = _duckdb()
        for expectation_maximisation in (True, False):
            # A level no likely match fell in makes its m underflow: train again without expectation
            # maximisation, so the starting m values stand (a failed session leaves the model half-changed).
            try:
                linker = train(db.register(table), rows, expectation_maximisation=expectation_maximisation)
                found = Parameters.of(linker)
            except _failures():
                continue
            # No pair close enough to estimate the prior from (a prior of zero: scoring takes its logarithm).
            if found.usable():
                return found
            break
    # Too few people to learn from, or no pair close enough to estimate the prior from (log of zero: "math
    # domain error"), or none found by a training rule (Splink's own exception): the fixed parameters.
    return Parameters.fixed(rows)


def train(source: Any, rows: int, *, expectation_maximisation: bool = True) -> Any:
    """A Splink linker over a registered table (`db.register(...)`, DuckDB here, Spark for a country), its
    parameters estimated: the prior from close pairs, u by random sampling, m by expectation maximisation
    blocked on two different rules (each rule's blocks are compared in full: they must stay small)."""
    from splink import Linker, block_on

    linker = Linker(source, settings())
    linker.training.estimate_probability_two_random_records_match(
        [block_on("given_b", "family_b", "birth_year"), block_on("national_id")], recall=0.8
    )
    linker.training.estimate_u_using_random_sampling(max_pairs=min(2e6, max(1e4, rows * 20)), seed=1)
    if expectation_maximisation:
        for rule in (
            block_on("birth_year", "village"),
            block_on("substr(family_b, 1, 3)", "substr(given_b, 1, 2)", "birth_year"),
        ):
            linker.training.estimate_parameters_using_expectation_maximisation(
                rule, fix_u_probabilities=True, estimate_without_term_frequencies=True
            )
    return linker


def _failures() -> tuple[type[Exception], ...]:
    """What training a model on too few or too different people raises: a logarithm of zero (ValueError,
    "math domain error"), an m that underflows, or Splink's own "EM found no pairs"."""
    from splink.internals.exceptions import EMTrainingException

    return (ArithmeticError, ValueError, EMTrainingException)


def predict(db: Any, table: Any, parameters: Parameters, threshold: float) -> Any:
    """The pairs reaching `threshold` (a Splink data frame in the engine of `db`: a DuckDBAPI or SparkAPI)."""
    from splink import Linker

    linker = Linker(db.register(table), settings(parameters=parameters))
    return linker.inference.predict(threshold_match_probability=threshold)


def _pairs(db: Any, table: Any, parameters: Parameters, threshold: float) -> list[Pair]:
    try:
        result = predict(db, table, parameters, threshold)
    except _failures():
        # Parameters scoring cannot use (an m or u that underflowed to zero): the fixed ones.
        result = predict(db, table, Parameters.fixed(table.num_rows), threshold)
    names = labels()
    pairs: list[Pair] = []
    for row in result.as_record_list():
        a, b = sorted((int(row["id_l"]), int(row["id_r"])))
        evidence = []
        for name in FIELDS:
            gamma = int(row[f"gamma_{name}"])
            weight = row.get(f"mw_{name}")
            evidence.append(
                {
                    "field": name,
                    "level": gamma,
                    "label": MISSING if gamma < 0 else names[name][gamma],
                    "weight": round(float(weight), 2) if weight is not None else 0.0,
                }
            )
        pairs.append(Pair(a, b, float(row["match_weight"]), float(row["match_probability"]), evidence))
    return pairs


def _schema() -> Any:
    import pyarrow as pa

    return pa.schema(
        [
            ("id", pa.int64()),
            ("agency", pa.int64()),
            ("given_a", pa.string()),
            ("given_b", pa.string()),
            ("family_a", pa.string()),
            ("family_b", pa.string()),
            ("name_script", pa.string()),
            ("birth_date", pa.string()),
            ("birth_year", pa.int64()),
            ("sex", pa.string()),
            ("village", pa.string()),
            ("parents", pa.string()),
            ("national_id", pa.string()),
        ]
    )
