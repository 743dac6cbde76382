"""Backup and restore: one encrypted file round-trips the database (every table, every row) and the private
files onto an empty place; a wrong key, a changed or cut-off file and a place in use are refused without
writing anything; an erasure made after the backup is made again after the restore."""

from __future__ import annotations

import base64
import io
import os
import sqlite3
import stat
import subprocess
import sys
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from django.core.files.base import ContentFile
from django.core.management import CommandError, call_command
from django.db import connection

from safepassage.audit import integrity
from safepassage.cases import stages
from safepassage.cases.models import Stage
from safepassage.cases.services import case_open, note_add
from safepassage.imports import services as imports
from safepassage.privacy.backup import crypto
from safepassage.privacy.services import erase_person
from safepassage.registry.models import Person
from safepassage.workplaces.models import Attachment
from safepassage.workplaces.services import observation_record, workplace_create
from tests.privacy.conftest import NAME, NATIONAL_ID, make_person

pytestmark = pytest.mark.django_db(transaction=True)

ROOT = Path(__file__).resolve().parents[2]
KEY = base64.b64encode(os.urandom(32)).decode()


@pytest.fixture(autouse=True)
def _backup_key(monkeypatch: Any, settings: Any, tmp_path: Path) -> None:
    monkeypatch.setenv("BACKUP_KEY", KEY)
    monkeypatch.delenv("BACKUP_PASSPHRASE", raising=False)
    monkeypatch.delenv("BACKUP_KEY_FILE", raising=False)
    settings.AUDIT_CHECKPOINT_FILE = tmp_path / "data" / "audit-checkpoints.jsonl"
    settings.ERASURE_LOG_FILE = tmp_path / "kept-apart" / "erasure-log.jsonl"


def fill(world: Any) -> Person:
    """People, a case with a note, an attachment, an import file, audit events and a checkpoint."""
    if not Stage.objects.exists():  # a data migration's rows; an earlier transactional test flushed them
        stages.load()
    person = make_person(world)
    case = case_open(actor=world.caseworker_a, opened_on=date(2026, 1, 5), person=person, address="Room 4")
    note_add(actor=world.caseworker_a, case=case, text=f"{NAME} told us her uncle took her ID card")
    workplace = workplace_create(
        actor=world.coordinator_a, name="Sea Star", sector="seafood", village_code=world.village_1.code
    )
    observation = observation_record(
        actor=world.coordinator_a,
        workplace=workplace,
        observed_on=date(2026, 1, 6),
        source="visit",
        reliability="B",
        indicators=[],
    )
    attachment = Attachment.objects.create(
        observation=observation, name="payslip.jpg", content_type="image/jpeg", size=3
    )
    attachment.file.save("payslip.jpg", ContentFile(b"\xff\xd8\xff payslip"))
    rows = f"given_name,family_name,village_code,sex\nMali,Srisuk,{world.village_1.code},female\n"
    imports.job_create(
        actor=world.coordinator_a, kind="people", file_name="list.csv", content=io.BytesIO(rows.encode())
    )
    integrity.checkpoint_write()
    return person


def tables(db: Any, vendor: str) -> dict[str, list[str]]:
    """Every table's rows, each as text, sorted: what the two databases must share."""
    cursor = db.cursor()
    if vendor == "sqlite":
        cursor.execute("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")
    else:
        cursor.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")
    found = {}
    for (name,) in cursor.fetchall():
        cursor.execute(f'SELECT * FROM "{name}"')  # noqa: S608
        found[name] = sorted(repr(tuple(row)) for row in cursor.fetchall())
    return found


def pg_connect(dbname: str, **options: Any) -> Any:
    import psycopg

    conf = connection.settings_dict
    params: dict[str, Any] = {
        "host": conf["HOST"] or "",
        "port": conf["PORT"] or "",
        "user": conf["USER"] or "",
    }
    return psycopg.connect(dbname=dbname, password=conf["PASSWORD"] or None, **params, **options)


def source_db() -> tuple[Any, str]:
    """A plain connection to the test database, as the restored one is read (Django's converts values)."""
    if connection.vendor == "sqlite":
        return sqlite3.connect(connection.settings_dict["NAME"]), "sqlite"
    return pg_connect(connection.settings_dict["NAME"]), "postgresql"


def source_tables() -> dict[str, list[str]]:
    db, vendor = source_db()
    try:
        return tables(db, vendor)
    finally:
        db.close()


def private_files(private: Path, data: Path) -> dict[str, bytes]:
    """The attachments, import and export files and the audit checkpoints, by where they belong."""
    found = {}
    for label, folder in (("private", private), ("imports", data / "imports"), ("exports", data / "exports")):
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                found[f"{label}/{path.relative_to(folder)}"] = path.read_bytes()
    found["checkpoints"] = (data / "audit-checkpoints.jsonl").read_bytes()
    return found


