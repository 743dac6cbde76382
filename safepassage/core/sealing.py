"""Data migrations that seal the values already stored when a column becomes sealed (core.fields), and
`safepassage keys rotate`, which re-seals them under the newest key: both by plain SQL in batches of rows,
so neither depends on the models of the day."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from django.db import migrations, transaction

from safepassage.core import crypto
from safepassage.core.fields import EMPTY_JSON

BATCH = 2000


def _seal(value: Any, *, json_column: bool) -> Any:
    if value is None:
        return None
    if not isinstance(value, str):  # (a driver that parsed JSON)
        import json

        value = json.dumps(value, ensure_ascii=False)
    if crypto.is_sealed(value) or value == "" or (json_column and value in EMPTY_JSON):
        return value
    return crypto.seal(value)


def rewrite_table(
    connection: Any,
    table: str,
    pk: str,
    columns: Iterable[str],
    change: Callable[[str, Any], Any],
    *,
    index: dict[str, str] | None = None,
    start_after: int = 0,
    batch: int = BATCH,
    on_batch: Callable[[int, int], None] | None = None,
) -> int:
    """Pass every row of a table, in primary-key order from `start_after`, through `change(column, value)`
    (and each index column through the blind index of its source's clear value); write the rows that
    changed. Returns the number of rows written."""
    columns = list(columns)
    index = dict(index or {})
    quote = connection.ops.quote_name
    read = ", ".join(quote(c) for c in [pk, *columns])
    targets = [*columns, *index]
    write = ", ".join(f"{quote(c)} = %s" for c in targets)
    written = 0
    last = start_after
    while True:
        with connection.cursor() as cursor:
            cursor.execute(
                # (names from the models' own metadata, quoted; values as parameters)
                f"SELECT {read} FROM {quote(table)} WHERE {quote(pk)} > %s ORDER BY {quote(pk)} LIMIT %s",  # noqa: S608
                [last, batch],
            )
            rows = cursor.fetchall()
        if not rows:
            return written
        updates = []
        for row in rows:
            old = dict(zip(columns, row[1:], strict=True))
            new = {c: change(c, v) for c, v in old.items()}
            for target, source in index.items():
                clear = crypto.unseal(old[source]) if isinstance(old[source], str) else ""
                new[target] = crypto.blind_index(clear or "")
            if any(new[c] != old.get(c, object()) for c in targets):
                updates.append([*(new[c] for c in targets), row[0]])
        if updates:
            with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
                sql = f"UPDATE {quote(table)} SET {write} WHERE {quote(pk)} = %s"  # noqa: S608
                cursor.executemany(sql, updates)
            written += len(updates)
        last = rows[-1][0]
        if on_batch is not None:
            on_batch(last, len(updates))


def seal_columns(
    app_label: str,
    model_name: str,
    columns: Iterable[str],
    *,
    json_columns: Iterable[str] = (),
    index: dict[str, str] | None = None,
) -> migrations.RunPython:
    """A migration step sealing a model's stored values (and writing blind indexes: {index: source});
    backwards, opening them again."""
    columns = list(columns)
    json_set = set(json_columns)

    def target(apps: Any) -> tuple[str, str]:
        model = apps.get_model(app_label, model_name)
        return model._meta.db_table, model._meta.pk.column

    def forwards(apps: Any, schema_editor: Any) -> None:
        table, pk = target(apps)
        rewrite_table(
            schema_editor.connection,
            table,
            pk,
            columns,
            lambda column, value: _seal(value, json_column=column in json_set),
            index=index,
        )

    def backwards(apps: Any, schema_editor: Any) -> None:
        table, pk = target(apps)
        rewrite_table(
            schema_editor.connection,
            table,
            pk,
            columns,
            lambda column, value: crypto.unseal(value) if isinstance(value, str) else value,
        )

    return migrations.RunPython(forwards, backwards, elidable=False)
