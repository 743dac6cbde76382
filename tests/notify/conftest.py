"""A local SMTP server (aiosmtpd) and fake Twilio and LINE servers that accept only the providers' documented
request shapes, with settings pointing SafePassage at them."""

from __future__ import annotations

import base64
import json
import socket
import threading
import urllib.parse
from collections.abc import Iterator
from dataclasses import dataclass, field
from email import message_from_bytes
from email.message import Message
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from aiosmtpd.controller import Controller

SID, TOKEN, SENDER = "AC0123456789abcdef0123456789abcdef", "twilio-auth-token", "+15005550006"
LINE_TOKEN, LINE_SECRET = "line-channel-access-token", "line-channel-secret"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Mailbox:
    """What the SMTP server received."""

    messages: list[Message] = field(default_factory=list)
    recipients: list[list[str]] = field(default_factory=list)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.messages.append(message_from_bytes(envelope.content))
        self.recipients.append(list(envelope.rcpt_tos))
        return "250 OK"


@pytest.fixture
def smtp(settings) -> Iterator[Mailbox]:
    mailbox = Mailbox()
    controller = Controller(mailbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", controller.port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    try:
        yield mailbox
    finally:
        controller.stop()


@dataclass
class Gateway:
    """A fake provider: the requests it accepted, what it refused and why, and the status it answers with."""

    accepted: list[dict[str, Any]] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)
    fail_with: int = 0  # answer every well-formed request with this status (0: succeed)
    url: str = ""


def _serve(gateway: Gateway, check: Any) -> tuple[ThreadingHTTPServer, threading.Thread]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            problem, parsed, ok_status = check(self.path, self.headers, body)
            if problem:
                gateway.refused.append(problem)
                status, answer = 400, {"message": problem}
            elif gateway.fail_with:
                status, answer = gateway.fail_with, {"message": "try later"}
            else:
                gateway.accepted.append(parsed)
                status, answer = ok_status, {"sid": "SM1"} if ok_status == 201 else {}
            data = json.dumps(answer).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    gateway.url = f"http://127.0.0.1:{server.server_address[1]}"
    return server, thread


def _twilio_check(path: str, headers: Any, body: bytes) -> tuple[str, dict[str, Any], int]:
    """Twilio: POST /2010-04-01/Accounts/{AccountSid}/Messages.json, form-encoded, basic auth."""
    if path != f"/2010-04-01/Accounts/{SID}/Messages.json":
        return f"path {path}", {}, 0
    expected = "Basic " + base64.b64encode(f"{SID}:{TOKEN}".encode()).decode()
    if headers.get("Authorization") != expected:
        return "auth", {}, 0
    if not headers.get("Content-Type", "").startswith("application/x-www-form-urlencoded"):
        return "content type", {}, 0
    form = {k: v[0] for k, v in urllib.parse.parse_qs(body.decode()).items()}
    if set(form) != {"To", "From", "Body"} or form["From"] != SENDER or not form["To"].startswith("+"):
        return f"fields {sorted(form)}", {}, 0
    return "", form, 201


def _line_check(path: str, headers: Any, body: bytes) -> tuple[str, dict[str, Any], int]:
    """LINE's push: POST /v2/bot/message/push, JSON {to, messages: [{type: text, text}]} (1 to 5), Bearer."""
    if path != "/v2/bot/message/push":
        return f"path {path}", {}, 0
    if headers.get("Authorization") != f"Bearer {LINE_TOKEN}":
        return "auth", {}, 0
    if headers.get("Content-Type") != "application/json":
        return "content type", {}, 0
    payload = json.loads(body)
    messages = payload.get("messages")
    if (
        not isinstance(payload.get("to"), str)
        or not isinstance(messages, list)
        or not 1 <= len(messages) <= 5
    ):
        return "shape", {}, 0
    if any(set(m) != {"type", "text"} or m["type"] != "text" or not m["text"] for m in messages):
        return "message shape", {}, 0
    return "", payload | {"retry_key": headers.get("X-Line-Retry-Key")}, 200


@pytest.fixture
def sms(settings) -> Iterator[Gateway]:
    gateway = Gateway()
    server, thread = _serve(gateway, _twilio_check)
    settings.TWILIO_API_URL = gateway.url
    settings.TWILIO_ACCOUNT_SID, settings.TWILIO_AUTH_TOKEN, settings.TWILIO_FROM = SID, TOKEN, SENDER
    yield gateway
    server.shutdown()
    thread.join()


@pytest.fixture
def line(settings) -> Iterator[Gateway]:
    gateway = Gateway()
    server, thread = _serve(gateway, _line_check)
    settings.LINE_API_URL = gateway.url
    settings.LINE_CHANNEL_ACCESS_TOKEN, settings.LINE_CHANNEL_SECRET = LINE_TOKEN, LINE_SECRET
    yield gateway
    server.shutdown()
    thread.join()