def run(*args: str, data_dir: Path, database_url: str = "", **env: str) -> subprocess.CompletedProcess[str]:
    """`safepassage …` in a fresh process, as an operator runs it on the new server."""
    data_dir.mkdir(mode=0o700, exist_ok=True)
    environ = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "DJANGO_SETTINGS_MODULE")}
    environ |= {"DATA_DIR": str(data_dir), "PYTHONPATH": str(ROOT), "PLAIN_STATIC": "1", **env}
    if database_url:
        environ["DATABASE_URL"] = database_url
    return subprocess.run(
        [sys.executable, "-m", "safepassage.cli", *args],
        env=environ,
        capture_output=True,
        text=True,
        timeout=300,
    )


def assert_same(before: dict[str, list[str]], after: dict[str, list[str]]) -> None:
    assert set(after) == set(before)
    for table, rows in before.items():
        if table == "audit_auditchainhead":
            continue  # moved on by the restore's own events; `audit verify` checks it
        if table == "audit_auditevent":
            # every event as it was, then the restore's own: erasures re-applied, the restore
            assert set(rows) <= set(after[table]) and len(after[table]) == len(rows) + 2, table
            continue
        assert len(after[table]) == len(rows), table
        assert after[table] == rows, table


def backup(tmp_path: Path) -> Path:
    out = tmp_path / "backups" / "nightly.spb"
    out.parent.mkdir()
    call_command("backup", out=str(out), stdout=io.StringIO())
    return out


