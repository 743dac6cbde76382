"""`safepassage worker`: one long-running process for every scheduled job and the background imports.

Scheduled jobs are the management commands docs/operations.md used to list for cron; each runs on its own
schedule (every N minutes, or daily at a time in TIME_ZONE). When each job last ran is kept in
DATA_DIR/worker-schedule.json, so a restart neither repeats tonight's jobs nor forgets one missed while the
worker was down (it runs at start instead). Between scheduled jobs it runs the imports waiting in the database
(imports.queue: row locks with SKIP LOCKED, so two workers never take the same one). A failing job is logged
and the worker goes on. SIGTERM or SIGINT: the job under way finishes, then the worker exits.
"""

from __future__ import annotations

import io
import json
import logging
import signal
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.db import close_old_connections, connection
from django.utils import timezone

from safepassage.imports import queue

log = logging.getLogger("safepassage.worker")


@dataclass(frozen=True)
class Job:
    """A management command run every `minutes`, or daily `at` "HH:MM" (local time)."""

    command: tuple[str, ...]
    minutes: int = 0
    at: str = ""

    @property
    def name(self) -> str:
        return " ".join(self.command)

    def slot(self, now: datetime) -> datetime:
        """The latest time at or before `now` this daily job was meant to run."""
        hour, minute = (int(part) for part in self.at.split(":"))
        local = timezone.localtime(now)
        slot = local.replace(hour=hour, minute=minute, second=0, microsecond=0)
        return slot if slot <= local else slot - timedelta(days=1)

    def due(self, now: datetime, last: datetime | None) -> bool:
        if self.minutes:
            return last is None or now - last >= timedelta(minutes=self.minutes) - timedelta(seconds=1)
        # A daily job first seen waits for its time; one whose time passed since its last run runs now.
        return last is not None and last < self.slot(now)


# What cron ran before (docs/notifications.md, docs/risk-index.md, docs/retention.md, docs/audit.md, ...).
# The nightly backup is not here: its key must not live on this server (docs/operations.md, "Backup").
SCHEDULE: tuple[Job, ...] = (
    Job(("notify", "send"), minutes=1),
    Job(("people", "romanise"), minutes=5),
    Job(("exchange", "send"), minutes=1),
    Job(("alerts", "escalate"), minutes=60),
    Job(("exports", "purge"), minutes=60),
    Job(("cases", "scan"), at="00:05"),
    Job(("migration", "scan"), at="00:10"),
    Job(("alerts", "scan"), at="00:15"),
    Job(("workplaces", "employers"), at="00:20"),
    Job(("directory", "ageout"), at="00:25"),
    Job(("audit", "checkpoint"), at="01:30"),
    Job(("retention", "apply"), at="01:45"),
    Job(("workplaces", "rerate"), at="02:45"),
    Job(("reports", "rebuild"), at="03:00"),
    Job(("people", "dedupe"), at="03:30"),
)


def fresh_connections() -> None:
    """Drop a database connection that broke or outlived CONN_MAX_AGE, as Django does around each request
    (never inside a transaction: a test's, or a caller's)."""
    if not connection.in_atomic_block:
        close_old_connections()


def state_file() -> Path:
    return Path(settings.DATA_DIR) / "worker-schedule.json"


class Worker:
    """Runs due jobs and waiting imports in a loop until stopped."""

    def __init__(
        self,
        schedule: tuple[Job, ...] = SCHEDULE,
        *,
        state: Path | None = None,
        clock: Callable[[], datetime] = timezone.now,
        run_command: Callable[..., Any] = call_command,
    ) -> None:
        self.schedule = schedule
        self.state = state or state_file()
        self.clock = clock
        self.run_command = run_command
        self.stopping = threading.Event()
        self.last: dict[str, datetime] = self._load()

    # The record of last runs ------------------------------------------------------------------------------

    def _load(self) -> dict[str, datetime]:
        try:
            raw = json.loads(self.state.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            raw = {}
        last = {name: datetime.fromisoformat(at) for name, at in raw.items() if isinstance(at, str)}
        now = self.clock()
        for job in self.schedule:
            if job.at and job.name not in last:
                last[job.name] = now  # first seen: waits for its time tonight, not at once
        return last

    def _save(self) -> None:
        temporary = self.state.with_suffix(".tmp")
        temporary.write_text(json.dumps({k: v.isoformat() for k, v in self.last.items()}), encoding="utf-8")
        temporary.replace(self.state)

    # Work ---------------------------------------------------------------------------------------------------

    def run_due(self) -> list[tuple[str, bool]]:
        """Run every scheduled job that is due; (name, succeeded) for each run."""
        ran: list[tuple[str, bool]] = []
        for job in self.schedule:
            if self.stopping.is_set():
                break
            now = self.clock()
            if not job.due(now, self.last.get(job.name)):
                continue
            ran.append((job.name, self._run(job)))
            self.last[job.name] = now
            self._save()
        return ran

    def _run(self, job: Job) -> bool:
        fresh_connections()
        started = time.monotonic()
        out = io.StringIO()
        try:
            self.run_command(*job.command, stdout=out, stderr=out)
        except BaseException as exc:  # a failing job (even SystemExit from a command) must not stop the rest
            if isinstance(exc, KeyboardInterrupt):
                raise
            log.exception("%s failed after %.1f s", job.name, time.monotonic() - started)
            return False
        finally:
            fresh_connections()
        summary = " ".join(out.getvalue().split())[:500]
        log.info("%s done in %.1f s: %s", job.name, time.monotonic() - started, summary)
        return True

    def run_imports(self) -> int:
        """Run waiting background imports, one after another, until none waits or the worker stops."""
        done = 0
        while not self.stopping.is_set():
            fresh_connections()
            job = queue.run_next()
            if job is None:
                break
            log.info("import %s: %s", job.pk, job.status)
            done += 1
        return done

    def tick(self) -> None:
        self.run_due()
        self.run_imports()

    # The loop -----------------------------------------------------------------------------------------------

    def stop(self, signum: int = 0, _frame: Any = None) -> None:
        if not self.stopping.is_set():
            log.info("stopping (signal %s): the job under way finishes first", signum)
        self.stopping.set()

    def forever(self, poll: float) -> None:
        signal.signal(signal.SIGTERM, self.stop)
        signal.signal(signal.SIGINT, self.stop)
        log.info("worker started: %d scheduled jobs, imports every %.0f s", len(self.schedule), poll)
        while not self.stopping.is_set():
            try:
                self.tick()
            except Exception:  # the database went away, say: wait and try again
                log.exception("worker loop")
                fresh_connections()
            self.stopping.wait(poll)
        log.info("worker stopped")
