"""The request a write happens in (its id and the client's address), for the audit trail."""

from __future__ import annotations

import contextvars
import uuid
from dataclasses import dataclass


@dataclass(frozen=True)
class RequestContext:
    """Where a change came from: a web or API request, or a command on the server."""

    request_id: str
    ip: str | None = None
    channel: str = "web"
    # the X-Request-ID the client sent: kept beside the server's id for tracing, never used as the id
    client_request_id: str = ""


_current: contextvars.ContextVar[RequestContext | None] = contextvars.ContextVar(
    "audit_request", default=None
)


def current() -> RequestContext:
    """The context of the running request, or a fresh one for commands and tasks."""
    ctx = _current.get()
    if ctx is None:
        ctx = RequestContext(request_id=uuid.uuid4().hex, channel="cli")
    return ctx


def activate(ctx: RequestContext) -> contextvars.Token[RequestContext | None]:
    """Make `ctx` the current context until reset."""
    return _current.set(ctx)


def reset(token: contextvars.Token[RequestContext | None]) -> None:
    """Restore the previous context."""
    _current.reset(token)
