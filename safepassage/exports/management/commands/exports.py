"""`safepassage exports purge`: delete export files past EXPORT_KEEP_HOURS (run it hourly from cron)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from safepassage.exports import services


class Command(BaseCommand):
    help = "Exports housekeeping: 'purge' deletes export files past their time (the records stay)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["purge"])

    def handle(self, *args: Any, **options: Any) -> None:
        done = services.exports_purge()
        self.stdout.write(f"{done} expired export files deleted")
