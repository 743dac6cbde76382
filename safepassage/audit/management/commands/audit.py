"""`safepassage audit export|checkpoint|verify`: the trail as CSV or JSON lines; each chain's head written to
the checkpoint file (nightly, from cron); every chain recomputed and checked against the checkpoints."""

from __future__ import annotations

import json
import sys
from datetime import date
from pathlib import Path
from typing import Any, TextIO

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from safepassage.audit import integrity
from safepassage.audit.models import AuditEvent
from safepassage.audit.selectors import filter_events
from safepassage.audit.services import audit_record
from safepassage.core.validation import csv_writer, safe_cell

FIELDS = [
    "id",
    "at",
    "actor_name",
    "agency",
    "action",
    "object_type",
    "object_id",
    "object_repr",
    "request_id",
    "client_request_id",
    "channel",
    "ip",
    "changes",
    "chain",
    "seq",
    "prev_hash",
    "hash",
]


def _date(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        raise CommandError(f"--since/--until: {value!r} is not a date (YYYY-MM-DD)") from exc


class Command(BaseCommand):
    help = "Export the audit trail, checkpoint its chains, or verify them."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="subcommand", required=True)
        export = sub.add_parser("export", help="write audit events to a file or standard output")
        export.add_argument("--agency", help="agency code; all agencies if left out")
        export.add_argument("--since", type=_date, help="first day, YYYY-MM-DD")
        export.add_argument("--until", type=_date, help="last day, YYYY-MM-DD")
        export.add_argument("--action", default="", help="only actions starting with this")
        export.add_argument("--format", choices=["csv", "jsonl"], default="csv")
        export.add_argument("--output", "-o", default="-", help="file to write; - for standard output")
        checkpoint = sub.add_parser("checkpoint", help="append each chain's head to the checkpoint file")
        verify = sub.add_parser("verify", help="recompute every chain; non-zero exit if anything is wrong")
        for command in (checkpoint, verify):
            command.add_argument(
                "--file", help="checkpoint file (default: the AUDIT_CHECKPOINT_FILE setting)"
            )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["subcommand"] == "checkpoint":
            self._checkpoint(options)
        elif options["subcommand"] == "verify":
            self._verify(options)
        else:
            self._export(options)

    def _checkpoint(self, options: dict[str, Any]) -> None:
        path = Path(options["file"]) if options["file"] else integrity.checkpoint_path()
        heads = integrity.checkpoint_write(path)
        self.stdout.write(f"{len(heads)} chains checkpointed to {path}")

    def _verify(self, options: dict[str, Any]) -> None:
        path = Path(options["file"]) if options["file"] else integrity.checkpoint_path()
        result = integrity.verify(path)
        if result.ok:
            self.stdout.write(f"all {result.events} events in {result.chains} chains verified")
            return
        for problem in result.problems:
            self.stdout.write(problem)
        raise CommandError(
            f"{len(result.problems)} problems in {result.events} events in {result.chains} chains",
            returncode=1,
        )

    def _export(self, options: dict[str, Any]) -> None:
        qs: Any = AuditEvent.objects.select_related("agency").order_by("at", "id")
        if options["agency"]:
            qs = qs.filter(agency__code=options["agency"])
        qs = filter_events(qs, action=options["action"], since=options["since"], until=options["until"])
        output = options["output"]
        handle: TextIO = sys.stdout if output == "-" else open(output, "w", encoding="utf-8", newline="")  # noqa: SIM115
        try:
            count = self._write(qs, handle, options["format"])
        finally:
            if handle is not sys.stdout:
                handle.close()
        with transaction.atomic():
            audit_record(
                actor=None,
                action="audit.export",
                object_type="audit.auditevent",
                changes={"count": count, "agency": options["agency"] or "all", "format": options["format"]},
            )
        if output != "-":
            self.stderr.write(f"{count} events written to {output}")

    def _write(self, qs: Any, handle: TextIO, fmt: str) -> int:
        count = 0
        writer = csv_writer(handle) if fmt == "csv" else None
        if writer:
            writer.writerow(FIELDS)
        for event in qs.iterator(chunk_size=2000):
            row = {
                "id": event.pk,
                "at": event.at.isoformat(),
                "actor_name": event.actor_name,
                "agency": event.agency.code if event.agency else "",
                "action": event.action,
                "object_type": event.object_type,
                "object_id": event.object_id,
                "object_repr": event.object_repr,
                "request_id": event.request_id,
                "client_request_id": event.client_request_id,
                "channel": event.channel,
                "ip": event.ip or "",
                "changes": event.changes,
                # the chain, so an archived export can be checked with chain.event_hash on its own
                "chain": event.chain,
                "seq": event.seq,
                "prev_hash": event.prev_hash,
                "hash": event.hash,
            }
            if writer:
                writer.writerow(
                    [
                        safe_cell(json.dumps(v, ensure_ascii=False) if k == "changes" else v)
                        for k, v in row.items()
                    ]
                )
            else:
                handle.write(json.dumps(row, ensure_ascii=False) + "\n")
            count += 1
        return count
