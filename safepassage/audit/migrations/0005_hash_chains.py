"""Hash chains over the audit trail, and the database refusing deletes as well as updates.

In order: the chain columns (added with plain SQL: on SQLite a rebuilt table would lose its triggers) and
the chain-head table; then, with the triggers lifted for this one migration, old events' changes masked
(values written before the trail kept field names only) and every event chained in the order written;
then the triggers back (on SQLite now refusing DELETE too) and one event per (chain, seq)."""

from django.apps import apps as global_apps
from django.db import migrations, models
from django.db.models import Q
from django.utils import timezone

from safepassage.audit import triggers
from safepassage.audit.chain import HASHED_FIELDS, chain_key, event_hash, stored_json
from safepassage.audit.services import mask_changes

BATCH = 2000
COLUMNS = [
    ("chain", "varchar(32) NOT NULL DEFAULT ''"),
    ("seq", "bigint NOT NULL DEFAULT 0"),
    ("prev_hash", "varchar(64) NOT NULL DEFAULT ''"),
    ("hash", "varchar(64) NOT NULL DEFAULT ''"),
]
# what the actor wrote about their own action, kept in words when it was written (exports' purpose)
PLAIN = {"exports.export.request": ("purpose", "via"), "exports.export.create": ("purpose", "via")}


def _sensitive(object_type):
    try:
        return getattr(global_apps.get_model(*object_type.split(".", 1)), "SENSITIVE_FIELDS", ())
    except (LookupError, ValueError, TypeError):
        return ()


def chain_old_events(apps, schema_editor):
    """Mask and chain the events already there, oldest first (keyset pages: the table may be large)."""
    Event = apps.get_model("audit", "AuditEvent")
    Head = apps.get_model("audit", "AuditChainHead")
    db = schema_editor.connection.alias
    for sql in triggers.drop_sql(schema_editor.connection.vendor):
        schema_editor.execute(sql)
    heads = {}  # chain -> (seq, hash)
    last = None
    while True:
        qs = Event.objects.using(db).order_by("at", "id")
        if last is not None:
            qs = qs.filter(Q(at__gt=last[0]) | Q(at=last[0], id__gt=last[1]))
        batch = list(qs[:BATCH])
        if not batch:
            break
        for event in batch:
            changes = event.changes if isinstance(event.changes, dict) else {"value": event.changes}
            event.changes = stored_json(
                mask_changes(changes, _sensitive(event.object_type), PLAIN.get(event.action, ()))
            )
            event.chain = chain_key(event.agency_id)
            seq, prev = heads.get(event.chain, (0, ""))
            event.seq, event.prev_hash = seq + 1, prev
            event.hash = event_hash({name: getattr(event, name) for name in HASHED_FIELDS}, prev)
            heads[event.chain] = (event.seq, event.hash)
        Event.objects.using(db).bulk_update(batch, ["changes", "chain", "seq", "prev_hash", "hash"])
        last = (batch[-1].at, batch[-1].id)
    Head.objects.using(db).bulk_create([Head(chain=c, seq=s, hash=h) for c, (s, h) in heads.items()])


def add_triggers_and_uniqueness(apps, schema_editor):
    connection = schema_editor.connection
    for sql in triggers.drop_sql(connection.vendor) + triggers.create_sql(connection.vendor):
        schema_editor.execute(sql)
    if connection.vendor == "sqlite":  # (a constraint would rebuild the table: a unique index is the same)
        schema_editor.execute(
            "CREATE UNIQUE INDEX audit_event_chain_seq ON audit_auditevent (chain, seq)"
        )
    else:
        Event = apps.get_model("audit", "AuditEvent")
        schema_editor.add_constraint(
            Event, models.UniqueConstraint(fields=["chain", "seq"], name="audit_event_chain_seq")
        )


def remove_triggers_and_uniqueness(apps, schema_editor):
    connection = schema_editor.connection
    if connection.vendor == "sqlite":
        schema_editor.execute("DROP INDEX IF EXISTS audit_event_chain_seq")
    else:
        schema_editor.execute("ALTER TABLE audit_auditevent DROP CONSTRAINT IF EXISTS audit_event_chain_seq")
    for sql in triggers.drop_sql(connection.vendor):
        schema_editor.execute(sql)


def restore_old_triggers(apps, schema_editor):
    """Backwards: the triggers as 0002 left them (the masking itself cannot be undone)."""
    connection = schema_editor.connection
    for sql in triggers.drop_sql(connection.vendor):
        schema_editor.execute(sql)
    old = {"postgresql": triggers.create_sql("postgresql"), "sqlite": [triggers.SQLITE_NO_UPDATE]}
    for sql in old.get(connection.vendor, []):
        schema_editor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [("audit", "0004_client_request_id")]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[
                migrations.RunSQL(
                    f"ALTER TABLE audit_auditevent ADD COLUMN {name} {spec}",
                    f"ALTER TABLE audit_auditevent DROP COLUMN {name}",
                )
                for name, spec in COLUMNS
            ],
            state_operations=[
                migrations.AlterField(
                    model_name="auditevent",
                    name="at",
                    field=models.DateTimeField(db_index=True, default=timezone.now),
                ),
                migrations.AddField(
                    model_name="auditevent", name="chain", field=models.CharField(blank=True, max_length=32)
                ),
                migrations.AddField(
                    model_name="auditevent", name="seq", field=models.PositiveBigIntegerField(default=0)
                ),
                migrations.AddField(
                    model_name="auditevent",
                    name="prev_hash",
                    field=models.CharField(blank=True, max_length=64),
                ),
                migrations.AddField(
                    model_name="auditevent", name="hash", field=models.CharField(blank=True, max_length=64)
                ),
            ],
        ),
        migrations.CreateModel(
            name="AuditChainHead",
            fields=[
                ("chain", models.CharField(max_length=32, primary_key=True, serialize=False)),
                ("seq", models.PositiveBigIntegerField(default=0)),
                ("hash", models.CharField(blank=True, max_length=64)),
            ],
        ),
        migrations.RunPython(chain_old_events, restore_old_triggers),
        migrations.SeparateDatabaseAndState(
            database_operations=[
                migrations.RunPython(add_triggers_and_uniqueness, remove_triggers_and_uniqueness),
            ],
            state_operations=[
                migrations.AddConstraint(
                    model_name="auditevent",
                    constraint=models.UniqueConstraint(fields=("chain", "seq"), name="audit_event_chain_seq"),
                ),
            ],
        ),
    ]
