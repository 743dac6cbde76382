"""`safepassage worker`: every scheduled job and the background imports, in one long-running process."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from safepassage.web.worker import SCHEDULE, Worker


class Command(BaseCommand):
    help = (
        "Run scheduled jobs (notifications, alerts, retention, audit checkpoints, ...) on their schedule "
        "and the background imports; SIGTERM lets the job under way finish. Needs BACKGROUND_WORKER=true "
        "in the web server's settings too, so the web process queues imports instead of running them."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--once", action="store_true", help="run what is due now, then exit")
        parser.add_argument("--list", action="store_true", help="print the schedule and exit")
        parser.add_argument("--poll", type=float, default=None, help="seconds between looks for work")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["list"]:
            for job in SCHEDULE:
                when = f"every {job.minutes} min" if job.minutes else f"daily at {job.at}"
                self.stdout.write(f"{when:<18} safepassage {job.name}")
            return
        poll = options["poll"] or settings.WORKER_POLL_SECONDS
        if poll <= 0:
            raise CommandError("--poll must be more than 0 seconds")
        if not settings.BACKGROUND_WORKER:
            self.stderr.write(
                "BACKGROUND_WORKER is not set: the web server runs imports itself. "
                "Set BACKGROUND_WORKER=true for the web server and the worker alike."
            )
        worker = Worker()
        if options["once"]:
            worker.tick()
            return
        worker.forever(poll)
