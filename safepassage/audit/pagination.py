"""API pagination that audits what it hands out: one event per page of personal records, with the ids."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja.pagination import PageNumberPagination

from safepassage.audit.services import audit_list


class AuditedPageNumberPagination(PageNumberPagination):
    """Page-number pagination writing one audit event for each page read (the ids of its rows)."""

    def paginate_queryset(self, queryset: Any, pagination: Any, request: HttpRequest, **params: Any) -> Any:
        result = super().paginate_queryset(queryset, pagination, request, **params)
        items = list(result[self.items_attribute])
        result[self.items_attribute] = items
        model = getattr(getattr(queryset, "queryset", queryset), "model", None)
        object_type = model._meta.label_lower if model is not None else ""
        audit_list(actor=request.user, object_type=object_type, rows=items, what=f"api:{request.path}")
        return result
