"""Sealed fields, the blind index, sealed files and the key checks (core.crypto, core.fields, core.files)."""

from __future__ import annotations

import base64
import io
import os
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from django.core.exceptions import FieldError
from django.db import connection

from safepassage.core import crypto
from safepassage.core.env import EnvError
from safepassage.core.files import SealedReader, open_private, write_private
from safepassage.core.models import KeyRecord
from safepassage.core.sealing import rewrite_table, seal_columns
from safepassage.registry.models import Person
from safepassage.registry.selectors import person_list

ROOT = Path(__file__).resolve().parents[2]


def raw(model: Any, pk: int, column: str) -> Any:
    with connection.cursor() as cursor:
        table, q = model._meta.db_table, connection.ops.quote_name
        cursor.execute(f"SELECT {q(column)} FROM {q(table)} WHERE id = %s", [pk])  # noqa: S608
        return cursor.fetchone()[0]


@pytest.mark.django_db
def test_a_sealed_field_is_stored_sealed_reads_clear_and_cannot_be_searched(world):
    person = Person.objects.create(
        agency=world.agency_a,
        village=world.village_1,
        given_name="Noi",
        national_id="1101700207366",
        notes="x",
    )
    stored = raw(Person, person.pk, "national_id")
    assert stored.startswith(crypto.PREFIX) and "1101700207366" not in stored
    assert raw(Person, person.pk, "notes") != "x"
    assert Person.objects.get(pk=person.pk).national_id == "1101700207366"
    assert list(Person.objects.filter(pk=person.pk).values_list("notes", flat=True)) == ["x"]
    # the same value sealed twice differs (a fresh nonce): equal numbers are found by the blind index only
    assert crypto.seal("1101700207366") != crypto.seal("1101700207366")
    with pytest.raises(FieldError, match="encrypted"):
        list(Person.objects.filter(national_id="1101700207366"))
    with pytest.raises(FieldError):
        list(Person.objects.filter(notes__icontains="x"))
    assert not Person.objects.filter(pk=person.pk, notes="").exists()  # "has none" still works
    # update() and bulk_update() seal too, and keep the blind index in step
    Person.objects.filter(pk=person.pk).update(national_id="AB-12 345")
    assert raw(Person, person.pk, "national_id").startswith(crypto.PREFIX)
    assert raw(Person, person.pk, "national_id_index") == crypto.blind_index("ab12345")
    person.refresh_from_db()
    person.national_id = "C 77"
    Person.objects.bulk_update([person], ["national_id"])
    assert Person.objects.get(national_id_index=crypto.blind_index("c-77")).pk == person.pk


@pytest.mark.django_db
def test_people_are_found_by_their_id_number_as_people_type_it(world):
    Person.objects.create(
        agency=world.agency_a, village=world.village_1, given_name="Noi", national_id="1101700207366"
    )
    Person.objects.create(agency=world.agency_a, village=world.village_1, given_name="Nobody")
    found = person_list(viewer=world.coordinator_a, query="1-1017-00207-36-6")
    assert [p.given_name for p in found] == ["Noi"]
    assert [p.given_name for p in person_list(viewer=world.coordinator_a, query="")] != []
    assert list(person_list(viewer=world.coordinator_a, query="0000000000000")) == []


def test_keys_are_checked_naming_the_setting():
    good = crypto.new_key_text()
    assert len(crypto.parse_keys("ENCRYPTION_KEYS", f"{good}, {crypto.new_key_text()}")) == 2
    for bad, reason in (
        ("not base64!", "base64"),
        (base64.b64encode(b"short").decode(), "32 bytes"),
        ("", "no key"),
    ):
        with pytest.raises(EnvError, match=f"ENCRYPTION_KEYS: .*{reason}"):
            crypto.parse_keys("ENCRYPTION_KEYS", bad)
    with pytest.raises(EnvError, match="twice"):
        crypto.parse_keys("ENCRYPTION_KEYS", f"{good},{good}")


@pytest.mark.django_db
def test_a_wrong_or_missing_key_stops_start_up_naming_the_setting(settings):
    crypto.check_keys()  # the test keys are recorded
    recorded = set(KeyRecord.objects.values_list("purpose", flat=True))
    assert recorded == {"data", "blind"}
    right, blind = settings.ENCRYPTION_KEYS, settings.BLIND_INDEX_KEY
    settings.ENCRYPTION_KEYS = (base64.b64decode(crypto.new_key_text()),)
    with pytest.raises(EnvError, match=r"ENCRYPTION_KEYS: .*not among the keys given"):
        crypto.check_keys()
    settings.ENCRYPTION_KEYS = right
    settings.BLIND_INDEX_KEY = base64.b64decode(crypto.new_key_text())
    with pytest.raises(EnvError, match="BLIND_INDEX_KEY"):
        crypto.check_keys()
    settings.BLIND_INDEX_KEY = blind
    crypto.check_keys()


