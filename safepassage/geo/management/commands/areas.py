"""`safepassage areas import FILE`: load the area tree from CSV or GeoJSON, all or nothing."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from safepassage.core.importing import ImportRejected
from safepassage.geo.parsing import read_file
from safepassage.geo.services import areas_import


class Command(BaseCommand):
    help = "Import administrative areas from a CSV or GeoJSON file. Nothing is imported if any row is bad."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="subcommand", required=True)
        imp = sub.add_parser("import", help="add or update areas from a file")
        imp.add_argument(
            "file",
            type=Path,
            help="a .csv (code, parent_code, level, name_en, name_th, …) or a .geojson FeatureCollection",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        if not path.is_file():
            raise CommandError(f"{path}: no such file")
        rows, errors = read_file(path)
        try:
            result = areas_import(actor=None, rows=rows, source=path.name, errors=errors)
        except ImportRejected as rejected:
            for error in rejected.errors:
                self.stderr.write(f"{path.name}: {error}")
            raise CommandError(
                f"{len(rejected.errors)} problem(s) in {path.name}; nothing was imported"
            ) from None
        self.stdout.write(f"{path.name}: {result.created} areas added, {result.updated} updated")
