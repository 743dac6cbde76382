"""`safepassage forms xlsform`: the volunteers' assessment form for ODK Collect / KoboCollect."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from safepassage.imports.xlsform import build
from safepassage.registry.models import Catalogue


class Command(BaseCommand):
    help = "Write field-collection forms (XLSForm, compiled and checked with pyxform)."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="subcommand", required=True)
        xlsform = sub.add_parser("xlsform", help="the risk assessment for ODK Collect / KoboCollect")
        xlsform.add_argument(
            "--out", type=Path, default=None, help="the .xlsx to write (default: FORM_ID.xlsx)"
        )
        xlsform.add_argument("--xml", type=Path, default=None, help="also write the compiled XForm here")
        xlsform.add_argument(
            "--catalogue", type=int, default=None, help="a catalogue version (default: active)"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        catalogue = None
        if options["catalogue"] is not None:
            catalogue = Catalogue.objects.filter(version=options["catalogue"]).first()
            if catalogue is None:
                raise CommandError(f"There is no catalogue version {options['catalogue']}.")
        form = build(catalogue)
        out: Path = options["out"] or Path(f"{form.form_id}.xlsx")
        out.write_bytes(form.xlsx)
        if options["xml"]:
            options["xml"].write_text(form.xml, encoding="utf-8")
        for warning in form.warnings:
            self.stderr.write(f"pyxform: {warning}")
        self.stdout.write(
            f"{out}: form {form.form_id}, compiled by pyxform with {len(form.warnings)} warnings. Upload it "
            "to ODK Central or KoboToolbox; import submissions with `safepassage import assessments FILE`."
        )
