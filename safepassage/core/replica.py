"""The read replica: which reads may go to it (reports and exports, by name), and the router that sends them.

A PostgreSQL standby (`DATABASE_REPLICA_URL`, docs/deployment.md) takes the heavy reads of reports and exports
off the primary. A read goes there only when all of these hold:

- the replica is configured (`settings.REPLICA_DATABASE`, set from `DATABASE_REPLICA_URL`);
- the code reading is inside `reading_replica()`: the report and export views, API endpoints and the export
  service mark themselves; nothing else reads the replica, whatever model it reads;
- the request (or the `reading_replica()` block outside a request) has written nothing yet: the first write
  pins it to the primary until it ends, so it always reads its own writes. Bookkeeping alone does not pin (an
  audit event, an API token's last use: NO_PIN): no report or export reads those tables, nor is any of them
  ever read from the replica;
- no transaction is open on the primary (a read inside one belongs to it);
- the model is not the audit trail's, nor an account's, session's or second factor's: sign-in, the second
  factor, roles and permission checks always read the primary, so a role taken away counts at once.

Writes always go to the primary. The replica lags behind by a few seconds at most (streaming replication);
the report page says its figures may be that old.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import connections
from django.db.models import Model
from django.http import HttpRequest, HttpResponse

PRIMARY = "default"
# Apps whose tables are never read from the replica: the audit trail, accounts (sign-in, roles), sessions and
# the second factor's devices.
NEVER_REPLICA = frozenset(
    {"audit", "accounts", "auth", "sessions", "contenttypes", "otp_totp", "otp_static", "django_otp"}
)
# Writes that do not pin a request to the primary: bookkeeping of tables that are never read from the replica
# and that no report or export reads — the audit trail (an analyst's report is audited before it is read),
# an API token's last use (every API call), the session (saved after the view).
NO_PIN = frozenset({"audit", "accounts.apitoken", "sessions"})


@dataclass
class _Scope:
    """One request's (or one block's outside a request) routing state."""

    pinned: bool = False  # it wrote something: every later read goes to the primary
    wanted: int = 0  # depth of reading_replica() blocks open


_scope: ContextVar[_Scope | None] = ContextVar("safepassage_replica_scope", default=None)


def replica_alias() -> str | None:
    """The replica's database alias, or None when there is none."""
    alias = getattr(settings, "REPLICA_DATABASE", None)
    return alias if alias and alias in settings.DATABASES else None


def configured() -> bool:
    """A replica takes report and export reads (for the page's note that figures may be seconds old)."""
    return replica_alias() is not None


@contextlib.contextmanager
def request_scope() -> Iterator[_Scope]:
    """A fresh routing state for one request (or one job): nothing written yet."""
    token = _scope.set(_Scope())
    try:
        yield _scope.get()  # type: ignore[misc]
    finally:
        _scope.reset(token)


@contextlib.contextmanager
def reading_replica() -> Iterator[None]:
    """Mark the reads inside as a report's or an export's: they may go to the replica (module docstring).

    Used as `with reading_replica():` or as a decorator on a view. Outside a request it opens a state of its
    own for the block, so a write inside still pins what follows in the block to the primary."""
    scope = _scope.get()
    token = None
    if scope is None:
        token = _scope.set(_Scope())
        scope = _scope.get()
    assert scope is not None
    scope.wanted += 1
    try:
        yield
    finally:
        scope.wanted -= 1
        if token is not None:
            _scope.reset(token)


def pin_primary() -> None:
    """Send every later read of this request to the primary (done by the router on each write; call it after a
    write the ORM does not see, such as raw SQL)."""
    scope = _scope.get()
    if scope is not None:
        scope.pinned = True


def pinned() -> bool:
    """This request has written (its reads go to the primary)."""
    scope = _scope.get()
    return scope is not None and scope.pinned


class ReplicaRouter:
    """Django database router: report and export reads to the replica, everything else to the primary."""

    def db_for_read(self, model: type[Model], **hints: Any) -> str | None:
        alias = replica_alias()
        if alias is None:
            return None  # no replica: Django's own choice, as before
        scope = _scope.get()
        if (
            scope is None
            or not scope.wanted
            or scope.pinned
            or model._meta.app_label in NEVER_REPLICA
            or connections[PRIMARY].in_atomic_block
        ):
            return PRIMARY
        return alias

    def db_for_write(self, model: type[Model], **hints: Any) -> str | None:
        if replica_alias() is None:
            return None
        if model._meta.app_label not in NO_PIN and model._meta.label_lower not in NO_PIN:
            pin_primary()
        return PRIMARY

    def allow_relation(self, obj1: Model, obj2: Model, **hints: Any) -> bool | None:
        alias = replica_alias()
        if alias is None:
            return None
        same = {PRIMARY, alias}
        return True if {obj1._state.db, obj2._state.db} <= same else None

    def allow_migrate(self, db: str, app_label: str, **hints: Any) -> bool | None:
        alias = replica_alias()
        if alias is not None and db == alias:
            return False  # the standby replays the primary's changes; nothing is migrated on it
        return None


class ReplicaScopeMiddleware:
    """Gives each request its own routing state: it reads the replica (where marked) until it first writes."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        with request_scope():
            return self.get_response(request)
