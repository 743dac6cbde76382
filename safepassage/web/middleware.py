"""Security headers that Django does not set itself (a strict Content-Security-Policy and friends), and
each person's language."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import translation


def _policy() -> str:
    tiles = " ".join(getattr(settings, "MAP_TILE_ORIGINS", []))
    return "; ".join(
        [
            "default-src 'self'",
            "script-src 'self'",
            "style-src 'self'",
            f"img-src 'self' data: {tiles}".strip(),
            "connect-src 'self'",
            "font-src 'self'",
            "object-src 'none'",
            "base-uri 'self'",
            "form-action 'self'",
            "frame-ancestors 'none'",
        ]
    )


class SecurityHeadersMiddleware:
    """Adds CSP (no inline scripts, nothing from other sites), and keeps personal pages out of caches."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.policy = _policy()

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.setdefault("Content-Security-Policy", self.policy)
        response.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=(self)")
        if getattr(request, "user", None) is not None and request.user.is_authenticated:
            response.setdefault("Cache-Control", "no-store")
        return response


class UserLanguageMiddleware:
    """Pages in the language each person chose: `?lang=` for one request, else the switcher's choice
    (its cookie), else the language saved on their account, else what the browser asks for (Django's
    LocaleMiddleware, which runs before this one, has already applied the cookie and the browser's)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.codes = {code for code, _name in settings.LANGUAGES}

    def __call__(self, request: HttpRequest) -> HttpResponse:
        asked = request.GET.get("lang", "")
        chosen = ""
        if asked and translation.get_supported_language_variant(asked, strict=False) in self.codes:
            chosen = translation.get_supported_language_variant(asked, strict=False)
        elif settings.LANGUAGE_COOKIE_NAME not in request.COOKIES:
            user = getattr(request, "user", None)
            saved = getattr(user, "language", "") if user is not None and user.is_authenticated else ""
            if saved in self.codes:
                chosen = saved
        if chosen:
            translation.activate(chosen)
            request.LANGUAGE_CODE = chosen
        response = self.get_response(request)
        if chosen:
            response.headers.setdefault("Content-Language", chosen)
        return response
