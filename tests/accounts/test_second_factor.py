"""The second factor: no page and no token with a password alone, for every role; codes from an authenticator
app (each once), recovery codes (each once), trusted phones, an administrator's reset, tokens revoked when a
factor or the password changes."""

import json
import re

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from safepassage.accounts import second_factor, services
from safepassage.accounts.models import ApiToken, TrustedBrowser
from safepassage.audit.models import AuditEvent
from safepassage.testing import (
    PASSWORD,
    PERSONAS,
    ApiClient,
    api_client,
    totp_code,
    verified_device,
    web_client,
)

pytestmark = pytest.mark.django_db

# Pages each kind of person would open first; with a password alone all of them lead to the second factor.
PAGES = [
    "web:dashboard",
    "accounts:profile",
    "accounts:team",
    "registry:person_list",
    "registry:village_list",
    "cases:case_list",
    "cases:intake_list",
    "reports:risk",
    "workplaces:map",
    "network:search",
    "audit:trail",
    "geo:area_list",
]


def password_only(username: str) -> Client:
    """A client that typed the right password on the sign-in page and nothing more."""
    client = Client()
    response = client.post(reverse("login"), {"username": username, "password": PASSWORD})
    assert response.status_code == 302, "the password is right"
    return client


def token_request(username: str, otp: str | None = None):
    body = {"username": username, "password": PASSWORD}
    if otp is not None:
        body["otp"] = otp
    return ApiClient(None).post("/api/v1/auth/token", body)


@pytest.mark.parametrize("persona", list(PERSONAS))
def test_a_password_alone_reaches_no_page_and_gets_no_token(world, persona):
    user = getattr(world, persona)
    if persona.startswith("coordinator"):
        verified_device(user)  # with an app set up, or without one: the same
    client = password_only(persona)
    gate = reverse("accounts:second_factor")
    for name in PAGES:
        response = client.get(reverse(name))
        assert response.status_code == 302, name
        assert response["Location"].startswith(gate), name
    response = client.post(reverse("accounts:token_create"), {"name": "stolen"})
    assert response.status_code == 302
    assert response["Location"].startswith(gate)
    response = token_request(persona)
    assert response.status_code == 401
    assert response.json()["otp_required"] is True
    response = token_request(persona, "123456")
    assert response.status_code == 401
    assert response.json()["otp_required"] is True
    assert not ApiToken.objects.filter(user=user).exists()


def test_first_sign_in_sets_up_the_app_and_shows_recovery_codes_once(world):
    client = password_only("volunteer_a")
    response = client.get(reverse("registry:village_list"))
    assert response["Location"].startswith(reverse("accounts:second_factor_setup"))
    page = client.get(response["Location"])
    body = page.content.decode()
    assert 'src="data:image/svg+xml' in body  # the QR code, drawn on the server
    found = re.search(r'id="totp-secret">([A-Z2-7 ]+)<', body)
    assert found is not None
    secret = found.group(1).replace(" ", "")
    assert secret == second_factor.totp_secret(TOTPDevice.objects.get(user=world.volunteer_a))
    pending = TOTPDevice.objects.get(user=world.volunteer_a, confirmed=False)
    response = client.post(
        reverse("accounts:second_factor_setup"), {"code": totp_code(world.volunteer_a, device=pending)}
    )
    assert response.status_code == 200
    codes = re.findall(r"<li>([a-z2-7]{8})</li>", response.content.decode())
    assert len(codes) == 10
    assert client.get(reverse("registry:village_list")).status_code == 200
    events = AuditEvent.objects.filter(
        object_id=str(world.volunteer_a.pk), action__startswith="accounts.second"
    )
    assert {e.action for e in events} == {
        "accounts.second_factor.add",
        "accounts.second_factor.recovery_codes",
    }
    assert secret not in str([e.changes for e in events]) and codes[0] not in str([e.changes for e in events])
    # Shown once: the recovery page only counts them now.
    assert codes[0] not in client.get(reverse("accounts:recovery_codes")).content.decode()


