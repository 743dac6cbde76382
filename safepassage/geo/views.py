"""Browsing the area tree."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from safepassage.geo import selectors
from safepassage.geo.models import level_label


@login_required
def area_list(request: HttpRequest, code: str | None = None) -> HttpResponse:
    """The top of the tree, or one area with its children; searchable by name or code."""
    if not request.user.has_perm("geo.view_areas"):
        raise Http404
    area = selectors.get_area(code) if code else None
    query = request.GET.get("q", "").strip()
    if query:
        areas = selectors.area_list(query=query)
    elif area is not None:
        areas = selectors.area_list(parent=area)
    else:
        areas = selectors.area_list().filter(parent__isnull=True)
    page = Paginator(areas, 100).get_page(request.GET.get("page"))
    return render(
        request,
        "geo/area_list.html",
        {
            "area": area,
            "page": page,
            "query": query,
            "trail": selectors.ancestors(area) if area else [],
            "levels": [level_label(level) for level in area.levels] if area else [],
        },
    )
