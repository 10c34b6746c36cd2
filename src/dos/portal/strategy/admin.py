"""Back office for the strategy: editors maintain their city's and joint projects.

Every view runs inside :func:`history.acting` so that the change history names the editor.
Region-level objects (strategy texts, action fields, evaluation rounds) need a region-wide role.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.db import models
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext_lazy as _

from dos.portal.accounts import permissions
from dos.portal.accounts.admin_scoping import CityScopedAdmin
from dos.portal.strategy import history
from dos.portal.strategy.actions import _Cities
from dos.portal.strategy.models import (
    ActionField,
    ChangeRecord,
    Evaluation,
    EvaluationCriterion,
    EvaluationRound,
    EvaluationScore,
    Kpi,
    KpiValue,
    Milestone,
    Project,
    ProjectImage,
    ProjectLink,
    Strategy,
)
from dos.portal.web.translated import ENGLISH_SECTION


class HistoryMixin:
    """Attributes every change made through the admin to the signed-in user."""

    def changeform_view(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        with history.acting(request.user):
            return super().changeform_view(request, *args, **kwargs)  # type: ignore[misc]

    def delete_view(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        with history.acting(request.user):
            return super().delete_view(request, *args, **kwargs)  # type: ignore[misc]

    def changelist_view(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        with history.acting(request.user):
            return super().changelist_view(request, *args, **kwargs)  # type: ignore[misc]


class RegionLevelAdmin(HistoryMixin, admin.ModelAdmin):  # type: ignore[type-arg]
    """Objects of the whole region: everyone with the role may look, region-wide roles edit."""

    def _perm(self, action: str) -> str:
        return f"{self.opts.app_label}.{action}_{self.opts.model_name}"

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return permissions.has_perm(request.user, self._perm("view"), anywhere=True)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return permissions.has_perm(request.user, self._perm("change"), None)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return permissions.has_perm(request.user, self._perm("delete"), None)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return permissions.has_perm(request.user, self._perm("add"), None)


class ProjectPartInline(admin.StackedInline):  # type: ignore[type-arg]
    """A part of a project, editable by whoever may change the project."""

    extra = 0

    def _allowed(self, request: HttpRequest, obj: Any) -> bool:
        return permissions.has_perm(
            request.user, "strategy.change_project", obj, anywhere=obj is None
        )

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return permissions.has_perm(
            request.user, "strategy.view_project", obj, anywhere=obj is None
        )

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._allowed(request, obj)

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._allowed(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._allowed(request, obj)


class MilestoneInline(ProjectPartInline):
    model = Milestone
    fields = [("title", "planned_date", "actual_date", "done"), "description"]


class KpiInline(ProjectPartInline):
    model = Kpi
    show_change_link = True
    fields = [
        ("name", "kind", "unit", "direction", "is_key"),
        ("baseline", "target", "target_date"),
        ("source", "entity_type", "attribute", "aggregation", "period", "threshold", "city"),
    ]


class LinkInline(ProjectPartInline):
    model = ProjectLink
    extra = 0
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    fields = [("label", "url", "position")]


class ImageInline(ProjectPartInline):
    model = ProjectImage
    fields = [("image", "alt_text", "caption", "position")]


class ProjectForm(forms.ModelForm):  # type: ignore[type-arg]
    """Refuses city assignments that would take the project out of the editor's reach."""

    user: Any = None

    class Meta:
        model = Project
        fields = "__all__"

    def clean_cities(self) -> Any:
        cities = self.cleaned_data["cities"]
        if self.user is not None and not permissions.has_perm(
            self.user, "strategy.change_project", _Cities({c.pk for c in cities})
        ):
            raise forms.ValidationError(_("You may only assign projects to cities you maintain."))
        return cities


