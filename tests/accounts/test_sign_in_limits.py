"""Sign-in limits a stranger cannot turn against staff: waits per account and address, a generous limit per
address, one answer for every way a password can be refused, and the owner and administrators told."""

from __future__ import annotations

import statistics
import time
from datetime import timedelta

import pytest
from django.contrib.auth.hashers import MD5PasswordHasher
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from safepassage.accounts import services, throttle
from safepassage.accounts.models import ApiToken, SignInFailure, User
from safepassage.audit.models import AuditEvent
from safepassage.core.clients import client_address, parse_networks
from safepassage.testing import PASSWORD, ApiClient, recovery_code, verify_session, web_client

pytestmark = pytest.mark.django_db

HERE, THERE = "198.51.100.7", "203.0.113.9"


def sign_in(username: str, password: str, address: str = HERE):
    return Client(REMOTE_ADDR=address).post(reverse("login"), {"username": username, "password": password})


def token(username: str, password: str, address: str = HERE):
    """Ask for a token as a client would, with a valid second factor for a real account (so only the password
    and the waits decide)."""
    user = User.objects.filter(username=username).first()
    body = {"username": username, "password": password}
    if user is not None:
        body["otp"] = recovery_code(user)
    return Client(REMOTE_ADDR=address).post("/api/v1/auth/token", body, content_type="application/json")


def make_wait(username: str, address: str = HERE) -> None:
    """Enough wrong passwords that this account must wait from this address."""
    for _ in range(8):
        token(username, "wrong", address)
    assert throttle.waiting(throttle.account_key(username), address)


def test_twenty_wrong_passwords_from_one_address_do_not_stop_the_owner_elsewhere(world):
    for _ in range(20):
        assert token("caseworker_a", "wrong", HERE).status_code == 401
    assert token("caseworker_a", PASSWORD, THERE).status_code == 201
    assert sign_in("caseworker_a", PASSWORD, THERE).status_code == 302
    assert not User.objects.get(pk=world.caseworker_a.pk).memberships.get().user.under_attack()


def test_the_waits_grow_and_are_capped(settings):
    settings.LOGIN_FREE_FAILURES, settings.LOGIN_DELAY_SECONDS, settings.LOGIN_DELAY_MAX_SECONDS = 3, 5, 300
    waits = [throttle.delay_after(n).total_seconds() for n in range(1, 12)]
    assert waits == [0, 0, 0, 5, 10, 20, 40, 80, 160, 300, 300]


def test_a_wait_ends_and_the_right_password_then_works(world):
    make_wait("caseworker_a")
    assert token("caseworker_a", PASSWORD).status_code == 401
    SignInFailure.objects.update(at=timezone.now() - timedelta(minutes=10))
    assert token("caseworker_a", PASSWORD).status_code == 201
    # A right password forgets that address's wrong ones.
    assert not SignInFailure.objects.filter(account_key=throttle.account_key("caseworker_a")).exists()


def _outcomes(world, call):
    """What a client sees for a wrong password, an unknown name and an account that must wait."""
    make_wait("coordinator_a")
    return {
        "wrong password": call("caseworker_a", "wrong"),
        "unknown user": call("nobody_here", "wrong"),
        "waiting account": call("coordinator_a", PASSWORD),  # even the right password, while waiting
    }


def test_the_three_refusals_look_the_same_on_the_api(world):
    answers = _outcomes(world, token)
    assert {r.status_code for r in answers.values()} == {401}
    assert len({r.content for r in answers.values()}) == 1
    assert all(r["Cache-Control"] == "no-store" for r in answers.values())


def test_the_three_refusals_look_the_same_on_the_sign_in_page(world):
    answers = _outcomes(world, sign_in)
    assert {r.status_code for r in answers.values()} == {200}
    bodies = {name: r.content.decode() for name, r in answers.items()}
    # The pages differ only by the username typed back into the box (and the CSRF token).
    errors = {name: body[body.index('class="errorlist') :][:300] for name, body in bodies.items()}
    assert len(set(errors.values())) == 1


