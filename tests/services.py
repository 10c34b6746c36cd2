"""Access to the real services of the test legs (PostgreSQL, MQTT).

A test that needs a service calls :func:`postgres_url` / :func:`mqtt_url`: without the
variable the test is skipped, unless DOS_TEST_REQUIRE_SERVICES=1 (CI), where it fails.
"""

from __future__ import annotations

import os

import pytest

REQUIRED = os.environ.get("DOS_TEST_REQUIRE_SERVICES") == "1"


def _need(variable: str, what: str) -> str:
    value = os.environ.get(variable, "")
    if not value:
        if REQUIRED:
            pytest.fail(f"{what} is required in this run but {variable} is not set")
        pytest.skip(f"{what} not configured ({variable} is not set)")
    return value


def postgres_url() -> str:
    return _need("DOS_TEST_POSTGRES_URL", "PostgreSQL")


def mqtt_url() -> str:
    return _need("DOS_TEST_MQTT_URL", "an MQTT broker")
