"""Schemathesis over the OpenAPI description: no input makes the app API or Open311 fail
with a 5xx. Bounded examples per operation so it stays fast in CI."""

from __future__ import annotations

import os
from typing import Any

import pytest
import schemathesis
from django.core.cache import cache
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, given, settings

pytestmark = pytest.mark.django_db

#: Examples per operation; raise it for a deeper run (DOS_TEST_FUZZ_EXAMPLES=200).
EXAMPLES = int(os.environ.get("DOS_TEST_FUZZ_EXAMPLES", "6"))


@pytest.fixture
def _keep_connection() -> Any:
    """The WSGI handler closes the database connection after each request; the test client
    avoids that the same way: keep the test transaction's connection open."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def _broker_store() -> None:
    from django.conf import settings

    from dos.broker.store import open_store

    store = open_store(settings.CONFIG)
    store.migrate()
    store.close()


@pytest.mark.usefixtures("_keep_connection", "_broker_store")
def test_no_server_errors(apps: dict[str, Any]) -> None:
    schema = schemathesis.openapi.from_wsgi("/api/app/v1/openapi.json", get_wsgi_application())
    raw = apps["dortmund"]["raw"]
    checked = []
    calls: list[int] = []
    for result in schema.get_all_operations():
        operation = result.ok()

        @given(case=operation.as_strategy())
        @settings(
            max_examples=EXAMPLES,
            deadline=None,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        def run(case: Any) -> None:
            cache.clear()
            case.headers = {**(case.headers or {}), "X-Api-Key": raw}
            if case.path_parameters and "city" in case.path_parameters:
                case.path_parameters["city"] = "dortmund"
            # Every other example of an Open311 operation names a real jurisdiction, so the
            # fuzzed values reach past the jurisdiction check (the others fuzz it too).
            calls.append(1)
            if len(calls) % 2:
                for part in (case.query, case.body):
                    if isinstance(part, dict) and "jurisdiction_id" in part:
                        part["jurisdiction_id"] = "dortmund"
            response = case.call()
            assert response.status_code < 500, (
                case.method,
                case.formatted_path,
                response.text[:300],
            )

        run()
        checked.append(operation.label)
    assert len(checked) >= 8
