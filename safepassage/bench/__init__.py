"""The benchmark harness behind scripts/bench: named benchmarks, each printing figures into one table."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass
class Figure:
    """One measured number, with its unit and the target it is held to (if any)."""

    benchmark: str
    measure: str
    value: float
    unit: str
    target: str = ""


@dataclass
class Benchmark:
    """A named benchmark: run(quick) returns its figures."""

    name: str
    description: str
    run: Callable[[bool], list[Figure]]
    tags: set[str] = field(default_factory=set)


REGISTRY: dict[str, Benchmark] = {}


def benchmark(
    name: str, description: str, tags: set[str] | None = None
) -> Callable[[Callable[[bool], list[Figure]]], Callable[[bool], list[Figure]]]:
    """Register a benchmark function under `name`; tagged "explicit", it runs only when named."""

    def register(fn: Callable[[bool], list[Figure]]) -> Callable[[bool], list[Figure]]:
        REGISTRY[name] = Benchmark(name, description, fn, set(tags or ()))
        return fn

    return register


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
