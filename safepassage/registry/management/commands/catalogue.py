"""`safepassage catalogue load FILE [--activate]` and `safepassage catalogue export [--version N]`."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from safepassage.registry.bulk import catalogue_rescore
from safepassage.registry.models import Catalogue
from safepassage.registry.services import catalogue_as_data, catalogue_load


class Command(BaseCommand):
    help = "Load an indicator catalogue from a file, or export one."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="subcommand", required=True)
        load = sub.add_parser("load", help="add a catalogue version from a JSON file")
        load.add_argument("file", type=Path)
        load.add_argument("--activate", action="store_true", help="use it for new assessments at once")
        export = sub.add_parser("export", help="write a catalogue version as JSON")
        export.add_argument("--version", type=int, help="version number (the active one if left out)")
        export.add_argument("--output", "-o", default="-")
        sub.add_parser(
            "rescore", help="put everyone's current risk on the active version (after activating one)"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["subcommand"] == "rescore":
            self.stdout.write(f"{catalogue_rescore(actor=None)} people re-scored")
            return
        if options["subcommand"] == "load":
            path: Path = options["file"]
            try:
                data = json.loads(path.read_text(encoding="utf-8-sig"))
            except (OSError, json.JSONDecodeError) as exc:
                raise CommandError(f"{path}: cannot read it as JSON ({exc})") from None
            try:
                catalogue = catalogue_load(actor=None, data=data, activate=options["activate"])
            except ValidationError as error:
                problems = "; ".join(f"{k}: {', '.join(v)}" for k, v in error.message_dict.items())
                raise CommandError(f"{path}: {problems}; nothing was loaded") from None
            state = "active" if options["activate"] else "draft"
            self.stdout.write(
                f"loaded catalogue v{catalogue.version} ({catalogue.indicators.count()} indicators, {state})"
            )
            return
        qs = Catalogue.objects.all()
        chosen = (
            qs.filter(version=options["version"]) if options["version"] else qs.filter(status="active")
        ).first()
        if chosen is None:
            raise CommandError("no such catalogue version")
        text = json.dumps(catalogue_as_data(chosen), ensure_ascii=False, indent=1)
        if options["output"] == "-":
            sys.stdout.write(text + "\n")
        else:
            Path(options["output"]).write_text(text + "\n", encoding="utf-8")
