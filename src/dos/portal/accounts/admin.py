from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from dos.portal.accounts.admin_scoping import CityScopedAdmin
from dos.portal.accounts.models import Membership, User


class MembershipInline(admin.TabularInline):  # type: ignore[type-arg]
    model = Membership
    extra = 0
    fields = ["role", "city", "granted_at"]
    readonly_fields = ["granted_at"]


@admin.register(User)
class UserAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ["email", "public_name", "is_active", "is_staff", "date_joined"]
    search_fields = ["email", "public_name"]
    list_filter = ["is_active", "is_staff"]
    fields = [
        "email",
        "public_name",
        "first_name",
        "last_name",
        "is_active",
        "date_joined",
        "last_login",
        "deleted_at",
    ]
    readonly_fields = ["date_joined", "last_login", "deleted_at"]
    inlines = [MembershipInline]

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return request.user.has_perm("accounts.view_user")

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return request.user.has_perm("accounts.change_user")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Membership)
class MembershipAdmin(CityScopedAdmin):
    list_display = ["user", "role", "city", "granted_at"]
    list_filter = ["role", "city"]
    autocomplete_fields = ["user"]
