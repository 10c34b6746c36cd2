"""Drop cached app configurations when anything they are made of changes (also through the
admin): the city, its app settings, its adoptions, or a module or version it uses."""

from __future__ import annotations

from typing import Any

from django.core.cache import cache
from django.db.models.signals import m2m_changed, post_delete, post_save


def invalidate(city_ids: set[int] | None) -> None:
    """Start a new configuration generation for these cities (``None``: all cities)."""
    from dos.portal.tenancy.models import City

    ids = city_ids if city_ids is not None else set(City.objects.values_list("pk", flat=True))
    for city_id in ids:
        name = f"cityapp:config-generation:{city_id}"
        cache.add(name, 0, None)
        try:
            cache.incr(name)
        except ValueError:
            cache.set(name, 1, None)


def _changed(sender: Any, instance: Any, **kwargs: Any) -> None:
    from dos.portal.cityapp.models import Adoption, Module, ModuleVersion

    if isinstance(instance, Module | ModuleVersion):
        module_id = instance.pk if isinstance(instance, Module) else instance.module_id
        invalidate(
            set(Adoption.objects.filter(module_id=module_id).values_list("city_id", flat=True))
        )
    elif hasattr(instance, "city_id"):
        invalidate({instance.city_id})
    else:  # the city itself
        invalidate({instance.pk})


def connect() -> None:
    from dos.portal.cityapp.models import Adoption, AppSettings, Module, ModuleVersion
    from dos.portal.tenancy.models import City

    for model in (City, AppSettings, Adoption, Module, ModuleVersion):
        post_save.connect(_changed, sender=model, dispatch_uid=f"cityapp-config-{model.__name__}")
        post_delete.connect(
            _changed, sender=model, dispatch_uid=f"cityapp-config-del-{model.__name__}"
        )
    m2m_changed.connect(
        _changed, sender=Module.shared_with.through, dispatch_uid="cityapp-config-share"
    )
