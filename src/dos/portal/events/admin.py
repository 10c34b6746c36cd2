"""Back office for venues, events, series and registrations; saving goes through actions."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.db import models
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from dos.portal.accounts import permissions
from dos.portal.accounts.admin_scoping import CityScopedAdmin
from dos.portal.events import actions
from dos.portal.events.models import Event, EventSeries, Registration, Venue
from dos.portal.web.translated import ENGLISH_SECTION

#: Links typed without a scheme are read as https (Django 6's default, without its warning).
URL_FIELDS = {models.URLField: {"assume_scheme": "https"}}


@admin.register(Venue)
class VenueAdmin(CityScopedAdmin):
    formfield_overrides = URL_FIELDS
    list_display = ["name", "city", "address", "step_free_access"]
    list_filter = ["city"]
    search_fields = ["name", "address"]
    prepopulated_fields = {"slug": ("name",)}
    fieldsets = [
        (None, {"fields": ["city", "name", "slug", "description", "address"]}),
        (_("Location"), {"fields": ["latitude", "longitude", "website"]}),
        (
            _("Accessibility"),
            {
                "fields": [
                    "step_free_access",
                    "accessible_toilet",
                    "induction_loop",
                    "accessibility_notes",
                ]
            },
        ),
        (ENGLISH_SECTION, {"fields": ["name_en", "description_en", "accessibility_notes_en"]}),
    ]

    def save_model(self, request: HttpRequest, obj: Venue, form: Any, change: bool) -> None:
        actions.venue_save(request.user, obj)


@admin.register(Event)
class EventAdmin(CityScopedAdmin):
    formfield_overrides = URL_FIELDS
    list_display = ["title", "city", "starts_at", "venue", "status", "capacity"]
    list_filter = ["status", "city", "venue", "registration_required"]
    search_fields = ["title", "organiser"]
    date_hierarchy = "starts_at"
    prepopulated_fields = {"slug": ("title",)}
    filter_horizontal = ["action_fields", "projects"]
    readonly_fields = ["series"]
    actions = ["publish", "unpublish"]
    fieldsets = [
        (None, {"fields": ["title", "slug", "summary", "description", "status"]}),
        (ENGLISH_SECTION, {"fields": ["title_en", "summary_en", "description_en"]}),
        (_("Time and place"), {"fields": ["city", "starts_at", "ends_at", "venue", "online_url"]}),
        (
            _("Registration"),
            {"fields": ["registration_required", "capacity", "waiting_list_limit"]},
        ),
        (_("Context"), {"fields": ["organiser", "action_fields", "projects", "series"]}),
    ]

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        if db_field.name == "venue":
            ids = permissions.city_ids_with(request.user, "events.change_event")
            qs = Venue.objects.select_related("city")
            kwargs["queryset"] = qs if ids is None else qs.filter(city__in=ids)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_model(self, request: HttpRequest, obj: Event, form: Any, change: bool) -> None:
        actions.event_save(request.user, obj)

    @admin.action(description=_("Publish the selected events"))
    def publish(self, request: HttpRequest, queryset: QuerySet[Event]) -> None:
        for event in queryset:
            actions.event_publish(request.user, event)
        messages.success(request, _("Events published."))

    @admin.action(description=_("Take the selected events back to draft"))
    def unpublish(self, request: HttpRequest, queryset: QuerySet[Event]) -> None:
        for event in queryset:
            actions.event_publish(request.user, event, published=False)
        messages.success(request, _("Events set to draft."))


class EventSeriesForm(forms.ModelForm):
    first_event = forms.ModelChoiceField(
        label=_("First event"),
        queryset=Event.objects.all(),
        help_text=_("The other dates are copied from this event."),
    )

    class Meta:
        model = EventSeries
        fields = ["title", "title_en", "frequency", "interval", "count", "until"]


@admin.register(EventSeries)
class EventSeriesAdmin(CityScopedAdmin):
    city_lookup = "events__city"
    form = EventSeriesForm
    list_display = ["title", "frequency", "interval", "count", "until"]

    def get_form(
        self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any
    ) -> Any:
        form = super().get_form(request, obj, change, **kwargs)
        ids = permissions.city_ids_with(request.user, "events.add_event")
        events = Event.objects.filter(series=None) if obj is None else obj.events.all()
        form.base_fields["first_event"].queryset = (
            events if ids is None else events.filter(city__in=ids)
        )
        if obj is not None:
            form.base_fields["first_event"].initial = obj.events.order_by("starts_at").first()
        return form

    def save_model(self, request: HttpRequest, obj: EventSeries, form: Any, change: bool) -> None:
        dates = actions.series_generate(request.user, form.cleaned_data["first_event"], obj)
        messages.success(request, _("%(n)d dates in the series.") % {"n": len(dates)})


@admin.register(Registration)
class RegistrationAdmin(CityScopedAdmin):
    city_lookup = "event__city"
    list_display = ["event", "user", "status", "created_at", "reminded_at"]
    list_filter = ["status"]
    list_select_related = ["event", "user"]
    search_fields = ["event__title", "user__public_name"]
    fields = [
        "event",
        "user",
        "status",
        "created_at",
        "waiting_since",
        "confirmed_at",
        "cancelled_at",
        "reminded_at",
    ]
    readonly_fields = fields
    actions = ["cancel"]

    @admin.action(description=_("Cancel the selected registrations"))
    def cancel(self, request: HttpRequest, queryset: QuerySet[Registration]) -> None:
        for registration in queryset.exclude(status=Registration.Status.CANCELLED):
            actions.registration_cancel(request.user, registration)
        messages.success(
            request, _("Registrations cancelled; free seats went to the waiting list.")
        )
