"""Writes of the notify app: notifications from notices, each user's choices, LINE linking, and sending."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import re
import secrets
from collections import defaultdict
from datetime import datetime, time, timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from safepassage.accounts.models import User
from safepassage.audit.services import audit_record
from safepassage.core.crypto import blind_index
from safepassage.core.notices import Notice, NoticeUrgency
from safepassage.notify import senders, texts
from safepassage.notify.models import Channel, Delivery, Notification, NotifyPreference

PHONE = re.compile(r"^\+[1-9]\d{7,14}$")
LINK_CODE_MINUTES = 60


def _fail(field: str, message: str) -> ValidationError:
    return ValidationError({field: [message]})


def preference_for(user: User) -> NotifyPreference:
    """The user's choices (all channels off until they choose)."""
    preference, _created = NotifyPreference.objects.get_or_create(user=user)
    return preference


def _at(day: Any, moment: time) -> datetime:
    return timezone.make_aware(datetime.combine(day, moment))


def after_quiet(preference: NotifyPreference, when: datetime) -> datetime:
    """`when`, or the end of the quiet hours it falls in."""
    local = timezone.localtime(when)
    if preference.quiet_to is None or not preference.is_quiet(local.time().replace(tzinfo=None)):
        return when
    end = _at(local.date(), preference.quiet_to)
    return end if end > when else end + timedelta(days=1)


def next_digest(preference: NotifyPreference, now: datetime) -> datetime:
    """The next daily summary time after `now` (moved to the end of the quiet hours if it falls in them)."""
    local = timezone.localtime(now)
    when = _at(local.date(), preference.digest_at)
    if when <= now:
        when = _at(local.date() + timedelta(days=1), preference.digest_at)
    return after_quiet(preference, when)


def notices_receive(notices: list[Notice]) -> None:
    """A notification for each recipient of each notice, and a queued delivery on each channel they chose:
    now (or soon) for urgent ones, at their summary time for the rest. Runs in the caller's transaction."""
    now = timezone.now()
    wanted = {user_id for notice in notices for user_id in notice.recipients}
    active = set(User.objects.filter(pk__in=wanted, is_active=True).values_list("pk", flat=True))
    preferences = {p.user_id: p for p in NotifyPreference.objects.filter(user_id__in=active)}
    made = Notification.objects.bulk_create(
        Notification(
            recipient_id=user_id,
            kind=notice.kind,
            urgency=notice.urgency,
            reference=notice.reference[:40],
            link=notice.link[:200],
        )
        for notice in notices
        for user_id in dict.fromkeys(notice.recipients)
        if user_id in active
    )
    deliveries: list[Delivery] = []
    for notification in made:
        preference = preferences.get(notification.recipient_id)
        if preference is None:
            continue
        when = now if notification.urgency != NoticeUrgency.DIGEST else next_digest(preference, now)
        deliveries.extend(
            Delivery(notification=notification, channel=channel, next_try_at=when)
            for channel in preference.channels()
        )
    Delivery.objects.bulk_create(deliveries)


@transaction.atomic
def preference_update(*, actor: User, **fields: Any) -> NotifyPreference:
    """Change one's own channels, addresses, quiet hours and summary time; a channel needs its address."""
    preference = NotifyPreference.objects.select_for_update().get(pk=preference_for(actor).pk)
    email = str(fields.get("email") or "").strip()
    phone = re.sub(r"[\s\-().]", "", str(fields.get("phone") or ""))
    if email:
        try:
            validate_email(email)
        except ValidationError:
            raise _fail("email", _("This is not an e-mail address.")) from None
    if phone and not PHONE.match(phone):
        raise _fail("phone", _("Give the mobile number with its country code, like +66 81 234 5678."))
    by_email, by_sms, by_line = (bool(fields.get(k)) for k in ("by_email", "by_sms", "by_line"))
    if by_email and not email:
        raise _fail("email", _("Give an e-mail address to get notifications by e-mail."))
    if by_sms and not phone:
        raise _fail("phone", _("Give a mobile number to get text messages."))
    if by_line and not preference.line_user_id:
        raise _fail("by_line", _("Link your LINE first: add our LINE account and send it your code."))
    quiet_from, quiet_to = fields.get("quiet_from"), fields.get("quiet_to")
    if (quiet_from is None) != (quiet_to is None):
        raise _fail("quiet_to", _("Give both the start and the end of the quiet hours, or neither."))
    before = {f: getattr(preference, f) for f in ("by_email", "by_sms", "by_line", "quiet_from", "quiet_to")}
    preference.by_email, preference.by_sms, preference.by_line = by_email, by_sms, by_line
    preference.email, preference.phone = email, phone
    preference.quiet_from, preference.quiet_to = quiet_from, quiet_to
    preference.digest_at = fields.get("digest_at") or preference.digest_at
    preference.save()
    changed = [f for f, v in before.items() if getattr(preference, f) != v]
    audit_record(actor=actor, action="notify.preference.update", obj=preference, changes={"fields": changed})
    return preference


