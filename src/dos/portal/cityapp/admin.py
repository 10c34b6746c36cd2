"""Admin for the city app: region admins see all, city staff their city's objects."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from dos.portal.accounts import permissions
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

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        # City staff register modules for their own cities only; a built-in module (no owner)
        # needs a region-wide role.
        if db_field.name == "owner":
            from dos.portal.tenancy.models import City

            ids = permissions.city_ids_with(request.user, "cityapp.change_module")
            if ids is not None:
                kwargs["queryset"] = City.objects.filter(pk__in=ids)
                kwargs["required"] = True
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


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

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)
        # Mirrored after the commit like a change on the staff pages (a failure is recorded
        # on the report and `dos cityapp sync` retries it).
        from functools import partial

        from django.db import transaction

        from dos.portal.cityapp.mirror import mirror_request

        transaction.on_commit(partial(mirror_request, obj.pk))
