"""Reads for imports, always through the viewer."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from safepassage.imports.models import ImportJob

# A file that needs someone: problems to fix, a file that could not be read, an apply that failed. Each
# leaves this list when it is cancelled (or, once fixed, applied).
NEEDS_ATTENTION = (ImportJob.Status.PROBLEMS, ImportJob.Status.REFUSED, ImportJob.Status.FAILED)


def jobs_with_problems(*, viewer: Any) -> QuerySet[ImportJob]:
    """The viewer's agencies' imports that stopped on a problem and were not cancelled, oldest first."""
    return (
        ImportJob.objects.visible_to(viewer).filter(status__in=NEEDS_ATTENTION).order_by("created_at", "id")
    )
