"""From an alert to a received message: the local SMTP server and the fake Twilio and LINE servers get it,
shaped as each provider documents; no personal data in any text; a failed send is tried again with a
growing wait and shown as failed after the last try."""

from __future__ import annotations

from datetime import datetime, time, timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from safepassage.cases import services as case_services
from safepassage.notify import services
from safepassage.notify.models import Delivery, Notification
from safepassage.testing import api_client, web_client
from tests.notify.helpers import every_channel

pytestmark = pytest.mark.django_db

MARKERS = ("Pimchanok", "Karaoke Moonlight", "beaten", "0812345678")


def _urgent_report(world, urgency="immediate"):
    return case_services.intake_record(
        actor=world.caseworker_a,
        channel="hotline",
        urgency=urgency,
        summary="Pimchanok was beaten at Karaoke Moonlight last night.",
        notifier_name="Pimchanok's aunt",
        notifier_contact="0812345678",
        area_code=world.village_1.code,
    )


def _texts(smtp, sms, line):
    mail = [m.get_payload() + m["Subject"] for m in smtp.messages]
    return (
        mail + [f["Body"] for f in sms.accepted] + [m["text"] for p in line.accepted for m in p["messages"]]
    )


def test_an_urgent_report_reaches_email_sms_and_line_with_a_reference_and_a_link_only(
    world, smtp, sms, line, settings, capsys
):
    settings.NOTIFY_BASE_URL = "https://sp.example.org"
    every_channel(world.coordinator_a)
    report = _urgent_report(world)

    call_command("notify", "send")

    assert "sent: 3, to try again: 0, failed: 0" in capsys.readouterr().out
    assert smtp.recipients == [["coordinator_a@example.org"]]
    assert [f["To"] for f in sms.accepted] == ["+66812345678"]
    assert [p["to"] for p in line.accepted] == ["U4af4980629ea1b2c3d4e5f6a7b8c9d0e"]
    assert sms.refused == [] and line.refused == []
    link = f"https://sp.example.org/cases/intake/{report.pk}/"
    for text in _texts(smtp, sms, line):
        assert report.reference in text and link in text
        assert not [m for m in MARKERS if m in text], text
    # Sent once: a second run sends nothing.
    call_command("notify", "send")
    assert len(sms.accepted) == 1 and len(line.accepted) == 1 and len(smtp.messages) == 1
    # The app shows it too, with each delivery's state; the person who logged it is not told.
    items = api_client(world.coordinator_a).get("/api/v1/me/notifications").json()["items"]
    assert [(n["kind"], n["reference"]) for n in items] == [("urgent_intake", report.reference)]
    assert sorted((d["channel"], d["state"]) for d in items[0]["deliveries"]) == [
        ("email", "sent"),
        ("line", "sent"),
        ("sms", "sent"),
    ]
    assert api_client(world.caseworker_a).get("/api/v1/me/notifications").json()["items"] == []


