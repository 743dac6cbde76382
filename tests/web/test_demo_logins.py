"""The demo's logins come set up with an authenticator app: demo-logins.json holds each key (totp_secret),
and a code made from it passes the second factor."""

import base64
import json
import stat
import time

import pytest
from django.test import Client
from django.urls import reverse
from django_otp.oath import TOTP

from safepassage.web.demo import load_demo

pytestmark = pytest.mark.django_db


def test_demo_logins_carry_a_working_authenticator_key(tmp_path):
    logins_file = tmp_path / "demo-logins.json"
    logins = load_demo(logins_file=logins_file, people=0)
    saved = json.loads(logins_file.read_text(encoding="utf-8"))
    assert stat.S_IMODE(logins_file.stat().st_mode) == 0o600
    assert all(len(item["totp_secret"]) >= 16 for item in saved)
    assert len({item["totp_secret"] for item in saved}) == len(saved)  # one key per login
    login = next(item for item in saved if item["role"] == "volunteer")
    clock = TOTP(base64.b32decode(login["totp_secret"]))
    clock.time = time.time()
    client = Client()
    client.post(reverse("login"), {"username": login["username"], "password": login["password"]})
    assert client.get(reverse("web:dashboard"))["Location"].startswith(reverse("accounts:second_factor"))
    response = client.post(reverse("accounts:second_factor"), {"code": f"{clock.token():06d}"})
    assert response.status_code == 302
    assert client.get(reverse("web:dashboard")).status_code == 200
    assert [login.totp_secret for login in logins] == [item["totp_secret"] for item in saved]
