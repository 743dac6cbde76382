"""Loaded by pytest before Django starts (`-p safepassage.pytest_plugin`): test-run defaults for settings.

Settings are read from the environment once, at start-up, so these must be in place before then.
"""

import os
import tempfile
from collections.abc import Sequence
from typing import Any

# As `safepassage` and the WSGI app do: what the tests write into DATA_DIR is private, or the next worker's
# start-up would refuse the folder.
os.umask(0o077)
os.environ.setdefault("PLAIN_STATIC", "1")  # templates resolve static files without a collectstatic run
os.environ.setdefault("DATA_DIR", tempfile.mkdtemp(prefix="safepassage-test-"))
# Tests reach no tile server: maps must work without one.
os.environ.setdefault("MAP_TILE_URL", "")
os.environ.setdefault("SATELLITE_TILE_URL", "")
# Encryption at rest is always on: the tests' keys (fixed, so a PostgreSQL test database kept between runs
# still opens).
os.environ.setdefault("ENCRYPTION_KEYS", "dGVzdCBrZXkgb25lIGZvciBzYWZlcGFzc2FnZSB0ZXM=")
os.environ.setdefault("BLIND_INDEX_KEY", "dGVzdCBibGluZCBpbmRleCBrZXkgZm9yIHRlc3RzISE=")


def pytest_configure(config: object) -> None:
    """Django's test runner empties tables between transactional tests with DELETE, which SQLite's
    append-only trigger on the audit table refuses: the flush (only the test runner's, only in tests)
    lifts that trigger for its own statements and puts it back after them, in the same transaction."""
    from django.db.backends.sqlite3.base import DatabaseWrapper  # (base first: it imports operations)
    from django.db.backends.sqlite3.operations import DatabaseOperations

    from safepassage.audit import triggers

    assert DatabaseWrapper.ops_class is DatabaseOperations
    original = DatabaseOperations.sql_flush
    if getattr(original, "keeps_audit_trigger", False):
        return

    def sql_flush(self: Any, style: Any, tables: Sequence[str], **kwargs: Any) -> list[str]:
        statements = original(self, style, tables, **kwargs)
        if statements and triggers.TABLE in tables:
            return [triggers.SQLITE_DROP_DELETE, *statements, triggers.SQLITE_NO_DELETE]
        return statements

    sql_flush.keeps_audit_trigger = True  # type: ignore[attr-defined]
    DatabaseOperations.sql_flush = sql_flush  # type: ignore[method-assign]
