"""The risk bench's sizes: which run, the free-disk check before a size that would not fit, and the growth
stated between sizes."""

from typing import Any

import pytest

from safepassage.bench import DiskTooSmall, Figure, growth, risk


def test_ten_million_runs_only_when_asked_for() -> None:
    assert risk.risk_sizes(False, []) == [100_000, 1_000_000]
    assert risk.risk_sizes(True, []) == [5_000, 20_000]
    assert risk.risk_sizes(False, [10_000_000, 100_000, 1_000_000]) == [100_000, 1_000_000, 10_000_000]


def test_a_size_that_would_not_fit_is_refused_with_the_figures(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Any
) -> None:
    monkeypatch.setenv("BENCH_DISK_PATH", str(tmp_path))

    class Usage:
        free = 20 * 2**30

    monkeypatch.setattr(risk.shutil, "disk_usage", lambda path: Usage)
    with pytest.raises(DiskTooSmall) as refused:
        risk.check_disk(10_000_000, 3_600, "measured at 1,000,000 people")
    message = str(refused.value)
    assert "not enough free disk for 10,000,000 people" in message
    assert "about 52.3 GiB needed" in message and "20.0 GiB free" in message
    assert "3,600 bytes a person, measured at 1,000,000 people" in message
    risk.check_disk(1_000_000, 3_600, "recorded estimate")  # 7 GiB: fits


def test_the_estimate_comes_from_the_largest_size_measured_so_far() -> None:
    earlier = [
        Figure("risk", "database: bytes a person", 4_000, "bytes", size=20_000),
        Figure("risk", "database: bytes a person", 3_500, "bytes", size=100_000),
    ]
    assert risk._per_person(earlier) == (3_500, "measured at 100,000 people")
    assert risk._per_person([]) == (risk.BYTES_PER_PERSON, "recorded estimate")


def test_growth_is_stated_from_each_size_to_the_next() -> None:
    figures = [
        Figure("risk", "re-score everyone", 1.0, "s", size=100_000),
        Figure("risk", "re-score everyone", 10.5, "s", size=1_000_000),
        Figure("risk", "re-score everyone", 120.0, "s", size=10_000_000),
        Figure("api-me", "p95 latency", 3.0, "ms"),
    ]
    lines = growth(figures)
    assert len(lines) == 2
    assert "100,000 → 1,000,000" in lines[0] and "×10 people" in lines[0] and "×10.50" in lines[0]
    assert "1,000,000 → 10,000,000" in lines[1] and "×11.43" in lines[1]
