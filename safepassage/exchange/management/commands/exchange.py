"""`safepassage exchange keys|peer|peers|send|export|import`: exchange with other installations
(docs/exchange.md)."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from safepassage.accounts.models import Agency
from safepassage.audit.services import audit_record
from safepassage.exchange import keys, services
from safepassage.exchange.message import Refused
from safepassage.exchange.models import Peer


class Command(BaseCommand):
    help = "Exchange cases with other SafePassage installations: keys, peers, the outbox, files."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        made = sub.add_parser("keys", help="make this installation's key pairs once; show the public part")
        made.add_argument("--json", action="store_true", help="only the public keys, as JSON for a peer")
        peer = sub.add_parser("peer", help="register a peer from the public keys it gave (JSON file)")
        peer.add_argument("keys_file", help="the JSON `safepassage exchange keys --json` printed there")
        peer.add_argument("--name", default="", help="its name (else the name in the file)")
        peer.add_argument("--country", required=True, help="its country (two letters)")
        peer.add_argument("--address", default="", help="https://… (empty: files only)")
        peer.add_argument("--agency", required=True, help="code of the agency that receives its cases here")
        peer.add_argument("--profile", default="origin_agency", help="what it may receive")
        sub.add_parser("peers", help="list the peers with their fingerprints")
        sub.add_parser("send", help="deliver the messages waiting in the outbox (the worker does this)")
        export = sub.add_parser("export", help="write every message waiting for a peer to a file")
        export.add_argument("--peer", required=True, help="the peer's id or signing-key fingerprint")
        export.add_argument("--out", required=True, help="the file to write (0600)")
        taken = sub.add_parser("import", help="take in the messages of a file; write the receipts")
        taken.add_argument("file", help="a file `safepassage exchange export` wrote on the other side")
        taken.add_argument("--answer", default="", help="where to write the signed receipts to carry back")

    def handle(self, *args: Any, **options: Any) -> None:
        getattr(self, "_" + options["action"])(options)

    def _keys(self, options: dict[str, Any]) -> None:
        made = keys.create()
        pairs = keys.load()
        with transaction.atomic():
            audit_record(
                actor=None,
                action="exchange.keys.create" if made else "exchange.keys.show",
                object_type="exchange.keys",
                object_id=pairs.signing_id[:12],
                changes={"signing": pairs.signing_id, "encryption": pairs.encryption_id},
            )
        if options["json"]:
            self.stdout.write(json.dumps(pairs.public(), indent=2))
            return
        self.stdout.write(("Made new key pairs in " if made else "Key pairs in ") + str(keys.path()))
        self.stdout.write("Signing key fingerprint (read it out to the peer):")
        self.stdout.write("  " + keys.fingerprint(pairs.signing_id))
        self.stdout.write("Encryption key fingerprint:")
        self.stdout.write("  " + keys.fingerprint(pairs.encryption_id))
        self.stdout.write("Public keys for the peer (safepassage exchange keys --json):")
        self.stdout.write(json.dumps(pairs.public()))

    def _peer(self, options: dict[str, Any]) -> None:
        data = json.loads(Path(options["keys_file"]).read_text(encoding="utf-8"))
        agency = Agency.objects.filter(code=options["agency"]).first()
        if agency is None:
            raise CommandError(f"--agency: no agency {options['agency']!r}")
        try:
            peer = services.peer_register(
                actor=None,
                name=options["name"] or str(data.get("name", "")),
                country=options["country"],
                address=options["address"],
                signing_key=data.get("signing_key"),
                encryption_key=data.get("encryption_key"),
                receiving_agency=agency,
                profile=options["profile"],
            )
        except ValidationError as exc:
            raise CommandError(
                "; ".join(f"{k}: {' '.join(v)}" for k, v in exc.message_dict.items())
            ) from None
        self.stdout.write(f"Peer {peer.pk} {peer.name}: signing key {keys.fingerprint(peer.key_id)}")
        self.stdout.write("Check this fingerprint with them over the phone before sending anything.")

    def _peers(self, options: dict[str, Any]) -> None:
        for peer in Peer.objects.all():
            state = "active" if peer.active else "inactive"
            self.stdout.write(
                f"{peer.pk}\t{peer.name}\t{peer.country}\t{peer.address or '(files only)'}\t{state}\t"
                f"{keys.fingerprint(peer.key_id)}"
            )

    def _send(self, options: dict[str, Any]) -> None:
        done = services.outbox_run()
        self.stdout.write(f"delivered {done.delivered}, not delivered (will retry) {done.failed}")

    def _find_peer(self, text: str) -> Peer:
        peer = Peer.objects.filter(pk=int(text)).first() if text.isdigit() else None
        peer = peer or Peer.objects.filter(key_id=text.replace(" ", "")).first()
        if peer is None:
            raise CommandError(f"--peer: no peer {text!r} (safepassage exchange peers)")
        return peer

    def _write(self, path: str, text: str) -> None:
        target = Path(path)
        target.touch(mode=0o600, exist_ok=True)
        target.chmod(0o600)
        target.write_text(text, encoding="ascii")

    def _export(self, options: dict[str, Any]) -> None:
        peer = self._find_peer(options["peer"])
        text = services.export_file(actor=None, peer=peer)
        self._write(options["out"], text)
        self.stdout.write(f"{len(text.splitlines())} messages for {peer.name} written to {options['out']}")

    def _import(self, options: dict[str, Any]) -> None:
        if options["file"] == "-":
            lines = sys.stdin.read().splitlines()
        else:
            lines = Path(options["file"]).read_text(encoding="ascii").splitlines()
        answers: list[str] = []
        taken = refused = 0
        for line in lines:
            if not line.strip():
                continue
            try:
                received = services.receive(line, channel="cli")
            except Refused as exc:
                refused += 1
                self.stderr.write(f"refused: {exc.reason}: {exc.text}")
                continue
            taken += 1
            if received.answer:
                answers.append(received.answer)
        if options["answer"]:
            self._write(options["answer"], "".join(a + "\n" for a in answers))
        self.stdout.write(f"taken in {taken}, refused {refused}")
        if refused:
            raise CommandError(f"{refused} messages were refused (the reasons are in the audit trail)")
