"""Background imports for `safepassage worker`: a queued step is claimed by exactly one worker, then run.

A step waits in the job itself (`file_info["queued"]`: which step, who asked, valid rows only), put there by
`services.run` when BACKGROUND_WORKER is on. Claiming locks the job's row and skips rows another worker holds
(PostgreSQL's SKIP LOCKED), takes the order off the job and commits: another worker never sees it again."""

from __future__ import annotations

import logging
from typing import Any

from django.db import transaction

from safepassage.accounts.models import User
from safepassage.imports import services
from safepassage.imports.models import ImportJob

log = logging.getLogger(__name__)


def waiting() -> int:
    """How many background steps wait for a worker."""
    return ImportJob.objects.filter(status__in=ImportJob.RUNNING, file_info__has_key=services.QUEUED).count()


def claim() -> tuple[ImportJob, dict[str, Any]] | None:
    """The oldest waiting step, taken off the queue (None when nothing waits)."""
    with transaction.atomic():
        job = (
            ImportJob.objects.select_for_update(skip_locked=True)
            .filter(status__in=ImportJob.RUNNING, file_info__has_key=services.QUEUED)
            .order_by("updated_at", "pk")
            .first()
        )
        if job is None:
            return None
        info = dict(job.file_info)
        order = info.pop(services.QUEUED)
        ImportJob.objects.filter(pk=job.pk).update(file_info=info)
    job.file_info = info
    return job, order


def run_next() -> ImportJob | None:
    """Claim one waiting step and run it; a failure is recorded on the job (never raised). The job, or None
    when nothing waited."""
    claimed = claim()
    if claimed is None:
        return None
    job, order = claimed
    actor_id = order.get("actor")
    actor = User.objects.filter(pk=int(actor_id)).first() if actor_id else None
    step = order.get("step", "check")
    log.info("import %s: %s", job.pk, step)
    services.run_in_background(job.pk, step, actor, bool(order.get("valid_only")), thread=False)
    return ImportJob.objects.get(pk=job.pk)
