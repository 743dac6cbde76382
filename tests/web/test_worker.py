"""`safepassage worker`: background imports wait in the database and are taken by one worker once; a failing
job is recorded and the worker goes on; scheduled jobs run when due, once, across restarts; SIGTERM lets the
job under way finish."""

from __future__ import annotations

import io
import json
import os
import signal
import threading
import time
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, connections, transaction

from safepassage.audit.models import AuditEvent
from safepassage.imports import queue, services
from safepassage.imports.models import ImportJob
from safepassage.registry.models import Person
from safepassage.testing import api_client, build_world
from safepassage.web.worker import Job, Worker


@pytest.fixture
def queued(settings, tmp_path):
    settings.DATA_DIR = tmp_path
    settings.IMPORT_INLINE_BYTES = 0  # every file goes to the background
    settings.BACKGROUND_WORKER = True


def upload(world: Any, *names: str) -> ImportJob:
    data = "given_name,village_code\n" + "".join(f"{n},{world.village_1.code}\n" for n in names)
    job = services.job_create(
        actor=world.coordinator_a, kind="people", file_name="list.csv", content=io.BytesIO(data.encode())
    )
    return services.run(job, "check")


@pytest.mark.django_db
def test_the_web_process_queues_a_large_import_for_the_worker_instead_of_a_thread(
    queued, world, django_capture_on_commit_callbacks
):
    client = api_client(world.coordinator_a)
    village = world.village_1.code
    with django_capture_on_commit_callbacks() as callbacks:
        response = client.client.post(
            "/api/v1/imports",
            {"kind": "people", "file": io.BytesIO(f"given_name,village_code\nMalai,{village}\n".encode())},
            headers=client.headers,
        )
    assert response.status_code == 201
    assert callbacks == []  # no thread waits to start after the request
    assert response.json()["status"] == "checking"
    assert queue.waiting() == 1
    # Waiting for a while is not "interrupted": the page keeps showing it as under way.
    ImportJob.objects.update(updated_at=datetime(2020, 1, 1, tzinfo=ZoneInfo("UTC")))
    assert client.get(f"/api/v1/imports/{response.json()['id']}").json()["status"] == "checking"

    worker = Worker(())
    assert worker.run_imports() == 1
    job = ImportJob.objects.get()
    assert job.status == "checked" and job.rows_valid == 1 and queue.waiting() == 0
    # Applying is queued too, and applied as the person who asked.
    assert client.post(f"/api/v1/imports/{job.pk}/apply", {}).json()["status"] == "applying"
    assert Person.objects.count() == 0
    assert worker.run_imports() == 1
    assert ImportJob.objects.get().status == "applied"
    assert list(Person.objects.values_list("given_name", flat=True)) == ["Malai"]
    event = AuditEvent.objects.get(action="imports.job.apply")
    assert event.actor_id == world.coordinator_a.pk
    assert worker.run_imports() == 0


@pytest.mark.django_db
def test_a_claimed_import_is_never_claimed_again(queued, world):
    job = upload(world, "Malai")
    claimed = queue.claim()
    assert claimed is not None and claimed[0].pk == job.pk and claimed[1]["step"] == "check"
    assert queue.claim() is None
    assert Worker(()).run_imports() == 0


@pytest.mark.django_db
def test_a_failing_import_is_recorded_and_the_worker_goes_on(queued, world, monkeypatch):
    broken = upload(world, "Malai")
    fine = upload(world, "Kham")
    real_check = services.job_check

    def check(job: ImportJob, on_progress: Any = None) -> ImportJob:
        if job.pk == broken.pk:
            raise RuntimeError("disk gone")
        return real_check(job, on_progress)

    monkeypatch.setattr(services, "job_check", check)
    assert Worker(()).run_imports() == 2
    broken.refresh_from_db()
    fine.refresh_from_db()
    assert broken.status == "failed" and "unexpected error" in broken.message
    assert fine.status == "checked"


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="row locks held by another session: PostgreSQL only (SQLite writes one at a time)",
)
def test_a_job_locked_by_another_worker_is_skipped(settings, tmp_path):
    settings.DATA_DIR = tmp_path
    settings.IMPORT_INLINE_BYTES = 0
    settings.BACKGROUND_WORKER = True
    world = build_world()
    first = upload(world, "Malai")
    second = upload(world, "Kham")
    holding, release = threading.Event(), threading.Event()

    def other_worker() -> None:
        try:
            with transaction.atomic():  # another worker, in the middle of claiming the first job
                list(ImportJob.objects.select_for_update().filter(pk=first.pk))
                holding.set()
                release.wait(30)
        finally:
            connections.close_all()

    thread = threading.Thread(target=other_worker)
    thread.start()
    try:
        assert holding.wait(30)
        claimed = queue.claim()  # does not wait for the lock: takes the next job
        assert claimed is not None and claimed[0].pk == second.pk
    finally:
        release.set()
        thread.join()
    claimed = queue.claim()
    assert claimed is not None and claimed[0].pk == first.pk
    assert queue.claim() is None


