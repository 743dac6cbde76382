"""`./scripts/bench load`: gunicorn with the production settings on PostgreSQL, driven by Locust (headless) as
people at work, each signed in with their password and authenticator-app code.

The demo province is loaded (areas, agencies, people with two assessment rounds, cases, alerts), then accounts
of its coordination centre are made for the bench: volunteers with villages of their own, caseworkers,
coordinators and analysts. Locust (safepassage/bench/locustfile.py, in a process of its own) signs each in and
works as they do; its figures per endpoint are checked against the targets: no errors, and p95 ≤ 300 ms for
every endpoint with at least 100 requests.

Sizes and pace from the environment: BENCH_LOAD_USERS (50), BENCH_LOAD_SECONDS (300), BENCH_LOAD_SPAWN (1 a
second), BENCH_LOAD_PEOPLE (20,000), BENCH_LOAD_CASES (200), BENCH_LOAD_WORKERS (gunicorn processes, 8),
BENCH_LOAD_THREADS (threads in each, 1: as deploy/ serves); --quick: 10 users, 45 s, 3,000 people, 40
cases."""

from __future__ import annotations

import csv
import json
import math
import os
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any
from urllib.parse import quote

from django.conf import settings
from django.db import connection
from django.db.models import Count

from safepassage.bench import Figure, benchmark

# Locust user classes and their weights (locustfile.py): how many of each kind are at work at once.
ROLES = {"volunteer": 10, "caseworker": 5, "coordinator": 3, "analyst": 2}
TARGET_P95_MS = 300
TARGET_MIN_REQUESTS = 100


class LoadError(RuntimeError):
    pass


def _env_int(name: str, default: int) -> int:
    raw = os.environ.get(name, "")
    return int(raw) if raw.strip() else default


def _database_url() -> str:
    db = connection.settings_dict
    login = quote(db["USER"] or "") + (":" + quote(db["PASSWORD"]) if db["PASSWORD"] else "")
    host = db["HOST"] or "localhost"
    return f"postgresql://{login}@{host}:{db['PORT'] or 5432}/{quote(db['NAME'])}"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def seed(*, people: int, cases: int, users: int, data_dir: Path) -> dict[str, Any]:
    """The demo province and the bench's own accounts; what Locust needs, written to a private file."""
    from safepassage.accounts.second_factor import totp_issue
    from safepassage.accounts.services import agency_create, generate_password, user_create
    from safepassage.cases.demo import generate_cases
    from safepassage.cases.models import Case
    from safepassage.core.roles import Role
    from safepassage.geo.demo import province_rows
    from safepassage.geo.models import Area
    from safepassage.geo.services import areas_import
    from safepassage.network.demo import generate_directory
    from safepassage.registry.demo import generate_population
    from safepassage.registry.models import Alert, Person
    from safepassage.web.demo import AGENCIES, PROFILES, USERS

    # The demo province's areas, agencies, directory, people (two assessment rounds, their alerts) and cases;
    # not its workplaces, migration channel or duplicates, which no one here works on.
    started = time.monotonic()
    areas_import(actor=None, rows=province_rows(), source="bench")
    print(f"  areas: {time.monotonic() - started:.0f} s", file=sys.stderr)
    agencies = {
        code: agency_create(
            actor=None, code=code, name=name, kind=kind, country="TH", profile=PROFILES.get(code)
        )
        for code, name, kind in AGENCIES
    }
    # The demo's staff: its cases name them.
    for agency_code, staff_role, username, _first, area_codes in USERS:
        user_create(
            actor=None,
            agency=agencies[agency_code],
            username=username,
            role=staff_role,
            areas=list(Area.objects.filter(code__in=area_codes)),
        )
    generate_directory(agencies=agencies)
    generate_population(people=people, agencies=agencies)
    print(f"  people: {time.monotonic() - started:.0f} s", file=sys.stderr)
    generate_cases(agencies=agencies, count=cases)
    print(f"  demo province with {people:,} people: {time.monotonic() - started:.0f} s", file=sys.stderr)
    agency = agencies["cc"]
    free = Person.objects.filter(agency=agency, cases__isnull=True)
    busiest = list(
        free.values("village__code")
        .annotate(n=Count("pk"))
        .order_by("-n")
        .values_list("village__code", flat=True)[:300]
    )
    total = sum(ROLES.values())
    accounts: dict[str, list[dict[str, Any]]] = {}
    for role, weight in ROLES.items():
        count = math.ceil(users * weight / total) + 2
        accounts[role] = []
        for n in range(count):
            start = (n * 3) % len(busiest)
            codes = busiest[start : start + 3] if role == "volunteer" else []
            password = generate_password()
            user, _ = user_create(
                actor=None,
                agency=agency,
                username=f"load.{role}.{n}",
                role=getattr(Role, role.upper()),
                password=password,
                areas=list(Area.objects.filter(code__in=codes)),
            )
            device = totp_issue(actor=None, user=user)
            people_here = list(free.filter(village__code__in=codes).values_list("pk", flat=True)[:200])
            accounts[role].append(
                {
                    "username": user.username,
                    "password": password,
                    "totp_key": device.key,  # hex, as django-otp keeps it
                    "villages": codes,
                    "people": people_here,
                }
            )
    named = Person.objects.filter(agency=agency).exclude(family_name="")
    names = list(named.values_list("family_name", flat=True)[:400])
    data = {
        "accounts": accounts,
        "cases": list(Case.objects.filter(agency=agency).values_list("pk", flat=True)[:500]),
        "alerts": list(Alert.objects.filter(agency=agency).values_list("pk", flat=True)[:500]),
        "names": sorted({n for n in names if n})[:200],
    }
    if not data["cases"] or not data["alerts"] or not data["names"]:
        raise LoadError("the demo province has no cases, alerts or names to work on")
    with connection.cursor() as cursor:  # the planner's statistics, as a province's database has them
        cursor.execute("ANALYZE")
    path = data_dir / "load-accounts.json"
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        json.dump(data, handle)
    return {**data, "file": path, "count": sum(len(v) for v in accounts.values())}


