"""`safepassage workplaces rerate`: rate every workplace again as its evidence ages; `safepassage
workplaces employers`: end good-employer statuses past their review date, remind employers of returns."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from safepassage.workplaces.services import workplaces_rerate


class Command(BaseCommand):
    help = "Rate every workplace again from its evidence (evidence loses weight as it ages)."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="subcommand", required=True)
        sub.add_parser("rerate", help="recompute every workplace's rating")
        sub.add_parser("employers", help="end statuses past their review date; remind employers of returns")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["subcommand"] == "employers":
            from safepassage.workplaces.status_services import employer_statuses_review, return_reminders_send

            ended = employer_statuses_review()
            self.stdout.write(
                f"{ended} status(es) reached their review date; {return_reminders_send()} reminder(s)"
            )
            return
        self.stdout.write(f"{workplaces_rerate()} rating(s) changed")
