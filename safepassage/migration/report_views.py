"""Placeholder until the reports are written (see reports.py)."""

from django.http import Http404, HttpRequest, HttpResponse


def reports_page(request: HttpRequest) -> HttpResponse:
    raise Http404


def reports_csv(request: HttpRequest, table: str) -> HttpResponse:
    raise Http404
