"""Back office: editors set up processes, phases, districts and surveys; city admins the
participation rules. Ideas and comments are moderated in the portal (the actions), so the
admin shows them read-only."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from dos.portal.accounts.admin_scoping import CityScopedAdmin
from dos.portal.participation.models import (
    CityRules,
    District,
    Idea,
    InvitationCode,
    ModerationLogEntry,
    Phase,
    Process,
    Question,
    Survey,
)


class PhaseInline(admin.TabularInline):  # type: ignore[type-arg]
    model = Phase
    extra = 0


@admin.register(Process)
class ProcessAdmin(CityScopedAdmin):
    list_display = ["title", "city", "slug"]
    prepopulated_fields = {"slug": ("title",)}
    inlines = [PhaseInline]


@admin.register(CityRules)
class CityRulesAdmin(CityScopedAdmin):
    list_display = [
        "city",
        "precheck_ideas",
        "precheck_comments",
        "support_threshold",
        "support_weeks",
    ]


@admin.register(District)
class DistrictAdmin(CityScopedAdmin):
    list_display = ["name", "city"]
    list_filter = ["city"]


class ReadOnlyCityAdmin(CityScopedAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Idea)
class IdeaAdmin(ReadOnlyCityAdmin):
    list_display = ["title", "city", "process", "status", "support_count", "hidden", "created_at"]
    list_filter = ["status", "hidden", "city", "process"]
    search_fields = ["title", "description"]


@admin.register(ModerationLogEntry)
class ModerationLogAdmin(ReadOnlyCityAdmin):
    list_display = ["created_at", "city", "action", "actor", "idea", "reason"]
    list_filter = ["action", "city"]


class QuestionInline(admin.StackedInline):  # type: ignore[type-arg]
    model = Question
    extra = 0


class InvitationCodeInline(admin.TabularInline):  # type: ignore[type-arg]
    model = InvitationCode
    extra = 0
    readonly_fields = ["used_at"]


@admin.register(Survey)
class SurveyAdmin(CityScopedAdmin):
    list_display = ["title", "city", "process", "open", "anonymous", "results_published"]
    inlines = [QuestionInline, InvitationCodeInline]
