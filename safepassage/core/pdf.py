"""PDFs an office can file: one renderer (WeasyPrint) for the case summary, the repatriation packet, the visit
plan and the reports.

A PDF is an HTML template (extending `core/pdf/base.html`) drawn with the print stylesheet
`core/pdf/print.css` and Debian's Noto fonts, found through fontconfig: nothing is fetched while drawing. The
URL fetcher refuses every address except `data:` and the app's own static files read from disk, so a link
typed into a record can never make the server reach out.

WeasyPrint needs Pango (`libpango-1.0-0`, `libpangoft2-1.0-0`) and the fonts (`fonts-noto-core` for Thai,
Lao, Khmer and Burmese, `fonts-noto-cjk` for Chinese); `missing()` names what is not installed.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.staticfiles import finders
from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from safepassage.core.languages import supported

# The Debian packages the PDFs need (installed by .ci/run; named in docs/operations.md).
DEBIAN_PACKAGES = ("fonts-noto-core", "fonts-noto-cjk", "libpango-1.0-0", "libpangoft2-1.0-0")

# Each script's font family (as the print stylesheet names it) and a file of it that Debian installs.
FONTS: dict[str, tuple[str, str]] = {
    "latin": ("Noto Sans", "NotoSans-Regular.ttf"),
    "thai": ("Noto Sans Thai", "NotoSansThai-Regular.ttf"),
    "lao": ("Noto Sans Lao", "NotoSansLao-Regular.ttf"),
    "khmer": ("Noto Sans Khmer", "NotoSansKhmer-Regular.ttf"),
    "myanmar": ("Noto Sans Myanmar", "NotoSansMyanmar-Regular.ttf"),
    "chinese": ("Noto Sans CJK SC", "NotoSansCJK-Regular.ttc"),
}
FONT_DIRS = (Path("/usr/share/fonts"), Path("/usr/local/share/fonts"))

STYLESHEET = Path(__file__).parent / "templates" / "core" / "pdf" / "print.css"
# The address the document pretends to live at, so that relative links resolve to something the fetcher
# recognises as the app's own (and nothing else).
BASE_URL = "https://safepassage.invalid/"

MEDIA_TYPE = "application/pdf"


@functools.cache
def _font_files() -> frozenset[str]:
    names: set[str] = set()
    for folder in FONT_DIRS:
        if folder.is_dir():
            names.update(p.name for p in folder.rglob("*") if p.suffix in (".ttf", ".ttc", ".otf"))
    return frozenset(names)


def missing() -> str:
    """Why PDFs cannot be drawn on this machine ("" when they can): WeasyPrint or Pango not loading, or a
    script's font not installed, naming the Debian packages to install."""
    try:
        import weasyprint  # noqa: F401  (loads Pango through cffi: fails here when it is not installed)
    except (ImportError, OSError) as error:
        return f"WeasyPrint cannot load ({error}); install the Debian packages {' '.join(DEBIAN_PACKAGES)}"
    absent = [family for family, filename in FONTS.values() if filename not in _font_files()]
    if absent:
        return (
            f"fonts not installed: {', '.join(absent)}; install the Debian packages "
            f"{' '.join(DEBIAN_PACKAGES)}"
        )
    return ""


def _refuse(url: str) -> Exception:
    return ValueError(f"PDFs fetch nothing from outside the app: {url} refused")


def _static_file(path: str) -> Path | None:
    """A file of the app's own static files, by its path under STATIC_URL (never outside them)."""
    static_url = urlsplit(settings.STATIC_URL).path
    if not path.startswith(static_url) or ".." in path.split("/"):
        return None
    found = finders.find(path[len(static_url) :])
    if isinstance(found, list):
        found = found[0] if found else None
    return Path(found) if found else None


def _fetcher() -> Any:
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class LocalOnly(URLFetcher):
        """Serves `data:` addresses and the app's static files from disk; refuses every other address."""

        def fetch(self, url: str, headers: Any = None) -> Any:
            if url.startswith("data:"):
                return super().fetch(url, headers)
            parts = urlsplit(url)
            if f"{parts.scheme}://{parts.netloc}/" != BASE_URL:
                raise _refuse(url)
            found = _static_file(parts.path)
            if found is None:
                raise _refuse(url)
            return URLFetcherResponse(url, found.read_bytes(), status=200)

    return LocalOnly(allowed_protocols=["data", "https"], allow_redirects=False)


def fetch_url(url: str) -> Any:
    """Fetch one address as a PDF does (the tests' way in to the fetcher)."""
    return _fetcher().fetch(url)


class Unavailable(Exception):
    """WeasyPrint cannot load on this server (Pango is not installed)."""


def _weasyprint() -> Any:
    try:
        import weasyprint
    except (ImportError, OSError) as error:
        raise Unavailable(str(error)) from error
    return weasyprint


def render(html: str) -> bytes:
    """HTML (from a template extending core/pdf/base.html) as PDF bytes; Unavailable without Pango."""
    weasyprint = _weasyprint()
    CSS, HTML = weasyprint.CSS, weasyprint.HTML
    fetcher = _fetcher()
    document = HTML(string=html, base_url=BASE_URL, url_fetcher=fetcher)
    return bytes(document.write_pdf(stylesheets=[CSS(filename=str(STYLESHEET), url_fetcher=fetcher)]))


def user_language(user: Any, asked: str = "") -> str:
    """The language an API answer's document is drawn in: `?lang=` when given, else the one saved on the
    account, else what the request asks for. (Pages need none of this: the language middleware has already
    chosen theirs.)"""
    chosen = supported(asked)
    if chosen:
        return chosen
    saved = supported(getattr(user, "language", "") or "")
    return saved or translation.get_language() or settings.LANGUAGE_CODE


def pdf_response(
    request: HttpRequest,
    template: str,
    context: Mapping[str, Any],
    filename: str,
    *,
    language: str | None = None,
) -> HttpResponse:
    """A template drawn as a PDF in the reader's language, as a download that no cache keeps."""
    language = language or translation.get_language() or settings.LANGUAGE_CODE
    with translation.override(language):
        html = render_to_string(
            template,
            {**context, "generated_at": timezone.localtime(), "reader": request.user},
            request=None,
        )
        try:
            body = render(html)
        except Unavailable:
            # The server lacks a Debian package: say so, rather than fail with a server error.
            message = _("PDFs are not set up on this server: its administrator must install %(packages)s.")
            return HttpResponse(
                message % {"packages": " ".join(DEBIAN_PACKAGES)},
                status=503,
                content_type="text/plain; charset=utf-8",
            )
    response = HttpResponse(body, content_type=MEDIA_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Content-Language"] = language
    response["Cache-Control"] = "no-store"
    return response


def font_families() -> Iterable[str]:
    """The font families the print stylesheet names, in its order."""
    return [family for family, _file in FONTS.values()]
