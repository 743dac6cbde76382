"""python -m safepassage.bench [--quick] [--size N,N] [name ...]: run benchmarks in a throw-away database."""

from __future__ import annotations

import argparse
import base64
import contextlib
import os
import secrets
import sys
import tempfile
from collections.abc import Iterator
from typing import Any

from safepassage.bench import Benchmark, DiskTooSmall, growth


def main() -> int:
    parser = argparse.ArgumentParser(prog="scripts/bench", description=__doc__)
    parser.add_argument("names", nargs="*", help="benchmarks to run (all if none)")
    parser.add_argument(
        "--quick", action="store_true", help="small sizes, to check the benchmarks themselves"
    )
    parser.add_argument("--list", action="store_true", help="list the benchmarks and stop")
    parser.add_argument(
        "--size",
        action="append",
        default=[],
        metavar="PEOPLE[,PEOPLE…]",
        help="people for the sized benchmarks (risk), each size in a database of its own; default "
        "BENCH_RISK_SIZES, else 100,000 and 1,000,000 (10,000,000 only when asked for)",
    )
    args = parser.parse_args()
    try:
        sizes = [
            int(n.replace("_", ""))
            for text in (args.size or [os.environ.get("BENCH_RISK_SIZES", "")])
            for n in text.split(",")
            if n.strip()
        ]
    except ValueError:
        parser.error("--size and BENCH_RISK_SIZES take whole numbers of people, e.g. 100000,1000000")
    if any(n < 1000 for n in sizes):
        parser.error("a size is at least 1,000 people")

    os.environ.setdefault("DATA_DIR", tempfile.mkdtemp(prefix="safepassage-bench-"))
    os.environ.setdefault("PLAIN_STATIC", "1")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "safepassage.settings")
    # The benchmarks' database is created and dropped here: it gets keys of its own for the run (a production
    # server's keys are never needed, nor read, to measure).
    for name in ("ENCRYPTION_KEYS", "BLIND_INDEX_KEY"):
        if not os.environ.get(name) and not os.environ.get(f"{name}_FILE"):
            os.environ[name] = base64.b64encode(secrets.token_bytes(32)).decode()
    import django

    django.setup()
    from django.conf import settings
    from django.db import connection

    settings.ALLOWED_HOSTS.append("testserver")  # benchmarks call the app through Django's test client
    # Work a server leaves to the worker (names romanised after an import) is not started on a thread behind
    # a benchmark's back: the benchmarks that cause it measure it themselves.
    settings.BACKGROUND_WORKER = True

    from safepassage.bench import REGISTRY, foundation, imports, linkage, load, pdf, records, risk, workplaces

    del foundation, imports, linkage, load, pdf, records, risk, workplaces  # imported to register them

    if args.list:
        for bench in REGISTRY.values():
            print(f"{bench.name:<24} {bench.description}")
        return 0
    unknown = [n for n in args.names if n not in REGISTRY]
    if unknown:
        parser.error(f"unknown benchmark(s): {', '.join(unknown)}; see --list")
    # Without names: every benchmark but those that run only when named (the load test: minutes, PostgreSQL).
    chosen = [REGISTRY[n] for n in args.names] or [b for b in REGISTRY.values() if "explicit" not in b.tags]

    # A database of its own, created and dropped like the test database, on SQLite or PostgreSQL. On SQLite
    # it is a file (as in production), not the in-memory database Django's tests use.
    if connection.vendor == "sqlite":
        connection.settings_dict.setdefault("TEST", {})["NAME"] = str(settings.DATA_DIR / "bench.sqlite3")
    else:  # never the test database, so benchmarks and tests can run side by side
        connection.settings_dict.setdefault("TEST", {})["NAME"] = f"bench_{connection.settings_dict['NAME']}"
    figures = []
    refused = ""
    runs: list[tuple[Benchmark, int | None]] = [(b, None) for b in chosen if b.sizes is None]
    for bench in chosen:
        if bench.sizes is not None:
            runs.extend((bench, size) for size in bench.sizes(args.quick, sizes))
    shared = [run for run in runs if run[1] is None]
    try:
        if shared:
            with bench_database(connection):
                for bench, _none in shared:
                    print(f"running {bench.name} …", file=sys.stderr, flush=True)
                    figures.extend(bench.run(args.quick))
        for bench, size in runs:
            if size is None:
                continue
            print(f"running {bench.name} at {size:,} people …", file=sys.stderr, flush=True)
            with bench_database(connection):  # each size alone in a database: its size is its own
                figures.extend(bench.run(args.quick, size, figures))
    except DiskTooSmall as exc:
        refused = str(exc)

    print(f"\nDatabase: {connection.vendor}{' (quick sizes)' if args.quick else ''}")
    header = f"{'benchmark':<22} {'people':>12} {'measure':<44} {'value':>12} {'unit':<8} target"
    print(header)
    print("-" * len(header))
    for f in figures:
        people = f"{f.size:,}" if f.size else ""
        print(f"{f.benchmark:<22} {people:>12} {f.measure:<44} {f.value:>12,.1f} {f.unit:<8} {f.target}")
    lines = growth(figures)
    if lines:
        print("\nGrowth between sizes:")
        print("\n".join(lines))
    if refused:
        print(f"\nscripts/bench: {refused}", file=sys.stderr)
        return 2
    return 0


@contextlib.contextmanager
def bench_database(connection: Any) -> Iterator[None]:
    """A fresh benchmark database, migrated, dropped afterwards."""
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=False)
    try:
        yield
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


if __name__ == "__main__":
    raise SystemExit(main())
