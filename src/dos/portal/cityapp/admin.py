"""Admin for the city app: region admins see all, city staff their city's objects."""

from __future__ import annotations

from django.contrib import admin

from dos.portal.accounts.admin_scoping import CityScopedAdmin
from dos.portal.cityapp.models import (
    Adoption,
    AppSettings,
    ClientKey,
    Module,
    ModuleVersion,
    Service,
    ServiceRequest,
)


class ModuleVersionInline(admin.StackedInline):  # type: ignore[type-arg]
    model = ModuleVersion
    extra = 0


@admin.register(Module)
class ModuleAdmin(CityScopedAdmin):
    city_lookup = "owner"
    list_display = ["key", "name", "owner", "sharing", "licence"]
    inlines = [ModuleVersionInline]


@admin.register(AppSettings)
class AppSettingsAdmin(CityScopedAdmin):
    list_display = ["app_name", "city", "updated_at"]


@admin.register(Adoption)
class AdoptionAdmin(CityScopedAdmin):
    list_display = ["city", "module", "version", "position", "enabled"]
    list_filter = ["city", "module"]


@admin.register(ClientKey)
class ClientKeyAdmin(CityScopedAdmin):
    list_display = ["label", "city", "hint", "rate_limit", "created_at", "revoked_at"]
    readonly_fields = ["hint", "created_at"]

    def has_add_permission(self, request: object) -> bool:
        return False  # keys are created on the app page, which shows the key once


@admin.register(Service)
class ServiceAdmin(CityScopedAdmin):
    list_display = ["code", "name", "city", "department", "active"]
    list_filter = ["city", "active"]


@admin.register(ServiceRequest)
class ServiceRequestAdmin(CityScopedAdmin):
    list_display = ["pk", "city", "service", "state", "requested_datetime"]
    list_filter = ["city", "state"]
    readonly_fields = [
        "token",
        "requested_datetime",
        "updated_datetime",
        "mirrored_at",
        "mirror_error",
    ]