@transaction.atomic
def line_link_start(*, actor: User) -> NotifyPreference:
    """A one-time code (valid an hour) the user sends to our LINE account to link their LINE."""
    preference = NotifyPreference.objects.select_for_update().get(pk=preference_for(actor).pk)
    preference.line_link_code = f"{secrets.randbelow(10**8):08d}"
    preference.line_link_expires = timezone.now() + timedelta(minutes=LINK_CODE_MINUTES)
    preference.save(update_fields=["line_link_code", "line_link_expires"])
    audit_record(actor=actor, action="notify.line.start", obj=preference)
    return preference


@transaction.atomic
def line_unlink(*, actor: User) -> NotifyPreference:
    """Forget the user's LINE: nothing more goes there."""
    preference = NotifyPreference.objects.select_for_update().get(pk=preference_for(actor).pk)
    preference.line_user_id, preference.by_line = "", False
    preference.save(update_fields=["line_user_id", "line_user_index", "by_line"])
    audit_record(actor=actor, action="notify.line.unlink", obj=preference)
    return preference


def line_signature_ok(body: bytes, signature: str) -> bool:
    """X-Line-Signature: base64 of HMAC-SHA256 of the request body with the channel secret."""
    secret = settings.LINE_CHANNEL_SECRET
    if not secret or not signature:
        return False
    digest = hmac.new(secret.encode(), body, hashlib.sha256).digest()
    return hmac.compare_digest(base64.b64encode(digest), signature.encode())


@transaction.atomic
def line_events_receive(*, body: bytes) -> int:
    """Events from LINE's webhook (signature already checked): a text message holding a live link code links
    that LINE user to the code's owner; unfollowing unlinks. Returns how many links were made."""
    try:
        events = json.loads(body).get("events") or []
    except (ValueError, AttributeError):
        raise _fail("events", _("The webhook body is not LINE's JSON.")) from None
    linked = 0
    for event in events if isinstance(events, list) else []:
        if not isinstance(event, dict):
            continue
        source = event.get("source") or {}
        user_id = str(source.get("userId") or "") if isinstance(source, dict) else ""
        if not user_id or len(user_id) > 40:
            continue
        if event.get("type") == "unfollow":
            NotifyPreference.objects.filter(line_user_index=blind_index(user_id)).update(
                line_user_id="", line_user_index="", by_line=False
            )
            continue
        message = event.get("message") or {}
        if event.get("type") != "message" or not isinstance(message, dict) or message.get("type") != "text":
            continue
        code = re.sub(r"\D", "", str(message.get("text") or ""))
        if len(code) != 8:
            continue
        preference = (
            NotifyPreference.objects.select_for_update()
            .filter(line_link_code=code, line_link_expires__gt=timezone.now())
            .first()
        )
        if preference is None:
            continue
        NotifyPreference.objects.filter(line_user_index=blind_index(user_id)).exclude(
            pk=preference.pk
        ).update(line_user_id="", line_user_index="", by_line=False)
        preference.line_user_id, preference.line_link_code, preference.line_link_expires = user_id, "", None
        preference.by_line = True
        preference.save(
            update_fields=[
                "line_user_id",
                "line_user_index",
                "line_link_code",
                "line_link_expires",
                "by_line",
            ]
        )
        audit_record(actor=preference.user, action="notify.line.link", obj=preference)
        linked += 1
    return linked


@transaction.atomic
def notifications_mark_read(*, actor: User, ids: list[int] | None = None) -> int:
    """Mark one's own notifications read (all unread ones when no ids are given)."""
    mine = Notification.objects.filter(recipient=actor, read_at__isnull=True)
    if ids is not None:
        mine = mine.filter(pk__in=ids)
    count = mine.update(read_at=timezone.now())
    audit_record(
        actor=actor,
        action="notify.notification.read",
        object_type="notify.notification",
        changes={"count": count},
    )
    return count