def test_each_refusal_runs_the_password_hasher_once(world, monkeypatch):
    calls: list[str] = []
    real_verify = MD5PasswordHasher.verify

    def counting_verify(self, password, encoded):
        calls.append(password)
        return real_verify(self, password, encoded)

    make_wait("coordinator_a")
    monkeypatch.setattr(MD5PasswordHasher, "verify", counting_verify)
    for username, password in [
        ("caseworker_a", "wrong"),
        ("nobody_here", "wrong"),
        ("coordinator_a", PASSWORD),
    ]:
        calls.clear()
        token(username, password)
        assert len(calls) == 1, username


def test_the_three_refusals_take_the_same_time(world, settings):
    # With the real, deliberately slow hasher: the hash is what takes the time, in every case.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.Argon2PasswordHasher"]
    settings.LOGIN_DELAY_SECONDS = 600  # the waiting account keeps waiting however slow the machine
    for user in (world.caseworker_a, world.coordinator_a):
        user.set_password(PASSWORD)
        user.save()
    assert User.objects.get(pk=world.caseworker_a.pk).password.startswith("argon2")
    make_wait("coordinator_a")
    cases = [("caseworker_a", "wrong"), ("nobody_here", "wrong"), ("coordinator_a", PASSWORD)]
    times: dict[str, list[float]] = {name: [] for name, _ in cases}
    for _ in range(5):
        for username, password in cases:
            started = time.perf_counter()
            assert token(username, password, THERE if username == "caseworker_a" else HERE).status_code == 401
            times[username].append(time.perf_counter() - started)
        SignInFailure.objects.filter(address=THERE).delete()  # keep the wrong-password case from waiting
    medians = [statistics.median(t) for t in times.values()]
    print({name: round(statistics.median(t), 4) for name, t in times.items()})
    assert max(medians) < 1.6 * min(medians), times


def test_too_many_wrong_passwords_from_one_address_get_429_at_once(world, settings):
    settings.LOGIN_ADDRESS_LIMIT = 5
    for name in ["a", "b", "c", "d", "e"]:
        assert token(f"guess_{name}", "wrong").status_code == 401
    response = token("caseworker_a", PASSWORD)
    assert response.status_code == 429
    assert "Wait 15 minutes" in response.json()["detail"]
    assert sign_in("caseworker_a", PASSWORD).status_code == 429
    # Another address is not affected, nor is the account.
    assert token("caseworker_a", PASSWORD, THERE).status_code == 201


def test_the_owner_and_the_administrators_are_told_of_repeated_wrong_passwords(world, settings):
    settings.LOGIN_ALERT_FAILURES = 4
    for number in range(4):
        token("caseworker_a", "wrong", f"192.0.2.{number + 1}")  # from four places: no wait is reached
    user = User.objects.get(pk=world.caseworker_a.pk)
    assert user.failed_logins == 4 and user.under_attack()
    events = AuditEvent.objects.filter(action="auth.repeated_failures", object_id=str(user.pk))
    assert events.count() == 1
    assert events.get().agency_id == world.agency_a.pk
    team = web_client(world.admin_a).get(reverse("accounts:team")).content.decode()
    assert "4 wrong passwords" in team
    assert "4 wrong passwords" not in web_client(world.admin_b).get(reverse("accounts:team")).content.decode()
    client = Client(REMOTE_ADDR=THERE)
    client.post(reverse("login"), {"username": "caseworker_a", "password": PASSWORD})
    verify_session(client, user)  # the second factor passed: the first page after it tells them
    page = client.get(reverse("web:dashboard")).content.decode()
    assert "Someone typed a wrong password for your account 4 times" in page
    assert User.objects.get(pk=user.pk).failed_logins == 0


