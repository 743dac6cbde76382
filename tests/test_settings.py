"""Settings from the environment: clear errors that name the variable, safe defaults."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from safepassage.core.env import Env, EnvError, data_dir, database, secret_key

ROOT = Path(__file__).resolve().parent.parent


def test_bad_values_name_the_variable(tmp_path):
    with pytest.raises(EnvError, match=r"^DEBUG: expected true or false"):
        Env({"DEBUG": "maybe"}).flag("DEBUG")
    with pytest.raises(EnvError, match=r"^SESSION_HOURS: expected a whole number"):
        Env({"SESSION_HOURS": "eight"}).integer("SESSION_HOURS", 8)
    with pytest.raises(EnvError, match=r"^DATABASE_URL: SafePassage runs on postgresql"):
        database(Env({"DATABASE_URL": "mysql://x@y/z"}), tmp_path)
    with pytest.raises(EnvError, match=r"^SECRET_KEY: must be at least 32"):
        secret_key(Env({"SECRET_KEY": "short"}), tmp_path)


def test_the_command_refuses_to_start_with_a_bad_value_and_says_which(tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "safepassage.cli", "check"],
        env={"DATA_DIR": str(tmp_path), "DEBUG": "perhaps", "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 2
    assert "DEBUG: expected true or false, got 'perhaps'" in result.stderr


def test_a_secret_key_is_generated_once_into_the_data_dir(tmp_path):
    first = secret_key(Env({}), tmp_path)
    second = secret_key(Env({}), tmp_path)
    assert first == second and len(first) >= 50
    assert (tmp_path / "secret_key").stat().st_mode & 0o777 == 0o600


def test_a_secret_can_come_from_a_file(tmp_path):
    secret_file = tmp_path / "key"
    secret_file.write_text("k" * 40 + "\n")
    assert secret_key(Env({"SECRET_KEY_FILE": str(secret_file)}), tmp_path) == "k" * 40


def test_the_default_database_is_sqlite_in_the_data_dir_with_wal(tmp_path):
    folder = data_dir(Env({"DATA_DIR": str(tmp_path / "var")}))
    config: dict = database(Env({}), folder)
    assert config["NAME"] == str(Path(folder) / "safepassage.sqlite3")
    assert "journal_mode=WAL" in config["OPTIONS"]["init_command"]
    assert config["OPTIONS"]["timeout"] >= 5


def test_a_postgresql_url_is_understood(tmp_path):
    config = database(Env({"DATABASE_URL": "postgresql://sp:pw@db.example:5433/safepassage"}), tmp_path)
    assert config["ENGINE"] == "django.db.backends.postgresql"
    assert (config["HOST"], config["PORT"], config["NAME"]) == ("db.example", 5433, "safepassage")


def test_an_empty_environment_gives_safe_production_defaults(tmp_path):
    code = (
        "import django; django.setup(); from django.conf import settings as s; "
        "print(s.DEBUG, s.TIME_ZONE, s.PASSWORD_HASHERS[0].rsplit('.', 1)[1], "
        "s.DATABASES['default']['ENGINE'], "
        "'django.middleware.csrf.CsrfViewMiddleware' in s.MIDDLEWARE)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        env={
            "DATA_DIR": str(tmp_path),
            "DJANGO_SETTINGS_MODULE": "safepassage.settings",
            "PATH": "/usr/bin:/bin",
        },
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    assert result.stdout.split() == [
        "False",
        "Asia/Bangkok",
        "Argon2PasswordHasher",
        "django.db.backends.sqlite3",
        "True",
    ]


@pytest.mark.django_db
def test_healthz_reports_the_database(client):
    from django.db import connection

    import safepassage

    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {
        "status": "ok",
        "database": connection.vendor,
        "version": safepassage.__version__,
    }


def test_the_sqlite_file_runs_in_wal_mode_with_foreign_keys(tmp_path, django_db_blocker):
    from django.db.utils import ConnectionHandler

    handler = ConnectionHandler({"default": database(Env({}), tmp_path)})
    connection = handler["default"]
    try:
        with django_db_blocker.unblock(), connection.cursor() as cursor:
            cursor.execute("PRAGMA journal_mode")
            assert cursor.fetchone()[0] == "wal"
            cursor.execute("PRAGMA foreign_keys")
            assert cursor.fetchone()[0] == 1
    finally:
        connection.close()


def test_the_migrations_match_the_models(tmp_path):
    # In a process of its own: test modules declare stand-in models (tests/core/test_scoping.py) that are no
    # part of the product and must not count as changes.
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    found = subprocess.run(
        [sys.executable, "manage.py", "makemigrations", "--check", "--dry-run", "-v", "3"],
        cwd=ROOT,
        env={**env, "DATA_DIR": str(tmp_path / "data")},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert found.returncode == 0, f"the models have changes no migration holds:\n{found.stdout[:4000]}"
