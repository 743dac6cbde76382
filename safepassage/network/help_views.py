"""The public help page for migrants (R-086, R-032) and the coordination centre's page that keeps its data.

The public page is for a cheap phone on a slow network: one server-rendered document under 100 KB with its
few styles inline and no script, image, font or other file to fetch. It needs no sign-in, names no person
and no employer, sets no cookie (it reads no session and makes no CSRF token), and keeps only a count per
day and language (help.count_visit); the server's access log leaves it out (web.gunicorn_log)."""

from __future__ import annotations

import base64
import hashlib
import json
from functools import cache
from pathlib import Path
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from safepassage.accounts.selectors import signed_in_user
from safepassage.core.forms import flash_error
from safepassage.network import help as help_data
from safepassage.network.models import Hotline, MinimumWage

CONTENT = Path(__file__).parent / "data" / "help"
DESTINATION = "TH"
ORIGINS = ("LA", "KH", "MM", "VN", "CN")
# The page's own styles, inline; the Content-Security-Policy names them by their hash, so nothing else runs.
STYLE = (
    "body{font:16px/1.5 system-ui,sans-serif;margin:0 auto;max-width:40em;padding:0 .8em;color:#111}"
    "h1{font-size:1.4em}h2{font-size:1.15em;margin-top:1.4em;border-top:1px solid #ccc;padding-top:.6em}"
    "a{color:#0645ad}nav a{display:inline-block;margin:0 .6em .4em 0;padding:.2em 0}"
    ".tel{font-size:1.3em;font-weight:bold}.muted{color:#555;font-size:.9em}ul{padding-left:1.2em}"
    "li{margin:.3em 0}"
)
STYLE_HASH = base64.b64encode(hashlib.sha256(STYLE.encode()).digest()).decode()
POLICY = (
    f"default-src 'none'; style-src 'sha256-{STYLE_HASH}'; img-src data:; "
    "base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
)


@cache
def content(language: str) -> dict[str, Any]:
    """The page's texts in one language (data/help/<language>.json; drafts noted in docs/translations.md)."""
    path = CONTENT / f"{language}.json"
    return dict(json.loads(path.read_text(encoding="utf-8")))


def _hotlines() -> dict[str, list[Hotline]]:
    found: dict[str, list[Hotline]] = {}
    for hotline in Hotline.objects.filter(active=True).order_by("country", "number"):
        found.setdefault(hotline.country, []).append(hotline)
    return found


def render_page(language: str) -> str:
    """The whole page in one language, as sent (also measured by the tests and the bench)."""
    texts = content(language)
    hotlines = _hotlines()
    names = texts["countries"]
    with translation.override(language):
        return render_to_string(
            "network/help_page.html",
            {
                "language": language,
                "texts": texts,
                "labels": texts["labels"],
                "style": STYLE,
                "languages": [(code, content(code)["name"]) for code in help_data.HELP_LANGUAGES],
                "destination": {"name": names[DESTINATION], "hotlines": hotlines.get(DESTINATION, [])},
                "origins": [{"name": names[c], "hotlines": hotlines.get(c, [])} for c in ORIGINS],
                "wages": list(MinimumWage.objects.filter(active=True, country=DESTINATION)),
            },
        )


def _page(language: str) -> HttpResponse:
    if language not in help_data.HELP_LANGUAGES:
        raise Http404
    help_data.count_visit(language)
    response = HttpResponse(render_page(language), content_type="text/html; charset=utf-8")
    response["Content-Language"] = language
    response["Content-Security-Policy"] = POLICY
    response["Cache-Control"] = "public, max-age=300"
    response["Referrer-Policy"] = "no-referrer"
    return response


@require_GET
def help_page(request: HttpRequest, language: str = "en") -> HttpResponse:
    """The help page in one of the seven languages; /help/ is English, with links to the six others."""
    return _page(language)


# ------------------------------------------------------------------------------ the coordination centre's


def _require_keeper(request: HttpRequest) -> None:
    if not help_data.may_keep(signed_in_user(request)):
        raise Http404


@login_required
def help_data_page(request: HttpRequest) -> HttpResponse:
    """Hotlines and minimum wages with when and by whom each was last checked, and the page's counts."""
    _require_keeper(request)
    return render(
        request,
        "network/help_data.html",
        {
            "hotlines": Hotline.objects.select_related("checked_by").order_by("country", "number"),
            "wages": MinimumWage.objects.select_related("checked_by"),
            "counts": help_data.recent_counts(),
            "languages": help_data.HELP_LANGUAGES,
        },
    )


@login_required
@require_POST
def help_data_check(request: HttpRequest, what: str, pk: int) -> HttpResponse:
    """Mark a hotline or a minimum wage checked today (audited)."""
    _require_keeper(request)
    user = signed_in_user(request)
    try:
        if what == "hotline":
            hotline = Hotline.objects.filter(pk=pk).first()
            if hotline is None:
                raise Http404
            help_data.hotline_check(actor=user, hotline=hotline, note=request.POST.get("note", ""))
        elif what == "wage":
            wage = MinimumWage.objects.filter(pk=pk).first()
            if wage is None:
                raise Http404
            help_data.wage_check(actor=user, wage=wage)
        else:
            raise Http404
        messages.success(request, _("Marked as checked today."))
    except ValidationError as error:
        flash_error(request, error)
    return redirect("network:help_data")


@login_required
@require_POST
def help_data_wage(request: HttpRequest) -> HttpResponse:
    """Add a minimum wage, or correct one (`id`); a changed figure is unchecked again."""
    _require_keeper(request)
    user = signed_in_user(request)
    fields: dict[str, Any] = {
        k: request.POST.get(k, "")
        for k in ("area", "amount", "effective_on", "source", "per", "currency")
        if k in request.POST
    }
    try:
        if request.POST.get("id"):
            wage = MinimumWage.objects.filter(pk=request.POST["id"]).first()
            if wage is None:
                raise Http404
            if "active" in request.POST:
                fields["active"] = request.POST["active"] == "1"
            help_data.wage_update(actor=user, wage=wage, **fields)
            messages.success(request, _("Minimum wage changed."))
        else:
            help_data.wage_create(actor=user, **fields)
            messages.success(request, _("Minimum wage added."))
    except ValidationError as error:
        flash_error(request, error)
    return redirect("network:help_data")
