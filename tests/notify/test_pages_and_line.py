"""Linking LINE through the official account's webhook (signed), my notification choices, the bell, the API,
and marking a migration alert as seen."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from safepassage.audit.models import AuditEvent
from safepassage.core.notices import Notice, NoticeKind, notice_emit
from safepassage.migration import services as migration_services
from safepassage.migration.models import MigrationAlert
from safepassage.notify import services
from safepassage.notify.models import NotifyPreference
from safepassage.testing import api_client, web_client
from tests.migration.test_channel_services import channel_ab, register
from tests.notify.helpers import line_event

pytestmark = pytest.mark.django_db


def _message(user_id: str, text: str) -> dict:
    return {
        "type": "message",
        "source": {"type": "user", "userId": user_id},
        "message": {"type": "text", "text": text},
    }


def test_line_is_linked_by_sending_the_code_to_the_official_account(world, line):
    page = web_client(world.coordinator_a).post("/notify/settings/", {"action": "line_code"}, follow=True)
    code = NotifyPreference.objects.get(user=world.coordinator_a).line_link_code
    assert len(code) == 8 and code in page.content.decode()
    client = Client()
    # Not signed by LINE: refused, nothing linked.
    assert line_event(client, [_message("Uevil", code)], secret="wrong").status_code == 401
    assert client.post("/notify/line/webhook", b"{}", content_type="application/json").status_code == 401
    # A wrong code links nobody; the right one links the sender, once.
    assert line_event(
        client, [_message("U1234", "00000000" if code != "00000000" else "11111111")]
    ).json() == {"linked": 0}
    assert line_event(client, [_message("U1234", f"my code {code}")]).json() == {"linked": 1}
    preference = NotifyPreference.objects.get(user=world.coordinator_a)
    assert (preference.line_user_id, preference.line_link_code, preference.by_line) == ("U1234", "", True)
    assert line_event(client, [_message("U9999", code)]).json() == {"linked": 0}  # used up
    event = AuditEvent.objects.get(action="notify.line.link")
    assert event.actor_id == world.coordinator_a.pk and "U1234" not in str(event.changes)
    # Unfollowing the account unlinks.
    line_event(client, [{"type": "unfollow", "source": {"type": "user", "userId": "U1234"}}])
    assert NotifyPreference.objects.get(user=world.coordinator_a).line_user_id == ""


def test_an_expired_code_links_nothing_and_bad_json_is_a_400(world, line):
    code = services.line_link_start(actor=world.coordinator_a).line_link_code
    NotifyPreference.objects.update(line_link_expires=timezone.now() - timedelta(seconds=1))
    assert line_event(Client(), [_message("U1234", code)]).json() == {"linked": 0}
    import base64
    import hashlib
    import hmac

    body = b"not json"
    signature = base64.b64encode(hmac.new(b"line-channel-secret", body, hashlib.sha256).digest()).decode()
    response = Client().post(
        "/notify/line/webhook", body, content_type="application/json", HTTP_X_LINE_SIGNATURE=signature
    )
    assert response.status_code == 400


def test_my_notification_choices_name_the_field_that_is_wrong_and_keep_what_was_saved(world):
    client = web_client(world.volunteer_a)
    assert client.post("/notify/settings/", {"by_email": "on", "email": "noi@example.org"}).status_code == 302
    for form, field_text in [
        ({"by_sms": "on", "phone": "12"}, "country code"),
        ({"by_sms": "on"}, "mobile number"),
        ({"by_line": "on"}, "Link your LINE first"),
        ({"email": "not-an-address"}, "not an e-mail address"),
        ({"quiet_from": "22:00"}, "both the start and the end"),
        ({"quiet_from": "25:99", "quiet_to": "06:00"}, "time like 21:00"),
    ]:
        response = client.post("/notify/settings/", form)
        assert response.status_code == 400 and field_text in response.content.decode(), form
    preference = NotifyPreference.objects.get(user=world.volunteer_a)
    assert (preference.by_email, preference.email, preference.by_sms) == (True, "noi@example.org", False)
    event = AuditEvent.objects.filter(action="notify.preference.update").get()
    assert "noi@example.org" not in str(event.changes)


def test_the_bell_counts_unread_ones_and_the_api_marks_them_read(world):
    for reference in ("R-1", "R-2"):
        notice_emit(
            [
                Notice(
                    kind=NoticeKind.CASE_ALERT,
                    recipients=(world.coordinator_a.pk,),
                    reference=reference,
                    link="/cases/",
                )
            ]
        )
    client = web_client(world.coordinator_a)
    assert '<span class="bell-count">2' in client.get("/").content.decode()
    assert '<span class="bell-count">' not in web_client(world.coordinator_b).get("/").content.decode()
    api = api_client(world.coordinator_a)
    items = api.get("/api/v1/me/notifications?unread=true").json()["items"]
    assert [n["reference"] for n in items] == ["R-2", "R-1"]
    assert items[0]["text"] == "A case needs attention" and items[0]["deliveries"] == []
    # Another user cannot mark mine.
    assert api_client(world.coordinator_b).post(
        "/api/v1/me/notifications/read", {"ids": [items[0]["id"]]}
    ).json() == {"marked": 0, "unread": 0}
    assert api.post("/api/v1/me/notifications/read", {"ids": [items[0]["id"]]}).json() == {
        "marked": 1,
        "unread": 1,
    }
    assert '<span class="bell-count">1' in client.get("/notify/").content.decode()
    assert api.post("/api/v1/me/notifications/read", {}).json() == {"marked": 1, "unread": 0}
    assert api.post("/api/v1/me/notifications/read", {"ids": "x"}).status_code == 422
    assert api_client(None).get("/api/v1/me/notifications").status_code == 401


def test_a_migration_alert_is_marked_as_seen_on_the_page_and_in_the_api(world):
    today = timezone.localdate()
    channel = channel_ab(world, arrival_grace_days=1)
    registration = register(
        world, channel, travel_date=today - timedelta(days=10), expected_arrival=today - timedelta(days=9)
    )
    migration_services.alerts_scan(today=today)
    migration_services.checkin_record(
        actor=world.caseworker_a, registration=registration, done_on=today, reached=False
    )
    migration_services.alerts_scan(today=today + timedelta(days=30))
    first, second = MigrationAlert.objects.order_by("pk")
    page = web_client(world.coordinator_b)
    response = page.post(
        f"/migration/registrations/{registration.pk}/do/acknowledge/", {"alert": first.pk}, follow=True
    )
    assert response.status_code == 200 and "Seen" in response.content.decode()
    first.refresh_from_db()
    assert (first.status, first.acknowledged_by) == ("acknowledged", world.coordinator_b)
    # Twice is an error naming the status; someone outside both ends gets 404.
    api = api_client(world.coordinator_a)
    assert api.post(f"/api/v1/migration/alerts/{first.pk}/acknowledge").status_code in (400, 422)
    assert (
        api_client(world.outsider).post(f"/api/v1/migration/alerts/{second.pk}/acknowledge").status_code
        == 404
    )
    body = api.post(f"/api/v1/migration/alerts/{second.pk}/acknowledge").json()
    assert body["status"] == "acknowledged" and body["acknowledged_at"]
    assert AuditEvent.objects.filter(action="migration.alert.acknowledge").count() == 2
