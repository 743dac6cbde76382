"""Restoring a backup onto an empty place: the whole file is checked first (nothing is written from a file
that was changed, cut off or opened with the wrong key), then the database and the files are put in place,
older backups are brought up to date, the erasure log is applied again and the audit trail is verified."""

from __future__ import annotations

import contextlib
import os
import secrets
import shutil
import subprocess
import tarfile
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import IO, Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.db import connection, connections, transaction
from django.db.migrations.executor import MigrationExecutor
from django.db.migrations.loader import MigrationLoader

from safepassage.audit import integrity
from safepassage.audit.services import audit_record
from safepassage.core import crypto
from safepassage.privacy.backup import archive, erasures
from safepassage.privacy.backup.crypto import BackupError, DecryptingReader, Secret
from safepassage.privacy.services import reapply_erasures

# Tables `migrate` itself fills (bookkeeping and seeded lists): rows there do not make a database "in use".
SEEDED = {
    "django_migrations",
    "django_content_type",
    "auth_permission",
    "sqlite_sequence",
    "registry_catalogue",
    "registry_indicator",
    "cases_stage",
    "core_keyrecord",  # the keys noted by `migrate` (core.crypto.check_keys); the backup's replace them
    "network_hotline",
    "network_agreement",
}


@dataclass
class Contents:
    """What a backup holds, read and checked from end to end."""

    manifest: dict[str, Any]
    members: list[tuple[str, int]] = field(default_factory=list)

    @property
    def files(self) -> int:
        return sum(1 for name, _ in self.members if name.startswith(archive.FILES))


def _open(path: Path) -> IO[bytes]:
    try:
        return path.open("rb")
    except OSError as exc:
        raise BackupError(f"cannot read {str(path)!r} ({exc.strerror})") from exc


def _safe(name: str) -> PurePosixPath:
    pure = PurePosixPath(name)
    if pure.is_absolute() or ".." in pure.parts or not pure.parts:
        raise BackupError(f"this backup holds a file with an unsafe name ({name!r}); it cannot be used")
    return pure


def inspect(path: Path, secret: Secret) -> Contents:
    """Read the whole backup, proving every part unchanged; what it holds. Writes nothing."""
    with _open(path) as source:
        reader = DecryptingReader(source, secret)
        contents: Contents | None = None
        try:
            with tarfile.open(fileobj=reader, mode="r|") as tar:  # type: ignore[call-overload]
                for member in tar:
                    if not member.isfile():
                        raise BackupError(f"this backup holds something that is not a file ({member.name!r})")
                    _safe(member.name)
                    handle = tar.extractfile(member)
                    assert handle is not None
                    if member.name == archive.MANIFEST:
                        contents = Contents(archive.manifest_read(handle.read()))
                    else:
                        while handle.read(2**20):
                            pass
                    if contents is None:
                        raise BackupError("this backup does not start with its contents list")
                    contents.members.append((member.name, member.size))
        except tarfile.TarError as exc:
            raise BackupError(f"this backup's contents cannot be read ({exc})") from exc
        if reader.read(1):
            raise BackupError("this backup has something after its end; it cannot be used")
    if contents is None:
        raise BackupError("this backup is empty")
    return contents


def _tables_with_rows() -> list[str]:
    with connection.cursor() as cursor:
        names = connection.introspection.table_names(cursor)
        found = []
        for table in sorted(set(names) - SEEDED):
            cursor.execute(f"SELECT 1 FROM {connection.ops.quote_name(table)} LIMIT 1")  # noqa: S608
            if cursor.fetchone():
                found.append(table)
    return found


def not_empty() -> list[str]:
    """What is in the way of a restore: database tables with rows, private folders with files in them."""
    problems = []
    tables = _tables_with_rows()
    if tables:
        shown = ", ".join(tables[:5]) + (f" and {len(tables) - 5} more" if len(tables) > 5 else "")
        problems.append(f"the database has records (in {shown})")
    for folder in archive.private_folders().values():
        if folder.is_dir() and any(path.is_file() for path in folder.rglob("*")):
            problems.append(f"the folder {str(folder)!r} has files in it")
    return problems


def _check_fits(contents: Contents) -> None:
    here = archive.vendor()
    if contents.manifest.get("vendor") != here:
        raise BackupError(
            f"DATABASE_URL: this backup is of a {contents.manifest.get('vendor')} database and cannot be "
            f"restored into {here}"
        )
    known = set(MigrationLoader(None, ignore_no_migrations=True).disk_migrations)
    applied = [(app, name) for app, name in contents.manifest.get("migrations", [])]
    newer = [f"{app}.{name}" for app, name in applied if (app, name) not in known]
    if newer:
        raise BackupError(
            "this backup was made by a newer SafePassage (its database has changes this copy does not know: "
            f"{', '.join(newer[:3])}); install that version or newer first"
        )


