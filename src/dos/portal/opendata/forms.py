"""The catalogue's search and filter form."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from dos.portal.opendata import vocab
from dos.portal.tenancy.models import City


class CatalogueSearchForm(forms.Form):
    """Words to search plus filters by city, theme and keyword (all optional)."""

    q = forms.CharField(label=_("Search"), required=False, max_length=200)
    city = forms.ModelChoiceField(
        label=_("City"),
        queryset=City.objects.all(),
        to_field_name="slug",
        required=False,
        empty_label=_("All cities"),
    )
    theme = forms.ChoiceField(
        label=_("Theme"), required=False, choices=[("", _("All themes")), *vocab.THEME_CHOICES]
    )
    keyword = forms.CharField(label=_("Keyword"), required=False, max_length=100)


class HistoryForm(forms.Form):
    """The period of a history download: from and to (inclusive) as dates."""

    von = forms.DateField(
        label=pgettext_lazy("period of a download", "From"),
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    bis = forms.DateField(
        label=pgettext_lazy("period of a download", "To"),
        widget=forms.DateInput(attrs={"type": "date"}),
    )

    def clean(self) -> dict[str, Any]:
        cleaned: dict[str, Any] = super().clean() or {}
        start, end = cleaned.get("von"), cleaned.get("bis")
        if start and end and end < start:
            self.add_error("bis", _("The end must not lie before the start."))
        return cleaned