def test_a_password_alone_cannot_replace_the_app_or_add_a_passkey(world):
    verified_device(world.caseworker_a)
    client = password_only("caseworker_a")
    response = client.get(reverse("accounts:second_factor_setup"))
    assert response["Location"].startswith(reverse("accounts:second_factor"))
    assert client.post(reverse("accounts:passkey_add_options")).status_code == 403
    assert TOTPDevice.objects.filter(user=world.caseworker_a).count() == 1


def test_each_app_code_is_accepted_once(world):
    code = totp_code(world.coordinator_a)
    assert token_request("coordinator_a", code).status_code == 201
    again = token_request("coordinator_a", code)
    assert again.status_code == 401
    assert again.json()["otp_required"] is True
    assert again.json()["errors"][0]["field"] == "otp"
    # On the sign-in page too: a code seen over someone's shoulder does not work a second time.
    code = totp_code(world.caseworker_a)
    assert (
        password_only("caseworker_a").post(reverse("accounts:second_factor"), {"code": code}).status_code
        == 302
    )
    client = password_only("caseworker_a")
    response = client.post(reverse("accounts:second_factor"), {"code": code})
    assert response.status_code == 400
    assert "already used" in response.content.decode()
    assert client.get(reverse("web:dashboard")).status_code == 302
    # Wrong codes make the next try wait (1 s, then 2, 4, 8… after each): guessing is slow.
    device = TOTPDevice.objects.get(user=world.caseworker_a)
    assert device.throttling_failure_count == 1
    TOTPDevice.objects.filter(pk=device.pk).update(throttling_failure_count=8)  # 128 s to wait
    response = client.post(
        reverse("accounts:second_factor"), {"code": totp_code(world.caseworker_a, steps_ahead=1)}
    )
    assert "Wait a minute" in response.content.decode()


def test_a_recovery_code_works_once(world):
    verified_device(world.caseworker_a)
    codes = second_factor.recovery_codes_create(actor=world.caseworker_a, user=world.caseworker_a)
    response = token_request("caseworker_a", codes[0].upper())  # typed in capitals: still the code
    assert response.status_code == 201
    assert ApiToken.objects.get(user=world.caseworker_a).second_factor == "recovery"
    client = password_only("caseworker_a")
    assert client.post(reverse("accounts:second_factor"), {"code": codes[1]}).status_code == 302
    assert client.get(reverse("web:dashboard")).status_code == 200
    assert token_request("caseworker_a", codes[0]).status_code == 401
    assert StaticToken.objects.filter(device__user=world.caseworker_a).count() == 8


@pytest.mark.parametrize("code", ["", "abc", "12345", "1234567", "12 34 5x", "<script>", "٣٣٣٣٣٣", "x" * 64])
def test_a_malformed_code_is_a_clear_message(world, code):
    verified_device(world.coordinator_a)
    client = password_only("coordinator_a")
    response = client.post(reverse("accounts:second_factor"), {"code": code})
    assert response.status_code == 400
    assert "code" in response.content.decode().lower()
    response = token_request("coordinator_a", code)
    assert response.status_code == 401
    assert response.json()["otp_required"] is True
    assert response.json()["detail"]


def test_an_over_long_or_wrongly_typed_otp_names_the_field(world):
    for otp in ["1" * 65, 123456, ["123456"]]:
        response = ApiClient(None).post(
            "/api/v1/auth/token", {"username": "coordinator_a", "password": PASSWORD, "otp": otp}
        )
        assert response.status_code == 422
        assert response.json()["errors"][0]["field"] == "otp"


