"""Signing in, signing out and changing one's password (limits on wrong passwords: test_sign_in_limits)."""

import pytest
from django.test import Client
from django.urls import reverse

from safepassage.accounts.models import User
from safepassage.audit.models import AuditEvent
from safepassage.testing import PASSWORD, totp_code, web_client

pytestmark = pytest.mark.django_db


def sign_in(client: Client, username: str, password: str):
    return client.post(reverse("login"), {"username": username, "password": password})


def test_it_signs_in_with_the_right_password_and_a_code_and_shows_the_dashboard(world):
    code = totp_code(world.coordinator_a)  # the coordinator has set up an authenticator app
    client = Client()
    response = sign_in(client, "coordinator_a", PASSWORD)
    assert response.status_code == 302
    assert client.get(reverse("web:dashboard"))["Location"].startswith(reverse("accounts:second_factor"))
    response = client.post(reverse("accounts:second_factor"), {"code": code, "next": "/"})
    assert response.status_code == 302
    page = client.get(reverse("web:dashboard"))
    assert page.status_code == 200
    assert "Agency A" in page.content.decode()
    assert AuditEvent.objects.filter(action="auth.login", object_id=str(world.coordinator_a.pk)).count() == 1


def test_a_correct_password_resets_the_count(world):
    client = Client()
    for _ in range(3):
        sign_in(client, "caseworker_a", "wrong")
    assert User.objects.get(username="caseworker_a").failed_logins == 3
    assert sign_in(client, "caseworker_a", PASSWORD).status_code == 302
    assert User.objects.get(username="caseworker_a").failed_logins == 0


def test_wrong_passwords_slow_that_account_from_that_place_only(world):
    client = Client(REMOTE_ADDR="198.51.100.7")
    for _ in range(6):
        sign_in(client, "caseworker_a", "wrong")
    # From the same place even the right password must wait, and is told so in the usual words.
    response = sign_in(client, "caseworker_a", PASSWORD)
    assert response.status_code == 200
    assert "not right" in response.content.decode()
    # Someone else on the same phone (same address) can still sign in.
    assert sign_in(Client(REMOTE_ADDR="198.51.100.7"), "coordinator_a", PASSWORD).status_code == 302


def test_an_agency_admin_lets_a_member_sign_in_at_once(world):
    for _ in range(6):
        sign_in(Client(), "caseworker_a", "wrong")
    assert sign_in(Client(), "caseworker_a", PASSWORD).status_code == 200
    membership = world.caseworker_a.memberships.get()
    admin = web_client(world.admin_a)
    page = admin.get(reverse("accounts:member_detail", args=[membership.pk]))
    # Three free tries and a fourth that starts the wait; the two sent while waiting were never judged.
    assert "Wrong passwords were typed for this account 4 times" in page.content.decode()
    response = admin.post(reverse("accounts:member_unlock", args=[membership.pk]))
    assert response.status_code == 302
    assert User.objects.get(username="caseworker_a").failed_logins == 0
    assert sign_in(Client(), "caseworker_a", PASSWORD).status_code == 302
    assert AuditEvent.objects.filter(action="accounts.user.unlock").count() == 1


def test_another_agencys_admin_cannot_clear_the_wait(world):
    for _ in range(6):
        sign_in(Client(), "caseworker_a", "wrong")
    membership = world.caseworker_a.memberships.get()
    response = web_client(world.admin_b).post(reverse("accounts:member_unlock", args=[membership.pk]))
    assert response.status_code == 404
    assert User.objects.get(username="caseworker_a").failed_logins == 4
    assert sign_in(Client(), "caseworker_a", PASSWORD).status_code == 200


