"""Writing many new rows of a model at once: PostgreSQL's COPY where the server is PostgreSQL (production),
Django's bulk_create elsewhere. The values are what the model's fields would save (defaults, timestamps,
sealed fields, blind indexes: each field's own pre_save and database preparation run), so a row written here
reads back as one written by `save` or `bulk_create`; only the SQL differs, and no model instance is made
(at a hundred thousand rows, building instances cost more than writing them). A model whose queryset adds
something to bulk_create (registry.Person: romanised names) must do it before calling this."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date
from types import SimpleNamespace
from typing import Any

from django.db import connection, models, transaction
from django.db.models.expressions import DatabaseDefault, Expression
from django.utils import timezone


def copy_in(cursor: Any, statement: str) -> Any:
    """`COPY … FROM STDIN` on a Django cursor, its data sent by a thread of psycopg's own
    (`QueuedLibpqWriter`): the caller goes on making rows while PostgreSQL takes in the ones made before, so
    the two share the machine's cores instead of waiting for each other."""
    from psycopg.copy import QueuedLibpqWriter

    raw = cursor.cursor
    return raw.copy(statement, writer=QueuedLibpqWriter(raw))


def reserve_ids(model: type[models.Model], count: int) -> list[int] | None:
    """On PostgreSQL, `count` ids from the model's sequence for rows about to be written by COPY; None
    elsewhere (the database gives the ids as it inserts)."""
    if connection.vendor != "postgresql":
        return None
    if count == 0:
        return []
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT array_agg(nextval(pg_get_serial_sequence(%s, %s))) FROM generate_series(1, %s)",
            [model._meta.db_table, model._meta.pk.column, count],
        )
        return list(cursor.fetchone()[0] or [])  # (one array: faster to fetch than a row per id)


# Fields whose saved value is the given value as it is, when that is of a type the driver adapts itself: most
# of a wide model's columns, most of them empty. Anything else (sealed text, JSON, blind indexes, a lazy
# translation) goes through the field's own preparation.
_PLAIN_FIELDS = (
    models.CharField,
    models.TextField,
    models.IntegerField,
    models.BigIntegerField,
    models.SmallIntegerField,
    models.PositiveIntegerField,
    models.PositiveSmallIntegerField,
    models.BooleanField,
    models.FloatField,
    models.DateField,
    models.ForeignKey,
    models.OneToOneField,
)
_PLAIN_VALUES = (str, int, float, bool, date, type(None))


def _default(field: models.Field[Any, Any]) -> Any:
    """The field's value when a row does not give one: its default (db_default given as its value)."""
    if field.db_default is not models.NOT_PROVIDED:
        if isinstance(field.db_default, Expression):
            raise TypeError(f"{field}: copy takes no database default computed by the database")
        return field.db_default
    return field.get_default()


def _steps(fields: list[models.Field[Any, Any]]) -> list[Callable[[dict[str, Any], Any, Any], Any]]:
    """For each field, how a row's value is made from (the row's values, the row as an object, now)."""
    steps: list[Callable[[dict[str, Any], Any, Any], Any]] = []
    for field in fields:
        attname = field.attname
        if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
            steps.append(lambda values, obj, now: now)  # one instant for the whole write
        elif type(field) is models.DateTimeField:  # (mostly empty: a time something happened later)

            def moment(values: dict[str, Any], obj: Any, now: Any, a: str = attname, f: Any = field) -> Any:
                value = values[a]
                return None if value is None else f.get_db_prep_save(value, connection)

            steps.append(moment)
        elif type(field) in _PLAIN_FIELDS:

            def plain(values: dict[str, Any], obj: Any, now: Any, a: str = attname, f: Any = field) -> Any:
                value = values[a]
                if value.__class__ in _PLAIN_VALUES or isinstance(value, _PLAIN_VALUES):
                    return value
                return f.get_db_prep_save(value, connection)

            steps.append(plain)
        else:

            def prepared(values: dict[str, Any], obj: Any, now: Any, f: Any = field) -> Any:
                value = f.pre_save(obj, True)
                if isinstance(value, DatabaseDefault):
                    value = _default(f)
                return f.get_db_prep_save(value, connection)

            steps.append(prepared)
    return steps


