"""Base admin for city-scoped models: staff see and edit only what their city roles allow."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from dos.portal.accounts import permissions


class CityScopedAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    """Filters the change list to the user's cities and checks permissions per object.

    ``city_lookup`` is the queryset path to the object's city (``"city"``, ``"cities"``);
    objects with no city are region-level and visible to region-wide roles only.
    """

    city_lookup = "city"

    def _perm(self, action: str) -> str:
        return f"{self.opts.app_label}.{action}_{self.opts.model_name}"

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        qs = super().get_queryset(request)
        ids = permissions.city_ids_with(request.user, self._perm("view"))
        if ids is None:
            return qs
        return qs.filter(**{f"{self.city_lookup}__in": ids}).distinct()

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return permissions.has_perm(request.user, self._perm("view"), obj, anywhere=obj is None)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return permissions.has_perm(request.user, self._perm("change"), obj, anywhere=obj is None)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return permissions.has_perm(request.user, self._perm("delete"), obj, anywhere=obj is None)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return permissions.has_perm(request.user, self._perm("add"), anywhere=True)

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        if db_field.name == "city":
            from dos.portal.tenancy.models import City

            ids = permissions.city_ids_with(request.user, self._perm("change"))
            if ids is not None:
                kwargs["queryset"] = City.objects.filter(pk__in=ids)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)
