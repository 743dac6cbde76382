"""The dashboard shell and the health check."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from django.views.i18n import set_language

import safepassage
from safepassage.core.access import viewer_for
from safepassage.web.home import home_cards


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    """Home: what is waiting for this person, by role, each number a link to its list."""
    viewer = viewer_for(request.user)
    roles = {g.role for g in viewer.grants}
    return render(
        request,
        "web/dashboard.html",
        {
            "cards": home_cards(request),
            "is_system_admin": request.user.is_superuser,
            "has_membership": bool(roles),
        },
    )


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """Liveness and database reachability, for load balancers and the demo script."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception:  # any database failure means "not healthy"; the reason goes to the log, not the world
        import logging

        logging.getLogger(__name__).exception("health check: database unreachable")
        return JsonResponse({"status": "error", "database": connection.vendor}, status=503)
    return JsonResponse({"status": "ok", "database": connection.vendor, "version": safepassage.__version__})


def language_set(request: HttpRequest) -> HttpResponse:
    """The language switcher: Django's set_language (a cookie for this browser), and for someone signed
    in, the choice kept on their account so their other devices follow it."""
    response = set_language(request)
    chosen = request.POST.get("language", "")
    user = getattr(request, "user", None)
    if (
        request.method == "POST"
        and user is not None
        and user.is_authenticated
        and chosen in {code for code, _name in settings.LANGUAGES}
        and user.language != chosen
    ):
        get_user_model().objects.filter(pk=user.pk).update(language=chosen)
    return response