def test_passwords_are_hashed_with_argon2(world, settings):
    settings.PASSWORD_HASHERS = [
        "django.contrib.auth.hashers.Argon2PasswordHasher",
        "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    ]
    user = world.outsider
    user.set_password("a long enough password")
    user.save()
    assert User.objects.get(pk=user.pk).password.startswith("argon2")


def test_sign_out_ends_the_session(world):
    client = web_client(world.coordinator_a)
    assert client.post(reverse("logout")).status_code == 302
    assert client.get(reverse("web:dashboard")).status_code == 302


def test_password_change_needs_the_old_password_and_is_audited(world):
    client = web_client(world.coordinator_a)
    url = reverse("accounts:password_change")
    response = client.post(
        url,
        {"old_password": "nope", "new_password1": "a-new-long-pass-9", "new_password2": "a-new-long-pass-9"},
    )
    assert response.status_code == 200
    assert not AuditEvent.objects.filter(action="accounts.user.password_change").exists()
    response = client.post(
        url,
        {
            "old_password": PASSWORD,
            "new_password1": "a-new-long-pass-9",
            "new_password2": "a-new-long-pass-9",
        },
    )
    assert response.status_code == 302
    assert User.objects.get(pk=world.coordinator_a.pk).check_password("a-new-long-pass-9")
    event = AuditEvent.objects.get(action="accounts.user.password_change")
    assert "a-new-long-pass-9" not in str(event.changes)


def test_sessions_expire(settings):
    assert settings.SESSION_COOKIE_AGE <= 24 * 3600
    assert 0 < settings.SESSION_RENEW_SECONDS <= 300


def test_a_session_lasts_from_its_last_request_renewed_at_most_once_a_minute(world, settings, monkeypatch):
    """Idle for SESSION_HOURS, a session ends; in use, it goes on. It is written when renewed, not on every
    page (a write and a commit per page was a tenth of what a page cost with fifty people at work)."""
    import time

    from django.contrib.sessions.models import Session

    from safepassage.web import middleware

    clock = [1_800_000_000.0]
    monkeypatch.setattr(middleware.time, "time", lambda: clock[0])
    client = web_client(world.coordinator_a)
    home = reverse("web:dashboard")
    assert client.get(home).status_code == 200
    key = client.session.session_key
    first = Session.objects.get(pk=key).expire_date
    clock[0] += 30  # half a minute later: nothing written
    time.sleep(0.01)
    assert client.get(home).status_code == 200
    assert Session.objects.get(pk=key).expire_date == first
    clock[0] += 31  # a minute after the renewal: renewed, SESSION_COOKIE_AGE from now
    time.sleep(0.01)
    assert client.get(home).status_code == 200
    renewed = Session.objects.get(pk=key).expire_date
    assert renewed > first
    settings_age = settings.SESSION_COOKIE_AGE
    from django.utils import timezone

    assert abs((renewed - timezone.now()).total_seconds() - settings_age) < 60
    # a visitor who is not signed in gets no session row by this
    before = Session.objects.count()
    assert Client().get(reverse("login")).status_code == 200
    assert Session.objects.count() == before


def test_an_admin_cannot_remove_their_own_admin_role(world):
    from django.core.exceptions import ValidationError

    from safepassage.accounts import services

    membership = world.admin_a.memberships.get()
    with pytest.raises(ValidationError):
        services.membership_update(actor=world.admin_a, membership=membership, role="caseworker")
    membership.refresh_from_db()
    assert membership.role == "admin"


def test_permissions_come_from_the_rules_only(world):
    """Django's permission tables grant nothing (and are not read on each page): a permission row given to
    a volunteer opens nothing the rules do not."""
    from django.contrib.auth.models import Permission
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    volunteer = User.objects.get(pk=world.volunteer_a.pk)
    perm = Permission.objects.get(codename="change_user")
    volunteer.user_permissions.add(perm)
    volunteer = User.objects.get(pk=world.volunteer_a.pk)
    with CaptureQueriesContext(connection) as queries:
        assert not volunteer.has_perm("accounts.change_user")
    assert not any("auth_permission" in q["sql"] for q in queries.captured_queries)
    assert not volunteer.has_perm("accounts.manage_members")
    assert User.objects.get(pk=world.admin_a.pk).has_perm("accounts.manage_members")
