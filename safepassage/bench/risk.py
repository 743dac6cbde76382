"""Risk-index benchmarks at country scale: bulk recording, the province report, re-scoring, a new round."""

from __future__ import annotations

import json
import os
import random
import shutil
import sys
import time
from collections.abc import Iterable, Iterator
from datetime import date, timedelta
from typing import Any

from django.db import DatabaseError, connection, transaction
from django.db.models import JSONField
from django.db.models.expressions import DatabaseDefault

from safepassage.bench import DiskTooSmall, Figure, benchmark, percentiles, timed
from safepassage.core.disclosure import KEY_SPACE
from safepassage.registry.bulk import COLUMNS


def _setup(people: int, code: str = "bench-risk") -> dict[str, Any]:
    """An agency (its own per benchmark, so that several run in one database) with a coordinator, an
    analyst and `people` people across the demo provinces' villages."""
    from safepassage.accounts.models import Agency, Membership, User
    from safepassage.geo.demo import province_rows
    from safepassage.geo.models import Area
    from safepassage.geo.services import areas_import
    from safepassage.registry.models import Person

    if not Area.objects.filter(code="50").exists():
        areas_import(actor=None, rows=province_rows(), source="bench")
    agency = Agency.objects.create(code=code, name=f"Bench {code}", kind="government", country="TH")
    user = User.objects.create_user(username=f"{code}-coordinator", password=None)
    Membership.objects.create(user=user, agency=agency, role="coordinator")
    # A reader outside the case staff: every figure through the cell-key method, each request audited.
    analyst = User.objects.create_user(username=f"{code}-analyst", password=None)
    Membership.objects.create(user=analyst, agency=agency, role="analyst")
    villages = list(Area.objects.filter(level="village").values_list("pk", flat=True))
    rng = random.Random(1)
    year = date.today().year
    # Written by the database's own bulk path (bulk_create spends minutes compiling a million people):
    # every column as Django would save it, from one person, with name, village, sex and year varied.
    template = Person(agency=agency, village_id=villages[0], given_name="", sex="female", birth_year=year)
    fields, values = [], []
    for f in Person._meta.concrete_fields:
        value = f.pre_save(template, add=True)
        if f.primary_key or isinstance(value, DatabaseDefault):  # (filled in by the database)
            continue
        fields.append(f)
        values.append(
            json.dumps(value) if isinstance(f, JSONField) else f.get_db_prep_save(value, connection)
        )
    at = {
        name: [f.attname for f in fields].index(name)
        for name in ("given_name", "village_id", "sex", "birth_year", "record_key")
    }

    def person(n: int) -> list[Any]:
        row = list(values)
        row[at["given_name"]], row[at["village_id"]] = f"P{n}", villages[n % len(villages)]
        row[at["sex"]], row[at["birth_year"]] = rng.choice(["female", "male"]), year - rng.randint(0, 70)
        row[at["record_key"]] = rng.randrange(KEY_SPACE)
        return row

    with transaction.atomic(), connection.cursor() as cursor:
        _insert(cursor, Person._meta.db_table, tuple(f.column for f in fields), map(person, range(people)))
    if connection.vendor == "postgresql":
        # What autovacuum (on, in production) does within a minute of a million new rows: statistics for
        # the planner, and the pages marked as written (else the first round pays for marking them all).
        with connection.cursor() as cursor:
            cursor.execute(f"VACUUM (ANALYZE) {Person._meta.db_table}")
    return {"user": user, "analyst": analyst, "agency": agency}


def _answers(rng: random.Random, codes: list[str], level: float) -> dict[str, int]:
    return {c: (1 if (u := level + rng.random() * 0.6) < 0.45 else 2 if u < 0.8 else 3) for c in codes}


def _round(on: date, codes: list[str], seed: int, change: float) -> Iterator[Any]:
    from safepassage.registry.bulk import BulkItem
    from safepassage.registry.models import Person

    rng = random.Random(seed)
    # Each person's usual answers, the same every round: one of 4,096 answer sheets drawn once, so that
    # what is timed is recording, not making up answers (a new answer sheet per person costs as much).
    usual = random.Random(0)
    sheets = [_answers(usual, codes, usual.random() * 0.4) for _ in range(4096)]
    for pid in Person.objects.order_by("pk").values_list("pk", flat=True).iterator(chunk_size=20_000):
        answers = sheets[(pid * 2654435761) % 4096]
        if rng.random() < change:
            answers = {**answers, rng.choice(codes): 3}
        yield BulkItem(pid, on, answers, "survey")


