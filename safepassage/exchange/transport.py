"""Posting a sealed message to a peer's inbox over HTTPS (the peer's certificate checked against the system's
CAs, or EXCHANGE_CA_FILE)."""

from __future__ import annotations

import ssl
import urllib.error
import urllib.request

from django.conf import settings

INBOX = "/api/v1/exchange/inbox"
TIMEOUT = 20


def context() -> ssl.SSLContext:
    return ssl.create_default_context(cafile=settings.EXCHANGE_CA_FILE or None)


def post(address: str, token: str) -> tuple[int, str]:
    """POST one message; (HTTP status, answer text). A peer that cannot be reached raises OSError."""
    if not address.startswith("https://"):
        raise OSError("the peer's address is not https://")
    request = urllib.request.Request(  # noqa: S310
        address.rstrip("/") + INBOX,
        data=token.encode("ascii"),
        method="POST",
        headers={"Content-Type": "application/jose", "Accept": "application/jose, application/json"},
    )
    try:
        # https:// only (checked above): never file: or another scheme
        with urllib.request.urlopen(request, timeout=TIMEOUT, context=context()) as response:  # noqa: S310
            return response.status, response.read().decode("utf-8", "replace")
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode("utf-8", "replace")
