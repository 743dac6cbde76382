"""`safepassage reports rebuild`: recount the report cells (nightly, as people move into older age bands)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from safepassage.registry.cells import refresh


class Command(BaseCommand):
    help = "Recount the pre-counted report cells from everyone's current risk."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="subcommand", required=True)
        sub.add_parser("rebuild", help="recount every cell (run nightly)")

    def handle(self, *args: Any, **options: Any) -> None:
        self.stdout.write(f"{refresh()} report cells written")