def test_a_trusted_phone_skips_the_code_until_it_is_forgotten(world):
    client = password_only("volunteer_a")
    verified_device(world.volunteer_a)
    response = client.post(
        reverse("accounts:second_factor"), {"code": totp_code(world.volunteer_a), "trust": "on"}
    )
    assert response.status_code == 302
    assert "sp_trusted" in response.cookies
    assert response.cookies["sp_trusted"]["httponly"]
    client.post(reverse("logout"))
    client.post(reverse("login"), {"username": "volunteer_a", "password": PASSWORD})
    assert client.get(reverse("registry:village_list")).status_code == 200  # no code asked
    # Someone else signing in on that phone is asked: the trust is the volunteer's only.
    verified_device(world.coordinator_a)
    other = Client()
    other.cookies["sp_trusted"] = client.cookies["sp_trusted"].value
    other.post(reverse("login"), {"username": "coordinator_a", "password": PASSWORD})
    assert other.get(reverse("web:dashboard")).status_code == 302
    # Forgotten on the profile page: this session and the next sign-in must pass the code again.
    browser = TrustedBrowser.objects.get(user=world.volunteer_a)
    assert browser.name in client.get(reverse("accounts:profile")).content.decode()
    assert client.post(reverse("accounts:trusted_forget", args=[browser.pk])).status_code == 302
    assert client.get(reverse("registry:village_list")).status_code == 302
    assert AuditEvent.objects.filter(action="accounts.second_factor.forget").count() == 1


def test_a_forged_or_expired_trust_cookie_is_ignored(world):
    from datetime import timedelta

    from django.utils import timezone

    verified_device(world.volunteer_a)
    client = password_only("volunteer_a")
    client.cookies["sp_trusted"] = "1:forged"
    assert client.get(reverse("registry:village_list")).status_code == 302
    client.post(reverse("accounts:second_factor"), {"code": totp_code(world.volunteer_a), "trust": "on"})
    TrustedBrowser.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    client.post(reverse("logout"))
    client.post(reverse("login"), {"username": "volunteer_a", "password": PASSWORD})
    assert client.get(reverse("registry:village_list")).status_code == 302


def test_an_admin_resets_a_members_factors_in_their_agency_only(world):
    user = world.caseworker_a
    verified_device(user)
    second_factor.recovery_codes_create(actor=user, user=user)
    token = api_client(user)
    membership = user.memberships.get()
    url = reverse("accounts:member_factors_reset", args=[membership.pk])
    assert web_client(world.admin_b).post(url).status_code == 404
    assert web_client(world.coordinator_a).post(url).status_code == 404
    assert TOTPDevice.objects.filter(user=user).exists()
    member_session = web_client(user)
    assert web_client(world.admin_a).post(url).status_code == 302
    assert not second_factor.has_factor(user)
    assert not StaticToken.objects.filter(device__user=user).exists()
    assert token.get("/api/v1/me").status_code == 401
    response = member_session.get(reverse("web:dashboard"))
    assert response["Location"].startswith(reverse("accounts:second_factor_setup"))
    event = AuditEvent.objects.get(action="accounts.second_factor.reset")
    assert event.actor == world.admin_a
    assert event.agency == world.agency_a


def test_an_admin_lists_and_revokes_a_members_tokens(world):
    client = api_client(world.caseworker_a)
    token = ApiToken.objects.get(user=world.caseworker_a)
    membership = world.caseworker_a.memberships.get()
    page = web_client(world.admin_a).get(reverse("accounts:member_detail", args=[membership.pk]))
    assert token.prefix in page.content.decode()
    url = reverse("accounts:member_token_revoke", args=[membership.pk, token.pk])
    assert web_client(world.admin_b).post(url).status_code == 404
    assert client.get("/api/v1/me").status_code == 200
    assert web_client(world.admin_a).post(url).status_code == 302
    assert client.get("/api/v1/me").status_code == 401


def test_new_recovery_codes_and_a_new_password_revoke_tokens(world):
    user = world.coordinator_a
    verified_device(user)
    client = api_client(user)
    second_factor.recovery_codes_create(actor=user, user=user)
    assert client.get("/api/v1/me").status_code == 401
    client = api_client(user)
    services.password_change(actor=user, user=user, new_password="a-new-long-pass-9")
    assert client.get("/api/v1/me").status_code == 401
    reasons = [e.changes["reason"] for e in AuditEvent.objects.filter(action="accounts.token.revoke_all")]
    assert sorted(reasons) == ["password_change", "second_factor_change"]


