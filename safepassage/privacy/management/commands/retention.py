"""`safepassage retention apply [--dry-run] [--today YYYY-MM-DD]`: anonymise what has been kept long enough
(nightly, from cron); `safepassage retention reapply [--since YYYY-MM-DD]`: after restoring a backup,
remove again every identity the erasure log says was removed."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from safepassage.privacy import retention, services


def _day(value: str | None, option: str) -> Any:
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"{option}: expected a date as YYYY-MM-DD, got {value!r}") from None


class Command(BaseCommand):
    help = (
        "Retention: 'apply' anonymises the records whose retention period ended (names, contacts and "
        "identifiers removed, record keys kept); 'reapply' re-applies the erasure log after a restore."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["apply", "reapply"])
        parser.add_argument("--dry-run", action="store_true", help="Count what would be anonymised.")
        parser.add_argument("--today", help="The day to apply the periods as of (YYYY-MM-DD).")
        parser.add_argument("--since", help="reapply: only erasures made on or after this day.")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "reapply":
            done = services.reapply_erasures(since=_day(options["since"], "--since"))
            self.stdout.write(f"{done['logs']} erasures re-applied to {done['rows']} records")
            return
        summary = retention.apply(today=_day(options["today"], "--today"), dry_run=options["dry_run"])
        verb = "would be anonymised" if summary.dry_run else "anonymised"
        for kind, count in summary.counts.items():
            self.stdout.write(f"{kind}: {count} {verb}")
