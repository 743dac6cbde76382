"""Checking the audit trail: nightly checkpoints of each chain's head kept outside the database, and a
verification that recomputes every chain and names what was changed, removed or cut off."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from django.apps import apps
from django.conf import settings
from django.db import transaction

from safepassage.audit.chain import HASHED_FIELDS, event_hash
from safepassage.audit.models import AuditChainHead, AuditEvent
from safepassage.audit.services import audit_record


@dataclass(frozen=True)
class Checkpoint:
    """One chain's head as a checkpoint saw it."""

    chain: str
    seq: int
    hash: str
    at: str


@dataclass
class Verification:
    """What `audit verify` found: how much it checked, and each problem in words."""

    events: int = 0
    chains: int = 0
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def checkpoint_path() -> Path:
    """Where checkpoints go: the AUDIT_CHECKPOINT_FILE setting (outside the database)."""
    return Path(settings.AUDIT_CHECKPOINT_FILE)


def checkpoint_write(path: Path | None = None) -> list[Checkpoint]:
    """Append every chain's head to the checkpoint file (created 0600, only ever appended to)."""
    path = path or checkpoint_path()
    with transaction.atomic():
        audit_record(actor=None, action="audit.checkpoint", object_type="audit.auditchainhead")
    now = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    heads = [Checkpoint(h.chain, h.seq, h.hash, now) for h in AuditChainHead.objects.order_by("chain")]
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    try:
        os.fchmod(fd, 0o600)
        lines = "".join(json.dumps(head.__dict__, sort_keys=True) + "\n" for head in heads)
        os.write(fd, lines.encode("utf-8"))
        os.fsync(fd)
    finally:
        os.close(fd)
    return heads


def checkpoint_read(path: Path | None = None) -> tuple[dict[str, Checkpoint], list[str]]:
    """The latest checkpoint of each chain in the file, and any line that could not be read."""
    path = path or checkpoint_path()
    latest: dict[str, Checkpoint] = {}
    problems: list[str] = []
    if not path.exists():
        return latest, problems
    with path.open(encoding="utf-8") as handle:
        for number, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            try:
                data = json.loads(line)
                point = Checkpoint(str(data["chain"]), int(data["seq"]), str(data["hash"]), str(data["at"]))
            except (ValueError, KeyError, TypeError):
                problems.append(f"checkpoint file {path}, line {number}: cannot be read")
                continue
            latest[point.chain] = point
    return latest, problems


def _chain_names() -> dict[str, str]:
    """Chains by agency code, for people reading the report (looked up by name: accounts is above audit)."""
    agency = apps.get_model("accounts", "Agency")
    return {f"agency-{pk}": code for pk, code in agency._default_manager.values_list("pk", "code")}


def _rows() -> Iterator[dict[str, Any]]:
    names = [*HASHED_FIELDS, "prev_hash", "hash"]
    qs = AuditEvent.objects.order_by("chain", "seq").values_list(*names)
    for row in qs.iterator(chunk_size=5000):
        yield dict(zip(names, row, strict=True))


def verify(path: Path | None = None) -> Verification:
    """Recompute every chain; report each changed event, removed event and chain cut short."""
    checkpoints, problems = checkpoint_read(path)
    result = Verification(problems=problems)
    # heads before events: an event written meanwhile comes after its head, never before it
    heads = dict(AuditChainHead.objects.values_list("chain", "seq"))
    names = _chain_names()
    last: dict[str, tuple[int, str]] = {}
    at_checkpoint: dict[str, str] = {}

    def say(chain: str, text: str) -> None:
        code = names.get(chain)
        result.problems.append(f"chain {chain}{f' ({code})' if code else ''}: {text}")

    chain, expected, prev = "", 1, ""
    for row in _rows():
        result.events += 1
        if row["chain"] != chain:
            chain, expected, prev = row["chain"], 1, ""
            result.chains += 1
        seq = row["seq"]
        if seq != expected:
            gone = f"event {expected}" if seq == expected + 1 else f"events {expected} to {seq - 1}"
            say(chain, f"{gone} removed (the chain jumps from {expected - 1} to {seq})")
        elif row["prev_hash"] != prev:
            say(chain, f"event {seq} does not follow event {seq - 1} (one of them was changed or replaced)")
        if event_hash(row, row["prev_hash"]) != row["hash"]:
            say(chain, f"event {seq} changed (its content no longer matches its hash)")
        point = checkpoints.get(chain)
        if point is not None and point.seq == seq:
            at_checkpoint[chain] = row["hash"]
        prev, expected = row["hash"], seq + 1
        last[chain] = (seq, row["hash"])
    for key, point in sorted(checkpoints.items()):
        seq = last.get(key, (0, ""))[0]
        if seq < point.seq:
            say(key, f"cut short: its last event is {seq}, the checkpoint of {point.at} saw {point.seq}")
        elif at_checkpoint.get(key) != point.hash:
            say(key, f"event {point.seq} differs from the checkpoint of {point.at} (the chain was rewritten)")
    for key, head in sorted(heads.items()):
        seq = last.get(key, (0, ""))[0]
        if seq < head and (key not in checkpoints or seq >= checkpoints[key].seq):
            say(key, f"cut short: its last event is {seq}, its head says {head}")
    return result