def test_a_token_made_with_a_password_alone_before_second_factors_is_refused(world):
    token, raw = services.token_issue(actor=None, user=world.coordinator_a)
    ApiToken.objects.filter(pk=token.pk).update(second_factor="")
    assert ApiClient(raw).get("/api/v1/me").status_code == 401


def test_the_operator_issues_tokens_without_a_second_factor_and_it_is_recorded(world, capsys):
    call_command("token", "create", "--user", "coordinator_a")
    raw = capsys.readouterr().out.strip()
    assert ApiClient(raw).get("/api/v1/me").status_code == 200
    event = AuditEvent.objects.get(action="accounts.token.issue")
    assert event.changes["second_factor"] == "operator"
    assert event.actor is None


def test_a_person_cannot_issue_a_token_without_saying_how_they_proved_it(world):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        services.token_issue(actor=world.coordinator_a, user=world.coordinator_a)


def test_passkey_only_accounts_get_tokens_from_their_profile_page(world):
    from safepassage.accounts.models import Passkey

    Passkey.objects.create(user=world.caseworker_a, name="phone", credential_id="abc", public_key=b"x")
    response = token_request("caseworker_a", "123456")
    assert response.status_code == 401
    assert response.json()["otp_required"] is True
    assert "profile" in response.json()["detail"] or "My account" in response.json()["detail"]
    page = web_client(world.caseworker_a).post(reverse("accounts:token_create"), {"name": "sync"})
    assert page.status_code == 200
    assert ApiToken.objects.get(user=world.caseworker_a).second_factor == "session"


@pytest.mark.parametrize(
    "body",
    [
        b"not json",
        b"[]",
        b'"text"',
        json.dumps({"credential": None}).encode(),
        json.dumps(
            {"credential": {"id": "abc", "rawId": "abc", "type": "public-key", "response": {}}}
        ).encode(),
        json.dumps({"credential": {"id": 5, "response": {"clientDataJSON": "!!"}}}).encode(),
    ],
)
def test_a_malformed_passkey_answer_is_a_clear_message(world, body):
    from safepassage.accounts.models import Passkey

    Passkey.objects.create(user=world.volunteer_a, name="phone", credential_id="abc", public_key=b"x")
    client = password_only("volunteer_a")
    assert client.post(reverse("accounts:passkey_sign_in_options")).status_code == 200
    response = client.post(reverse("accounts:passkey_sign_in"), body, content_type="application/json")
    assert response.status_code == 400
    assert response.json()["detail"]
    assert response.json()["errors"][0]["field"] == "passkey"
    assert client.get(reverse("web:dashboard")).status_code == 302
    # Setting one up, too (a person at first sign-in has no factor yet).
    fresh = password_only("volunteer_b")
    assert fresh.post(reverse("accounts:passkey_add_options")).status_code == 200
    response = fresh.post(reverse("accounts:passkey_add"), body, content_type="application/json")
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "passkey"
    assert not Passkey.objects.filter(user=world.volunteer_b).exists()


def test_every_user_needs_the_second_factor_whatever_the_settings(settings):
    assert "safepassage.accounts.middleware.SecondFactorMiddleware" in settings.MIDDLEWARE
    assert not [
        name for name in dir(settings) if re.search(r"(MFA|OTP|SECOND_FACTOR).*(OFF|DISABLE|SKIP)", name)
    ]


def test_the_setup_page_speaks_plainly(world):
    # The sign-in pages speak plainly and name no internal terms like "TOTP".
    client = password_only("partner_a")
    body = client.get(reverse("accounts:second_factor_setup")).content.decode()
    assert "TOTP" not in body and "WebAuthn" not in body
    assert TOTPDevice.objects.filter(user__username="partner_a", confirmed=False).count() == 1
