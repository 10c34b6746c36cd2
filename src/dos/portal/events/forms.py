"""Forms of the events app: the filters of the public event list."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from dos.portal.events.models import Event, Venue
from dos.portal.strategy.models import ActionField
from dos.portal.tenancy.models import City


class EventFilterForm(forms.Form):
    """Filters of the upcoming-events list; every field optional, bad values named at the field."""

    MODE_CHOICES = [
        ("", _("on site and online")),
        ("onsite", _("on site")),
        ("online", _("online")),
    ]

    city = forms.ModelChoiceField(
        label=_("City"),
        queryset=City.objects.all(),
        required=False,
        to_field_name="slug",
        empty_label=_("whole region"),
    )
    venue = forms.ModelChoiceField(
        label=_("Venue"),
        queryset=Venue.objects.all(),
        required=False,
        to_field_name="slug",
        empty_label=_("all venues"),
    )
    action_field = forms.ModelChoiceField(
        label=_("Action field"),
        queryset=ActionField.objects.all(),
        required=False,
        to_field_name="slug",
        empty_label=_("all action fields"),
    )
    mode = forms.ChoiceField(label=_("Format"), choices=MODE_CHOICES, required=False)
    date_from = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args: Any, city: City | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fixed_city = city
        if city is not None:
            del self.fields["city"]
            self.fields["venue"].queryset = Venue.objects.filter(city=city)
        else:
            self.fields["venue"].queryset = Venue.objects.select_related("city")
        # Choices in the page's language (English names where the editors gave them).
        for name in ("venue", "action_field"):
            self.fields[name].label_from_instance = lambda obj: obj.text("name")

    def filter(self, events: QuerySet[Event]) -> QuerySet[Event]:
        """``events`` narrowed by the valid filters (invalid ones are ignored)."""
        data = self.cleaned_data if self.is_valid() else {}
        city = self.fixed_city or data.get("city")
        if city is not None:
            # A city's list also shows the events of the whole region.
            events = events.filter(Q(city=city) | Q(city=None))
        if data.get("venue"):
            events = events.filter(venue=data["venue"])
        if data.get("action_field"):
            events = events.filter(action_fields=data["action_field"])
        if data.get("mode") == "onsite":
            events = events.exclude(venue=None)
        elif data.get("mode") == "online":
            events = events.exclude(online_url="")
        if data.get("date_from"):
            events = events.filter(starts_at__date__gte=data["date_from"])
        return events
