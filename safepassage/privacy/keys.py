"""`safepassage keys rotate` and `keys check`: every sealed value and private file re-sealed under the newest
of ENCRYPTION_KEYS, so the older keys can be retired (docs/operations.md, "Encryption at rest")."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.apps import apps
from django.conf import settings
from django.db import connection, models, transaction

from safepassage.audit.services import audit_record
from safepassage.core import crypto
from safepassage.core.fields import EMPTY_JSON, EncryptedJSONField, SealedMixin
from safepassage.core.files import is_sealed_file, reseal_file
from safepassage.core.models import KeyRecord
from safepassage.core.sealing import BATCH, rewrite_table


def sealed_columns() -> list[tuple[type[models.Model], list[models.Field[Any, Any]]]]:
    """Every model with sealed columns, and those columns."""
    found = []
    for model in apps.get_models():
        if model._meta.proxy or not model._meta.managed:
            continue
        fields: list[models.Field[Any, Any]] = [
            f for f in model._meta.local_concrete_fields if isinstance(f, SealedMixin)
        ]
        if fields:
            found.append((model, fields))
    return found


def private_files() -> list[Path]:
    """The private files kept sealed: attachments and imported files (not the progress notes beside them)."""
    folders = [Path(settings.MEDIA_ROOT), Path(settings.DATA_DIR) / "imports"]
    return sorted(
        p
        for folder in folders
        if folder.exists()
        for p in folder.rglob("*")
        if p.is_file() and not p.name.endswith(".progress") and not p.name.startswith(".")
    )


def _reseal(json_column: bool) -> Callable[[str, Any], Any]:
    primary = crypto.keyring().primary_id

    def change(column: str, value: Any) -> Any:
        if not isinstance(value, str) or value == "":
            return value
        if crypto.is_sealed(value):
            if crypto.sealed_key_id(value) == primary:
                return value
            return crypto.seal(crypto.unseal(value))
        if json_column and value in EMPTY_JSON:
            return value
        return crypto.seal(value)  # (clear text left from before encryption)

    return change


@dataclass
class Rotation:
    key_id: str
    rows: dict[str, int] = field(default_factory=dict)
    files: int = 0


def rotate(*, batch: int = BATCH, say: Callable[[str], None] | None = None) -> Rotation:
    """Re-seal every value and private file not yet under the newest key, table by table in batches of rows,
    each batch committed on its own: stopped half-way, a second run goes on where it matters (what is under
    the newest key already is left as it is). Then only the newest key is recorded as in use."""
    crypto.check_keys(record=True)
    done = Rotation(key_id=crypto.keyring().primary_id)
    for model, fields in sealed_columns():
        for json_column in (False, True):
            columns = [f.column for f in fields if isinstance(f, EncryptedJSONField) == json_column]
            if not columns:
                continue
            written = rewrite_table(
                connection,
                model._meta.db_table,
                model._meta.pk.column,
                columns,
                _reseal(json_column),
                batch=batch,
            )
            done.rows[model._meta.label] = done.rows.get(model._meta.label, 0) + written
        if say is not None:
            say(f"{model._meta.label}: {done.rows.get(model._meta.label, 0)} rows re-sealed")
    for path in private_files():
        if reseal_file(path):
            done.files += 1
    with transaction.atomic():
        KeyRecord.objects.filter(purpose=KeyRecord.Purpose.DATA).exclude(key_id=done.key_id).delete()
        audit_record(
            actor=None,
            action="privacy.keys.rotate",
            object_type="privacy.keys",
            changes={"key": done.key_id, "rows": sum(done.rows.values()), "files": done.files},
        )
    return done


@dataclass
class Report:
    """What `keys check` found: values and files per key id (None: clear)."""

    values: dict[str | None, int] = field(default_factory=dict)
    files: dict[str | None, int] = field(default_factory=dict)
    unreadable: list[str] = field(default_factory=list)


def check(*, sample: int = 0) -> Report:
    """Count sealed values and private files by the key that sealed them; open every one (or, with
    `sample`, the first that many of each column) to prove the keys given open them."""
    crypto.check_keys(record=False)
    report = Report()
    quote = connection.ops.quote_name
    for model, fields in sealed_columns():
        for f in fields:
            sql = f"SELECT {quote(f.column)} FROM {quote(model._meta.db_table)}"  # noqa: S608
            if sample:
                sql += f" ORDER BY {quote(model._meta.pk.column)} LIMIT {int(sample)}"
            with connection.cursor() as cursor:
                cursor.execute(sql)
                for (value,) in cursor.fetchall():
                    if not isinstance(value, str) or value == "" or value in EMPTY_JSON:
                        continue
                    kid = crypto.sealed_key_id(value) if crypto.is_sealed(value) else None
                    report.values[kid] = report.values.get(kid, 0) + 1
                    try:
                        crypto.unseal(value)
                    except crypto.DecryptionError as exc:
                        report.unreadable.append(f"{model._meta.label}.{f.name}: {exc}")
    from safepassage.core.files import file_key_id, open_private

    for path in private_files():
        kid = file_key_id(path) if is_sealed_file(path) else None
        report.files[kid] = report.files.get(kid, 0) + 1
        try:
            with open_private(path) as handle:
                while handle.read(crypto.FILE_CHUNK):
                    pass
        except crypto.DecryptionError as exc:
            report.unreadable.append(f"{path.name}: {exc}")
    return report
