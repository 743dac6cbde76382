"""`safepassage alerts escalate` and `safepassage alerts scan`, for cron or a systemd timer."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from safepassage.registry.services import alerts_escalate, alerts_overdue_scan


class Command(BaseCommand):
    help = "Escalate alerts past their deadline; raise alerts for high-risk people not re-assessed in time."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="subcommand", required=True)
        sub.add_parser("escalate", help="escalate open alerts past their deadline (run every hour)")
        sub.add_parser("scan", help="alert on high-risk people overdue for re-assessment (run daily)")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["subcommand"] == "escalate":
            self.stdout.write(f"{alerts_escalate()} alert(s) escalated")
        else:
            self.stdout.write(f"{alerts_overdue_scan()} overdue alert(s) raised")
