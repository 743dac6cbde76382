"""Files on the server are SafePassage's alone; HTTPS is enforced when configured; request bodies are limited
before anything reads them."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import Client

from safepassage.core.env import Env, EnvError, data_dir, exposed_path
from safepassage.testing import api_client

ROOT = Path(__file__).resolve().parents[2]


def test_a_new_data_dir_is_private(tmp_path):
    folder = tmp_path / "data"
    data_dir(Env({"DATA_DIR": str(folder)}))
    assert folder.stat().st_mode & 0o777 == 0o700


def test_start_up_is_refused_naming_a_file_others_can_read(tmp_path):
    folder = tmp_path / "data"
    folder.mkdir(mode=0o700)
    (folder / "private").mkdir(mode=0o700)
    leaked = folder / "private" / "attachment.pdf"
    leaked.write_bytes(b"%PDF")
    leaked.chmod(0o644)
    with pytest.raises(EnvError) as refused:
        data_dir(Env({"DATA_DIR": str(folder)}))
    assert refused.value.name == "DATA_DIR"
    assert str(leaked) in str(refused.value)
    leaked.chmod(0o600)
    assert data_dir(Env({"DATA_DIR": str(folder)})) == folder.resolve()


def test_start_up_is_refused_for_a_data_dir_others_can_enter(tmp_path):
    folder = tmp_path / "data"
    folder.mkdir(mode=0o755)
    folder.chmod(0o755)
    with pytest.raises(EnvError, match="chmod"):
        data_dir(Env({"DATA_DIR": str(folder)}))


def test_the_command_makes_private_files_whatever_the_umask(tmp_path):
    folder = tmp_path / "data"
    env = {**os.environ, "DATA_DIR": str(folder), "PYTHONPATH": str(ROOT)}
    env.pop("DATABASE_URL", None)
    script = "import os; os.umask(0o022); from safepassage.cli import main; main(['x', 'migrate', '-v', '0'])"
    subprocess.run([sys.executable, "-c", script], env=env, check=True, cwd=tmp_path, timeout=300)
    made = list(folder.rglob("*"))
    assert any(p.name == "safepassage.sqlite3" for p in made)
    assert [str(p) for p in made if p.stat().st_mode & 0o077] == []


def test_collected_static_files_are_private_so_the_next_start_is_not_refused(tmp_path):
    # Django's file storage sets FILE_UPLOAD_PERMISSIONS itself (0644 by default), whatever the umask: the
    # demo's collectstatic made DATA_DIR/static/staticfiles.json readable by others, and the next start
    # refused DATA_DIR.
    folder = tmp_path / "data"
    env = {**os.environ, "DATA_DIR": str(folder), "PYTHONPATH": str(ROOT)}
    env.pop("DATABASE_URL", None)
    script = (
        "import os; os.umask(0o022); from safepassage.cli import main;"
        "main(['x', 'collectstatic', '--noinput', '-v', '0'])"
    )
    subprocess.run([sys.executable, "-c", script], env=env, check=True, cwd=tmp_path, timeout=300)
    assert any((folder / "static").rglob("*.css"))
    assert exposed_path(folder) is None


def test_https_sends_hsts_and_redirects_plain_http(tmp_path):
    env = {**os.environ, "DATA_DIR": str(tmp_path / "d"), "HTTPS": "true", "PYTHONPATH": str(ROOT)}
    env["ALLOWED_HOSTS"] = "testserver"
    script = (
        "import django, os; os.environ['DJANGO_SETTINGS_MODULE']='safepassage.settings'; django.setup();"
        "from django.test import Client;"
        "r = Client().get('/healthz'); print(r.status_code, r['Location']);"
        "r = Client().get('/healthz', secure=True); print(r.status_code, r['Strict-Transport-Security'])"
    )
    out = subprocess.run(
        [sys.executable, "-c", script], env=env, capture_output=True, text=True, check=True, timeout=300
    ).stdout.split("\n")
    assert out[0] == "301 https://testserver/healthz"
    assert out[1].startswith("200 max-age=31536000")


@pytest.mark.django_db
def test_forwarded_proto_counts_only_from_a_trusted_proxy(settings):
    from safepassage.core.clients import parse_networks

    settings.TRUSTED_PROXIES = parse_networks(["10.0.0.1"])
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    settings.SECURE_SSL_REDIRECT = True
    trusted = Client(REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_PROTO="https").get("/healthz")
    forged = Client(REMOTE_ADDR="198.51.100.7", HTTP_X_FORWARDED_PROTO="https").get("/healthz")
    assert trusted.status_code == 200
    assert forged.status_code == 301


@pytest.mark.django_db
def test_an_oversized_api_body_gets_413_in_the_error_shape_and_stores_nothing(world, settings):
    from safepassage.workplaces.models import Workplace

    settings.REQUEST_MAX_BYTES = 64 * 1024
    client = api_client(world.coordinator_a)
    body = {"name": "x" * 70_000, "sector": "fishing", "area": world.village_1.code}
    response = client.post("/api/v1/workplaces", body)
    assert response.status_code == 413
    assert set(response.json()) == {"detail", "errors"}
    assert Workplace.objects.count() == 0


@pytest.mark.django_db
def test_a_chunked_body_is_counted_while_read_and_stopped_at_the_limit(world, settings):
    """A body with no Content-Length (chunked) is counted as it is read and stopped at the limit."""
    from safepassage.accounts import services
    from safepassage.workplaces.models import Workplace

    settings.REQUEST_MAX_BYTES = 16 * 1024
    _, raw = services.token_issue(actor=None, user=world.coordinator_a)

    def send(body: bytes):
        return Client().request(
            PATH_INFO="/api/v1/workplaces",
            REQUEST_METHOD="POST",
            CONTENT_TYPE="application/json",
            HTTP_AUTHORIZATION=f"Bearer {raw}",
            **{"wsgi.input": io.BytesIO(body), "wsgi.input_terminated": True},
        )

    response = send(b'{"name": "' + b"x" * 40_000 + b'"}')
    assert response.status_code == 413
    assert "too large" in response.json()["detail"]
    assert send(b'{"name": "Dock 4"}').status_code == 422  # read in full: the missing fields are named
    assert Workplace.objects.count() == 0


@pytest.mark.django_db
def test_an_upload_may_be_larger_than_other_bodies(world, settings):
    settings.REQUEST_MAX_BYTES = 16 * 1024
    settings.UPLOAD_MAX_BYTES = 1024 * 1024
    client = api_client(world.coordinator_a).client
    headers = {"Authorization": api_client(world.coordinator_a).headers["Authorization"]}
    file = io.BytesIO(b"given_name,family_name\n" + b"a,b\n" * 10_000)
    file.name = "people.csv"
    response = client.post("/api/v1/imports", {"kind": "people", "file": file}, headers=headers)
    assert response.status_code != 413
    file.seek(0)
    response = client.post("/api/v1/workplaces", {"kind": "people", "file": file}, headers=headers)
    assert response.status_code == 413


@pytest.mark.django_db
def test_long_names_and_nulls_are_refused_naming_the_field_on_every_database(world):
    from safepassage.workplaces.models import Workplace

    client = api_client(world.coordinator_a)
    body = {"name": "x" * 300, "sector": "fishing", "area": world.village_1.code}
    response = client.post("/api/v1/workplaces", body)
    assert response.status_code == 400, response.content
    assert [e["field"] for e in response.json()["errors"]] == ["name"]
    assert Workplace.objects.count() == 0
    created = client.post("/api/v1/workplaces", {**body, "name": "Dock 4"})
    assert created.status_code == 201, created.content
    pk = created.json()["id"]
    response = client.request("PATCH", f"/api/v1/workplaces/{pk}", {"name": None})
    assert 400 <= response.status_code < 500
    assert [e["field"] for e in response.json()["errors"]] == ["name"]
    assert Workplace.objects.get(pk=pk).name == "Dock 4"
    person = {"given_name": "y" * 151, "family_name": "B", "sex": "female", "village_code": "50010101"}
    response = client.post("/api/v1/people", person)
    assert response.status_code in (400, 422)
    assert "given_name" in [e["field"] for e in response.json()["errors"]]
