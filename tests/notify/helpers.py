"""Small helpers shared by the notify tests."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from typing import Any

from django.test import Client

from safepassage.notify import services
from tests.notify.conftest import LINE_SECRET


def line_event(client: Client, events: list[dict[str, Any]], secret: str = LINE_SECRET) -> Any:
    """POST a webhook body to /notify/line/webhook, signed the way LINE signs it."""
    body = json.dumps({"destination": "Ubot", "events": events}).encode()
    signature = base64.b64encode(hmac.new(secret.encode(), body, hashlib.sha256).digest()).decode()
    return client.post(
        "/notify/line/webhook", body, content_type="application/json", HTTP_X_LINE_SIGNATURE=signature
    )


def link_line(user: Any, line_user_id: str) -> None:
    """The user gets a code on their page and sends it to the official account from LINE."""
    code = services.line_link_start(actor=user).line_link_code
    event = {
        "type": "message",
        "source": {"type": "user", "userId": line_user_id},
        "message": {"type": "text", "id": "1", "text": code},
    }
    assert line_event(Client(), [event]).json() == {"linked": 1}


def every_channel(user: Any, line_user_id: str = "U4af4980629ea1b2c3d4e5f6a7b8c9d0e") -> None:
    """Switch on e-mail, SMS and LINE for a user."""
    link_line(user, line_user_id)
    services.preference_update(
        actor=user,
        by_email=True,
        by_sms=True,
        by_line=True,
        email=f"{user.username}@example.org",
        phone="+66 81 234 5678",
    )
