"""A copy of the erasure log outside the database (`ERASURE_LOG_FILE`, one JSON line per erasure: ids and
codes, never a removed value), so a restore of a backup older than an erasure can make it again."""

from __future__ import annotations

import json
import os
from datetime import datetime
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import transaction

from safepassage.accounts.models import Agency
from safepassage.privacy.models import ErasureLog

FIELDS = ("kind", "reason", "agency_id", "person_id", "records")


def _line(log: ErasureLog) -> dict[str, Any]:
    return {**{name: getattr(log, name) for name in FIELDS}, "erased_at": log.erased_at.isoformat()}


def log_keep(log: ErasureLog) -> None:
    """Append the erasure to ERASURE_LOG_FILE once its transaction commits (0600, only ever appended to)."""
    line = json.dumps(_line(log), sort_keys=True) + "\n"

    def append() -> None:
        path = Path(settings.ERASURE_LOG_FILE)
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        try:
            os.write(fd, line.encode("utf-8"))
            os.fsync(fd)
        finally:
            os.close(fd)

    transaction.on_commit(append)


def merge_file(path: Path) -> int:
    """Add to the database every erasure in the file it does not have yet; how many were added."""
    if not path.is_file():
        return 0
    agencies = set(Agency.objects.values_list("pk", flat=True))
    have = {json.dumps(_line(log), sort_keys=True) for log in ErasureLog.objects.all()}
    added = 0
    with transaction.atomic(), path.open(encoding="utf-8") as handle:
        for line in handle:
            try:
                data = json.loads(line)
                values = {n: data[n] for n in FIELDS}
                key = json.dumps({**values, "erased_at": data["erased_at"]}, sort_keys=True)
                erased_at = datetime.fromisoformat(data["erased_at"])
            except (ValueError, KeyError, TypeError):
                continue  # a line cut off by a crash while it was written
            if key in have:
                continue
            if values["agency_id"] not in agencies:
                values["agency_id"] = None  # an agency made after the backup
            log = ErasureLog.objects.create(**values)
            ErasureLog.objects.filter(pk=log.pk).update(erased_at=erased_at)  # auto_now_add on create
            have.add(key)
            added += 1
    return added
