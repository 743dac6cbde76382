"""Gives every request an id of the server's making (echoed in X-Request-ID) that its audit events carry.
A client's own X-Request-ID is kept beside it, marked as the client's, and never becomes the id."""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from safepassage.audit import context
from safepassage.core.clients import client_address

_SAFE_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")


class RequestContextMiddleware:
    """Sets the audit request context for the duration of one request."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        incoming = request.headers.get("X-Request-ID", "")
        client_request_id = incoming if _SAFE_ID.match(incoming) else ""
        request_id = uuid.uuid4().hex
        channel = "api" if request.path.startswith("/api/") else "web"
        token = context.activate(
            context.RequestContext(
                request_id=request_id,
                ip=client_address(request.META) or None,
                channel=channel,
                client_request_id=client_request_id,
            )
        )
        try:
            response = self.get_response(request)
        finally:
            context.reset(token)
        response["X-Request-ID"] = request_id
        return response
