"""Each test starts with an empty cache: rendered fragments are cached per strategy version."""

import pytest
from django.core.cache import cache


@pytest.fixture(autouse=True)
def _empty_cache():
    cache.clear()
    yield
    cache.clear()