class _PgRestore:
    """pg_restore in one transaction, fed the dump's parts as they are read: killed (and so rolled back)
    unless the whole dump arrived."""

    def __init__(self) -> None:
        self.errors = tempfile.TemporaryFile()  # noqa: SIM115
        self.process = subprocess.Popen(  # noqa: S603 - a fixed program and arguments, no shell
            [
                archive.tool("pg_restore"),
                "--format=custom",
                "--no-owner",
                "--no-privileges",
                "--clean",
                "--if-exists",
                "--single-transaction",
                "--exit-on-error",
                "--no-password",
                f"--dbname={connection.settings_dict['NAME']}",
            ],
            stdin=subprocess.PIPE,
            stdout=subprocess.DEVNULL,
            stderr=self.errors,
            env=archive.pg_env(),
        )

    def feed(self, handle: IO[bytes]) -> None:
        assert self.process.stdin is not None
        while chunk := handle.read(2**20):
            try:
                self.process.stdin.write(chunk)
            except BrokenPipeError:
                break

    def finish(self) -> None:
        assert self.process.stdin is not None
        with contextlib.suppress(BrokenPipeError):
            self.process.stdin.close()
        code = self.process.wait()
        self.errors.seek(0)
        said = self.errors.read().decode("utf-8", "replace").strip().splitlines()[-3:]
        self.errors.close()
        if code != 0:
            raise BackupError(
                f"pg_restore failed ({code}), the database was left as it was: {' '.join(said)}"
            )

    def abandon(self) -> None:
        self.process.kill()
        self.process.wait()
        self.errors.close()


def _write_file(target: Path, handle: IO[bytes]) -> None:
    target.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as out:
        shutil.copyfileobj(handle, out, 2**20)
        out.flush()
        os.fsync(out.fileno())


def _unpack(path: Path, secret: Secret, staging: Path, say: Callable[[str], None]) -> None:
    """Second reading: the database into place (PostgreSQL) or into staging (SQLite), the files into
    staging. A failure part-way leaves the database as it was."""
    pg: _PgRestore | None = None
    try:
        with (
            _open(path) as source,
            tarfile.open(  # type: ignore[call-overload]
                fileobj=DecryptingReader(source, secret), mode="r|"
            ) as tar,
        ):
            for member in tar:
                name = str(_safe(member.name))
                handle = tar.extractfile(member)
                assert handle is not None
                if name == archive.MANIFEST:
                    continue
                if name.startswith(archive.PG_PREFIX):
                    if pg is None:
                        say("Restoring the database with pg_restore…")
                        pg = _PgRestore()
                    pg.feed(handle)
                    continue
                if pg is not None:
                    pg.finish()
                    pg = None
                if name == archive.SQLITE_MEMBER:
                    _write_file(staging / "database.sqlite3", handle)
                elif name == archive.CHECKPOINTS or name.startswith(archive.FILES):
                    _write_file(staging / name, handle)
            if pg is not None:
                pg.finish()
                pg = None
    except BaseException:
        if pg is not None:
            pg.abandon()
        raise


def _place(staging: Path, say: Callable[[str], None]) -> None:
    """Move what was unpacked into place."""
    database = staging / "database.sqlite3"
    if database.exists():
        name = Path(str(connection.settings_dict["NAME"]))
        connections.close_all()
        for extra in (Path(f"{name}-wal"), Path(f"{name}-shm"), Path(f"{name}-journal")):
            extra.unlink(missing_ok=True)
        os.replace(database, name)
    for label, folder in archive.private_folders().items():
        unpacked = staging / archive.FILES / label
        if not unpacked.is_dir():
            continue
        if folder.is_dir():
            shutil.rmtree(folder)  # checked empty of files before anything was read
        folder.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        os.replace(unpacked, folder)
    checkpoints = staging / archive.CHECKPOINTS
    target = Path(settings.AUDIT_CHECKPOINT_FILE)
    if checkpoints.exists():
        if target.exists() and target.stat().st_size:
            say(f"The audit checkpoint file {target} was kept as it was (it is newer than the backup).")
        else:
            target.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
            shutil.move(str(checkpoints), str(target))
            os.chmod(target, 0o600)


def _migrate(say: Callable[[str], None]) -> int:
    executor = MigrationExecutor(connection)
    plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    if plan:
        say(f"This backup was made by an older SafePassage: updating its database ({len(plan)} steps).")
        call_command("migrate", interactive=False, verbosity=0)
    return len(plan)


@dataclass
class Restored:
    """What a restore did, for the person running it."""

    contents: Contents
    migrations: int = 0
    erasures_added: int = 0
    erasures: dict[str, int] = field(default_factory=dict)
    verification: integrity.Verification | None = None


def restore(*, path: Path, secret: Secret, erasure_log: Path | None, say: Callable[[str], None]) -> Restored:
    """Restore the backup at `path` onto an empty database and empty private folders."""
    contents = inspect(path, secret)
    _check_fits(contents)
    problems = not_empty()
    if problems:
        raise BackupError("the place to restore into is not empty: " + "; ".join(problems))
    say(f"The backup is whole ({len(contents.members)} parts, made {contents.manifest.get('made_at')}).")
    data_dir = Path(settings.DATA_DIR)
    staging = data_dir / f".restore-{secrets.token_hex(4)}"
    staging.mkdir(mode=0o700)
    try:
        _unpack(path, secret, staging, say)
        _place(staging, say)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    result = Restored(contents=contents)
    result.migrations = _migrate(say)
    try:  # the values restored are sealed: they open only with the keys they were sealed under
        crypto.check_keys(record=False)
    except ImproperlyConfigured as exc:
        raise BackupError(f"the database is back, but its sealed values do not open here: {exc}") from None
    if erasure_log is not None:
        result.erasures_added = erasures.merge_file(erasure_log)
    result.erasures = reapply_erasures()
    with transaction.atomic():
        audit_record(
            actor=None,
            action="privacy.backup.restore",
            object_type="privacy.backup",
            changes={
                "made_at": str(contents.manifest.get("made_at")),
                "files": contents.files,
                "migrations": result.migrations,
                "erasures": result.erasures.get("logs", 0),
            },
        )
    result.verification = integrity.verify()
    return result
