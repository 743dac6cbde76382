"""`safepassage export htcds|deidentified --purpose TEXT --agency CODE --out FILE [--user NAME]`.

Without --user the export is made by the command line (audited as "system") over all of the agency's cases,
names included, as its coordinators would get it; with --user it is made as that person, with their limits."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.http import Http404

from safepassage.accounts.models import Agency
from safepassage.exports import services
from safepassage.exports.models import Export


class Command(BaseCommand):
    help = "Export cases (HTCDS 2.0, or de-identified CTDC style) to an AES-256 zip; or purge expired files."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("kind", choices=[*Export.Kind.values, "purge"])
        parser.add_argument("--purpose", default="", help="what the export is for (required, audited)")
        parser.add_argument("--agency", default="", help="code of the agency whose cases to export")
        parser.add_argument("--user", default="", help="make the export as this user, with their limits")
        parser.add_argument("--format", default="csv", choices=Export.Format.values)
        parser.add_argument("--from", dest="opened_from", help="cases opened on or after (YYYY-MM-DD)")
        parser.add_argument("--to", dest="opened_to", help="cases opened on or before (YYYY-MM-DD)")
        parser.add_argument("--out", type=Path, help="where to write the zip")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["kind"] == "purge":
            self.stdout.write(f"{services.exports_purge()} expired export files deleted")
            return
        if options["out"] is None:
            raise CommandError("--out: say where to write the zip.")
        agency = None
        if options["agency"]:
            agency = Agency.objects.filter(code=options["agency"]).first()
            if agency is None:
                raise CommandError(f"--agency: no agency with the code {options['agency']!r}.")
        user = None
        if options["user"]:
            user = get_user_model().objects.filter(username=options["user"], is_active=True).first()
            if user is None:
                raise CommandError(f"--user: no active user {options['user']!r}.")
        elif agency is None:
            raise CommandError("--agency: name the agency whose cases to export (or --user).")
        try:
            filters = services.Filters(
                _day(options["opened_from"], "--from"), _day(options["opened_to"], "--to")
            )
            export, password = services.export_create(
                actor=user,
                kind=options["kind"],
                purpose=options["purpose"],
                file_format=options["format"],
                filters=filters,
                agency=agency,
            )
        except ValidationError as error:
            problems = error.message_dict if hasattr(error, "error_dict") else {"": error.messages}
            raise CommandError(
                "; ".join(
                    f"--{k.replace('_', '-')}: {' '.join(v)}" if k else " ".join(v)
                    for k, v in problems.items()
                )
            ) from None
        except Http404:
            raise CommandError(f"{user} may not make this export for that agency.") from None
        shutil.copyfile(services.exports_dir() / export.stored_as, options["out"])
        self.stdout.write(
            f"{options['out']}: {export.rows} rows, AES-256 zip. Password (shown once, not kept): {password}"
        )


def _day(value: str | None, option: str) -> Any:
    from datetime import date

    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"{option}: {value!r} is not a date (YYYY-MM-DD).") from None
