"""Import benchmarks: a CSV of assessments through the whole pipeline (read, check, apply), its speed and the
memory it takes, beside the database's own bulk insert of the same rows."""

from __future__ import annotations

import csv
import os
import random
import threading
import time
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from django.conf import settings

from safepassage.bench import Figure, benchmark
from safepassage.bench.risk import _setup, raw_insert_rate


class PeakMemory:
    """The peak resident memory of this process while a block runs, sampled every 20 ms, minus where it
    started: what the block itself needed."""

    def __init__(self) -> None:
        self.base = self.peak = self._rss()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    @staticmethod
    def _rss() -> int:
        with open("/proc/self/statm") as statm:
            return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")

    def _sample(self) -> None:
        while not self._stop.wait(0.02):
            self.peak = max(self.peak, self._rss())

    def __enter__(self) -> PeakMemory:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, self._rss())

    @property
    def grown_mb(self) -> float:
        return (self.peak - self.base) / 2**20


def _write_csv(path: Path, people: list[int], codes: list[str], rounds: list[date]) -> int:
    rng = random.Random(7)
    rows = 0
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["person_id", "assessed_on", *codes])
        for day in rounds:
            for pid in people:
                writer.writerow(
                    [pid, day.strftime("%d/%m/") + str(day.year + 543), *rng.choices("123", k=len(codes))]
                )
                rows += 1
    return rows


@benchmark("imports", "1,000,000 assessment rows from CSV: check and apply (rows/s, memory) beside raw COPY")
def imports_bench(quick: bool) -> list[Figure]:
    from safepassage.imports import services
    from safepassage.registry.models import Catalogue, Person

    people_count = 10_000 if quick else 500_000
    context = _setup(people_count, code="bench-imports")
    agency = context["agency"]
    catalogue = Catalogue.objects.get(status="active")
    codes = [i.code for i in catalogue.indicators.all() if i.level in "IH" and i.code != "SOC-SEX"]
    people = list(Person.objects.filter(agency=agency).order_by("pk").values_list("pk", flat=True))
    today = date.today()
    path = Path(settings.DATA_DIR) / "bench-assessments.csv"
    rows = _write_csv(path, people, codes, [today - timedelta(days=200), today - timedelta(days=20)])
    size_mb = path.stat().st_size / 2**20
    figures = [Figure("imports", f"file: {rows:,} rows", size_mb, "MB")]

    user = context["user"]
    with path.open("rb") as content:
        job = services.job_create(actor=user, kind="assessments", file_name=path.name, content=content)
    with PeakMemory() as check_memory:
        start = time.perf_counter()
        job = services.job_check(job)
        check_seconds = time.perf_counter() - start
    assert job.errors_total == 0, list(job.problems.all()[:5])
    figures.append(
        Figure("imports", "check (read, map, validate)", rows / check_seconds, "rows/s", "≥ 40,000 (PG)")
    )
    figures.append(Figure("imports", "check: memory grown", check_memory.grown_mb, "MB", "≤ 500 MB"))
    with PeakMemory() as apply_memory:
        start = time.perf_counter()
        job = services.job_apply(actor=user, job=job)
        apply_seconds = time.perf_counter() - start
    assert job.created == rows, job.message
    figures.append(
        Figure("imports", "apply (score, warn, write)", rows / apply_seconds, "rows/s", "≥ 20,000 (PG)")
    )
    figures.append(Figure("imports", "apply: memory grown", apply_memory.grown_mb, "MB", "≤ 500 MB"))
    total = check_seconds + apply_seconds
    figures.append(Figure("imports", "whole import", rows / total, "rows/s"))

    figures.append(Figure("imports", "plain INSERT/COPY of the same rows", raw_insert_rate(), "rows/s"))
    path.unlink(missing_ok=True)
    figures.extend(_people_figures(user, codes, 5_000 if quick else 100_000))
    figures.extend(_cases_figures(user, 300 if quick else 3_000))
    return figures


def _thai_id(n: int) -> str:
    digits = f"{110_000_000_000 + n:012d}"
    total = sum(int(d) * (13 - i) for i, d in enumerate(digits))
    return digits + str((11 - total % 11) % 10)


