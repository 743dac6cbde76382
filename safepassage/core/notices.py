"""Notices: how a lower app (cases, registry, migration) says "tell these people" without importing the
app that tells them (notify sits above them all). A notice holds a kind, a reference and a link, never a name,
place or story; whoever listens turns it into messages."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.db import models
from django.utils.translation import gettext_lazy as _


class NoticeKind(models.TextChoices):
    """What happened, in one fixed sentence each (a phone's text is built from this and a reference)."""

    CASE_ALERT = "case_alert", _("A case needs attention")
    DEADLINE = "deadline", _("A case deadline has passed")
    RISK_ALERT = "risk_alert", _("A risk warning was raised")
    RED_FLAG = "red_flag", _("A red flag: someone may need help now")
    URGENT_INTAKE = "urgent_intake", _("An urgent report came in")
    REFERRAL_SENT = "referral_sent", _("A case was referred to your agency")
    REFERRAL_WAITING = "referral_waiting", _("A referral is still waiting for an answer")
    REFERRAL_ANSWERED = "referral_answered", _("A referral you sent was answered")
    MIGRATION_ALERT = "migration_alert", _("Someone on a safe-migration channel needs a check")
    RETURN_DUE = "return_due", _("An employer's periodic return is due")


class NoticeUrgency(models.TextChoices):
    """When it goes out: now (even in quiet hours), soon (at once, not in quiet hours), or in the digest."""

    NOW = "now", _("At once, day or night")
    SOON = "soon", _("At once, not in quiet hours")
    DIGEST = "digest", _("In the daily summary")


@dataclass(frozen=True)
class Notice:
    """One thing to tell some users: the record's reference and the path of its page, nothing personal."""

    kind: str
    recipients: tuple[int, ...]
    reference: str
    link: str
    urgency: str = NoticeUrgency.DIGEST


Listener = Callable[[list[Notice]], None]
_listeners: list[Listener] = []


def notice_listen(listener: Listener) -> None:
    """Register who turns notices into notifications (notify does, when its app is ready)."""
    if listener not in _listeners:
        _listeners.append(listener)


def notice_emit(notices: Iterable[Notice]) -> None:
    """Hand notices to every listener, in the caller's transaction (a rolled-back write tells no one)."""
    batch = [n for n in notices if n.recipients]
    if not batch:
        return
    for listener in _listeners:
        listener(batch)
