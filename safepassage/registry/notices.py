"""Risk alerts as notices (core.notices): a red flag goes out at once, day or night; other warnings soon; a
high-risk person not re-assessed waits for the daily summary. The reference is the alert's number."""

from __future__ import annotations

from collections.abc import Iterable

from django.urls import reverse

from safepassage.core.notices import Notice, NoticeKind, NoticeUrgency
from safepassage.registry.models import Alert


def alert_reference(alert_id: int) -> str:
    """How a message names a risk alert: its number, nothing about the person or village."""
    return f"A-{alert_id}"


def alert_notice(alert: Alert, recipients: Iterable[int], *, urgency: str | None = None) -> Notice:
    """The notice for one risk alert and the users it goes to."""
    rules = {str(r.get("rule")) for r in alert.reasons if isinstance(r, dict)}
    red = Alert.Rule.RED_FLAG in rules
    if urgency is None:
        if red:
            urgency = NoticeUrgency.NOW
        elif rules <= {Alert.Rule.OVERDUE}:
            urgency = NoticeUrgency.DIGEST
        else:
            urgency = NoticeUrgency.SOON
    return Notice(
        kind=NoticeKind.RED_FLAG if red else NoticeKind.RISK_ALERT,
        recipients=tuple(recipients),
        reference=alert_reference(alert.pk),
        link=reverse("registry:alert_detail", args=[alert.pk]),
        urgency=urgency,
    )
