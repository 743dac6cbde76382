"""The audit trail page for agency administrators."""

from __future__ import annotations

from datetime import date

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from safepassage.audit import selectors
from safepassage.audit.labels import action_label, change_rows, record_label
from safepassage.audit.services import audit_list


def _date(value: str | None) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None


@require_GET
@login_required
def trail(request: HttpRequest) -> HttpResponse:
    """Who did what, newest first; read-only, with no way to change or remove an event."""
    if not request.user.has_perm("audit.view_trail"):
        raise Http404
    filters = {
        "action": request.GET.get("action", "").strip(),
        "actor": request.GET.get("actor", "").strip(),
        "object_type": request.GET.get("object_type", "").strip(),
        "object_id": request.GET.get("object_id", "").strip(),
        "since": _date(request.GET.get("since")),
        "until": _date(request.GET.get("until")),
    }
    who = request.GET.get("who", "").strip()
    records = selectors.administered_records_named(request.user, who) if who else None
    if records:
        # the name typed stays out of the trail; which records it showed (their ids) goes in
        for object_type, ids in records.items():
            audit_list(
                actor=request.user, object_type=object_type, rows=[{"id": i} for i in ids], what="page:audit"
            )
    events = selectors.event_list(viewer=request.user, records=records, **filters)  # type: ignore[arg-type]
    page = Paginator(events, 50).get_page(request.GET.get("page"))
    for event in page:
        event.label = action_label(event.action)  # type: ignore[attr-defined]
        event.rows = change_rows(event.changes)  # type: ignore[attr-defined]
        event.record = record_label(event.object_type)  # type: ignore[attr-defined]
    found = sum(len(ids) for ids in (records or {}).values())
    return render(request, "audit/trail.html", {"page": page, "filters": filters, "who": who, "found": found})
