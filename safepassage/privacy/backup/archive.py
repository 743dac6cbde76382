"""Making a backup: the database (SQLite's online backup, or `pg_dump --format=custom` streamed) and the
private files under DATA_DIR, packed as one tar stream straight into the encryptor. Clear text is never
written to disk: the output is sealed as it is made, under a temporary name, renamed only when complete."""

from __future__ import annotations

import io
import json
import os
import secrets
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any

from django.conf import settings
from django.db import connection, transaction
from django.db.migrations.recorder import MigrationRecorder

from safepassage.audit.services import audit_record
from safepassage.privacy.backup.crypto import BackupError, EncryptingWriter, Secret

FORMAT = 1
MANIFEST = "manifest.json"
SQLITE_MEMBER = "database.sqlite3"
PG_PREFIX = "database.pgdump."
PG_PART = 64 * 2**20  # pg_dump's output goes in parts this big, each held in memory only while it is packed
CHECKPOINTS = "audit-checkpoints.jsonl"
FILES = "files/"


def private_folders() -> dict[str, Path]:
    """The folders of private files a backup carries: attachments, imported files, export files."""
    data = Path(settings.DATA_DIR)
    return {"private": Path(settings.MEDIA_ROOT), "imports": data / "imports", "exports": data / "exports"}


def vendor() -> str:
    return "postgresql" if connection.vendor == "postgresql" else "sqlite"


@dataclass
class Made:
    """What went into a backup."""

    path: Path
    vendor: str
    files: int = 0
    size: int = 0
    members: list[str] = field(default_factory=list)


def _info(name: str, size: int, mtime: float | None = None) -> tarfile.TarInfo:
    info = tarfile.TarInfo(name)
    info.size = size
    info.mode = 0o600
    info.mtime = int(mtime if mtime is not None else time.time())
    return info


def _add_bytes(tar: tarfile.TarFile, name: str, data: bytes) -> None:
    tar.addfile(_info(name, len(data)), io.BytesIO(data))


def _sqlite_snapshot() -> bytes:
    """The live database as one consistent snapshot, by SQLite's online backup into memory (never a copy
    of a file that may be half-written, never a clear-text file)."""
    name = str(connection.settings_dict["NAME"])
    if not Path(name).exists():
        raise BackupError(f"there is no database at {name!r} to back up")
    source = sqlite3.connect(f"file:{name}?mode=ro", uri=True)
    memory = sqlite3.connect(":memory:")
    try:
        source.backup(memory)
        return memory.serialize()
    finally:
        memory.close()
        source.close()


def tool(name: str) -> str:
    """A PostgreSQL client program on PATH, or a refusal naming it."""
    path = shutil.which(name)
    if path is None:
        raise BackupError(
            f"{name} was not found on PATH; install PostgreSQL's client programs (Debian: postgresql-client) "
            "of the same major version as the server"
        )
    return path


def pg_env() -> dict[str, str]:
    """libpq's variables for the configured database: the password never goes on a command line."""
    conf = connection.settings_dict
    env = dict(os.environ)
    for key, var in (("NAME", "PGDATABASE"), ("USER", "PGUSER"), ("PASSWORD", "PGPASSWORD")):
        if conf.get(key):
            env[var] = str(conf[key])
    for key, var in (("HOST", "PGHOST"), ("PORT", "PGPORT")):
        if conf.get(key):
            env[var] = str(conf[key])
    options = conf.get("OPTIONS") or {}
    for option, var in (("sslmode", "PGSSLMODE"), ("sslrootcert", "PGSSLROOTCERT")):
        if options.get(option):
            env[var] = str(options[option])
    return env


def _read_full(stream: IO[bytes], size: int) -> bytes:
    parts = bytearray()
    while len(parts) < size:
        part = stream.read(size - len(parts))
        if not part:
            break
        parts += part
    return bytes(parts)


