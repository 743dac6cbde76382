"""The read replica (core/replica.py): which reads go to it — report pages, report API calls, exports — and
which never do — a read after a write in the same request, sign-in and the second factor, the audit trail,
anything inside a transaction.

On PostgreSQL a second alias, `replica`, is configured for a second database; Django's test MIRROR makes it
open its own connection to the test database, so the data are the same and each query can be traced to the
alias that ran it."""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from datetime import date, timedelta
from typing import Any

import pytest
from django.conf import settings as django_settings
from django.db import connection, connections, transaction
from django.http import HttpRequest, HttpResponse
from django.test import Client
from django.urls import reverse

from safepassage.accounts.models import User
from safepassage.audit.models import AuditEvent
from safepassage.core import env as core_env
from safepassage.core import replica
from safepassage.core.env import Env, EnvError
from safepassage.registry.bulk import BulkItem, assessments_bulk_record
from safepassage.registry.models import Person, RiskCell
from safepassage.registry.services import person_create
from safepassage.reports.selectors import risk_report
from safepassage.testing import PASSWORD, api_client, totp_code, web_client
from tests.exports.conftest import make_cases

POSTGRES = connection.vendor == "postgresql"
ALIAS = "replica"


def _add_replica_alias() -> None:
    """The `replica` alias, as DATABASE_REPLICA_URL gives it, before the test databases are set up: a second
    database (`<name>_replica`) that the tests never open, their MIRROR being the primary's test database."""
    if ALIAS in django_settings.DATABASES:
        return
    config = copy.deepcopy(connections["default"].settings_dict)
    config["NAME"] = f"{config['NAME']}_replica"
    config["TEST"]["MIRROR"] = "default"
    django_settings.DATABASES[ALIAS] = config  # (the same dict Django's connections read)


if POSTGRES:
    _add_replica_alias()


# ------------------------------------------------------------------ the setting (both databases)


def test_no_replica_url_means_no_replica() -> None:
    primary = {"ENGINE": "django.db.backends.postgresql"}
    assert core_env.database_replica(Env({}), primary) is None


def test_the_replica_is_a_postgresql_standby_of_a_postgresql_primary() -> None:
    primary = {"ENGINE": "django.db.backends.postgresql"}
    config = core_env.database_replica(
        Env({"DATABASE_REPLICA_URL": "postgres://reader@standby:5432/safepassage"}), primary
    )
    assert config is not None
    assert config["HOST"] == "standby" and config["ENGINE"] == "django.db.backends.postgresql"
    assert config["TEST"] == {"MIRROR": "default"}
    with pytest.raises(EnvError, match="DATABASE_REPLICA_URL: a replica needs a PostgreSQL DATABASE_URL"):
        core_env.database_replica(
            Env({"DATABASE_REPLICA_URL": "postgres://standby/x"}), {"ENGINE": "django.db.backends.sqlite3"}
        )
    with pytest.raises(EnvError, match="DATABASE_REPLICA_URL: the replica must be postgresql"):
        core_env.database_replica(Env({"DATABASE_REPLICA_URL": "sqlite:///x.db"}), primary)


@pytest.mark.django_db
def test_without_a_replica_report_reads_stay_on_the_primary(settings: Any) -> None:
    settings.REPLICA_DATABASE = None
    with replica.request_scope(), replica.reading_replica():
        assert replica.ReplicaRouter().db_for_read(RiskCell) is None  # Django's own choice: the one database
        assert not replica.configured()


# ------------------------------------------------------------------ routing (PostgreSQL)

routing = pytest.mark.skipif(
    not POSTGRES,
    reason="the read replica is PostgreSQL streaming replication: SQLite has no standby to route reads to",
)


@pytest.fixture
def with_replica(settings: Any) -> None:
    settings.REPLICA_DATABASE = ALIAS


