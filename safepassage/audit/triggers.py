"""The database's own refusal to change or remove an audit event, whatever code connects to it.

One home for the trigger SQL: the migrations that install it, and the test plugin that lifts the SQLite
DELETE trigger around Django's test flushes (and nowhere else), read it from here."""

from __future__ import annotations

from typing import Any

TABLE = "audit_auditevent"

PG_CREATE = """
CREATE OR REPLACE FUNCTION audit_event_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'audit events are append-only';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER audit_event_no_update BEFORE UPDATE OR DELETE ON audit_auditevent
    FOR EACH ROW EXECUTE FUNCTION audit_event_append_only();
"""
PG_DROP = "DROP TRIGGER IF EXISTS audit_event_no_update ON audit_auditevent;"

SQLITE_NO_UPDATE = (
    "CREATE TRIGGER IF NOT EXISTS audit_event_no_update BEFORE UPDATE ON audit_auditevent "
    "BEGIN SELECT RAISE(ABORT, 'audit events are append-only'); END"
)
SQLITE_NO_DELETE = (
    "CREATE TRIGGER IF NOT EXISTS audit_event_no_delete BEFORE DELETE ON audit_auditevent "
    "BEGIN SELECT RAISE(ABORT, 'audit events are append-only'); END"
)
SQLITE_DROP_DELETE = "DROP TRIGGER IF EXISTS audit_event_no_delete"
SQLITE_DROP = ["DROP TRIGGER IF EXISTS audit_event_no_update", SQLITE_DROP_DELETE]

# The names of the triggers each database has once migrated.
NAMES = {
    "postgresql": ["audit_event_no_update"],
    "sqlite": ["audit_event_no_update", "audit_event_no_delete"],
}


def create_sql(vendor: str) -> list[str]:
    """The statements that install the triggers on this database."""
    return {"postgresql": [PG_CREATE], "sqlite": [SQLITE_NO_UPDATE, SQLITE_NO_DELETE]}.get(vendor, [])


def drop_sql(vendor: str) -> list[str]:
    """The statements that remove them (for migrations that must rewrite old events)."""
    return {"postgresql": [PG_DROP], "sqlite": SQLITE_DROP}.get(vendor, [])


def installed(connection: Any) -> list[str]:
    """The names of the append-only triggers present on the audit table."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(
                "SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = %s ORDER BY name",
                [TABLE],
            )
        elif connection.vendor == "postgresql":
            cursor.execute(
                "SELECT tgname FROM pg_trigger WHERE tgrelid = %s::regclass AND NOT tgisinternal "
                "ORDER BY tgname",
                [TABLE],
            )
        else:
            return []
        return [row[0] for row in cursor.fetchall()]
