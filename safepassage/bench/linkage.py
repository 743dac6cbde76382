"""Record-linkage benchmark: deduplicating 200,000 and 1,000,000 generated people with planted duplicates, on
DuckDB and, with BENCH_LINKAGE_BACKENDS=duckdb,spark, on Spark too (the same people, the same threshold)."""

from __future__ import annotations

import os
import resource
import time
from typing import Any

from safepassage.bench import Figure, benchmark
from safepassage.bench.imports import PeakMemory


def _load(n: int, agency: Any) -> set[tuple[int, int]]:
    """Generated people (10 % recorded twice) put in the registry; returns the true pairs as person ids."""
    from safepassage.geo.models import Area
    from safepassage.linkage import synthetic
    from safepassage.registry.models import Person

    villages = {a.code: a.pk for a in Area.objects.filter(level="village")}
    generated = synthetic.people(n, sorted(villages), duplicates=0.1)
    ids: dict[int, int] = {}
    batch: list[dict[str, Any]] = []
    keys: list[int] = []

    def flush() -> None:
        # the people as a day's import and the worker leave them: written, their names romanised
        for key, pk in zip(keys, Person.objects.copy_create(batch), strict=True):
            ids[key] = pk
        batch.clear()
        keys.clear()

    for p in generated.people:
        fields = {k: v for k, v in p.items() if k not in ("key", "village_code") and v is not None}
        batch.append({"agency_id": agency.pk, "village_id": villages[p["village_code"]], **fields})
        keys.append(p["key"])
        if len(batch) == 10_000:
            flush()
    flush()
    return {tuple(sorted((ids[a], ids[b]))) for a, b in generated.same}  # type: ignore[misc]


def _sizes(quick: bool) -> list[int]:
    """20,000 with --quick; else 200,000 and 1,000,000, or the sizes in BENCH_LINKAGE_SIZES ("200000")."""
    if quick:
        return [20_000]
    chosen = os.environ.get("BENCH_LINKAGE_SIZES", "")
    try:
        return [int(n) for n in chosen.split(",") if n.strip()] or [200_000, 1_000_000]
    except ValueError:
        raise SystemExit(f"BENCH_LINKAGE_SIZES: whole numbers separated by commas, not {chosen!r}") from None


def _backends() -> list[str]:
    """duckdb, or the engines in BENCH_LINKAGE_BACKENDS ("duckdb,spark")."""
    chosen = [b.strip() for b in os.environ.get("BENCH_LINKAGE_BACKENDS", "duckdb").split(",") if b.strip()]
    wrong = [b for b in chosen if b not in ("duckdb", "spark")]
    if wrong or not chosen:
        raise SystemExit(f"BENCH_LINKAGE_BACKENDS: duckdb and/or spark separated by commas, not {wrong}")
    if "spark" in chosen:
        from safepassage.linkage import spark

        reason = spark.available()
        if reason:
            raise SystemExit(f"BENCH_LINKAGE_BACKENDS=spark: {reason}")
    return chosen


@benchmark(
    "linkage",
    "dedupe 200,000 and 1,000,000 generated people: time, memory, precision and recall "
    "(DuckDB; Spark too with BENCH_LINKAGE_BACKENDS=duckdb,spark)",
)
def linkage_bench(quick: bool) -> list[Figure]:
    import duckdb
    import pyarrow
    import splink

    from safepassage.accounts.models import Agency
    from safepassage.geo.demo import province_rows
    from safepassage.geo.models import Area
    from safepassage.geo.services import areas_import
    from safepassage.linkage.models import MatchCandidate
    from safepassage.linkage.services import dedupe
    from safepassage.registry.models import Person

    del duckdb, pyarrow, splink  # loaded first, so "memory grown" is the work's, not the libraries'
    if not Area.objects.filter(code="50").exists():
        areas_import(actor=None, rows=province_rows(), source="bench")
    backends = _backends()
    figures: list[Figure] = []
    for size in _sizes(quick):
        # Only its own people: other benchmarks' people in the same run have assessments (kept).
        MatchCandidate.objects.all().delete()
        Person.objects.filter(agency__code="bench-linkage").delete()
        agency, _ = Agency.objects.get_or_create(
            code="bench-linkage", defaults={"name": "Bench", "kind": "government", "country": "TH"}
        )
        truth = _load(size, agency)
        label = f"{size:,} people"
        for backend in backends:
            MatchCandidate.objects.all().delete()
            if backend == "spark":
                from safepassage.linkage import spark

                with spark.session():  # the JVM started before the clock, as a worker keeps it running
                    pass
            with PeakMemory() as memory:
                start = time.perf_counter()
                run = dedupe(actor=None, agency=agency, threshold=0.9, backend=backend)
                seconds = time.perf_counter() - start
            found = set(MatchCandidate.objects.filter(run=run).values_list("person_a_id", "person_b_id"))
            right = len(found & truth)
            on = f"{label}, {backend}"
            target = "≤ 180 s at 1,000,000" if backend == "duckdb" else ""
            figures.append(Figure("linkage", f"dedupe {on}", seconds, "s", target))
            figures.append(Figure("linkage", f"{on}: memory grown", memory.grown_mb, "MB"))
            peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux
            # Spark's JVM is a process of its own: its memory is not in this process's figures.
            figures.append(Figure("linkage", f"{on}: process peak RSS", peak, "MB"))
            figures.append(Figure("linkage", f"{on}: pairs proposed", len(found), "pairs"))
            figures.append(
                Figure("linkage", f"{on}: precision", 100 * right / max(1, len(found)), "%", "≥ 95 %")
            )
            recall = 100 * right / max(1, len(truth))
            figures.append(Figure("linkage", f"{on}: recall", recall, "%", "≥ 90 %"))
    return figures
