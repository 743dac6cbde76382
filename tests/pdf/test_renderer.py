"""The PDF renderer fetches nothing from outside the app: only data: addresses and the app's own static
files, read from disk."""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest

from safepassage.core import pdf

from .reading import read


def test_only_the_apps_static_files_and_data_addresses_are_served():
    served = pdf.fetch_url(pdf.BASE_URL + "static/safepassage/favicon.svg")
    assert b"<svg" in served.read()
    assert pdf.fetch_url("data:text/plain,hi").read() == b"hi"
    for url in (
        "https://example.org/logo.png",
        "http://127.0.0.1:9/x.css",
        "file:///etc/passwd",
        pdf.BASE_URL + "static/../../settings.py",
        pdf.BASE_URL + "media/private/1.jpg",
        "https://safepassage.invalid.example.org/static/safepassage/favicon.svg",
    ):
        with pytest.raises(ValueError, match="refused"):
            pdf.fetch_url(url)


def test_a_document_pointing_outside_reaches_nobody():
    hits: list[str] = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            hits.append(self.path)
            self.send_response(200)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = HTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        address = f"http://127.0.0.1:{server.server_port}"
        html = (
            f'<html><head><link rel="stylesheet" href="{address}/a.css"></head>'
            f'<body><p>Hello</p><img src="{address}/b.png"><img src="/static/../x.png"></body></html>'
        )
        document = read(pdf.render(html))
    finally:
        server.shutdown()
        server.server_close()
    assert "Hello" in document.text
    assert hits == []


def test_a_missing_font_is_named_with_the_debian_package_to_install(monkeypatch):
    assert pdf.missing() == ""
    monkeypatch.setattr(pdf, "_font_files", lambda: frozenset({"NotoSans-Regular.ttf"}))
    reason = pdf.missing()
    for family in (
        "Noto Sans Thai",
        "Noto Sans Lao",
        "Noto Sans Khmer",
        "Noto Sans Myanmar",
        "Noto Sans CJK SC",
    ):
        assert family in reason
    assert "fonts-noto-core" in reason and "fonts-noto-cjk" in reason


@pytest.mark.django_db
def test_a_server_without_pango_answers_503_naming_the_packages(world, monkeypatch):
    from django.urls import reverse

    from safepassage.testing import web_client

    def unavailable():
        raise pdf.Unavailable("cannot load library 'libpango-1.0-0'")

    monkeypatch.setattr(pdf, "_weasyprint", unavailable)
    response = web_client(world.coordinator_a).get(reverse("reports:risk") + "?format=pdf")
    assert response.status_code == 503
    assert "libpango-1.0-0" in response.content.decode() and "fonts-noto-core" in response.content.decode()