def test_a_failed_send_is_tried_again_later_and_shown_as_failed_after_the_last_try(
    world, smtp, sms, line, settings
):
    settings.NOTIFY_MAX_TRIES, settings.NOTIFY_RETRY_SECONDS = 3, 60
    every_channel(world.coordinator_a)
    sms.fail_with = 503
    _urgent_report(world)
    start = timezone.now() + timedelta(seconds=1)
    sms_delivery = Delivery.objects.get(channel="sms")

    assert services.deliveries_send(now=start)["queued"] == 1
    sms_delivery.refresh_from_db()
    assert (sms_delivery.state, sms_delivery.attempts, sms_delivery.last_error) == ("queued", 1, "http_503")
    assert sms_delivery.next_try_at == start + timedelta(seconds=60)
    assert services.deliveries_send(now=start + timedelta(seconds=59))["queued"] == 0  # not yet
    services.deliveries_send(now=start + timedelta(seconds=60))
    sms_delivery.refresh_from_db()
    assert sms_delivery.attempts == 2 and sms_delivery.next_try_at == start + timedelta(seconds=180)
    assert services.deliveries_send(now=start + timedelta(seconds=180))["failed"] == 1
    sms_delivery.refresh_from_db()
    assert (sms_delivery.state, sms_delivery.attempts) == ("failed", 3)
    # The other channels went the first time; the failure is on the page and in the API.
    assert Delivery.objects.filter(state="sent").count() == 2 and len(line.accepted) == 1
    page = web_client(world.coordinator_a).get("/notify/")
    assert "Could not be sent" in page.content.decode()
    item = api_client(world.coordinator_a).get("/api/v1/me/notifications").json()["items"][0]
    assert {
        k: v
        for k, v in next(d for d in item["deliveries"] if d["channel"] == "sms").items()
        if k in ("channel", "state", "attempts")
    } == {"channel": "sms", "state": "failed", "attempts": 3}
    assert services.deliveries_send(now=start + timedelta(days=1))["failed"] == 0  # failed stays failed


def test_a_send_that_fails_once_goes_on_the_next_try(world, smtp, sms, line):
    every_channel(world.coordinator_a)
    line.fail_with = 500
    _urgent_report(world)
    start = timezone.now() + timedelta(seconds=1)
    services.deliveries_send(now=start)
    first_key = line.accepted == [] and Delivery.objects.get(channel="line").retry_key
    line.fail_with = 0
    services.deliveries_send(now=start + timedelta(hours=1))
    assert Delivery.objects.get(channel="line").state == "sent"
    # The retry carries the same X-Line-Retry-Key, so LINE never delivers one message twice.
    assert [p["retry_key"] for p in line.accepted] == [str(first_key)]


def test_the_rest_waits_for_the_daily_summary_and_quiet_hours_hold_all_but_danger(world, smtp, settings):
    services.preference_update(
        actor=world.coordinator_a,
        by_email=True,
        email="coordinator_a@example.org",
        quiet_from=time(22, 0),
        quiet_to=time(6, 0),
        digest_at=time(7, 0),
    )
    today = timezone.localdate()
    # Tomorrow night: always after the deliveries are queued, whatever the hour the suite runs.
    night = timezone.make_aware(datetime.combine(today + timedelta(days=1), time(23, 0)))
    _urgent_report(world, urgency="high")  # soon, but not at night
    _urgent_report(world, urgency="immediate")  # someone in danger: even at night
    Notification.objects.update(created_at=night)
    counts = services.deliveries_send(now=night)
    assert counts["sent"] == 1 and counts["held"] == 1
    held = Delivery.objects.get(state="queued")
    assert timezone.localtime(held.next_try_at).time() == time(6, 0)
    assert services.deliveries_send(now=held.next_try_at)["sent"] == 1
    # Something that can wait: one summary at 07:00 for everything gathered.
    case = case_services.case_open(
        actor=world.caseworker_a,
        opened_on=today,
        person_fields={"given_name": "Pimchanok", "birth_year": 2011, "village_code": world.village_1.code},
    )
    from safepassage.core.notices import Notice, NoticeKind, notice_emit

    for _ in range(2):
        notice_emit(
            [
                Notice(
                    kind=NoticeKind.CASE_ALERT,
                    recipients=(world.coordinator_a.pk,),
                    reference=case.reference,
                    link=f"/cases/{case.pk}/",
                )
            ]
        )
    waiting = Delivery.objects.filter(state="queued")
    assert waiting.count() == 2
    due = waiting.earliest("next_try_at").next_try_at
    assert timezone.localtime(due).time() == time(7, 0)
    before = len(smtp.messages)
    assert services.deliveries_send(now=due)["sent"] == 2
    assert len(smtp.messages) == before + 1
    summary = smtp.messages[-1]
    assert "2 new notifications" in summary["Subject"] and case.reference in summary.get_payload()
    assert "Pimchanok" not in summary.get_payload()