BANGKOK = ZoneInfo("Asia/Bangkok")


class Clock:
    def __init__(self, at: datetime) -> None:
        self.at = at

    def __call__(self) -> datetime:
        return self.at


@pytest.mark.django_db
def test_scheduled_jobs_run_when_due_and_once_across_restarts(tmp_path, settings):
    settings.TIME_ZONE = "Asia/Bangkok"
    ran: list[str] = []

    def command(*args: str, **_: Any) -> None:
        ran.append(" ".join(args))
        if args[0] == "broken":
            raise CommandError("no such thing")

    schedule = (
        Job(("notify", "send"), minutes=1),
        Job(("broken", "job"), minutes=60),
        Job(("retention", "apply"), at="01:45"),
    )
    clock = Clock(datetime(2026, 3, 1, 12, 0, tzinfo=BANGKOK))
    state = tmp_path / "worker-schedule.json"
    worker = Worker(schedule, state=state, clock=clock, run_command=command)
    # First start: the minutely and hourly jobs at once (the broken one fails, the rest still run); the
    # nightly one waits for its time.
    assert worker.run_due() == [("notify send", True), ("broken job", False)]
    clock.at += timedelta(seconds=30)
    assert worker.run_due() == []
    clock.at += timedelta(seconds=30)
    assert worker.run_due() == [("notify send", True)]
    # At 01:45 the next night, the nightly job runs, once.
    clock.at = datetime(2026, 3, 2, 1, 45, 10, tzinfo=BANGKOK)
    assert ("retention apply", True) in worker.run_due()
    clock.at += timedelta(minutes=1)
    assert ("retention apply", True) not in worker.run_due()
    # A restart the same night does not run it again; a worker that was down at 01:45 runs it when it starts.
    again = Worker(schedule, state=state, clock=clock, run_command=command)
    assert ("retention apply", True) not in again.run_due()
    clock.at = datetime(2026, 3, 3, 9, 0, tzinfo=BANGKOK)
    later = Worker(schedule, state=state, clock=clock, run_command=command)
    assert ("retention apply", True) in later.run_due()
    assert ran.count("retention apply") == 2


@pytest.mark.django_db
def test_the_real_commands_of_the_schedule_run(tmp_path, settings):
    settings.DATA_DIR = tmp_path
    schedule = (Job(("notify", "send"), minutes=1), Job(("exports", "purge"), minutes=60))
    assert Worker(schedule, state=tmp_path / "s.json").run_due() == [
        ("notify send", True),
        ("exports purge", True),
    ]
    listing = io.StringIO()
    call_command("worker", "--list", stdout=listing)
    lines = [" ".join(line.split()) for line in listing.getvalue().splitlines()]
    assert "every 1 min safepassage notify send" in lines
    assert "daily at 01:45 safepassage retention apply" in lines
    # `--once` (for a check by hand): what is due now, then back; the minutely jobs are due at first start.
    call_command("worker", "--once", stderr=io.StringIO())
    assert "notify send" in json.loads((tmp_path / "worker-schedule.json").read_text())


@pytest.mark.django_db
def test_sigterm_lets_the_job_under_way_finish_then_stops(tmp_path):
    finished: list[str] = []

    def slow(*args: str, **_: Any) -> None:
        os.kill(os.getpid(), signal.SIGTERM)  # systemd stops the service while this job runs
        time.sleep(0.2)
        finished.append(" ".join(args))

    schedule = (Job(("first",), minutes=1), Job(("second",), minutes=1))
    worker = Worker(schedule, state=tmp_path / "s.json", run_command=slow)
    worker.run_imports = lambda: 0  # type: ignore[method-assign]
    before = signal.getsignal(signal.SIGTERM), signal.getsignal(signal.SIGINT)
    try:
        started = time.monotonic()
        worker.forever(poll=60)
        assert time.monotonic() - started < 30  # did not wait for the next poll
    finally:
        signal.signal(signal.SIGTERM, before[0])
        signal.signal(signal.SIGINT, before[1])
    assert finished == ["first"]  # finished, and the next job never started