def serve(data_dir: Path, workers: int, threads: int = 4) -> tuple[subprocess.Popen[bytes], int, Path]:
    """`safepassage serve` (gunicorn) with the production settings of deploy/safepassage.env."""
    port = _free_port()
    log = data_dir.parent / "gunicorn.log"  # beside DATA_DIR: what is in it must be private
    env = {
        **os.environ,
        "DATA_DIR": str(data_dir),
        "DATABASE_URL": _database_url(),
        "DEBUG": "false",
        "HTTPS": "true",
        "HSTS_INCLUDE_SUBDOMAINS": "true",
        "TRUSTED_PROXIES": "127.0.0.1,::1",
        "FORWARDED_ALLOW_IPS": "127.0.0.1,::1",
        "ALLOWED_HOSTS": "127.0.0.1",
        "BACKGROUND_WORKER": "true",
        "PLAIN_STATIC": "false",
        "LOG_LEVEL": "WARNING",
    }
    env.pop("DJANGO_SETTINGS_MODULE", None)
    with log.open("wb") as out:
        process = subprocess.Popen(  # noqa: S603 - our own command
            [
                sys.executable,
                "-m",
                "safepassage.cli",
                "serve",
                "--host",
                "127.0.0.1",
                "--port",
                str(port),
                "--workers",
                str(workers),
                "--threads",
                str(threads),
            ],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    import urllib.request

    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise LoadError("gunicorn stopped: " + log.read_text()[-2000:])
        try:
            request = urllib.request.Request(
                f"http://127.0.0.1:{port}/healthz", headers={"X-Forwarded-Proto": "https"}
            )
            with urllib.request.urlopen(request, timeout=5) as answer:  # noqa: S310 - our own server
                if answer.status == 200:
                    _warm_up(port, workers)
                    return process, port, log
        except OSError:
            time.sleep(0.5)
    process.terminate()
    raise LoadError("gunicorn did not answer /healthz within 3 minutes")


def _warm_up(port: int, workers: int) -> None:
    """A few first requests, so each gunicorn process has loaded its templates before the clock runs."""
    import urllib.request

    for _ in range(workers * 4):
        for path in ("/accounts/login/", "/healthz"):
            request = urllib.request.Request(
                f"http://127.0.0.1:{port}{path}", headers={"X-Forwarded-Proto": "https"}
            )
            with urllib.request.urlopen(request, timeout=60) as answer:  # noqa: S310 - our own server
                answer.read()


def drive(
    *, port: int, accounts: Path, users: int, seconds: int, spawn: int, out: Path
) -> list[dict[str, str]]:
    """Locust, headless, in a process of its own (it patches the standard library with gevent)."""
    locustfile = Path(__file__).with_name("locustfile.py")
    env = {**os.environ, "BENCH_LOAD_ACCOUNTS": str(accounts)}
    command = [
        sys.executable,
        "-m",
        "locust",
        "-f",
        str(locustfile),
        "--headless",
        "--host",
        f"http://127.0.0.1:{port}",
        "--users",
        str(users),
        "--spawn-rate",
        str(spawn),
        "--run-time",
        f"{seconds}s",
        "--stop-timeout",
        "30",
        "--csv",
        str(out / "locust"),
        "--only-summary",
        "--loglevel",
        "WARNING",
    ]
    result = subprocess.run(command, env=env, capture_output=True, text=True, timeout=seconds + 600)  # noqa: S603
    (out / "locust.log").write_text(result.stdout + result.stderr)
    stats = out / "locust_stats.csv"
    if not stats.exists():
        raise LoadError("Locust wrote no figures: " + (result.stdout + result.stderr)[-3000:])
    with stats.open(encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


@benchmark(
    "load",
    "50 people at once on gunicorn + PostgreSQL (Locust, headless); run it by name: ./scripts/bench load",
    tags={"explicit"},
)
def load_bench(quick: bool) -> list[Figure]:
    if connection.vendor != "postgresql":
        raise LoadError(
            "the load bench runs the production configuration: PostgreSQL. "
            "Set DATABASE_URL=postgresql://user@host:5432/name (a bench_ database is made beside it)."
        )
    users = _env_int("BENCH_LOAD_USERS", 10 if quick else 50)
    seconds = _env_int("BENCH_LOAD_SECONDS", 45 if quick else 300)
    spawn = _env_int("BENCH_LOAD_SPAWN", 1)  # people arrive over a minute, not all in the same second
    people = _env_int("BENCH_LOAD_PEOPLE", 3_000 if quick else 20_000)
    workers = _env_int("BENCH_LOAD_WORKERS", 8)
    threads = _env_int("BENCH_LOAD_THREADS", 1)
    data_dir = Path(settings.DATA_DIR)
    started = time.monotonic()
    cases = _env_int("BENCH_LOAD_CASES", 40 if quick else 200)
    seeded = seed(people=people, cases=cases, users=users, data_dir=data_dir)
    print(
        f"  seeded {people:,} people and {seeded['count']} accounts in {time.monotonic() - started:.0f} s",
        file=sys.stderr,
    )
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    connection.close()  # gunicorn's threads and Locust's users get the connections
    server_dir = data_dir / "server"  # private: the bench's own DATA_DIR holds DuckDB's scratch files
    server_dir.mkdir(mode=0o700, exist_ok=True)
    process, port, _log = serve(server_dir, workers, threads)
    try:
        print(
            f"  gunicorn ({workers} processes x {threads} threads) on :{port}; "
            f"Locust: {users} users for {seconds} s",
            file=sys.stderr,
        )
        rows = drive(
            port=port, accounts=seeded["file"], users=users, seconds=seconds, spawn=spawn, out=data_dir
        )
    finally:
        process.terminate()
        process.wait(timeout=60)
    return figures(rows, users=users, seconds=seconds, cores=os.cpu_count() or 0) + server_times(_log)


def server_times(log: Path) -> list[Figure]:
    """p95 of the time gunicorn itself spent on each kind of request (its access log, ids as N): what is
    left of Locust's figure once the wait for a free thread and the client's own time are taken out."""
    import re

    times: dict[str, list[int]] = {}
    for line in log.read_text(encoding="utf-8", errors="replace").splitlines():
        found = re.search(r'"(GET|POST) (\S+) HTTP/1.1" \d+ \d+ (\d+)ms', line)
        if found:
            key = f"{found.group(1)} {re.sub(r'[0-9]+', 'N', found.group(2))}"
            times.setdefault(key, []).append(int(found.group(3)))
    out = []
    for key, values in sorted(times.items(), key=lambda kv: -len(kv[1])):
        values.sort()
        p95 = values[min(len(values) - 1, round(0.95 * (len(values) - 1)))]
        out.append(Figure("load (server)", f"{key} ({len(values)} req)", p95, "ms p95"))
    return out


def figures(rows: list[dict[str, str]], *, users: int, seconds: int, cores: int) -> list[Figure]:
    """One line per endpoint (requests, p95, errors), the totals, and the verdict on the targets."""
    out: list[Figure] = []
    misses: list[str] = []
    total: dict[str, str] = {}
    for row in rows:
        if row["Name"] == "Aggregated":
            total = row
            continue
        count, failures = int(row["Request Count"]), int(row["Failure Count"])
        p95 = float(row["95%"] or 0)
        name = f"{row['Type']} {row['Name']}"
        held = count >= TARGET_MIN_REQUESTS
        out.append(Figure("load", f"{name} ({count} req)", p95, "ms p95", "≤ 300 ms" if held else ""))
        if failures:
            out.append(Figure("load", f"{name} errors", failures, "", "0"))
            misses.append(f"{name}: {failures} errors")
        if held and p95 > TARGET_P95_MS:
            misses.append(f"{name}: p95 {p95:.0f} ms")
    if total:
        out.append(Figure("load", "all requests", float(total["Request Count"]), "requests"))
        out.append(Figure("load", "requests per second", float(total["Requests/s"]), "req/s"))
        out.append(Figure("load", "errors", float(total["Failure Count"]), "", "0"))
        out.append(Figure("load", "p95 over all", float(total["95%"] or 0), "ms"))
    shared = f"{users} users, {seconds} s, {cores} cores shared"
    out.append(Figure("load", shared, len(misses), "misses", "0"))
    verdict = "targets met" if not misses else "targets MISSED: " + "; ".join(misses)
    print(f"  load: {verdict}", file=sys.stderr)
    return out
