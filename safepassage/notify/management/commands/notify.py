"""`safepassage notify send`: send the deliveries that are due (cron, every minute or five)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from safepassage.notify.services import deliveries_send


class Command(BaseCommand):
    help = "Notifications by e-mail, SMS and LINE."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="subcommand", required=True)
        sub.add_parser("send", help="send what is due; urgent ones at once, the rest in each daily summary")

    def handle(self, *args: Any, **options: Any) -> None:
        counts = deliveries_send()
        self.stdout.write(
            f"sent: {counts['sent']}, to try again: {counts['queued']}, failed: {counts['failed']}, "
            f"held for quiet hours: {counts['held']}"
        )
