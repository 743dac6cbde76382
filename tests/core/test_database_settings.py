"""What every PostgreSQL connection of SafePassage is opened with."""

from __future__ import annotations

import pytest
from django.db import connection

from safepassage.core import env as core_env
from safepassage.core.env import Env


def test_postgresql_connections_compile_no_query() -> None:
    """JIT compilation is off: it cost more than the short queries it compiled (docs/performance.md)."""
    config = core_env.database(Env({"DATABASE_URL": "postgresql://u@db:5432/sp"}), folder=None)  # type: ignore[arg-type]
    assert "-c jit=off" in str(config["OPTIONS"]["options"])  # type: ignore[index]
    replica = core_env.database_replica(Env({"DATABASE_REPLICA_URL": "postgresql://u@standby/sp"}), config)
    assert replica is not None
    assert "-c jit=off" in str(replica["OPTIONS"]["options"])  # type: ignore[index]


def test_options_given_in_the_url_are_kept() -> None:
    url = "postgresql://u@db/sp?sslmode=require&options=-c%20statement_timeout%3D5000"
    config = core_env.database(Env({"DATABASE_URL": url}), folder=None)  # type: ignore[arg-type]
    assert config["OPTIONS"]["sslmode"] == "require"  # type: ignore[index]
    assert config["OPTIONS"]["options"] == "-c statement_timeout=5000 -c jit=off"  # type: ignore[index]
    own = core_env.database(Env({"DATABASE_URL": "postgresql://u@db/sp?options=-c%20jit%3Don"}), folder=None)  # type: ignore[arg-type]
    assert own["OPTIONS"]["options"] == "-c jit=on"  # type: ignore[index]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="a PostgreSQL setting")
@pytest.mark.django_db
def test_the_running_connection_has_jit_off() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SHOW jit")
        assert cursor.fetchone()[0] == "off"
