"""The production configuration of deploy/: `manage.py check --deploy` has nothing to say about it, and
gunicorn with it on PostgreSQL, behind a proxy that ends TLS (as the nginx site does), lets a volunteer sign
in with the second factor and record an assessment, and an analyst open the report."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
import requests
from django.db import connection

from safepassage.registry.models import Assessment
from safepassage.registry.services import person_create
from safepassage.testing import PASSWORD, totp_code
from tests.registry.conftest import risk_world

ROOT = Path(__file__).resolve().parents[1]
ENV_TEMPLATE = ROOT / "deploy" / "safepassage.env"
HOST = "safepassage.example.org"  # the name in deploy/safepassage.env


def template_env() -> dict[str, str]:
    """The settings of deploy/safepassage.env (KEY=value lines), as systemd's EnvironmentFile reads them."""
    values = {}
    for line in ENV_TEMPLATE.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            key, _, value = line.partition("=")
            values[key.strip()] = value.strip()
    return values


def production_env(tmp_path: Path, **overrides: str) -> dict[str, str]:
    data = tmp_path / "data"
    data.mkdir(mode=0o700, exist_ok=True)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_"))}
    env.update(template_env())
    env.update({"DATA_DIR": str(data), "PYTHONPATH": str(ROOT), **overrides})
    return env


def test_the_deploy_checks_pass_with_the_production_settings(tmp_path):
    env = production_env(tmp_path)
    assert env["HTTPS"] == "true" and env["DEBUG"] == "false" and env["BACKGROUND_WORKER"] == "true"
    env.pop("DATABASE_URL")  # the checks do not connect; the SQLite default will do here
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class Browser:
    """A browser behind the proxy: every request arrives as the nginx site sends it (Host, X-Forwarded-Proto:
    https, X-Forwarded-For), cookies kept (they are Secure, so kept by hand: the hop is plain HTTP)."""

    def __init__(self, port: int) -> None:
        self.base = f"http://127.0.0.1:{port}"
        self.cookies: dict[str, str] = {}
        self.set_cookie: dict[str, str] = {}  # the last Set-Cookie header for each cookie, as sent
        self.headers = {
            "Host": HOST,
            "X-Forwarded-Proto": "https",
            "X-Forwarded-For": "203.0.113.7",
            "Origin": f"https://{HOST}",
        }

    def request(self, method: str, path: str, **kwargs: Any) -> requests.Response:
        response = requests.request(
            method,
            self.base + path,
            headers={**self.headers, "Referer": f"https://{HOST}{path}"},
            cookies=self.cookies,
            allow_redirects=False,
            timeout=60,
            **kwargs,
        )
        self.cookies.update({c.name: c.value or "" for c in response.cookies})
        for header in response.raw.headers.getlist("Set-Cookie"):
            self.set_cookie[header.split("=", 1)[0].strip()] = header.strip()
        return response

    def form(self, path: str, fields: dict[str, str]) -> requests.Response:
        """Open the page, then send its form back with `fields` (and its CSRF token), as a person would."""
        page = self.request("GET", path)
        assert page.status_code == 200, (path, page.status_code)
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)
        assert token is not None, path
        return self.request("POST", path, data={"csrfmiddlewaretoken": token.group(1), **fields})

    def sign_in(self, user: Any) -> None:
        response = self.form("/accounts/login/", {"username": user.username, "password": PASSWORD})
        assert response.status_code == 302, response.text[:500]
        gate = self.request("GET", "/")
        assert gate.status_code == 302 and "/accounts/second-factor/" in gate.headers["Location"]
        response = self.form("/accounts/second-factor/", {"code": totp_code(user)})
        assert response.status_code == 302, response.text[:500]
        assert self.request("GET", "/").status_code == 200


@pytest.fixture
def server(tmp_path):
    """`safepassage serve` (gunicorn, as the systemd unit runs it) on the test database."""
    db = connection.settings_dict
    login = quote(db["USER"] or "") + (":" + quote(db["PASSWORD"]) if db["PASSWORD"] else "")
    url = f"postgresql://{login}@{db['HOST'] or 'localhost'}:{db['PORT'] or 5432}/{quote(db['NAME'])}"
    port = free_port()
    env = production_env(tmp_path, DATABASE_URL=url, FORWARDED_ALLOW_IPS="127.0.0.1", WEB_CONCURRENCY="2")
    log = (tmp_path / "gunicorn.log").open("w")
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "safepassage.cli",
            "serve",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--threads",
            "1",
        ],
        cwd=tmp_path,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 240
        while True:
            try:
                health = requests.get(
                    f"http://127.0.0.1:{port}/healthz",
                    headers={"Host": HOST, "X-Forwarded-Proto": "https"},
                    timeout=5,
                )
                if health.status_code == 200:
                    break
            except requests.ConnectionError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                raise AssertionError((tmp_path / "gunicorn.log").read_text()[-3000:])
            time.sleep(0.5)
        yield port
    finally:
        process.terminate()
        process.wait(timeout=60)
        log.close()


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="production runs on PostgreSQL; the PostgreSQL pass of the suite runs this",
)
def test_gunicorn_behind_the_proxy_signs_in_with_the_second_factor_records_and_reports(
    settings, server, tmp_path
):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.Argon2PasswordHasher"]  # what production reads
    world = risk_world()
    for user in (world.volunteer_a, world.analyst_a):
        user.set_password(PASSWORD)
        user.save()
    child = person_create(
        actor=world.coordinator_a,
        village_code=world.village_1.code,
        given_name="Ploy",
        sex="female",
        birth_date=date(2014, 3, 1),
    )
    port = server

    proxied = {"Host": HOST, "X-Forwarded-Proto": "https"}
    health = requests.get(f"http://127.0.0.1:{port}/healthz", headers=proxied, timeout=30)
    assert health.json()["database"] == "postgresql"
    assert health.headers["Strict-Transport-Security"].startswith("max-age=31536000; includeSubDomains")
    # The same request without the proxy's word that it came over HTTPS is sent to the HTTPS address.
    plain = requests.get(
        f"http://127.0.0.1:{port}/healthz", headers={"Host": HOST}, allow_redirects=False, timeout=30
    )
    assert plain.status_code == 301 and plain.headers["Location"] == f"https://{HOST}/healthz"

    volunteer = Browser(port)
    volunteer.sign_in(world.volunteer_a)
    # (the session cookie as the server last set it: at the sign-in, and when the session is renewed)
    assert "Secure" in volunteer.set_cookie["sessionid"]
    assert volunteer.request("GET", "/risk/people/?q=Saengkham").status_code == 200
    village = volunteer.request("GET", f"/risk/villages/{world.village_1.code}/")
    assert village.status_code == 200 and "Ploy" in village.text
    saved = volunteer.form(
        f"/risk/people/{child.pk}/assess/",
        {"assessed_on": str(date.today()), "source": "visit", "score_BMN-DEBT": "3"},
    )
    assert saved.status_code == 302, saved.text[:1000]
    assessment = Assessment.objects.get(person=child)
    assert assessment.scores.get("BMN-DEBT") == 3

    analyst = Browser(port)
    analyst.sign_in(world.analyst_a)
    report = analyst.request("GET", "/reports/risk/")
    assert report.status_code == 200 and "<table" in report.text
    csv_report = analyst.request("GET", "/reports/risk/?format=csv")
    assert csv_report.status_code == 200 and csv_report.text.count("\n") >= 1
    # gunicorn's log has the requests, never a name searched for.
    log = (tmp_path / "gunicorn.log").read_text()
    assert '"GET /risk/people/ HTTP/1.1" 200' in log and "Saengkham" not in log
