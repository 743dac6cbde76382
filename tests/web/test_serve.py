"""`safepassage serve` hands gunicorn no open database connection to share between its workers."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection

from safepassage.web.management.commands import serve


@pytest.mark.django_db(transaction=True)
def test_no_database_connection_is_open_when_gunicorn_forks_its_workers(monkeypatch: Any) -> None:
    """A connection open in the master is inherited by every worker: one socket for all of them. A worker
    with one thread serves requests on it at once, and their answers cross (500s, lost sessions)."""
    from gunicorn.app.base import BaseApplication

    seen: dict[str, Any] = {}

    def run(self: Any) -> None:
        seen["workers"] = self.cfg.workers
        seen["open"] = connection.connection is not None

    monkeypatch.setattr(BaseApplication, "run", run)
    connection.ensure_connection()
    assert connection.connection is not None
    serve.run_gunicorn(host="127.0.0.1", port=8999, workers=3, threads=1, timeout=30)
    assert seen == {"workers": 3, "open": False}
