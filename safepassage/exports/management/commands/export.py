"""`safepassage export htcds|deidentified --user U --purpose TEXT --out FILE`; `safepassage export purge`."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.http import Http404

from safepassage.exports import services
from safepassage.exports.models import Export


class Command(BaseCommand):
    help = "Export cases (HTCDS 2.0, or de-identified CTDC style), encrypted; or purge expired export files."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("kind", choices=[*Export.Kind.values, "purge"])
        parser.add_argument("--user", help="the coordinator or analyst exporting")
        parser.add_argument("--purpose", default="", help="what the export is for (audited)")
        parser.add_argument("--format", default="csv", choices=Export.Format.values)
        parser.add_argument("--out", type=Path, help="where to write the zip")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["kind"] == "purge":
            self.stdout.write(f"{services.exports_purge()} expired export files deleted")
            return
        user = get_user_model().objects.filter(username=options["user"] or "", is_active=True).first()
        if user is None or options["out"] is None:
            raise CommandError("--user (an active user) and --out are required.")
        try:
            export, password = services.export_create(
                actor=user, kind=options["kind"], purpose=options["purpose"], file_format=options["format"]
            )
        except ValidationError as error:
            raise CommandError("; ".join(error.messages)) from None
        except Http404:
            raise CommandError(f"{user} may not make this export.") from None
        options["out"].write_bytes(services.export_for_download(user, export))
        self.stdout.write(
            f"{options['out']}: {export.rows} rows, AES-256 zip. Password (shown once): {password}"
        )
