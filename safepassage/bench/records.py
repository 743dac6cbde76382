"""What encryption at rest costs where people notice it: a people import with ID numbers and welfare notes
(rows/s), and reading one person's or one case's record through the API (p50/p95)."""

from __future__ import annotations

import io
import random
import time
from datetime import date
from typing import Any

from django.test import Client

from safepassage.bench import Figure, benchmark, percentiles


def _thai_id(rng: random.Random) -> str:
    digits = [rng.randrange(10) for _ in range(12)]
    total = sum(d * (13 - i) for i, d in enumerate(digits))
    return "".join(map(str, digits)) + str((11 - total % 11) % 10)


def _setup(code: str) -> dict[str, Any]:
    from safepassage.accounts.models import Agency, Membership, User
    from safepassage.geo.demo import province_rows
    from safepassage.geo.models import Area
    from safepassage.geo.services import areas_import

    if not Area.objects.filter(code="50").exists():
        areas_import(actor=None, rows=province_rows(), source="bench")
    agency = Agency.objects.create(code=f"bench-{code}", name="Bench", kind="government", country="TH")
    users = {}
    for role in ("coordinator", "caseworker"):
        users[role] = User.objects.create_user(username=f"bench-{code}-{role}", password=None)
        Membership.objects.create(user=users[role], agency=agency, role=role)
    villages = list(Area.objects.filter(level="village").values_list("code", flat=True)[:200])
    return {"agency": agency, "villages": villages, **users}


@benchmark("people-import", "100,000 people with ID numbers and notes from CSV: check and apply (rows/s)")
def people_import_bench(quick: bool) -> list[Figure]:
    from safepassage.imports import services
    from safepassage.imports.models import ImportJob

    world = _setup("people")
    rows = 10_000 if quick else 100_000
    rng = random.Random(3)
    out = io.StringIO()
    out.write("given_name,family_name,sex,birth_year,village_code,national_id,notes\n")
    for n in range(rows):
        out.write(
            f"Name{n},Family{n % 997},{rng.choice(['female', 'male'])},{rng.randint(1950, 2020)},"
            f"{world['villages'][n % len(world['villages'])]},{_thai_id(rng)},lives near the market {n}\n"
        )
    data = out.getvalue().encode()
    user = world["coordinator"]
    start, cpu_start = time.perf_counter(), time.process_time()
    job = services.job_create(actor=user, kind="people", file_name="people.csv", content=io.BytesIO(data))
    job = services.job_check(job)
    checked, cpu_checked = time.perf_counter(), time.process_time()
    if job.status != ImportJob.Status.CHECKED:
        raise RuntimeError(f"people import: {job.status} {list(job.problems.all()[:3])}")
    job = services.job_apply(actor=user, job=job)
    done, cpu_done = time.perf_counter(), time.process_time()
    if job.created != rows:
        raise RuntimeError(f"people import made {job.created} of {rows}")
    # Where the time goes: this process's own processor time per row (the rest is the database's work and
    # waiting for it, or other work on the machine).
    cpu = [
        Figure(
            "people-import", "check: this process's CPU", 1e6 * (cpu_checked - cpu_start) / rows, "µs/row"
        ),
        Figure("people-import", "apply: this process's CPU", 1e6 * (cpu_done - cpu_checked) / rows, "µs/row"),
    ]
    return [
        Figure("people-import", f"check {rows:,} rows", rows / (checked - start), "rows/s"),
        Figure("people-import", "apply", rows / (done - checked), "rows/s"),
        Figure("people-import", "whole import (IDs, notes)", rows / (done - start), "rows/s", "≥ 10,000"),
        *cpu,
    ]


@benchmark("detail", "one person's and one case's record through the API, 20,000 people (p50/p95)")
def detail_bench(quick: bool) -> list[Figure]:
    from safepassage.accounts.services import token_issue
    from safepassage.cases import stages
    from safepassage.cases.models import Stage
    from safepassage.cases.services import case_open, note_add
    from safepassage.geo.models import Area
    from safepassage.registry.models import Person

    world = _setup("detail")
    if not Stage.objects.exists():
        stages.load()
    count = 2_000 if quick else 20_000
    rng = random.Random(5)
    villages = {a.code: a for a in Area.objects.filter(code__in=world["villages"])}
    areas = list(villages.values())
    batch = [
        Person(
            agency=world["agency"],
            village=areas[n % len(areas)],
            given_name=f"P{n}",
            birth_year=rng.randint(1950, 2020),
            national_id=_thai_id(rng),
            notes=f"welfare note {n} " * 5,
        )
        for n in range(count)
    ]
    Person.objects.bulk_create(batch, batch_size=5_000)
    people = list(Person.objects.filter(agency=world["agency"]).values_list("pk", flat=True))
    caseworker = world["caseworker"]
    cases = []
    for n in range(20 if quick else 100):
        person = Person.objects.get(pk=people[n])
        case = case_open(
            actor=caseworker,
            opened_on=date(2026, 1, 5),
            person=person,
            address=f"house {n}, behind the temple",
            health="asthma; sees the district nurse monthly",
        )
        for k in range(5):
            note_add(actor=caseworker, case=case, text=f"visit {k}: she is safe at her aunt's for now")
        cases.append(case.pk)
    figures: list[Figure] = []
    for role, label, urls in (
        ("coordinator", "person detail", [f"/api/v1/people/{rng.choice(people)}" for _ in range(200)]),
        ("caseworker", "case detail", [f"/api/v1/cases/{rng.choice(cases)}" for _ in range(200)]),
        ("caseworker", "case notes", [f"/api/v1/cases/{rng.choice(cases)}/notes" for _ in range(200)]),
    ):
        _, raw = token_issue(actor=None, user=world[role])
        client = Client(headers={"Authorization": f"Bearer {raw}"})
        first = client.get(urls[0])
        if first.status_code != 200:
            raise RuntimeError(f"{label} answered {first.status_code}")
        for url in urls[:20]:  # warm
            client.get(url)
        samples = []
        for url in urls:
            start = time.perf_counter()
            client.get(url)
            samples.append((time.perf_counter() - start) * 1000)
        p50, p95 = percentiles(samples)
        figures += [Figure("detail", f"{label} p50", p50, "ms"), Figure("detail", f"{label} p95", p95, "ms")]
    return figures
