"""Django authentication backend that answers ``user.has_perm`` from the named permissions."""

from __future__ import annotations

from typing import Any

from dos.portal.accounts import permissions


class CityRoleBackend:
    """Authorisation only (authentication is django-allauth's)."""

    def authenticate(self, request: Any, **credentials: Any) -> None:
        return None

    def get_user(self, user_id: int) -> Any:
        return None

    def has_perm(self, user_obj: Any, perm: str, obj: Any = None) -> bool:
        if perm not in permissions.registry():
            return False
        # Without an object Django asks "may this user do this anywhere?" (admin index and
        # changelist); the admin then narrows querysets to the user's cities.
        return permissions.has_perm(user_obj, perm, obj, anywhere=obj is None)

    def has_module_perms(self, user_obj: Any, app_label: str) -> bool:
        return any(
            permissions.has_perm(user_obj, name, anywhere=True)
            for name in permissions.registry()
            if name.startswith(app_label + ".")
        )
