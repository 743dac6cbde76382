"""schemathesis over the API's own OpenAPI schema, with a working token: no request makes a server error."""

from __future__ import annotations

import pytest
import schemathesis
from django.core import signals
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, Phase, given, settings

from safepassage.accounts import services

pytestmark = pytest.mark.django_db(transaction=False)

EXAMPLES = 4  # a few per operation keeps the whole run to a minute or two


def test_no_request_the_schema_allows_makes_a_server_error(world, tmp_path, monkeypatch):
    # Hypothesis and schemathesis write their caches into the working directory: keep them out of the tree.
    monkeypatch.chdir(tmp_path)
    _, raw = services.token_issue(actor=None, user=world.admin_a)
    headers = {"Authorization": f"Bearer {raw}"}
    # As Django's test client does: the test's transaction must outlive each request.
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    try:
        _fuzz_all(headers)
    finally:
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)


def _fuzz_all(headers):
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", get_wsgi_application())
    # The token endpoint is left out: signing in and out would throttle or revoke the token used here.
    operations = [
        result.ok() for result in schema.get_all_operations() if result.ok().path != "/api/v1/auth/token"
    ]
    assert len(operations) > 50
    failures: list[str] = []
    for operation in operations:
        _fuzz(operation, headers, failures)
    assert failures == []


def _fuzz(operation, headers, failures):
    @settings(
        max_examples=EXAMPLES,
        database=None,
        deadline=None,
        derandomize=True,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(case=operation.as_strategy())
    def call(case):
        response = case.call(headers=headers)
        if response.status_code >= 500:
            failures.append(f"{operation.method.upper()} {case.formatted_path} -> {response.status_code}")

    call()
