"""The dashboard shell and the health check."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

import safepassage
from safepassage.core.access import viewer_for
from safepassage.core.roles import Role


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    """Home: what this person can do today, by role."""
    viewer = viewer_for(request.user)
    roles = {g.role for g in viewer.grants}
    return render(
        request,
        "web/dashboard.html",
        {
            "is_admin": Role.ADMIN in roles,
            "is_coordinator": Role.COORDINATOR in roles,
            "is_caseworker": Role.CASEWORKER in roles,
            "is_volunteer": Role.VOLUNTEER in roles,
            "is_analyst": Role.ANALYST in roles,
            "is_partner": Role.PARTNER in roles,
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
