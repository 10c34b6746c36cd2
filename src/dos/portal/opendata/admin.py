from typing import Any

from django.contrib import admin
from django.db import models
from django.http import HttpRequest

from dos.portal.accounts.admin_scoping import CityScopedAdmin
from dos.portal.opendata import actions
from dos.portal.opendata.models import Dataset, Distribution


class DistributionInline(admin.TabularInline):  # type: ignore[type-arg]
    model = Distribution
    extra = 1
    fields = ("title", "url", "format", "description", "position")
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}


@admin.register(Dataset)
class DatasetAdmin(CityScopedAdmin):
    list_display = ("title", "city", "source", "entity_type", "licence", "updated_at")
    list_filter = ("source", "city", "licence")
    search_fields = ("title", "description", "keywords")
    readonly_fields = ("source", "entity_type", "attribute_names", "uuid")
    prepopulated_fields = {"slug": ("title",)}
    inlines = [DistributionInline]

    def save_model(self, request: HttpRequest, obj: Dataset, form: Any, change: bool) -> None:
        actions.dataset_save(request.user, obj)

    def delete_model(self, request: HttpRequest, obj: Dataset) -> None:
        actions.dataset_delete(request.user, obj)
