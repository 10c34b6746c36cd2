"""The catalogue's search and filter form."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

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