class Trace:
    """The tables each alias's queries touched, in order."""

    def __init__(self) -> None:
        self.queries: list[tuple[str, str]] = []

    def on(self, alias: str) -> list[str]:
        return [sql for a, sql in self.queries if a == alias]

    def touched(self, alias: str, table: str) -> bool:
        return any(f'"{table}"' in sql for sql in self.on(alias))


@contextmanager
def traced() -> Iterator[Trace]:
    trace = Trace()

    def recorder(alias: str) -> Callable[..., Any]:
        def record(execute: Callable[..., Any], sql: str, params: Any, many: bool, context: Any) -> Any:
            trace.queries.append((alias, sql))
            return execute(sql, params, many, context)

        return record

    with ExitStack() as stack:
        for alias in ("default", ALIAS):
            stack.enter_context(connections[alias].execute_wrapper(recorder(alias)))
        yield trace


@pytest.fixture
def population(world: Any) -> list[Person]:
    """Fifteen assessed people of agency A (so an analyst's figures are not all withheld)."""
    people = [
        person_create(
            actor=world.coordinator_a,
            village_code=world.village_1.code,
            given_name=f"G{n}",
            sex="female",
            birth_year=date.today().year - 12,
        )
        for n in range(15)
    ]
    answers = {"HLT-ACCESS": 3}
    assessments_bulk_record(
        actor=None, items=[BulkItem(p.pk, date.today() - timedelta(days=3), answers) for p in people]
    )
    return people


db_both = pytest.mark.django_db(transaction=True, databases=["default", ALIAS])


@routing
@db_both
def test_the_replica_is_a_connection_of_its_own_to_the_same_data(world: Any, with_replica: None) -> None:
    pids = []
    for alias in ("default", ALIAS):
        with connections[alias].cursor() as cursor:
            cursor.execute("SELECT pg_backend_pid(), current_database()")
            pids.append(cursor.fetchone())
    assert pids[0][0] != pids[1][0]  # two connections …
    assert pids[0][1] == pids[1][1]  # … to the test database (MIRROR)


@routing
@db_both
def test_a_report_page_reads_the_replica_and_sign_in_checks_read_the_primary(
    world: Any, population: Any, with_replica: None
) -> None:
    client = web_client(world.coordinator_a)
    with traced() as trace:
        response = client.get("/reports/risk/?group_by=district")
    assert response.status_code == 200
    assert trace.touched(ALIAS, "registry_riskcell")  # the report's figures
    assert not trace.touched("default", "registry_riskcell")
    # the session, the signed-in user, their roles and second factor: the primary only
    assert trace.touched("default", "django_session")
    assert trace.touched("default", "accounts_membership")
    for table in ("django_session", "accounts_user", "accounts_membership", "otp_totp_totpdevice"):
        assert not trace.touched(ALIAS, table), table
    assert "a few seconds behind" in response.content.decode()


@routing
@db_both
def test_an_analysts_report_is_audited_on_the_primary_and_read_from_the_replica(
    world: Any, population: Any, with_replica: None
) -> None:
    client = api_client(world.analyst_a)
    with traced() as trace:
        response = client.get("/api/v1/reports/risk?group_by=district")
    assert response.status_code == 200
    assert response.json()["perturbed"] is True
    assert trace.touched(ALIAS, "registry_riskcell")
    # the audit trail: the analyst's request written, and its chain read, on the primary only
    assert any(sql.startswith("INSERT") and '"audit_auditevent"' in sql for sql in trace.on("default"))
    assert trace.touched("default", "audit_auditchainhead")
    assert not [sql for sql in trace.on(ALIAS) if "audit_" in sql]
    assert not trace.touched(ALIAS, "accounts_apitoken") and not trace.touched(ALIAS, "accounts_user")