def _pg_dump(tar: tarfile.TarFile, made: Made) -> None:
    program = tool("pg_dump")
    with tempfile.TemporaryFile() as errors:
        process = subprocess.Popen(  # noqa: S603 - a fixed program and arguments, no shell
            [program, "--format=custom", "--no-password"],
            stdout=subprocess.PIPE,
            stderr=errors,
            env=pg_env(),
        )
        assert process.stdout is not None
        try:
            number = 0
            while True:
                part = _read_full(process.stdout, PG_PART)
                if not part and number:
                    break
                number += 1
                name = f"{PG_PREFIX}{number:04d}"
                _add_bytes(tar, name, part)
                made.members.append(name)
                if len(part) < PG_PART:
                    break
        finally:
            process.stdout.close()
            code = process.wait()
        if code != 0:
            errors.seek(0)
            said = errors.read().decode("utf-8", "replace").strip().splitlines()[-3:]
            raise BackupError(f"pg_dump failed ({code}): {' '.join(said)}")


def _files() -> Iterator[tuple[str, Path]]:
    for label, folder in private_folders().items():
        if not folder.is_dir():
            continue
        for root, dirs, names in os.walk(folder):
            dirs.sort()
            for name in sorted(names):
                path = Path(root) / name
                if path.is_file() and not path.is_symlink():
                    yield f"{FILES}{label}/{path.relative_to(folder).as_posix()}", path


def _write(sink: IO[bytes], secret: Secret, made: Made) -> None:
    writer = EncryptingWriter(sink, secret)
    recorder = MigrationRecorder(connection)
    manifest = {
        "format": FORMAT,
        "made_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "vendor": made.vendor,
        "migrations": sorted([app, name] for app, name in recorder.applied_migrations()),
    }
    with tarfile.open(fileobj=writer, mode="w|", format=tarfile.PAX_FORMAT) as tar:  # type: ignore[call-overload]
        _add_bytes(tar, MANIFEST, json.dumps(manifest, indent=1).encode("utf-8"))
        if made.vendor == "sqlite":
            snapshot = _sqlite_snapshot()
            _add_bytes(tar, SQLITE_MEMBER, snapshot)
            del snapshot
            made.members.append(SQLITE_MEMBER)
        else:
            _pg_dump(tar, made)
        for name, path in _files():
            with path.open("rb") as handle:
                stat = os.fstat(handle.fileno())
                tar.addfile(_info(name, stat.st_size, stat.st_mtime), handle)
            made.files += 1
            made.members.append(name)
        checkpoints = Path(settings.AUDIT_CHECKPOINT_FILE)
        if checkpoints.is_file():
            _add_bytes(tar, CHECKPOINTS, checkpoints.read_bytes())
            made.members.append(CHECKPOINTS)
    writer.close()


def backup_make(*, out: Path, secret: Secret) -> Made:
    """Write an encrypted backup to `out` (0600): under a temporary name beside it, renamed when complete."""
    out = out.expanduser().absolute()
    if not out.parent.is_dir():
        raise BackupError(f"--out: the folder {str(out.parent)!r} does not exist")
    made = Made(path=out, vendor=vendor())
    temporary = out.parent / f".{out.name}.{secrets.token_hex(4)}.partial"
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "wb") as sink:
            _write(sink, secret, made)
            sink.flush()
            os.fsync(sink.fileno())
        os.replace(temporary, out)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    directory = os.open(out.parent, os.O_RDONLY)
    try:
        os.fsync(directory)
    finally:
        os.close(directory)
    made.size = out.stat().st_size
    with transaction.atomic():
        audit_record(
            actor=None,
            action="privacy.backup.create",
            object_type="privacy.backup",
            changes={"vendor": made.vendor, "files": made.files, "bytes": made.size},
        )
    return made


def manifest_read(data: bytes) -> dict[str, Any]:
    try:
        manifest = json.loads(data)
    except ValueError:
        manifest = None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise BackupError("this backup's contents list cannot be read by this SafePassage")
    return manifest