# The assessment columns the raw insert copies: the bulk path's own, less what the database fills itself.
RAW_COLUMNS = tuple(c for c in COLUMNS if c not in ("subject_is_village", "assessor_id", "recorded_at"))


def _sample(columns: tuple[str, ...], limit: int) -> list[list[Any]]:
    """Up to `limit` assessments already recorded, as rows of `columns` ready to insert (JSON as text)."""
    from safepassage.registry.models import Assessment

    jsons = [n for n, c in enumerate(columns) if c in ("scores", "domain_scores")]
    rows = []
    for values in Assessment.objects.order_by("pk").values_list(*columns)[:limit]:
        row = list(values)
        for n in jsons:
            row[n] = json.dumps(row[n])
        rows.append(row)
    return rows


def _insert(cursor: Any, table: str, columns: tuple[str, ...], rows: Iterable[list[Any]]) -> float:
    """Seconds to insert rows with the database's own bulk path (COPY or executemany)."""
    quoted = ", ".join(connection.ops.quote_name(c) for c in columns)
    start = time.perf_counter()
    if connection.vendor == "postgresql":
        with cursor.copy(f"COPY {table} ({quoted}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
    else:
        marks = ", ".join(["%s"] * len(columns))
        cursor.executemany(f"INSERT INTO {table} ({quoted}) VALUES ({marks})", rows)
    return time.perf_counter() - start


def raw_insert_rate(limit: int = 200_000) -> float:
    """Rows per second the database itself inserts, for up to `limit` assessments already recorded, copied
    into a scratch table (no indexes, no checks) by its own bulk path."""
    rows = _sample(RAW_COLUMNS, limit)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("CREATE TEMP TABLE bench_raw AS SELECT * FROM registry_assessment WHERE 1 = 0")
        seconds = _insert(cursor, "bench_raw", RAW_COLUMNS, rows)
        cursor.execute("DROP TABLE bench_raw")
    return len(rows) / seconds


def table_insert_rate(limit: int = 200_000) -> float:
    """Rows per second the database inserts up to `limit` assessments already recorded (under new
    fingerprints) into the assessments table itself, by its own bulk path, with its indexes, its unique
    fingerprint and its check of the person, all rolled back afterwards: the floor under bulk recording."""
    columns = tuple(c for c in COLUMNS if c != "assessor_id")
    rows = _sample(columns, limit)
    at = columns.index("fingerprint")
    for row in rows:
        row[at] = "z" + row[at][1:]  # not hexadecimal: new to the table
    with transaction.atomic(), connection.cursor() as cursor:
        floor = transaction.savepoint()
        if connection.vendor == "postgresql":
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # the check of the person inside the time
        seconds = _insert(cursor, "registry_assessment", columns, rows)
        transaction.savepoint_rollback(floor)
    return len(rows) / seconds


DEFAULT_SIZES = [100_000, 1_000_000]  # 10,000,000 only when asked for (--size, BENCH_RISK_SIZES)
QUICK_SIZES = [5_000, 20_000]
# Database bytes a person takes with two rounds of assessments (PostgreSQL, measured at 100,000 people on
# 2026-12-07: docs/performance.md); used for the disk check when no smaller size ran before in the same run.
BYTES_PER_PERSON = 3_600
DISK_MARGIN = 1.5  # WAL, the re-score's and VACUUM's new row versions, temporary files while sorting
DISK_SPARE = 2 * 2**30  # and the server itself keeps working


def risk_sizes(quick: bool, asked: list[int]) -> list[int]:
    """The sizes to run, smallest first: those asked for, else the quick ones or the default ones."""
    return sorted(set(asked or (QUICK_SIZES if quick else DEFAULT_SIZES)))


def database_bytes() -> int:
    """The benchmark database's size on disk now."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_database_size(current_database())")
            return int(cursor.fetchone()[0])
    name = str(connection.settings_dict["NAME"])
    return sum(os.path.getsize(p) for p in (name, f"{name}-wal") if os.path.exists(p))


def database_folder() -> str | None:
    """A folder on the disk the database writes to: BENCH_DISK_PATH, PostgreSQL's data directory when it is on
    this machine, the SQLite file's folder; None when it cannot be told (a database on another host)."""
    if os.environ.get("BENCH_DISK_PATH"):
        return os.environ["BENCH_DISK_PATH"]
    if connection.vendor == "sqlite":
        return os.path.dirname(str(connection.settings_dict["NAME"])) or "."
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SHOW data_directory")
            folder = str(cursor.fetchone()[0])
    except DatabaseError:
        return None  # (only superusers and pg_read_all_settings may ask)
    return folder if os.path.exists(folder) else None


def check_disk(people: int, per_person: float, source: str) -> None:
    """Refuse to start a size whose database would not fit on the disk, before writing anything."""
    needed = int(people * per_person * DISK_MARGIN) + DISK_SPARE
    folder = database_folder()
    if folder is None and people <= 1_000_000:
        print(
            f"disk: cannot tell the database's free space; about {needed / 2**30:,.1f} GiB needed",
            file=sys.stderr,
        )
        return
    if folder is None:
        raise DiskTooSmall(
            f"cannot tell the free space of the database's disk before {people:,} people (about "
            f"{needed / 2**30:,.1f} GiB needed): set BENCH_DISK_PATH to a folder on that disk"
        )
    free = shutil.disk_usage(folder).free
    if free < needed:
        raise DiskTooSmall(
            f"not enough free disk for {people:,} people: about {needed / 2**30:,.1f} GiB needed "
            f"({per_person:,.0f} bytes a person, {source}, × {DISK_MARGIN} + {DISK_SPARE / 2**30:.0f} GiB), "
            f"{free / 2**30:,.1f} GiB free on {folder}"
        )
    print(
        f"disk: {free / 2**30:,.1f} GiB free on {folder}, about {needed / 2**30:,.1f} GiB needed",
        file=sys.stderr,
    )


def _per_person(earlier: list[Figure]) -> tuple[float, str]:
    """Bytes a person took in the largest size measured so far in this run, else the recorded estimate."""
    measured = [f for f in earlier if f.benchmark == "risk" and f.measure == "database: bytes a person"]
    if measured:
        last = max(measured, key=lambda f: f.size or 0)
        return last.value, f"measured at {last.size:,} people"
    return BYTES_PER_PERSON, "recorded estimate"


@benchmark(
    "risk",
    "100,000 and 1,000,000 people (--size for others, up to 10,000,000), each in its own database, two "
    "rounds: bulk recording, province report (a coordinator's, and an analyst's through the cell-key "
    "method), people search, new round, re-score, database size; growth between sizes",
    sizes=risk_sizes,
)
def risk_bench(quick: bool, people: int = 0, earlier: list[Figure] | None = None) -> list[Figure]:
    from safepassage.registry.bulk import assessments_bulk_record, catalogue_rescore
    from safepassage.registry.models import Catalogue
    from safepassage.registry.selectors import person_list
    from safepassage.registry.services import catalogue_activate, catalogue_copy, indicator_update
    from safepassage.reports.selectors import risk_report

    people = people or (QUICK_SIZES[-1] if quick else DEFAULT_SIZES[-1])
    earlier = earlier or []
    if people > 1_000_000 or len([f for f in earlier if f.benchmark == "risk"]):
        check_disk(people, *_per_person(earlier))
    figures: list[Figure] = []

    def add(measure: str, value: float, unit: str, target: str = "") -> None:
        figures.append(Figure("risk", measure, value, unit, target, size=people))

    empty = database_bytes()
    context = _setup(people)
    catalogue = Catalogue.objects.get(status="active")
    codes = [i.code for i in catalogue.indicators.all() if i.level in "IH" and i.code != "SOC-SEX"]
    today = date.today()

    seconds = timed(
        lambda: assessments_bulk_record(
            actor=None, items=_round(today - timedelta(days=183), codes, 1, 0.0), check=False, label="bench"
        )
    )
    add("round 1 recorded (one assessment a person)", seconds, "s")
    add("bulk recording", people / seconds, "rows/s", "≥ 20,000 (PostgreSQL)")
    add("plain INSERT/COPY of the same rows", raw_insert_rate(), "rows/s")
    add("same, into the assessments table itself", table_insert_rate(), "rows/s", "(the floor)")

    result: dict[str, Any] = {}

    def second_round() -> None:
        result["r"] = assessments_bulk_record(
            actor=None, items=_round(today, codes, 2, 0.05), check=False, label="bench"
        )

    seconds = timed(second_round)
    add("round 2 recorded with alert detection", seconds, "s")
    add("alerts raised in round 2", result["r"].alerts, "alerts")

    user = context["user"]
    samples = []
    for _ in range(5 if quick else 20):
        samples.append(
            timed(lambda: risk_report(viewer=user, group_by=["district", "sex", "age_band"])) * 1000
        )
    p50, p95 = percentiles(samples)
    add("province report, coordinator, p50", p50, "ms")
    add("province report, coordinator, p95", p95, "ms", "≤ 250 ms")
    analyst = context["analyst"]
    for label, group_by in (
        ("province report", ["district", "sex", "age_band"]),
        ("village × sex", ["village", "sex"]),
    ):

        def ask(group_by: list[str] = group_by) -> object:
            return risk_report(viewer=analyst, group_by=group_by)

        samples = [timed(ask) * 1000 for _ in range(5 if quick else 20)]
        p50, p95 = percentiles(samples)
        add(f"{label}, analyst, p50", p50, "ms")
        add(f"{label}, analyst, p95", p95, "ms", "≤ 250 ms")
    year = today.year
    plain = f"""
        SELECT d.code, p.sex, CASE WHEN p.birth_year IS NULL THEN 'unknown'
            WHEN p.birth_year >= {year - 9} THEN '0-9'
            WHEN p.birth_year >= {year - 14} THEN '10-14' WHEN p.birth_year >= {year - 17} THEN '15-17'
            WHEN p.birth_year >= {year - 24} THEN '18-24' ELSE '25+' END AS age_band,
            COUNT(*), SUM(CASE WHEN p.current_band = 'high' THEN 1 ELSE 0 END), AVG(p.current_index)
        FROM registry_person p JOIN geo_area v ON v.id = p.village_id JOIN geo_area s ON s.id = v.parent_id
        JOIN geo_area d ON d.id = s.parent_id GROUP BY 1, 2, 3"""

    def run_plain() -> None:
        with connection.cursor() as cursor:
            cursor.execute(plain)
            cursor.fetchall()

    # Reads of every person take seconds each at ten million: five samples there (the p95 is their worst).
    scans = 5 if quick or people > 1_000_000 else 20
    samples = [timed(run_plain) * 1000 for _ in range(scans)]
    p50, p95 = percentiles(samples)
    add("plain SQL GROUP BY, same data, p50", p50, "ms")
    add("plain SQL GROUP BY, same data, p95", p95, "ms")

    # People search as the coordinator's list does it: a name, the first page and the count of matches.
    rng = random.Random(3)

    def search() -> None:
        found = person_list(viewer=user, query=f"P{rng.randrange(people)}")
        list(found[:50])
        found.count()

    samples = [timed(search) * 1000 for _ in range(scans)]
    p50, p95 = percentiles(samples)
    add("people search by name, p50", p50, "ms")
    add("people search by name, p95", p95, "ms")

    draft = catalogue_copy(actor=None, source=catalogue, name="bench v2")
    indicator_update(actor=None, indicator=draft.indicators.get(code="HLT-ACCESS"), weight=2.0)
    catalogue_activate(actor=None, catalogue=draft)
    seconds = timed(lambda: catalogue_rescore(actor=None))
    add("re-score everyone after a catalogue change", seconds, "s", "≤ 20 s at 1,000,000")

    size = database_bytes()  # with what a re-score leaves behind until VACUUM reuses it
    add("database size", size / 2**20, "MB")
    add("database: bytes a person", (size - empty) / people, "bytes")
    for table in ("registry_person", "registry_assessment"):
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_total_relation_size(%s)", [table])
                add(f"{table} with its indexes", cursor.fetchone()[0] / 2**20, "MB")
    return figures