def test_x_forwarded_for_is_believed_only_from_a_trusted_proxy(world, settings):
    settings.TRUSTED_PROXIES = parse_networks(["10.0.0.0/8"])
    meta = {"REMOTE_ADDR": "10.0.0.2", "HTTP_X_FORWARDED_FOR": "6.6.6.6, 203.0.113.9, 10.0.0.3"}
    assert client_address(meta) == "203.0.113.9"
    assert client_address({**meta, "REMOTE_ADDR": "198.51.100.7"}) == "198.51.100.7"
    assert client_address({**meta, "HTTP_X_FORWARDED_FOR": "not-an-address"}) == "10.0.0.2"
    # The audit trail and the sign-in limits both see the client behind the proxy, and only there.
    behind = Client(REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="203.0.113.9")
    behind.post("/api/v1/auth/token", {"username": "caseworker_a", "password": "x"}, "application/json")
    forged = Client(REMOTE_ADDR="198.51.100.7", HTTP_X_FORWARDED_FOR="203.0.113.50")
    forged.post("/api/v1/auth/token", {"username": "caseworker_a", "password": "x"}, "application/json")
    assert sorted(SignInFailure.objects.values_list("address", flat=True)) == ["198.51.100.7", "203.0.113.9"]
    ips = set(AuditEvent.objects.filter(action="auth.login_failed").values_list("ip", flat=True))
    assert ips == {"198.51.100.7", "203.0.113.9"}


def test_an_administrator_cannot_tell_whose_username_is_taken(world):
    answers = {}
    for username in ["caseworker_a", "caseworker_b"]:  # one in my agency, one in another
        answers[username] = web_client(world.admin_a).post(
            reverse("accounts:member_create"), {"username": username, "role": "caseworker"}
        )
    own, other = (r.content.decode() for r in answers.values())
    assert "This username cannot be used. You could use caseworker_a.agency-a instead." in own
    assert "This username cannot be used. You could use caseworker_b.agency-a instead." in other
    assert "Agency B" not in other and "taken" not in other
    assert User.objects.filter(username__startswith="caseworker_").count() == 2
    # The suggestion is free: it can be used.
    user, _ = services.user_create(
        actor=world.admin_a, agency=world.agency_a, username="caseworker_b.agency-a", role="caseworker"
    )
    assert user.memberships.get().agency == world.agency_a


def test_changing_the_password_stops_every_token(world):
    _, first = services.token_issue(actor=None, user=world.coordinator_a)
    _, second = services.token_issue(actor=None, user=world.coordinator_a)
    _, others = services.token_issue(actor=None, user=world.caseworker_a)
    client = web_client(world.coordinator_a)
    response = client.post(
        reverse("accounts:password_change"),
        {
            "old_password": PASSWORD,
            "new_password1": "a-new-long-pass-9",
            "new_password2": "a-new-long-pass-9",
        },
    )
    assert response.status_code == 302
    assert ApiClient(first).get("/api/v1/me").status_code == 401
    assert ApiClient(second).get("/api/v1/me").status_code == 401
    assert ApiClient(others).get("/api/v1/me").status_code == 200
    event = AuditEvent.objects.get(action="accounts.token.revoke_all")
    assert event.changes["reason"] == "password_change"
    assert ApiToken.objects.filter(user=world.coordinator_a, revoked_at__isnull=True).count() == 0


def test_only_the_owner_or_their_administrator_revokes_all_tokens(world):
    from django.core.exceptions import PermissionDenied

    services.token_issue(actor=None, user=world.caseworker_a)
    with pytest.raises(PermissionDenied):
        services.tokens_revoke(actor=world.admin_b, user=world.caseworker_a, reason="factor_change")
    assert services.tokens_revoke(actor=world.admin_a, user=world.caseworker_a, reason="factor_change") == 1


def test_personal_answers_are_never_cached(world):
    _, raw = services.token_issue(actor=None, user=world.coordinator_a)
    assert ApiClient(raw).get("/api/v1/me")["Cache-Control"] == "no-store"
    assert token("coordinator_a", PASSWORD, THERE)["Cache-Control"] == "no-store"
    page = web_client(world.coordinator_a).get(reverse("web:dashboard"))
    assert page["Cache-Control"] == "no-store"
