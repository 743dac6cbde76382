"""Lessons-learned pages: the tables with their explanations, each as CSV, all in a PDF, and the routes map's
data."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from safepassage.cases import lessons, lessons_map
from safepassage.core.disclosure import SMALL
from safepassage.core.pdf import pdf_response
from safepassage.registry.models import Person
from safepassage.reports.views import csv_response

# Codes that help a spreadsheet but are not columns on the page.
CSV_EXTRA = {"routes": ("origin", "destination"), "stages": ("legal", "stalls_most")}


def _require_lessons(request: HttpRequest) -> None:
    # As the report pages: a page you may not see looks like one that does not exist.
    if not request.user.has_perm("cases.view_lessons"):
        raise Http404


def _cell(row: dict[str, Any], column: dict[str, Any]) -> str:
    """What one cell shows: "<11" for a small count, "hidden" for a withheld sum or duration, "—" for none."""
    key = column["key"]
    value = row.get(key)
    if key in row["suppressed"]:
        return SMALL if column["kind"] == "count" else _("hidden")
    if value is None or value == "":
        return "—"
    return str(value)


def _for_page(table: dict[str, Any]) -> dict[str, Any]:
    """A table with each row's cells worked out, so the template only loops."""
    body = [
        {
            "cells": [(c["title"], _cell(row, c)) for c in table["columns"]],
            "stalls_most": bool(row.get("stalls_most")),
            "legal": bool(row.get("legal")),
        }
        for row in table["rows"]
    ]
    return {**table, "body": body}


ALL_SECTIONS = "all"


def _section(value: str, numbers: list[int]) -> int | None:
    """The figure asked for: its number, None for every figure on one page, else the first figure."""
    if value == ALL_SECTIONS:
        return None
    return int(value) if value.isdigit() and int(value) in numbers else numbers[0]


@require_GET
@login_required
def lessons_page(request: HttpRequest) -> HttpResponse:
    """One figure of lessons learned at a time (or all, for printing), with a table of contents naming every
    figure and table, the filter form and, in its figure, the routes map."""
    _require_lessons(request)
    error = ""
    result: dict[str, Any] | None = None
    try:
        filters = lessons.parse_filters(request.GET)
        result = lessons.lessons(request.user, filters)
    except ValidationError as exc:
        error = " ".join(exc.messages)
    query = {name: request.GET.get(name, "") for name in lessons.FILTER_PARAMS}
    querystring = urlencode({name: value for name, value in query.items() if value})
    titles = lessons.figure_titles()
    section = _section(request.GET.get("section", ""), list(titles))

    def link(number: int | str) -> str:
        return "?" + urlencode({**{k: v for k, v in query.items() if v}, "section": number})

    contents = []
    figures = []
    for number, title in titles.items():
        tables = [t for t in result["tables"].values() if t["figure"] == number] if result else []
        contents.append(
            {
                "number": number,
                "title": title,
                "url": link(number),
                "current": section in (number, None),
                "tables": [(t["id"], t["title"]) for t in tables],
            }
        )
        if result is not None and section in (number, None):
            figures.append({"number": number, "title": title, "tables": [_for_page(t) for t in tables]})
    numbers = list(titles)
    at = numbers.index(section) if section is not None else None
    return render(
        request,
        "cases/lessons.html",
        {
            "result": result,
            "figures": figures,
            "contents": contents,
            "section": ALL_SECTIONS if section is None else section,
            "previous": contents[at - 1] if at else None,
            "next": contents[at + 1] if at is not None and at + 1 < len(contents) else None,
            "all_url": link(ALL_SECTIONS),
            "error": error,
            "query": query,
            "querystring": querystring,
            "sexes": Person.Sex.choices,
            "age_bands": lessons.AGE_BANDS,
            "tile_url": getattr(settings, "MAP_TILE_URL", ""),
            "tile_attribution": getattr(settings, "MAP_TILE_ATTRIBUTION", ""),
        },
        status=400 if error else 200,
    )


@require_GET
@login_required
def lessons_csv(request: HttpRequest, table: str) -> HttpResponse:
    """One table as CSV: small counts as "<11", withheld values empty, and a last column naming them."""
    _require_lessons(request)
    if table not in lessons.TABLE_IDS:
        raise Http404
    try:
        filters = lessons.parse_filters(request.GET)
        data = lessons.lessons(request.user, filters, output=f"csv:{table}")["tables"][table]
    except ValidationError as exc:
        return HttpResponse(" ".join(exc.messages), status=400, content_type="text/plain; charset=utf-8")
    columns = ["code", *CSV_EXTRA.get(table, ()), *(c["key"] for c in data["columns"])]
    rows = [{**row, "suppressed": " ".join(row["suppressed"])} for row in data["rows"]]
    return csv_response(f"lessons-{table}.csv", [*columns, "suppressed"], rows)


@require_GET
@login_required
def lessons_pdf(request: HttpRequest) -> HttpResponse:
    """Every figure's tables as the page shows them (the same protected figures), as a PDF; the routes map
    stays on the page."""
    _require_lessons(request)
    try:
        filters = lessons.parse_filters(request.GET)
        result = lessons.lessons(request.user, filters, output="pdf")
    except ValidationError as exc:
        return HttpResponse(" ".join(exc.messages), status=400, content_type="text/plain; charset=utf-8")
    figures = [
        {
            "number": number,
            "title": title,
            "tables": [_for_page(t) for t in result["tables"].values() if t["figure"] == number],
        }
        for number, title in lessons.figure_titles().items()
    ]
    query = {name: request.GET.get(name, "") for name in lessons.FILTER_PARAMS}
    context = {"result": result, "figures": figures, "query": query}
    return pdf_response(request, "cases/pdf/lessons.html", context, "lessons-learned.pdf")


@require_GET
@login_required
def lessons_routes(request: HttpRequest) -> JsonResponse:
    """The routes as GeoJSON lines between district centres, weighted by cases; "<11" flows not drawn."""
    _require_lessons(request)
    try:
        filters = lessons.parse_filters(request.GET)
        data = lessons_map.route_map(request.user, filters)
    except ValidationError as exc:
        return JsonResponse(
            {
                "detail": _("Some fields are not right."),
                "errors": [{"field": f, "message": m} for f, ms in exc.message_dict.items() for m in ms],
            },
            status=400,
        )
    return JsonResponse(data)
