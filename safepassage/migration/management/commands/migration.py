"""`safepassage migration scan`: alerts for arrivals not confirmed, missed check-ins, people out of reach."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from safepassage.migration.services import alerts_scan


class Command(BaseCommand):
    help = "Safe-migration channel tasks for cron or the worker."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="subcommand", required=True)
        sub.add_parser("scan", help="raise alerts (each cause once) to both ends of the channel")

    def handle(self, *args: Any, **options: Any) -> None:
        raised = alerts_scan()
        self.stdout.write(", ".join(f"{kind}: {n}" for kind, n in raised.items()) + " new alerts")
