"""`safepassage cases stages load FILE|export`, `safepassage cases scan` (for cron or the worker) and
`safepassage cases htcds-lists --from DIR` (refresh IOM's HTCDS label lists from its template and XLSForm)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from safepassage.cases import htcds_lists, stages
from safepassage.cases.services import alerts_scan


class Command(BaseCommand):
    help = "The case lifecycle (load or export it) and the case alert scan."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="subcommand", required=True)
        stage = sub.add_parser("stages", help="the case lifecycle as a JSON file")
        stage_sub = stage.add_subparsers(dest="stage_command", required=True)
        load = stage_sub.add_parser(
            "load", help="replace the lifecycle with a file's (cases keep their steps)"
        )
        load.add_argument("file", type=Path)
        export = stage_sub.add_parser("export", help="write the lifecycle as JSON")
        export.add_argument("--output", "-o", default="-")
        lists = sub.add_parser(
            "htcds-lists",
            help="rebuild the HTCDS label lists and template layout from IOM's template and XLSForm in DIR",
        )
        lists.add_argument("--from", dest="source", type=Path, required=True)
        lists.add_argument("--output", "-o", type=Path, default=htcds_lists.DATA)
        sub.add_parser(
            "scan",
            help="raise alerts for long shelter stays, missed deadlines, overdue actions and follow-ups",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["subcommand"] == "htcds-lists":
            source: Path = options["source"]
            missing = [n for n in (htcds_lists.TEMPLATE, htcds_lists.XLSFORM) if not (source / n).exists()]
            if missing:
                raise CommandError(f"{source}: {', '.join(missing)} not found there")
            data = htcds_lists.build(source)
            htcds_lists.write(data, options["output"])
            self.stdout.write(f"wrote {len(data['lists'])} lists to {options['output']}")
            return
        if options["subcommand"] == "scan":
            raised = alerts_scan()
            self.stdout.write(", ".join(f"{kind}: {n}" for kind, n in raised.items()) + " new alerts")
            return
        if options["stage_command"] == "load":
            path: Path = options["file"]
            try:
                count = stages.load(path, audit=True)
            except (OSError, json.JSONDecodeError) as exc:
                raise CommandError(f"{path}: cannot read it as JSON ({exc})") from None
            except ValidationError as error:
                problems = "; ".join(f"{k}: {', '.join(v)}" for k, v in error.message_dict.items())
                raise CommandError(f"{path}: {problems}; nothing was loaded") from None
            self.stdout.write(f"loaded {count} stages")
            return
        text = json.dumps(stages.export(), ensure_ascii=False, indent=1)
        if options["output"] == "-":
            self.stdout.write(text)
        else:
            Path(options["output"]).write_text(text + "\n", encoding="utf-8")
