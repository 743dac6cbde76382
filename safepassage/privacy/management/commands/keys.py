"""`safepassage keys rotate|check|new`: the encryption keys at rest (docs/operations.md)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from safepassage.core import crypto
from safepassage.core.sealing import BATCH
from safepassage.privacy import keys


class Command(BaseCommand):
    help = "Encryption at rest: re-seal everything under the newest key (rotate), or check the keys."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        rotate = sub.add_parser("rotate", help="re-seal every value and private file under the first key")
        rotate.add_argument("--batch", type=int, default=BATCH, help="rows per committed batch")
        check = sub.add_parser("check", help="count values by key and open them all")
        check.add_argument("--sample", type=int, default=0, help="open only the first N of each column")
        sub.add_parser("new", help="print a new random key (base64) to put first in ENCRYPTION_KEYS")

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        if action == "new":
            self.stdout.write(crypto.new_key_text())
            return
        if action == "rotate":
            if options["batch"] < 1:
                raise CommandError("--batch: must be at least 1")
            done = keys.rotate(batch=options["batch"], say=self.stdout.write)
            self.stdout.write(
                f"Every value is now sealed under key {done.key_id}: {sum(done.rows.values())} rows and "
                f"{done.files} files re-sealed. The other keys may now be removed from ENCRYPTION_KEYS."
            )
            return
        report = keys.check(sample=options["sample"])
        ring = crypto.keyring()
        for kid, count in sorted(report.values.items(), key=lambda kv: str(kv[0])):
            name = "clear (not yet sealed)" if kid is None else f"key {kid}"
            self.stdout.write(f"values under {name}: {count}")
        for kid, count in sorted(report.files.items(), key=lambda kv: str(kv[0])):
            name = "clear (not yet sealed)" if kid is None else f"key {kid}"
            self.stdout.write(f"files under {name}: {count}")
        self.stdout.write(f"keys given: {', '.join(ring.ids)} (the first seals)")
        if report.unreadable:
            for line in report.unreadable[:20]:
                self.stderr.write(line)
            raise CommandError(f"{len(report.unreadable)} values or files do not open with the keys given")
