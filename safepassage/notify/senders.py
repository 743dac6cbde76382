"""The three ways out: Django's e-mail (SMTP), Twilio's Messages API for SMS, and LINE's Messaging API push.
Each raises SendFailed with a short code on failure; the code is kept, never the provider's words (which
may repeat a number or an address)."""

from __future__ import annotations

import base64
import json
import smtplib
import urllib.error
import urllib.parse
import urllib.request
import uuid

from django.conf import settings
from django.core.mail import EmailMessage

TIMEOUT_SECONDS = 15


class SendFailed(Exception):
    """A message did not go; `code` says why in a word (smtp, http_500, timeout, not_configured…)."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


def send_email(*, to: str, subject: str, body: str) -> None:
    """By Django's e-mail backend (SMTP in production: EMAIL_HOST, EMAIL_PORT… from the environment)."""
    try:
        sent = EmailMessage(subject=subject, body=body, to=[to]).send()
    except smtplib.SMTPRecipientsRefused:
        raise SendFailed("smtp_refused") from None
    except smtplib.SMTPException:
        raise SendFailed("smtp") from None
    except TimeoutError:
        raise SendFailed("timeout") from None
    except OSError:
        raise SendFailed("smtp_unreachable") from None
    if not sent:
        raise SendFailed("smtp")


def _post(request: urllib.request.Request) -> None:
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as response:  # noqa: S310 (URL from settings)
            response.read()
    except urllib.error.HTTPError as exc:
        raise SendFailed(f"http_{exc.code}") from None
    except TimeoutError:
        raise SendFailed("timeout") from None
    except (urllib.error.URLError, OSError):
        raise SendFailed("unreachable") from None


def send_sms(*, to: str, body: str) -> None:
    """Twilio Messages API: POST {base}/2010-04-01/Accounts/{AccountSid}/Messages.json, form-encoded To,
    From and Body, HTTP basic auth with the account SID and auth token."""
    sid, token, sender = settings.TWILIO_ACCOUNT_SID, settings.TWILIO_AUTH_TOKEN, settings.TWILIO_FROM
    if not (sid and token and sender):
        raise SendFailed("not_configured")
    url = f"{settings.TWILIO_API_URL.rstrip('/')}/2010-04-01/Accounts/{urllib.parse.quote(sid)}/Messages.json"
    data = urllib.parse.urlencode({"To": to, "From": sender, "Body": body}).encode()
    credentials = base64.b64encode(f"{sid}:{token}".encode()).decode()
    request = urllib.request.Request(url, data=data, method="POST")  # noqa: S310 (https URL from settings)
    request.add_header("Authorization", f"Basic {credentials}")
    request.add_header("Content-Type", "application/x-www-form-urlencoded")
    _post(request)


def send_line(*, to: str, body: str, retry_key: uuid.UUID | None = None) -> None:
    """LINE Messaging API push: POST {base}/v2/bot/message/push, JSON {"to", "messages": [{"type": "text",
    "text"}]}, `Authorization: Bearer {channel access token}`; X-Line-Retry-Key keeps a retry from
    sending twice."""
    token = settings.LINE_CHANNEL_ACCESS_TOKEN
    if not token:
        raise SendFailed("not_configured")
    url = f"{settings.LINE_API_URL.rstrip('/')}/v2/bot/message/push"
    payload = {"to": to, "messages": [{"type": "text", "text": body[:5000]}]}
    data = json.dumps(payload).encode()
    request = urllib.request.Request(url, data=data, method="POST")  # noqa: S310 (https URL from settings)
    request.add_header("Authorization", f"Bearer {token}")
    request.add_header("Content-Type", "application/json")
    if retry_key is not None:
        request.add_header("X-Line-Retry-Key", str(retry_key))
    _post(request)
