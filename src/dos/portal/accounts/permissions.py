"""Named permissions, checked in one place.

Each app declares ``PERMISSIONS`` in its ``permissions.py``: permission name → the roles that
hold it (besides region admins, who hold all). A role granted for a city holds for objects of
that city; a role granted region-wide (no city) holds everywhere. Objects say which cities they
belong to with ``dos_city_ids()`` or a ``city_id`` field; an object of no city (region level)
needs a region-wide role.
"""

from __future__ import annotations

from functools import cache
from importlib import import_module
from typing import Any

from django.apps import apps
from django.core.exceptions import PermissionDenied

from dos.portal.accounts.roles import CITY_ADMIN, REGION_ADMIN


class SystemActor:
    """The platform itself (CLI, demo loader, scheduled jobs): holds every permission."""

    is_authenticated = True
    is_active = True
    pk = None

    def __str__(self) -> str:
        return "system"


SYSTEM = SystemActor()


@cache
def registry() -> dict[str, frozenset[str]]:
    """All declared permissions of the installed apps."""
    found: dict[str, frozenset[str]] = {}
    for config in apps.get_app_configs():
        if not config.name.startswith("dos.portal."):
            continue
        try:
            module = import_module(f"{config.name}.permissions")
        except ModuleNotFoundError as exc:
            if exc.name != f"{config.name}.permissions":
                raise
            continue
        for name, roles in getattr(module, "PERMISSIONS", {}).items():
            found[name] = frozenset(roles)
    return found


def city_ids_of(obj: Any) -> set[int] | None:
    """The cities an object belongs to; ``None`` for a region-level object."""
    if obj is None:
        return None
    if hasattr(obj, "dos_city_ids"):
        ids: set[int] | None = obj.dos_city_ids()
        return ids
    city_id = getattr(obj, "city_id", None)
    return {city_id} if city_id is not None else None


def roles_of(user: Any) -> list[tuple[int | None, str]]:
    """(city id or None, role) pairs, cached on the user object for the request."""
    cached: list[tuple[int | None, str]] | None = getattr(user, "_dos_roles", None)
    if cached is None:
        cached = list(user.memberships.values_list("city_id", "role"))
        user._dos_roles = cached
    return cached


def has_perm(user: Any, perm: str, obj: Any = None, *, anywhere: bool = False) -> bool:
    """Whether ``user`` holds ``perm`` for ``obj`` (or, with ``anywhere``, for any city)."""
    if isinstance(user, SystemActor):
        return True
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    if perm not in registry():
        raise KeyError(f"undeclared permission {perm}")
    if user.is_superuser:
        return True
    allowed = registry()[perm]
    held = roles_of(user)
    if any(role == REGION_ADMIN for _city, role in held):
        return True
    if anywhere:
        return any(role in allowed for _city, role in held)
    cities = city_ids_of(obj)
    for city_id, role in held:
        if role not in allowed:
            continue
        if city_id is None:
            return True
        if cities and city_id in cities:
            return True
    return False


def require(user: Any, perm: str, obj: Any = None) -> None:
    """Raise :class:`PermissionDenied` naming ``perm`` unless ``user`` holds it for ``obj``."""
    if not has_perm(user, perm, obj):
        raise PermissionDenied(f"missing permission {perm}")


def city_ids_with(user: Any, perm: str) -> set[int] | None:
    """Cities where ``user`` holds ``perm``; ``None`` means every city (region-wide)."""
    if isinstance(user, SystemActor) or user.is_superuser:
        return None
    allowed = registry().get(perm, frozenset())
    ids: set[int] = set()
    for city_id, role in roles_of(user):
        if role == REGION_ADMIN or (role in allowed and city_id is None):
            return None
        if role in allowed and city_id is not None:
            ids.add(city_id)
    return ids


PERMISSIONS = {
    "accounts.view_user": {CITY_ADMIN},
    "accounts.change_user": set(),
    "accounts.export_user": set(),
    "accounts.delete_user": set(),
    "accounts.view_membership": {CITY_ADMIN},
    "accounts.add_membership": {CITY_ADMIN},
    "accounts.change_membership": {CITY_ADMIN},
    "accounts.delete_membership": {CITY_ADMIN},
}
