"""The benchmark harness behind scripts/bench: named benchmarks, each printing figures into one table."""

from __future__ import annotations

import itertools
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass, field


class DiskTooSmall(Exception):
    """A benchmark's next size would not fit on the database's disk (the figures so far are still shown)."""


@dataclass
class Figure:
    """One measured number, with its unit and the target it is held to (if any)."""

    benchmark: str
    measure: str
    value: float
    unit: str
    target: str = ""
    size: int | None = None  # people, for a benchmark run at several sizes (growth between them)


@dataclass
class Benchmark:
    """A named benchmark: run(quick) returns its figures. A sized one (`sizes`) is run as run(quick, size) for
    each of its sizes, each in a database of its own."""

    name: str
    description: str
    run: Callable[..., list[Figure]]
    tags: set[str] = field(default_factory=set)
    sizes: Callable[[bool, list[int]], list[int]] | None = None


REGISTRY: dict[str, Benchmark] = {}


def benchmark(
    name: str,
    description: str,
    tags: set[str] | None = None,
    sizes: Callable[[bool, list[int]], list[int]] | None = None,
) -> Callable[[Callable[..., list[Figure]]], Callable[..., list[Figure]]]:
    """Register a benchmark function under `name`; tagged "explicit", it runs only when named. With `sizes`
    (quick, the sizes asked for → the sizes to run) it is called once per size: fn(quick, size)."""

    def register(fn: Callable[..., list[Figure]]) -> Callable[..., list[Figure]]:
        REGISTRY[name] = Benchmark(name, description, fn, set(tags or ()), sizes)
        return fn

    return register


def growth(figures: list[Figure]) -> list[str]:
    """Lines saying how each measure of a sized benchmark grew from one size to the next."""
    lines = []
    sized: dict[tuple[str, str], dict[int, Figure]] = {}
    for f in figures:
        if f.size is not None:
            sized.setdefault((f.benchmark, f.measure), {})[f.size] = f
    for (name, measure), by_size in sized.items():
        sizes = sorted(by_size)
        for small, large in itertools.pairwise(sizes):
            a, b = by_size[small].value, by_size[large].value
            ratio = f"×{b / a:,.2f}" if a else "—"
            lines.append(
                f"{name:<8} {measure:<44} {small:>12,} → {large:<12,} (×{large / small:,.0f} people) "
                f"{a:>12,.1f} → {b:>12,.1f} {by_size[small].unit:<7} {ratio}"
            )
    return lines


def percentiles(samples_ms: list[float]) -> tuple[float, float]:
    """p50 and p95 of a list of timings."""
    ordered = sorted(samples_ms)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return statistics.median(ordered), p95


def timed(fn: Callable[[], object]) -> float:
    """Seconds one call takes."""
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start