@admin.register(Project)
class ProjectAdmin(HistoryMixin, CityScopedAdmin):
    city_lookup = "cities"
    form = ProjectForm
    list_display = ["code", "title", "phase", "status", "progress", "is_example"]
    list_filter = ["phase", "status", "action_fields", "cities", "federally_funded", "is_example"]
    search_fields = ["code", "title", "summary"]
    prepopulated_fields = {"slug": ("title",)}
    filter_horizontal = ["action_fields", "sdg_goals"]
    inlines = [MilestoneInline, KpiInline, LinkInline, ImageInline]
    fieldsets = [
        (None, {"fields": ["code", "slug", "title", "summary", "description", "is_example"]}),
        (ENGLISH_SECTION, {"fields": ["title_en", "summary_en", "description_en"]}),
        (_("Assignment"), {"fields": ["action_fields", "cities", "sdg_goals"]}),
        (
            _("State"),
            {"fields": ["phase", "status", "progress", ("start_date", "end_date")]},
        ),
        (_("Organisation"), {"fields": ["lead_department", "partners", "contact_email"]}),
        (
            _("Budget and funding"),
            {
                "fields": [
                    "budget",
                    "federally_funded",
                    "funding_programme",
                    "funding_amount",
                ]
            },
        ),
    ]

    def get_form(self, request: HttpRequest, obj: Any = None, **kwargs: Any) -> Any:
        form = super().get_form(request, obj, **kwargs)
        form.user = request.user
        return form


class KpiValueInline(ProjectPartInline):
    model = KpiValue
    extra = 1
    fields = [("date", "value", "note")]

    def _allowed(self, request: HttpRequest, obj: Any) -> bool:
        project = obj.project if obj is not None else None
        return permissions.has_perm(
            request.user, "strategy.change_project", project, anywhere=obj is None
        )


@admin.register(Kpi)
class KpiAdmin(HistoryMixin, CityScopedAdmin):
    city_lookup = "project__cities"
    list_display = ["name", "project", "kind", "source", "unit", "target"]
    list_filter = ["kind", "source"]
    search_fields = ["name", "project__code", "project__title"]
    autocomplete_fields = ["project"]
    inlines = [KpiValueInline]


class CriterionInline(admin.TabularInline):  # type: ignore[type-arg]
    model = EvaluationCriterion
    extra = 0


@admin.register(EvaluationRound)
class EvaluationRoundAdmin(RegionLevelAdmin):
    list_display = ["name", "date"]
    inlines = [CriterionInline]


class ScoreInline(ProjectPartInline):
    model = EvaluationScore
    extra = 0
    fields = ["criterion", "score"]

    def _allowed(self, request: HttpRequest, obj: Any) -> bool:
        project = obj.project if obj is not None else None
        return permissions.has_perm(
            request.user, "strategy.change_evaluation", project, anywhere=obj is None
        )


@admin.register(Evaluation)
class EvaluationAdmin(HistoryMixin, CityScopedAdmin):
    city_lookup = "project__cities"
    list_display = ["project", "round", "recommendation"]
    list_filter = ["round", "recommendation"]
    autocomplete_fields = ["project"]
    inlines = [ScoreInline]


@admin.register(Strategy)
class StrategyAdmin(RegionLevelAdmin):
    list_display = ["title", "start_year", "end_year", "updated_at"]
    fieldsets = [
        (None, {"fields": ["title", "vision", "guidelines", "start_year", "end_year"]}),
        (ENGLISH_SECTION, {"fields": ["title_en", "vision_en", "guidelines_en"]}),
    ]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(ActionField)
class ActionFieldAdmin(RegionLevelAdmin):
    list_display = ["code", "name", "position"]
    prepopulated_fields = {"slug": ("name",)}
    fieldsets = [
        (None, {"fields": ["code", "slug", "name", "description", "colour", "icon", "position"]}),
        (ENGLISH_SECTION, {"fields": ["name_en", "description_en"]}),
    ]


@admin.register(ChangeRecord)
class ChangeRecordAdmin(CityScopedAdmin):
    """The change history, read-only."""

    city_lookup = "project__cities"
    list_display = ["at", "actor_label", "subject_label", "action"]
    list_filter = ["action"]
    search_fields = ["subject_label", "actor_label"]
    readonly_fields = ["at", "actor_label", "subject_label", "action", "changes"]
    exclude = ["actor", "subject", "project", "snapshot"]

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return permissions.has_perm(request.user, "strategy.view_changerecord", anywhere=True)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