@dataclass
class Place:
    """An empty place to restore into: a fresh DATA_DIR and database, as on a new server."""

    data_dir: Path
    database_url: str
    vendor: str

    def connect(self) -> Any:
        if self.vendor == "sqlite":
            return sqlite3.connect(self.data_dir / "safepassage.sqlite3")
        return pg_connect(self.database_url.rsplit("/", 1)[1])

    def run(self, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
        return run(*args, data_dir=self.data_dir, database_url=self.database_url, **env)


@pytest.fixture
def place(tmp_path: Path) -> Any:
    """On SQLite a new DATA_DIR; on PostgreSQL a new empty database too, dropped afterwards."""
    data_dir = tmp_path / "new-server"
    if connection.vendor == "sqlite":
        yield Place(data_dir, "", "sqlite")
        return
    conf = connection.settings_dict
    # Named after this run's test database, so parallel workers (and parallel runs) never share it.
    name = f"{conf['NAME']}_restore"
    admin = pg_connect("postgres", autocommit=True)
    admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    admin.execute(f'CREATE DATABASE "{name}"')
    auth = f"{conf['USER']}:{conf['PASSWORD']}" if conf["PASSWORD"] else conf["USER"]
    url = f"postgresql://{auth}@{conf['HOST'] or '127.0.0.1'}:{conf['PORT'] or 5432}/{name}"
    yield Place(data_dir, url, "postgresql")
    admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    admin.close()


def audit_triggers(db: Any, vendor: str) -> list[str]:
    cursor = db.cursor()
    if vendor == "sqlite":
        cursor.execute(
            "SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'audit_auditevent'"
        )
    else:
        cursor.execute(
            "SELECT tgname FROM pg_trigger WHERE tgrelid = 'audit_auditevent'::regclass AND NOT tgisinternal"
        )
    return sorted(row[0] for row in cursor.fetchall())


def test_a_backup_round_trips_every_row_and_file_onto_an_empty_place(world, settings, tmp_path, place):
    fill(world)
    before, files = source_tables(), private_files(Path(settings.MEDIA_ROOT), Path(settings.DATA_DIR))
    out = backup(tmp_path)

    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    assert NAME.encode() not in out.read_bytes() and NATIONAL_ID.encode() not in out.read_bytes()
    assert [p.name for p in out.parent.iterdir()] == ["nightly.spb"]  # no temporary left behind

    done = place.run("restore", str(out))
    assert done.returncode == 0, done.stderr
    assert "verified" in done.stdout
    restored = place.connect()
    assert_same(before, tables(restored, place.vendor))
    assert private_files(place.data_dir / "private", place.data_dir) == files
    for path in (place.data_dir / "private").rglob("*"):
        assert stat.S_IMODE(path.stat().st_mode) == (0o600 if path.is_file() else 0o700)
    # the append-only triggers are in place again, and the restored server checks its own trail
    assert audit_triggers(restored, place.vendor) == audit_triggers(*source_db())
    restored.close()
    assert place.run("audit", "verify").returncode == 0


def test_an_erasure_made_after_the_backup_is_made_again_after_the_restore(world, settings, tmp_path, place):
    person = fill(world)
    out = backup(tmp_path)
    erase_person(actor=world.coordinator_a, person=person, reason="person_asked")
    assert Path(settings.ERASURE_LOG_FILE).exists()

    done = place.run("restore", str(out), ERASURE_LOG_FILE=str(settings.ERASURE_LOG_FILE))
    assert done.returncode == 0, done.stderr
    assert "1 erasures made after the backup were added" in done.stdout
    restored = place.connect()
    cursor = restored.cursor()
    cursor.execute(f"SELECT given_name, family_name, national_id FROM registry_person WHERE id = {person.pk}")  # noqa: S608 - an id
    assert tuple(cursor.fetchone()) == ("", "", "")
    cursor.execute("SELECT count(*) FROM privacy_erasurelog")
    assert tuple(cursor.fetchone()) == (1,)
    restored.close()


def test_a_wrong_or_missing_key_is_refused_naming_the_setting_and_nothing_is_written(
    world, settings, tmp_path, monkeypatch
):
    fill(world)
    out = backup(tmp_path)
    target = tmp_path / "new-server"
    wrong = base64.b64encode(os.urandom(32)).decode()
    done = run("restore", str(out), data_dir=target, BACKUP_KEY=wrong)
    assert done.returncode != 0 and "BACKUP_KEY: does not open this backup" in done.stderr
    assert not (target / "private").exists() and not list(target.glob(".restore-*"))
    assert sqlite3.connect(target / "safepassage.sqlite3").execute(
        "SELECT count(*) FROM sqlite_master WHERE type = 'table'"
    ).fetchone() == (0,)

    monkeypatch.delenv("BACKUP_KEY")
    with pytest.raises(CommandError, match="BACKUP_KEY: not set"):
        call_command("backup", out=str(tmp_path / "other.spb"))
    assert not (tmp_path / "other.spb").exists()
    monkeypatch.setenv("BACKUP_KEY", KEY)
    with pytest.raises(CommandError, match="--out: cannot write"):
        call_command("backup", out=str(tmp_path))  # a folder, not a file
    assert not list(tmp_path.glob(".*.partial"))
    monkeypatch.setenv("BACKUP_KEY", "c2hvcnQ=")
    with pytest.raises(CommandError, match="BACKUP_KEY: must be 32 random bytes"):
        call_command("restore", str(out), list=True)


def test_a_changed_or_cut_off_backup_is_refused_before_anything_is_written(
    world, settings, tmp_path, monkeypatch
):
    monkeypatch.setattr(crypto, "CHUNK", 2**16)  # several chunks from a small world; the header says the size
    fill(world)
    out = backup(tmp_path)
    data = out.read_bytes()
    people = Person.objects.count()
    sealed = crypto.CHUNK + crypto.TAG
    assert len(data) > crypto.HEADER_SIZE + sealed  # more than one chunk: a cut at a chunk's end is tried
    cases = {  # what was done to the file: what the person restoring is told
        "changed": (data[:5000] + bytes([data[5000] ^ 1]) + data[5001:], "changed or damaged"),
        "cut off": (data[:-100], "cut off"),
        "cut at a chunk's end": (data[: crypto.HEADER_SIZE + sealed], "cut off"),
        "header changed": (data[:20] + bytes([data[20] ^ 1]) + data[21:], "BACKUP_KEY: does not open"),
        "not a backup": (b"PK\x03\x04" + data[4:], "not a SafePassage backup"),
    }
    for label, (damaged, told) in cases.items():
        bad = tmp_path / f"{label}.spb"
        bad.write_bytes(damaged)
        with pytest.raises(CommandError) as caught:
            call_command("restore", str(bad), list=True, stdout=io.StringIO())
        assert told in str(caught.value), label
        with pytest.raises(CommandError):
            call_command("restore", str(bad), stdout=io.StringIO())
        assert not list(Path(settings.DATA_DIR).glob(".restore-*"))
    assert Person.objects.count() == people


def test_a_place_in_use_is_refused_naming_what_is_not_empty(world, settings, tmp_path):
    fill(world)
    out = backup(tmp_path)
    with pytest.raises(CommandError, match="not empty") as caught:
        call_command("restore", str(out), stdout=io.StringIO())
    assert "accounts_agency" in str(caught.value) and str(settings.MEDIA_ROOT) in str(caught.value)


def test_a_passphrase_backup_lists_what_it_holds(world, tmp_path, monkeypatch):
    monkeypatch.setattr(crypto, "SCRYPT_LOG2_N", 14)  # fast here; the header carries the cost
    monkeypatch.delenv("BACKUP_KEY")
    fill(world)
    phrase = tmp_path / "phrase"
    phrase.write_text("correct horse battery staple\n")
    out = tmp_path / "weekly.spb"
    call_command("backup", out=str(out), passphrase_file=str(phrase), stdout=io.StringIO())
    listing = io.StringIO()
    call_command("restore", str(out), passphrase_file=str(phrase), list=True, stdout=listing)
    text = listing.getvalue()
    assert "files/private/" in text and "files/imports/" in text and "audit-checkpoints.jsonl" in text
    monkeypatch.setenv("BACKUP_KEY", KEY)
    with pytest.raises(CommandError, match="BACKUP_PASSPHRASE: this backup was made with a passphrase"):
        call_command("restore", str(out), list=True)
    phrase.write_text("short")
    with pytest.raises(CommandError, match="--passphrase-file: must be at least 16"):
        call_command("backup", out=str(tmp_path / "x.spb"), passphrase_file=str(phrase))
