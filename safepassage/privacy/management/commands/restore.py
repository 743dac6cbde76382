"""`safepassage restore FILE`: put a backup back onto an empty database and empty private folders, then
make again the erasures made since (ERASURE_LOG_FILE) and verify the audit trail. `--list` (or
`--dry-run`) checks the whole file and shows what it holds, writing nothing."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from safepassage.privacy.backup.crypto import BackupError, secret_from
from safepassage.privacy.backup.restore import inspect, restore


class Command(BaseCommand):
    help = "Restore an encrypted backup onto an empty place (docs/operations.md)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="the backup file")
        parser.add_argument("--passphrase-file", help="read the passphrase from this file instead")
        parser.add_argument(
            "--list", "--dry-run", dest="list", action="store_true", help="check it and show what it holds"
        )
        parser.add_argument(
            "--erasure-log",
            help="the copy of the erasure log kept apart (default: the ERASURE_LOG_FILE setting)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["file"])
        try:
            secret = secret_from(passphrase_file=options["passphrase_file"])
            if options["list"]:
                self._list(path, secret)
                return
            log = Path(options["erasure_log"] or settings.ERASURE_LOG_FILE)
            done = restore(path=path, secret=secret, erasure_log=log, say=self.stdout.write)
        except BackupError as exc:
            raise CommandError(str(exc)) from None
        except OSError as exc:  # a full disk or a folder that cannot be written: nothing half-placed is kept
            raise CommandError(f"cannot restore ({exc.strerror}: {exc.filename})") from None
        self.stdout.write(
            f"Restored the {done.contents.manifest['vendor']} database and {done.contents.files} files."
        )
        if done.erasures_added:
            self.stdout.write(f"{done.erasures_added} erasures made after the backup were added from {log}.")
        self.stdout.write(
            f"{done.erasures.get('logs', 0)} erasures re-applied to {done.erasures.get('rows', 0)} records."
        )
        result = done.verification
        assert result is not None
        if result.ok:
            self.stdout.write(f"Audit trail: all {result.events} events in {result.chains} chains verified.")
            return
        for problem in result.problems:
            self.stdout.write(problem)
        raise CommandError(
            f"Audit trail: {len(result.problems)} problems in {result.events} events; see above", returncode=1
        )

    def _list(self, path: Path, secret: Any) -> None:
        contents = inspect(path, secret)
        manifest = contents.manifest
        self.stdout.write(
            f"A whole backup of a {manifest['vendor']} database, made {manifest['made_at']}, "
            f"{len(manifest['migrations'])} database changes applied:"
        )
        for name, size in contents.members:
            self.stdout.write(f"  {name}  {size} bytes")
