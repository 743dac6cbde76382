"""Encryption at rest: a marker planted through every write path (page, API, import, bulk round, merge and
undo, restore) is in no raw database file, no pg_dump output and no file under DATA_DIR; ID numbers are still
found (search, imports' duplicate check); after `keys rotate` every record reads, and the old key can go."""

from __future__ import annotations

import base64
import io
import os
import random
import subprocess
import uuid
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from django.core.files.base import ContentFile
from django.db import connection

from safepassage.cases import stages
from safepassage.cases.models import Case, CaseNote, IntakeReport, Stage
from safepassage.cases.services import case_open, intake_record, note_add
from safepassage.core import crypto
from safepassage.core.env import EnvError
from safepassage.core.files import open_private
from safepassage.core.models import KeyRecord
from safepassage.imports import services as imports
from safepassage.imports.models import ImportJob
from safepassage.linkage import services as linkage
from safepassage.linkage.models import MatchCandidate, Merge
from safepassage.privacy import keys
from safepassage.registry.models import Assessment, Catalogue, Person
from safepassage.registry.validation import thai_id_valid
from safepassage.testing import api_client, web_client
from safepassage.workplaces.models import Attachment
from safepassage.workplaces.services import observation_record, workplace_create
from tests.privacy.test_backup import backup
from tests.privacy.test_backup import place as place

pytestmark = pytest.mark.django_db(transaction=True)


def thai_id(rng: random.Random) -> str:
    """A fresh 13-digit Thai ID number with a right check digit: a marker no other test writes."""
    while True:
        digits = "".join(str(rng.randrange(10)) for _ in range(12))
        for last in "0123456789":
            if thai_id_valid(digits + last):
                return digits + last


def raw_database(url: str = "", dbname: str = "") -> dict[str, bytes]:
    """The database as its files hold it (SQLite: the file, its -wal and -shm) or as pg_dump writes it."""
    if connection.vendor == "sqlite":
        name = dbname or str(connection.settings_dict["NAME"])
        return {
            name + s: Path(name + s).read_bytes() for s in ("", "-wal", "-shm") if Path(name + s).exists()
        }
    conf = connection.settings_dict
    env = {**os.environ, "PGPASSWORD": conf["PASSWORD"] or ""}
    command = [
        "pg_dump",
        "--no-owner",
        f"--host={conf['HOST'] or '127.0.0.1'}",
        f"--port={conf['PORT'] or 5432}",
    ]
    command += [f"--username={conf['USER']}", dbname or str(conf["NAME"])]
    dumped = subprocess.run(command, env=env, capture_output=True, check=True, timeout=300)
    return {"pg_dump": dumped.stdout}


def raw_files(*folders: Path) -> dict[str, bytes]:
    found = {}
    for folder in folders:
        for path in Path(folder).rglob("*"):
            if path.is_file():
                found[str(path)] = path.read_bytes()
    return found


def found_in(stores: dict[str, bytes], markers: list[str]) -> list[tuple[str, str]]:
    return [(marker, name) for name, data in stores.items() for marker in markers if marker.encode() in data]


