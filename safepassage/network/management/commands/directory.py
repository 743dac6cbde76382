"""`safepassage directory load [FILE]`: load hotlines and return agreements (the defaults if no file);
`safepassage directory ageout`: members of children's committees and forums who turned 18 leave (nightly)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from safepassage.network.services import directory_load

DEFAULT = Path(__file__).resolve().parents[2] / "data" / "directory.json"


class Command(BaseCommand):
    help = "Load hotlines and return agreements into the network directory."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="subcommand", required=True)
        load = sub.add_parser("load", help="add new hotlines and agreements, correct known ones")
        load.add_argument(
            "file", nargs="?", default=str(DEFAULT), help="JSON like network/data/directory.json"
        )
        sub.add_parser("ageout", help="members of children's groups who turned 18 leave them")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["subcommand"] == "ageout":
            from safepassage.network.children_services import members_age_out

            self.stdout.write(f"{members_age_out()} member(s) turned 18 and left their group")
            return
        try:
            data = json.loads(Path(options["file"]).read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise CommandError(f"cannot read {options['file']}: {exc}") from exc
        try:
            counts = directory_load(actor=None, data=data)
        except ValidationError as error:
            problems = "; ".join(f"{field}: {' '.join(msgs)}" for field, msgs in error.message_dict.items())
            raise CommandError(problems) from error
        self.stdout.write(", ".join(f"{n} {what}" for what, n in counts.items()))
