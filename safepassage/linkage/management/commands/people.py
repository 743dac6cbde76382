"""`safepassage people dedupe`: find likely duplicate people and queue them for review."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from safepassage.accounts.models import Agency
from safepassage.linkage.services import dedupe
from safepassage.linkage.spark import SparkMissing
from safepassage.registry import names


class Command(BaseCommand):
    help = (
        "Registry tasks: find likely duplicate people (Splink on DuckDB, or on Spark with "
        "LINKAGE_BACKEND=spark) for coordinators to review; "
        "romanise the names an import left for later."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="subcommand", required=True)
        run = sub.add_parser("dedupe", help="find likely duplicates and queue them for review")
        run.add_argument("--agency", help="one agency's people (default: everyone's, across agencies)")
        run.add_argument("--threshold", type=float, default=0.9, help="match probability to propose a pair")
        sub.add_parser("romanise", help="romanise the names an import left for later (the worker runs it)")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["subcommand"] == "romanise":
            done = names.fill_pending()
            if done:
                self.stdout.write(f"{done} people's names romanised")
            return
        agency = None
        if options["agency"]:
            agency = Agency.objects.filter(code=options["agency"]).first()
            if agency is None:
                raise CommandError(f"There is no agency with the code {options['agency']}.")
        if not 0 < options["threshold"] < 1:
            raise CommandError("--threshold is a probability between 0 and 1.")
        try:
            run = dedupe(actor=None, agency=agency, threshold=options["threshold"])
        except SparkMissing as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            f"{run.people} people compared in {run.seconds:.1f} s: {run.pairs} likely pairs, "
            f"{run.new_candidates} new for review (a person decides every merge)"
        )
