from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from dos.portal.accounts import permissions
from dos.portal.accounts.admin_scoping import CityScopedAdmin
from dos.portal.tenancy.models import City, Region


@admin.register(Region)
class RegionAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ["name", "updated_at"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(City)
class CityAdmin(CityScopedAdmin):
    list_display = ["name", "slug", "ags", "position", "joined_at"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[City]:
        qs = admin.ModelAdmin.get_queryset(self, request)
        ids = permissions.city_ids_with(request.user, "tenancy.view_city")
        return qs if ids is None else qs.filter(pk__in=ids)

    def get_prepopulated_fields(self, request: HttpRequest, obj: Any = None) -> dict[str, Any]:
        return {} if obj is not None else {"slug": ("name",)}

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        # The slug is the city's URL and NGSI-LD tenant: fixed once the city exists.
        return ["slug"] if obj is not None else []