def plant(world: Any, settings: Any) -> dict[str, Any]:
    """The markers, written every way a user or an operator writes them."""
    if not Stage.objects.exists():
        stages.load()
    rng = random.Random(uuid.uuid4().int)
    ids = [thai_id(rng) for _ in range(5)]
    note = f"marker-{uuid.uuid4().hex}"
    village = world.village_1.code

    # a page: the "add a person" form
    page = web_client(world.coordinator_a).post(
        f"/risk/people/new/?village={village}",
        {
            "given_name": "Page",
            "sex": "female",
            "birth_year": 1990,
            "national_id": ids[0],
            "notes": f"{note} 1",
        },
    )
    assert page.status_code == 302, page.content[:500]
    # the API
    made = api_client(world.coordinator_a).post(
        "/api/v1/people",
        {
            "given_name": "Api",
            "village_code": village,
            "birth_year": 1990,
            "national_id": ids[1],
            "notes": f"{note} 2",
        },
    )
    assert made.status_code == 201, made.json()
    # an import of people (the file is kept while it waits; its preview is stored)
    rows = (
        f"given_name,village_code,birth_year,national_id,notes\nImported,{village},1991,{ids[2]},{note} 3\n"
    )
    job = imports.job_check(
        imports.job_create(
            actor=world.coordinator_a,
            kind="people",
            file_name="people.csv",
            content=io.BytesIO(rows.encode()),
        )
    )
    assert job.status == ImportJob.Status.CHECKED, list(job.problems.all())
    imports.job_apply(actor=world.coordinator_a, job=job)
    # a bulk round: assessments of the imported person found by their ID number (stored file and preview too)
    catalogue = Catalogue.objects.get(status="active")
    indicators = [i.code for i in catalogue.indicators.order_by("code") if i.level in "IH"]
    header = ",".join(["national_id", "assessed_on", *indicators])
    line = ",".join([ids[2], (date.today() - timedelta(days=3)).isoformat(), *["1"] * len(indicators)])
    round_job = imports.job_check(
        imports.job_create(
            actor=world.coordinator_a,
            kind="assessments",
            file_name="round.csv",
            content=io.BytesIO(f"{header}\n{line}\n".encode()),
        )
    )
    assert round_job.status == ImportJob.Status.CHECKED, list(round_job.problems.all())
    imports.job_apply(actor=world.coordinator_a, job=round_job)
    assert Assessment.objects.filter(person__national_id_index=crypto.blind_index(ids[2])).count() == 1
    # a file waiting to be imported (kept on disk until applied or cancelled)
    imports.job_create(
        actor=world.coordinator_a,
        kind="people",
        file_name="waiting.csv",
        content=io.BytesIO(f"given_name,village_code,national_id\nWaiting,{village},{ids[4]}\n".encode()),
    )
    # a merge and its undo: the snapshots of both records
    common = {"agency": world.agency_a, "village": world.village_1, "birth_year": 1980}
    a = Person.objects.create(given_name="Merge", **common)
    b = Person.objects.create(given_name="Merge", national_id=ids[3], notes=f"{note} 4", **common)
    candidate = MatchCandidate.objects.create(
        agency=world.agency_a,
        other_agency=world.agency_a,
        person_a_id=a.pk,
        person_b_id=b.pk,
        match_weight=9.0,
        probability=0.99,
        evidence=[],
    )
    record = linkage.merge(actor=world.coordinator_a, candidate=candidate)
    linkage.undo(actor=world.coordinator_a, merge_record=Merge.objects.get(pk=record.pk))
    # case work: an intake, a case with an address and health notes, a case note, an attachment
    intake_record(
        actor=world.caseworker_a,
        channel="call",
        summary=f"{note} 5",
        notifier_name=f"{note} 6",
        notifier_contact=f"{note} 7",
        area_code=village,
    )
    person = Person.objects.get(national_id_index=crypto.blind_index(ids[0]))
    case = case_open(
        actor=world.caseworker_a,
        opened_on=date(2026, 1, 5),
        person=person,
        address=f"{note} 8",
        health=f"{note} 9",
    )
    note_add(actor=world.caseworker_a, case=case, text=f"{note} 10")
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
        informant=f"{note} 11",
    )
    attachment = Attachment.objects.create(
        observation=observation, name="payslip.txt", content_type="text/plain", size=3
    )
    attachment.file.save("payslip.txt", ContentFile(f"payslip {note} 12".encode()))
    return {"ids": ids, "note": note, "attachment": attachment, "case": case}


