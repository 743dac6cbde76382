"""API tokens: issued for a password, 401 for none, bad, expired or revoked ones."""

from datetime import timedelta

import pytest
from django.utils import timezone

from safepassage.accounts import services
from safepassage.accounts.models import ApiToken
from safepassage.testing import PASSWORD, ApiClient, api_client, totp_code

pytestmark = pytest.mark.django_db


def test_a_password_and_a_code_get_a_bearer_token_that_works(world):
    response = ApiClient(None).post(
        "/api/v1/auth/token",
        {"username": "coordinator_a", "password": PASSWORD, "otp": totp_code(world.coordinator_a)},
    )
    assert response.status_code == 201
    body = response.json()
    assert body["token"].startswith("sp_")
    assert body["expires_at"]
    me = ApiClient(body["token"]).get("/api/v1/me").json()
    assert me["username"] == "coordinator_a"
    assert [(m["agency"]["code"], m["role"]) for m in me["memberships"]] == [("agency-a", "coordinator")]


def test_only_the_hash_of_a_token_is_stored(world):
    _, raw = services.token_issue(actor=None, user=world.coordinator_a)
    assert not ApiToken.objects.filter(key_hash=raw).exists()
    assert raw not in str(list(ApiToken.objects.values()))


def test_a_wrong_password_gets_401_in_the_error_shape(world):
    response = ApiClient(None).post("/api/v1/auth/token", {"username": "coordinator_a", "password": "nope"})
    assert response.status_code == 401
    assert set(response.json()) == {"detail", "errors"}


def test_the_token_endpoint_is_slowed_like_the_sign_in_page(world):
    client = ApiClient(None)
    for _ in range(6):
        client.post("/api/v1/auth/token", {"username": "coordinator_a", "password": "nope"})
    response = client.post("/api/v1/auth/token", {"username": "coordinator_a", "password": PASSWORD})
    assert response.status_code == 401
    assert "not right" in response.json()["detail"]


def test_missing_fields_name_the_field(world):
    response = ApiClient(None).post("/api/v1/auth/token", {"username": "coordinator_a"})
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "password"


@pytest.mark.parametrize("header", [None, "Bearer nonsense", "Bearer sp_not-a-real-token", "Basic abc"])
def test_no_token_or_a_bad_one_is_401(world, header):
    from django.test import Client

    headers = {"Authorization": header} if header else {}
    response = Client().get("/api/v1/me", headers=headers)
    assert response.status_code == 401
    assert response.json()["detail"]
    assert response.json()["errors"] == []


def test_an_expired_token_is_401(world):
    token, raw = services.token_issue(actor=None, user=world.coordinator_a)
    ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    assert ApiClient(raw).get("/api/v1/me").status_code == 401


def test_a_revoked_token_is_401(world):
    client = api_client(world.coordinator_a)
    assert client.get("/api/v1/me").status_code == 200
    assert client.request("DELETE", "/api/v1/auth/token").status_code == 204
    assert client.get("/api/v1/me").status_code == 401


def test_a_deactivated_user_token_is_401(world):
    client = api_client(world.coordinator_a)
    world.coordinator_a.is_active = False
    world.coordinator_a.save()
    assert client.get("/api/v1/me").status_code == 401


def test_token_command_creates_and_revokes(world, capsys):
    from django.core.management import call_command

    call_command("token", "create", "--user", "caseworker_a")
    raw = capsys.readouterr().out.strip()
    assert ApiClient(raw).get("/api/v1/me").status_code == 200
    call_command("token", "revoke", raw[:10])
    assert ApiClient(raw).get("/api/v1/me").status_code == 401


def test_openapi_and_docs_are_served(world):
    from django.test import Client

    schema = Client().get("/api/v1/openapi.json")
    assert schema.status_code == 200
    assert "/api/v1/me" in schema.json()["paths"]
    docs = Client().get("/api/v1/docs")
    assert docs.status_code == 200
    assert "cdn" not in docs.content.decode().lower()