def _start(**env: str) -> subprocess.CompletedProcess[str]:
    environ = {k: v for k, v in os.environ.items() if k not in ("DJANGO_SETTINGS_MODULE",)}
    environ |= {"PYTHONPATH": str(ROOT), **env}
    return subprocess.run(
        [sys.executable, "-m", "safepassage.cli", "check"],
        env=environ,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_a_malformed_or_missing_key_stops_the_command_naming_the_setting(tmp_path):
    data = tmp_path / "data"
    data.mkdir(mode=0o700)
    bad = _start(DATA_DIR=str(data), ENCRYPTION_KEYS="not-a-key")
    assert bad.returncode == 2 and "ENCRYPTION_KEYS" in bad.stderr, bad.stderr
    same = _start(DATA_DIR=str(data), BLIND_INDEX_KEY=os.environ["ENCRYPTION_KEYS"])
    assert same.returncode == 2 and "BLIND_INDEX_KEY" in same.stderr, same.stderr
    # PostgreSQL (production) never makes keys up: without them it does not start (before connecting)
    environ = {"DATA_DIR": str(data), "DATABASE_URL": "postgresql://nobody@127.0.0.1:1/none"}
    missing = _start(**environ, ENCRYPTION_KEYS="", BLIND_INDEX_KEY="")
    assert missing.returncode == 2 and "ENCRYPTION_KEYS: not set" in missing.stderr, missing.stderr
    assert not (data / "encryption_keys").exists()


def test_a_sealed_file_reads_back_by_seeking_and_a_cut_or_changed_one_is_refused(tmp_path, monkeypatch):
    monkeypatch.setattr(crypto, "FILE_CHUNK", 16)  # many chunks from a small file
    clear = bytes(range(256)) * 3
    path = tmp_path / "file"
    with write_private(path) as out:
        out.write(clear[:100])
        out.write(clear[100:])
    sealed = path.read_bytes()
    assert clear[:32] not in sealed and sealed.startswith(crypto.FILE_MAGIC)
    assert oct(path.stat().st_mode & 0o777) == "0o600"
    with open_private(path) as handle:
        assert handle.read() == clear
        handle.seek(500)
        assert handle.read(20) == clear[500:520]
        handle.seek(-5, io.SEEK_END)
        assert handle.read() == clear[-5:]
    whole = (
        len(crypto.FILE_MAGIC) + crypto.KID_CHARS + 48 * (16 + 32)
    )  # cut after a whole chunk, and within one
    for damaged in (
        sealed[:-48],
        sealed[:-40],
        sealed[: whole - 48 * 5],
        sealed[:-1] + bytes([sealed[-1] ^ 1]),
    ):
        path.write_bytes(damaged)
        with pytest.raises(crypto.DecryptionError), SealedReader(path.open("rb")) as reader:
            reader.read()
    exact = tmp_path / "exact"
    with write_private(exact) as out:
        out.write(b"x" * 32)  # two whole chunks: the second is the last
    assert open_private(exact).read() == b"x" * 32


@pytest.mark.django_db
def test_the_migration_seals_values_stored_before_and_writes_the_blind_index(world):
    person = Person.objects.create(agency=world.agency_a, village=world.village_1, given_name="Old")
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE registry_person SET national_id = %s, notes = %s, national_id_index = '' WHERE id = %s",
            ["1101700207366", "clear note", person.pk],
        )
    assert Person.objects.get(pk=person.pk).notes == "clear note"  # read as it is until sealed
    step = seal_columns(
        "registry", "person", ["national_id", "notes"], index={"national_id_index": "national_id"}
    )
    from django.apps import apps

    step.code(apps, SimpleNamespace(connection=connection))  # type: ignore[arg-type]
    assert raw(Person, person.pk, "notes").startswith(crypto.PREFIX)
    assert Person.objects.get(national_id_index=crypto.blind_index("1101700207366")).notes == "clear note"
    # run again (a migration re-run, or after a crash): nothing changes
    assert rewrite_table(connection, "registry_person", "id", ["notes"], lambda c, v: v) == 0
