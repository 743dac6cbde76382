"""Security headers that Django does not set itself (a strict Content-Security-Policy and friends), limits on
what a request may send, forwarded headers only from trusted proxies, and each person's language."""

from __future__ import annotations

import io
import time
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import Resolver404, resolve
from django.utils import translation
from django.utils.html import escape
from django.utils.translation import gettext as _

from safepassage.core.api import error_body
from safepassage.core.clients import is_trusted_proxy
from safepassage.core.languages import supported


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
        # Personal data must not stay in a browser's or a proxy's cache: nothing the API answers, and no
        # page a signed-in person sees, is stored.
        signed_in = getattr(request, "user", None) is not None and request.user.is_authenticated
        if signed_in or request.path.startswith("/api/"):
            response["Cache-Control"] = "no-store"
        return response


class TrustedProxyMiddleware:
    """Drops X-Forwarded-For and X-Forwarded-Proto unless the request comes from a proxy in TRUSTED_PROXIES,
    so that neither the client's address (audit, sign-in limits) nor "this was HTTPS" can be forged."""

    HEADERS = ("HTTP_X_FORWARDED_FOR", "HTTP_X_FORWARDED_PROTO", "HTTP_X_FORWARDED_HOST")

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not is_trusted_proxy(str(request.META.get("REMOTE_ADDR", ""))):
            for header in self.HEADERS:
                request.META.pop(header, None)
        return self.get_response(request)


# Views that take files (multipart): they get UPLOAD_MAX_BYTES, every other body REQUEST_MAX_BYTES.
UPLOAD_VIEWS = {"api:import_list", "imports:list", "workplaces:detail"}


class _CountingStream(io.RawIOBase):
    """Reads a request body through, counting bytes, and stops with RequestDataTooBig past the limit —
    whatever Content-Length claimed, and for chunked bodies, which have none."""

    def __init__(self, stream: Any, limit: int, length: int | None, request: HttpRequest) -> None:
        self.stream = stream
        self.limit = limit
        self.remaining = length  # None: read to the end (a chunked body the server has already decoded)
        self.count = 0
        self.request = request

    def readable(self) -> bool:
        return True

    def _take(self, data: bytes) -> bytes:
        self.count += len(data)
        if self.remaining is not None:
            self.remaining -= len(data)
        if self.count > self.limit:
            self.request._body_too_large = True  # type: ignore[attr-defined]
            raise RequestDataTooBig(_("The request is too large."))
        return data

    def _size(self, size: int | None) -> int:
        # Never ask for more than one byte past the limit, so an endless body is not read into memory.
        cap = self.limit - self.count + 1
        if self.remaining is not None:
            cap = min(cap, self.remaining)
        return cap if size is None or size < 0 else min(size, cap)

    def read(self, size: int | None = -1) -> bytes:
        wanted = self._size(size)
        if wanted <= 0 and self.remaining is not None and self.remaining <= 0:
            return b""
        if size is None or size < 0:
            chunks = []
            while True:
                chunk = self._take(self.stream.read(min(self._size(None), 64 * 1024) or 1))
                if not chunk:
                    break
                chunks.append(chunk)
                if self.remaining is not None and self.remaining <= 0:
                    break
            return b"".join(chunks)
        return self._take(self.stream.read(wanted)) if wanted > 0 else b""

    def readline(self, size: int | None = -1) -> bytes:
        return self._take(self.stream.readline(self._size(size)))


class RequestSizeMiddleware:
    """Refuses a request whose body is larger than allowed, with 413, before sessions or CSRF parse it.

    A declared Content-Length over the limit is refused at once; otherwise the body is counted as it is read,
    so a client that lies about the length, or sends it chunked, is stopped at the limit too. Uploads
    (UPLOAD_VIEWS, multipart) may be larger than other bodies. The API answers in its JSON error shape."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def limit(self, request: HttpRequest) -> int:
        """The most this request may send."""
        if request.content_type == "multipart/form-data":
            try:
                if resolve(request.path_info).view_name in UPLOAD_VIEWS:
                    return int(settings.UPLOAD_MAX_BYTES)
            except Resolver404:
                pass
        return int(settings.REQUEST_MAX_BYTES)

    def __call__(self, request: HttpRequest) -> HttpResponse:
        limit = self.limit(request)
        meta = request.META
        try:
            declared: int | None = int(meta.get("CONTENT_LENGTH") or "")
        except ValueError:
            declared = None
        if declared is not None and declared > limit:
            return self.too_large(request, limit)
        raw = meta.get("wsgi.input")
        if declared is None and raw is not None and meta.get("wsgi.input_terminated"):
            # A chunked body: the server decoded it and marks where it ends; read it, counting.
            request._stream = _CountingStream(raw, limit, None, request)  # type: ignore[assignment]
        elif hasattr(request, "_stream"):
            stream = request._stream
            request._stream = _CountingStream(stream, limit, declared or 0, request)  # type: ignore[assignment]
        response = self.get_response(request)
        if getattr(request, "_body_too_large", False):
            return self.too_large(request, limit)
        return response

    def too_large(self, request: HttpRequest, limit: int) -> HttpResponse:
        """413, in the API's error shape under /api/, in a sentence elsewhere."""
        megabytes = max(1, round(limit / 2**20))
        message = _("The request is too large: send at most %(size)d MB.") % {"size": megabytes}
        if request.path.startswith("/api/"):
            response: HttpResponse = JsonResponse(error_body(message), status=413)
        else:
            response = HttpResponse(f"<!doctype html><title>413</title><p>{escape(message)}</p>", status=413)
        return response


class SlidingSessionMiddleware:
    """A signed-in session lasts SESSION_HOURS from its last request: renewed when a request comes more than
    SESSION_RENEW_SECONDS after the last renewal. Django's SESSION_SAVE_EVERY_REQUEST did the same by writing
    the session, and waiting for the disk to commit it, on every page anyone opened. Sits right after
    SessionMiddleware, which saves a session marked changed."""

    KEY = "_renewed"

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        session = getattr(request, "session", None)
        if session is not None and not session.is_empty():  # (no session is made for a visitor)
            now = int(time.time())
            last = session.get(self.KEY)
            if not isinstance(last, int) or now - last >= settings.SESSION_RENEW_SECONDS:
                session[self.KEY] = now
        return response


class UserLanguageMiddleware:
    """Pages in the language each person chose: `?lang=` for one request, else the switcher's choice
    (its cookie), else the language saved on their account, else what the browser asks for (Django's
    LocaleMiddleware, which runs before this one, has already applied the cookie and the browser's)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.codes = {code for code, _name in settings.LANGUAGES}

    def __call__(self, request: HttpRequest) -> HttpResponse:
        # A `?lang=` that names no language of the app is ignored (supported() gives "").
        chosen = supported(request.GET.get("lang", ""))
        if not chosen and settings.LANGUAGE_COOKIE_NAME not in request.COOKIES:
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