# ------------------------------------------------------------------------------------------------- sending


def _send(channel: str, preference: NotifyPreference, subject: str, body: str, retry_key: Any = None) -> None:
    if channel not in preference.channels():
        raise senders.SendFailed("channel_off")
    if channel == Channel.EMAIL:
        senders.send_email(to=preference.email, subject=subject, body=body)
    elif channel == Channel.SMS:
        senders.send_sms(to=preference.phone, body=body)
    else:
        senders.send_line(to=preference.line_user_id, body=body, retry_key=retry_key)


def _settle(items: list[Delivery], now: datetime, error: str = "") -> str:
    """Sent, or one more failed try: again after a doubling wait, failed after the last."""
    state = Delivery.State.SENT
    for delivery in items:
        delivery.attempts += 1
        if not error:
            delivery.state, delivery.sent_at, delivery.last_error = Delivery.State.SENT, now, ""
        elif error == "channel_off" or delivery.attempts >= settings.NOTIFY_MAX_TRIES:
            delivery.state, delivery.last_error = Delivery.State.FAILED, error
            state = Delivery.State.FAILED
        else:
            wait = settings.NOTIFY_RETRY_SECONDS * 2 ** (delivery.attempts - 1)
            delivery.next_try_at, delivery.last_error = now + timedelta(seconds=wait), error
            state = Delivery.State.QUEUED
        delivery.save(update_fields=["attempts", "state", "sent_at", "next_try_at", "last_error"])
    return state


def _send_group(ids: list[int], now: datetime, counts: dict[str, int]) -> None:
    with transaction.atomic():
        items = list(
            Delivery.objects.select_for_update(skip_locked=True, of=("self",))
            .filter(pk__in=ids, state=Delivery.State.QUEUED, next_try_at__lte=now)
            .select_related("notification__recipient__notify")
        )
        if not items:
            return
        user = items[0].notification.recipient
        preference = user.notify  # type: ignore[attr-defined,unused-ignore]  # (the reverse one-to-one of NotifyPreference)
        language = user.language
        quiet = preference.is_quiet(timezone.localtime(now).time().replace(tzinfo=None))
        at_once = [
            d
            for d in items
            if d.notification.urgency == NoticeUrgency.NOW
            or (d.notification.urgency == NoticeUrgency.SOON and not quiet)
        ]
        rest = [d for d in items if d not in at_once]
        if quiet and rest:
            later = after_quiet(preference, now)
            Delivery.objects.filter(pk__in=[d.pk for d in rest]).update(next_try_at=later)
            counts["held"] += len(rest)
            rest = []
        for delivery in at_once:
            n = delivery.notification
            body = texts.message_text(kind=n.kind, reference=n.reference, link=n.link, language=language)
            subject = texts.subject_text(count=1, language=language)
            error = ""
            try:
                _send(delivery.channel, preference, subject, body, delivery.retry_key)
            except senders.SendFailed as failure:
                error = failure.code
            counts[_settle([delivery], now, error)] += 1
        if rest:
            references = [d.notification.reference for d in rest]
            body = texts.digest_text(references=references, language=language)
            subject = texts.subject_text(count=len(rest), language=language)
            error = ""
            try:
                _send(rest[0].channel, preference, subject, body)
            except senders.SendFailed as failure:
                error = failure.code
            counts[_settle(rest, now, error)] += len(rest)


def deliveries_send(*, now: datetime | None = None) -> dict[str, int]:
    """Send what is due (cron: `safepassage notify send`): urgent ones one by one, the rest as one summary per
    user and channel; quiet hours hold all but the most urgent; a failed send is tried again later."""
    now = now or timezone.now()
    groups: dict[tuple[int, str], list[int]] = defaultdict(list)
    due = Delivery.objects.filter(state=Delivery.State.QUEUED, next_try_at__lte=now)
    for pk, user_id, channel in due.values_list("pk", "notification__recipient_id", "channel"):
        groups[user_id, channel].append(pk)
    counts = {Delivery.State.SENT: 0, Delivery.State.QUEUED: 0, Delivery.State.FAILED: 0, "held": 0}
    for ids in groups.values():
        _send_group(ids, now, counts)
    return {str(k): v for k, v in counts.items()}