@routing
@db_both
def test_an_export_reads_its_cases_from_the_replica_and_writes_on_the_primary(
    world: Any, with_replica: None
) -> None:
    make_cases(world, 2)
    client = api_client(world.coordinator_a)
    with traced() as trace:
        response = client.post("/api/v1/exports", {"kind": "htcds", "purpose": "Case review with the MDT"})
    assert response.status_code == 201, response.content
    assert trace.touched(ALIAS, "cases_case")
    assert not trace.touched("default", "cases_case")
    writes = [sql for sql in trace.on(ALIAS) if sql.lstrip().split()[0] in ("INSERT", "UPDATE", "DELETE")]
    assert writes == []
    assert any(sql.startswith("INSERT") and '"exports_export"' in sql for sql in trace.on("default"))
    assert any(sql.startswith("INSERT") and '"audit_auditevent"' in sql for sql in trace.on("default"))


@routing
@db_both
def test_a_read_after_a_write_in_the_same_request_stays_on_the_primary(
    world: Any, population: Any, with_replica: None
) -> None:
    """The first write pins the request: its later report reads see what it wrote. The next request starts
    afresh."""
    from safepassage.core.replica import ReplicaScopeMiddleware

    def view(request: HttpRequest) -> HttpResponse:
        with replica.reading_replica():
            risk_report(viewer=world.coordinator_a, group_by=["district"])  # before any write: replica
        person_create(
            actor=world.coordinator_a, village_code=world.village_1.code, given_name="New", sex="male"
        )
        with replica.reading_replica():
            risk_report(viewer=world.coordinator_a, group_by=["district"])  # after it: primary
        return HttpResponse("ok")

    middleware = ReplicaScopeMiddleware(view)
    with traced() as trace:
        middleware(HttpRequest())
    cells = [(alias, n) for n, (alias, sql) in enumerate(trace.queries) if '"registry_riskcell"' in sql]
    insert = 'INSERT INTO "registry_person"'
    written = next(n for n, (_alias, sql) in enumerate(trace.queries) if sql.startswith(insert))
    assert {alias for alias, n in cells if n < written} == {ALIAS}
    assert {alias for alias, n in cells if n > written} == {"default"}
    assert not trace.touched(ALIAS, "registry_person")

    with traced() as trace:
        ReplicaScopeMiddleware(lambda request: view_read_only(world))(HttpRequest())
    assert trace.touched(ALIAS, "registry_riskcell")


def view_read_only(world: Any) -> HttpResponse:
    with replica.reading_replica():
        risk_report(viewer=world.coordinator_a, group_by=["district"])
    return HttpResponse("ok")


@routing
@db_both
def test_never_to_the_replica_inside_a_transaction_or_for_accounts_and_the_audit_trail(
    world: Any, population: Any, with_replica: None
) -> None:
    with traced() as trace, replica.request_scope(), replica.reading_replica():
        with transaction.atomic():
            RiskCell.objects.count()
        User.objects.get(username="analyst_a")
        AuditEvent.objects.count()
    assert trace.on(ALIAS) == []
    with traced() as trace, replica.request_scope(), replica.reading_replica():
        RiskCell.objects.count()
    assert len(trace.on(ALIAS)) == 1
    with traced() as trace, replica.request_scope():
        RiskCell.objects.count()  # not marked as a report's read
    assert trace.on(ALIAS) == []


@routing
@db_both
def test_sign_in_with_the_second_factor_and_the_audit_trail_never_read_the_replica(
    world: Any, population: Any, with_replica: None
) -> None:
    code = totp_code(world.admin_a)
    client = Client()
    with traced() as trace:
        assert client.post(reverse("login"), {"username": "admin_a", "password": PASSWORD}).status_code == 302
        response = client.post(reverse("accounts:second_factor"), {"code": code, "next": "/"})
        assert response.status_code == 302
        assert client.get(reverse("audit:trail")).status_code == 200
    assert trace.touched("default", "otp_totp_totpdevice")
    assert trace.touched("default", "audit_auditevent")
    assert trace.on(ALIAS) == []
