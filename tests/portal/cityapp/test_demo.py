"""The city app demo: a Dortmund module adopted by Schwerte with its own configuration, both
app configurations, services and reports in several states; loading twice changes nothing."""

from __future__ import annotations

from typing import Any

import pytest

from dos.demo import cityapp, region
from dos.portal.cityapp.models import Adoption, Module, ServiceRequest

pytestmark = pytest.mark.django_db


def test_demo_is_complete_and_idempotent(settings: Any) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    for _ in range(2):
        region.load(lambda _msg: None)
        cityapp.load(lambda _msg: None)
    module = Module.objects.get(key="appointments")
    assert module.owner.slug == "dortmund"
    assert [v.version for v in sorted(module.versions.all(), key=lambda v: v.sort_key)] == [
        "1.0.0",
        "1.1.0",
    ]
    configs = {a.city.slug: a.configuration for a in Adoption.objects.filter(module=module)}
    assert set(configs) == {"dortmund", "schwerte"}
    assert configs["dortmund"]["offices"] != configs["schwerte"]["offices"]
    assert ServiceRequest.objects.count() == 6
    assert set(ServiceRequest.objects.values_list("state", flat=True)) == {
        "received",
        "in_progress",
        "resolved",
        "rejected",
    }
    assert Adoption.objects.filter(city__slug="schwerte").count() == 5
    assert Adoption.objects.filter(city__slug="dortmund").count() == 7