def copy_rows(model: type[models.Model], rows: Sequence[dict[str, Any]]) -> list[int]:
    """Insert new rows of `model` (one table, an auto-increment primary key), each given as {attname: value}
    (`village_id`, not `village`); fields not given take their defaults. Returns the new primary keys in
    order. PostgreSQL: COPY under reserved ids, inside a savepoint so a refused row (a constraint) leaves
    nothing behind. Elsewhere: Django's own bulk_create (without what a model's queryset adds to it)."""
    if not rows:
        return []
    meta = model._meta
    if meta.parents:
        raise TypeError(f"{meta.label}: copy_rows takes models of one table only")
    # A value under a name that is not a column's (`village` for `village_id`) would be lost without a word.
    attnames = {f.attname for f in meta.concrete_fields}
    for row in rows:
        if not row.keys() <= attnames:
            raise TypeError(f"{meta.label}: not columns: {', '.join(sorted(row.keys() - attnames))}")
    if connection.vendor != "postgresql":
        plain: models.QuerySet[models.Model] = models.QuerySet(model=model)
        made = plain.bulk_create([model(**row) for row in rows], batch_size=2000)
        return [obj.pk for obj in made]
    pk = meta.pk
    fields = [f for f in meta.concrete_fields if f is not pk]
    dynamic = [f for f in fields if f.has_default() and callable(f.default)]  # a new value for each row
    statics = {f.attname: _default(f) for f in fields if f not in dynamic}
    steps = _steps(fields)
    ids = reserve_ids(model, len(rows))
    assert ids is not None
    now = timezone.now()
    columns = ", ".join(connection.ops.quote_name(c) for c in (pk.column, *(f.column for f in fields)))
    statement = f"COPY {connection.ops.quote_name(meta.db_table)} ({columns}) FROM STDIN"
    with (
        transaction.atomic(),
        connection.cursor() as cursor,
        connection.wrap_database_errors,
        copy_in(cursor, statement) as copy,
    ):
        for id_, row in zip(ids, rows, strict=True):
            values = {
                **statics,
                **{f.attname: f.get_default() for f in dynamic if f.attname not in row},
                **row,
            }
            obj = SimpleNamespace(**values)  # what pre_save reads (a blind index reads its source)
            copy.write_row((id_, *[step(values, obj, now) for step in steps]))
    return ids


def update_columns(model: type[models.Model], fields: Sequence[str], rows: Sequence[tuple[Any, ...]]) -> int:
    """Set plain columns of many rows at once: each row is (primary key, value of each field in order).
    PostgreSQL: one UPDATE … FROM unnest(arrays) (Django's bulk_update writes a CASE of every row, which
    took seconds for a few thousand). Elsewhere: bulk_update. Plain text and number fields only: what a
    field prepares on its way in (sealing, blind indexes) is not done here."""
    if not rows:
        return 0
    meta = model._meta
    chosen: list[models.Field[Any, Any]] = []
    for name in fields:
        field = meta.get_field(name)
        if not isinstance(field, models.Field) or type(field) not in _PLAIN_FIELDS or field.is_relation:
            raise TypeError(f"{name}: update_columns sets plain text and number columns only")
        chosen.append(field)
    if connection.vendor != "postgresql":
        objs = []
        for pk, *values in rows:
            obj = model(pk=pk)
            for field, value in zip(chosen, values, strict=True):
                setattr(obj, field.attname, value)
            objs.append(obj)
        plain: models.QuerySet[models.Model] = models.QuerySet(model=model)
        return plain.bulk_update(objs, list(fields), batch_size=2000)
    quote = connection.ops.quote_name
    table, pk = quote(meta.db_table), quote(meta.pk.column)
    columns = [(quote(str(f.column)), f.db_type(connection)) for f in chosen]
    sets = ", ".join(f"{column} = v.c{i}" for i, (column, _type) in enumerate(columns))
    arrays = ", ".join(f"unnest(%s::{kind}[]) AS c{i}" for i, (_column, kind) in enumerate(columns))
    with connection.cursor() as cursor:
        # (names from the model, quoted; the values are parameters)
        sql = f"UPDATE {table} AS t SET {sets} FROM (SELECT unnest(%s::bigint[]) AS id, {arrays}) AS v WHERE t.{pk} = v.id"  # noqa: S608, E501
        cursor.execute(
            sql,
            [[row[0] for row in rows], *([row[i + 1] for row in rows] for i in range(len(columns)))],
        )
        return int(cursor.rowcount)
