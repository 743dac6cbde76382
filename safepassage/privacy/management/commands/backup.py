"""`safepassage backup --out FILE`: the database and the private files, in one file encrypted to the backup
key (BACKUP_KEY) or passphrase (BACKUP_PASSPHRASE, --passphrase-file), kept apart from the database's keys."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from safepassage.privacy.backup.archive import backup_make
from safepassage.privacy.backup.crypto import BackupError, secret_from


class Command(BaseCommand):
    help = "Write an encrypted backup of the database and the private files (docs/operations.md)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--out", required=True, help="the backup file to write (0600)")
        parser.add_argument("--passphrase-file", help="read the passphrase from this file instead")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            secret = secret_from(passphrase_file=options["passphrase_file"])
            made = backup_make(out=Path(options["out"]), secret=secret)
        except BackupError as exc:
            raise CommandError(str(exc)) from None
        except OSError as exc:  # the folder is full, read-only, or --out names a folder
            raise CommandError(f"--out: cannot write {options['out']!r} ({exc.strerror})") from None
        self.stdout.write(
            f"Backup written to {made.path} ({made.size} bytes): the {made.vendor} database and "
            f"{made.files} files, encrypted with {secret.setting}."
        )
