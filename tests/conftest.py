"""Shared fixtures. Browser fixtures live in tests/browser.py."""

from __future__ import annotations

import pytest

pytest_plugins = ["tests.browser"]


@pytest.fixture(autouse=True)
def _fresh_cache() -> None:
    """Every test starts with an empty cache (rate limits, cached pages and menus)."""
    from django.core.cache import cache

    cache.clear()


@pytest.fixture(autouse=True)
def _default_language() -> None:
    """Every test starts in the portal's default language (a CLI test switches to English)."""
    from django.conf import settings
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
