"""Shared fixtures. Browser fixtures live in tests/browser.py."""

from __future__ import annotations

pytest_plugins = ["tests.browser"]
