"""The hash chain over audit events: one chain per agency and one for events with no agency.

Each event's hash is SHA-256 over a canonical JSON of its stored fields and the previous event's hash, so
changing, removing or re-ordering an event breaks the chain from that point on. Pure functions: the same
code hashes events as they are written, in the migration that chained the old ones, and in `audit verify`.
"""

from __future__ import annotations

import hashlib
import ipaddress
import json
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder

SYSTEM_CHAIN = "system"

# The stored fields a hash covers, in the order they are written out (names as in a values() row).
HASHED_FIELDS = (
    "chain",
    "seq",
    "at",
    "actor_id",
    "actor_name",
    "agency_id",
    "action",
    "object_type",
    "object_id",
    "object_repr",
    "request_id",
    "client_request_id",
    "channel",
    "ip",
    "changes",
)


def chain_key(agency_id: int | None) -> str:
    """The chain an event of this agency goes to ("agency-12"), or the system chain for none."""
    return f"agency-{agency_id}" if agency_id else SYSTEM_CHAIN


def stored_json(value: Any) -> Any:
    """A value as it reads back from the JSON column (dates and decimals as text, tuples as lists)."""
    return json.loads(json.dumps(value, cls=DjangoJSONEncoder))


def normal_ip(ip: str | None) -> str | None:
    """An address in one spelling whatever the database returns (PostgreSQL's inet, SQLite's text)."""
    if not ip:
        return None
    try:
        return str(ipaddress.ip_address(str(ip).split("/")[0]))
    except ValueError:
        return str(ip)


def _when(at: datetime) -> str:
    return at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def canonical(fields: Mapping[str, Any], prev_hash: str) -> bytes:
    """The bytes an event's hash is taken over: its fields in a fixed order, keys sorted, no spaces."""
    doc: dict[str, Any] = {name: fields.get(name) for name in HASHED_FIELDS}
    doc["at"] = _when(fields["at"])
    doc["ip"] = normal_ip(fields.get("ip"))
    doc["changes"] = stored_json(fields.get("changes") or {})
    doc["prev"] = prev_hash
    return json.dumps(doc, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def event_hash(fields: Mapping[str, Any], prev_hash: str) -> str:
    """SHA-256 (hex) of an event's canonical form, linked to the previous event's hash."""
    return hashlib.sha256(canonical(fields, prev_hash)).hexdigest()