def test_a_marker_written_every_way_is_in_no_raw_file_and_still_reads(
    world,
    settings,
    tmp_path,
    place,
    monkeypatch,
):
    monkeypatch.setenv("BACKUP_KEY", base64.b64encode(os.urandom(32)).decode())
    monkeypatch.delenv("BACKUP_PASSPHRASE", raising=False)
    settings.AUDIT_CHECKPOINT_FILE = tmp_path / "data" / "audit-checkpoints.jsonl"
    settings.ERASURE_LOG_FILE = tmp_path / "kept-apart" / "erasure-log.jsonl"
    planted = plant(world, settings)
    ids, note = planted["ids"], planted["note"]
    markers = [*ids, note]

    # a backup, restored onto an empty place (a new server): what it writes holds no marker either
    out = backup(tmp_path)
    done = place.run("restore", str(out))
    assert done.returncode == 0, done.stderr
    restored_db = (
        raw_database(dbname=str(place.data_dir / "safepassage.sqlite3"))
        if place.vendor == "sqlite"
        else raw_database(dbname=place.database_url.rsplit("/", 1)[-1])
    )

    stores = {
        **raw_database(),
        **raw_files(Path(settings.DATA_DIR), Path(settings.MEDIA_ROOT), Path(os.environ["DATA_DIR"])),
        **restored_db,
        **raw_files(place.data_dir),
    }
    assert any(name.endswith(("sqlite3", "pg_dump")) for name in stores)
    assert found_in(stores, markers) == []

    # … and everything reads: the people by their ID numbers, the notes, the case, the files
    for number, n in zip(ids[:4], (1, 2, 3, 4), strict=True):
        person = Person.objects.get(national_id_index=crypto.blind_index(number))
        assert (person.national_id, person.notes) == (number, f"{note} {n}")
    assert Case.objects.get(pk=planted["case"].pk).address == f"{note} 8"
    assert CaseNote.objects.get(case=planted["case"]).text == f"{note} 10"
    assert IntakeReport.objects.get().summary == f"{note} 5"
    with Attachment.objects.get(pk=planted["attachment"].pk).file.open("rb") as handle:
        assert handle.read() == f"payslip {note} 12".encode()

    # ID search (with the spaces and dashes people type) and the imports' duplicate check still work
    spaced = f"{ids[1][:1]}-{ids[1][1:5]} {ids[1][5:10]}-{ids[1][10:]}"
    listed = web_client(world.coordinator_a).get("/risk/people/", {"q": spaced})
    assert b"Api" in listed.content
    again = imports.job_check(
        imports.job_create(
            actor=world.coordinator_a,
            kind="people",
            file_name="again.csv",
            content=io.BytesIO(
                f"given_name,village_code,national_id\nTwice,{world.village_1.code},{ids[2]}\n".encode()
            ),
        )
    )
    assert [p.column for p in again.problems.all()] == ["national_id"]
    assert "already registered" in again.problems.get().reason

    # a new key first: `keys rotate` re-seals everything under it; then the old key can go
    old = settings.ENCRYPTION_KEYS
    new = base64.b64decode(crypto.new_key_text())
    settings.ENCRYPTION_KEYS = (new, *old)
    rotation = keys.rotate(batch=3)
    assert rotation.key_id == crypto.key_id(new) and rotation.files >= 3
    second = keys.rotate(batch=3)  # stopped half-way, a second run only goes on: here, nothing is left
    assert sum(second.rows.values()) == 0 and second.files == 0
    assert set(KeyRecord.objects.filter(purpose="data").values_list("key_id", flat=True)) == {
        crypto.key_id(new)
    }
    settings.ENCRYPTION_KEYS = (new,)
    report = keys.check()
    assert report.unreadable == [] and set(report.values) == {crypto.key_id(new)}
    assert set(report.files) == {crypto.key_id(new)}
    crypto.check_keys(record=False)
    for number in ids[:4]:
        assert Person.objects.get(national_id_index=crypto.blind_index(number)).national_id == number
    assert [p.notes for p in Person.objects.order_by("pk") if p.notes.startswith(note)]
    with Attachment.objects.get(pk=planted["attachment"].pk).file.open("rb") as handle:
        assert handle.read() == f"payslip {note} 12".encode()
    waiting = [imports.imports_dir() / job.stored_as for job in ImportJob.objects.exclude(stored_as="")]
    waiting = [path for path in waiting if path.exists()]  # (applied files are removed)
    assert len(waiting) >= 2
    for path in waiting:
        with open_private(path) as handle:
            assert handle.read().startswith(b"given_name")

    # the old key alone no longer opens the database: start-up stops, naming the setting
    settings.ENCRYPTION_KEYS = old
    with pytest.raises(EnvError, match="ENCRYPTION_KEYS"):
        crypto.check_keys()
