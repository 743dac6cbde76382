"""The one gate of the second factor for pages: a signed-in person who has not passed it this session reaches
only sign-in, the second-factor pages, sign-out, the language switch, the public help page and static
files. (The API has its own
gate: tokens are only issued after a second factor, see services.token_user.) There is no setting to turn
it off."""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urlencode

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse

from safepassage.accounts import second_factor


class SecondFactorMiddleware:
    """Sends a signed-in person who has not passed their second factor to it (or to setting one up)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self._open: tuple[str, ...] | None = None

    def open_paths(self) -> tuple[str, ...]:
        """Path prefixes that need no second factor (the API answers with its own bearer check)."""
        if self._open is None:
            self._open = (
                reverse("login"),
                reverse("logout"),
                reverse("accounts:second_factor"),
                reverse("set_language"),
                reverse("healthz"),
                reverse("help"),  # the public help page for migrants (/help/ and /help/<language>/)
                reverse("api:api-root"),
                settings.STATIC_URL,
            )
        return self._open

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated or second_factor.session_verified(user):
            return self.get_response(request)
        browser = second_factor.trusted_browser_of(request, user)
        if browser is not None:
            second_factor.trusted_pass(request=request, browser=browser)
            return self.get_response(request)
        if request.path.startswith(self.open_paths()):
            return self.get_response(request)
        target = (
            "accounts:second_factor" if second_factor.has_factor(user) else "accounts:second_factor_setup"
        )
        query = urlencode({"next": request.get_full_path()}) if request.method == "GET" else ""
        url = reverse(target) + ("?" + query if query else "")
        if getattr(request, "htmx", False):
            response = HttpResponse(status=204)
            response["HX-Redirect"] = url
            return response
        return HttpResponseRedirect(url)