def _people_figures(user: Any, codes: list[str], count: int) -> list[Figure]:
    """A partner's list of people with their scores, as it arrives: Thai headers, a byte-order mark,
    Buddhist-era dates, Thai ID numbers, one column per indicator; no column mapping given. Lands the people
    and each one's first assessment. Names are Thai, drawn as the linkage benchmark draws them (so they
    repeat as real names do); answers as the risk benchmark's (most people at low risk)."""
    from safepassage.bench.risk import _answers
    from safepassage.geo.models import Area
    from safepassage.imports import services
    from safepassage.linkage.synthetic import _name
    from safepassage.registry.models import Person
    from safepassage.registry.names import fill_pending

    villages = list(Area.objects.filter(level="village").values_list("code", flat=True)[:50])
    rng = random.Random(3)
    sheets = [_answers(rng, codes, rng.random() * 0.4) for _ in range(4096)]
    path = Path(settings.DATA_DIR) / "bench-people.csv"
    assessed = date.today() - timedelta(days=30)
    with path.open("w", encoding="utf-8-sig", newline="") as out:
        writer = csv.writer(out)
        header = ["ลำดับ", "ชื่อ", "นามสกุล", "เพศ", "วันเกิด", "เลขประจำตัวประชาชน", "รหัสหมู่บ้าน"]
        writer.writerow([*header, "วันที่ประเมิน", *codes])
        for i in range(count):
            born = date(2005 + i % 15, 1 + i % 12, 1 + i % 28)
            writer.writerow(
                [
                    i + 1,
                    _name(rng, 2)[0],
                    _name(rng, 3)[0],
                    "หญิง" if i % 2 else "ชาย",
                    born.strftime("%d/%m/") + str(born.year + 543),
                    _thai_id(i),
                    villages[i % len(villages)],
                    assessed.strftime("%d/%m/") + str(assessed.year + 543),
                    *(sheets[i % 4096][c] for c in codes),
                ]
            )
    with path.open("rb") as content:
        job = services.job_create(actor=user, kind="people", file_name=path.name, content=content)
    with PeakMemory() as memory:
        start = time.perf_counter()
        job = services.job_check(job)
        check_seconds = time.perf_counter() - start
        assert job.errors_total == 0, list(job.problems.all()[:5])
        start = time.perf_counter()
        job = services.job_apply(actor=user, job=job)
        apply_seconds = time.perf_counter() - start
    assert job.created == count and job.summary.get("assessments") == count, (job.message, job.summary)
    path.unlink(missing_ok=True)
    # What the import leaves to the worker: romanising the names (registry.names.fill_pending).
    start = time.perf_counter()
    romanised = fill_pending(Person.objects.filter(created_by=user))
    romanise_seconds = time.perf_counter() - start
    assert romanised == count, romanised
    return [
        Figure("imports", "people with scores: names romanised after", count / romanise_seconds, "people/s"),
        Figure("imports", f"people with scores: check, {count:,} rows", count / check_seconds, "rows/s"),
        Figure("imports", "people with scores: apply", count / apply_seconds, "rows/s"),
        Figure(
            "imports",
            "people with scores: whole import",
            count / (check_seconds + apply_seconds),
            "rows/s",
            "≥ 10,000 (PostgreSQL)",
        ),
        Figure("imports", "people with scores: memory grown", memory.grown_mb, "MB", "≤ 500 MB"),
    ]


def _cases_figures(user: Any, count: int) -> list[Figure]:
    """Cases in IOM's HTCDS template columns (labels, as its drop-downs write them): check and apply."""
    from safepassage.geo.models import Area
    from safepassage.imports import services

    village = Area.objects.filter(level="village").values_list("code", flat=True).first()
    path = Path(settings.DATA_DIR) / "bench-cases.csv"
    labels = ["Forced labour", "Sexual exploitation", "Child labour", "Forced begging"]
    with path.open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(
            [
                "prs_FirstName",
                "prs_SecondName",
                "prs_Birthdate",
                "prs_Gender",
                "prs_Citizenship",
                "con_Consent",
                "vic_TypeOfExploitation",
                "vic_TraffickingStatus",
                "vic_TraffickinStatusDecisionMakingOrg",
                "cas_Status",
                "cas_IncomingReferralDate",
            ]
        )
        for i in range(count):
            writer.writerow(
                [
                    f"Case{i}",
                    "Bench",
                    f"{1980 + i % 30}-0{1 + i % 9}-1{i % 9}",
                    ["Feminine", "Masculine", "TransgenderFeminine"][i % 3],
                    ["Myanmar", "Lao People's Democratic Republic", "Cambodia"][i % 3],
                    "Yes" if i % 4 else "No",
                    labels[i % 4],
                    "Actual victim of trafficking",
                    "Police",
                    ["Active", "Follow up", "Closed"][i % 3],
                    "2025-06-01",
                ]
            )
    with path.open("rb") as content:
        job = services.job_create(
            actor=user,
            kind="cases",
            file_name=path.name,
            content=content,
            defaults={"village_code": str(village)},
        )
    start = time.perf_counter()
    job = services.job_check(job)
    check_seconds = time.perf_counter() - start
    assert job.errors_total == 0, list(job.problems.all()[:5])
    start = time.perf_counter()
    job = services.job_apply(actor=user, job=job)
    apply_seconds = time.perf_counter() - start
    assert job.created == count, job.message
    path.unlink(missing_ok=True)
    return [
        Figure(
            "imports",
            f"cases (HTCDS template labels): check, {count:,} rows",
            count / check_seconds,
            "rows/s",
        ),
        Figure("imports", "cases: apply", count / apply_seconds, "rows/s"),
        Figure(
            "imports",
            "cases: whole import",
            count / (check_seconds + apply_seconds),
            "rows/s",
            "≥ 1,000 (PostgreSQL)",
        ),
    ]
