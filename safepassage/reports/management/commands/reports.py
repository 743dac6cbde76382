"""`safepassage reports rebuild`: recount the report cells (nightly, as people move into older age bands).
`safepassage reports accuracy --user NAME`: what disclosure control costs that reader, cell by cell."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from safepassage.registry.cells import refresh


class Command(BaseCommand):
    help = "Recount the pre-counted report cells; measure what disclosure control costs in accuracy."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="subcommand", required=True)
        sub.add_parser("rebuild", help="recount every cell (run nightly)")
        accuracy = sub.add_parser(
            "accuracy",
            help="compare each cell of the risk report as a reader outside the owning agency sees it "
            "(perturbed, '<11') with the exact cell",
        )
        accuracy.add_argument("--user", required=True, help="an analyst (or partner) account")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["subcommand"] == "accuracy":
            self._accuracy(options["user"])
            return
        self.stdout.write(f"{refresh()} report cells written")

    def _accuracy(self, username: str) -> None:
        from safepassage.accounts.models import User
        from safepassage.reports.accuracy import accuracy

        user = User.objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"There is no user {username!r}.")
        try:
            rows = accuracy(viewer=user)
        except ValueError as error:
            raise CommandError(str(error)) from error
        columns = list(rows[0]) if rows else []
        self.stdout.write("\t".join(columns))
        for row in rows:
            self.stdout.write("\t".join("" if row[c] is None else str(row[c]) for c in columns))
