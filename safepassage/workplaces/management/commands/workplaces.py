"""`safepassage workplaces rerate`: rate every workplace again as its evidence ages (run nightly)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from safepassage.workplaces.services import workplaces_rerate


class Command(BaseCommand):
    help = "Rate every workplace again from its evidence (evidence loses weight as it ages)."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="subcommand", required=True)
        sub.add_parser("rerate", help="recompute every workplace's rating")

    def handle(self, *args: Any, **options: Any) -> None:
        self.stdout.write(f"{workplaces_rerate()} rating(s) changed")
