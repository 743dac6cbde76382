"""Reads for exports: the exports a user may see and download."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from safepassage.core.access import viewer_for
from safepassage.core.roles import Role
from safepassage.exports.models import Export


def export_list(user: Any) -> QuerySet[Export]:
    """The user's own exports, and for an agency administrator every export of that agency; newest first."""
    admin_of = [g.agency_id for g in viewer_for(user).grants if g.role == Role.ADMIN]
    mine = Q(requested_by_id=getattr(user, "pk", None)) | Q(agency_id__in=admin_of)
    return Export.objects.visible_to(user).filter(mine).select_related("requested_by", "agency")


def may_download(user: Any, export: Export) -> bool:
    """The person who made the export, and the administrators of its agency."""
    if export.requested_by_id is not None and export.requested_by_id == getattr(user, "pk", None):
        return True
    return viewer_for(user).has_role(Role.ADMIN, agency_id=export.agency_id)
