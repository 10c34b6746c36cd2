"""Forms of the staff pages: report status, app settings, module adoption, client keys."""

from __future__ import annotations

import json
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from dos.portal.cityapp.models import LANGUAGES, Module, ModuleVersion, ServiceRequest


class ReportStatusForm(forms.Form):
    state = forms.ChoiceField(label=_("State"), choices=ServiceRequest.STATE_CHOICES)
    status_notes = forms.CharField(
        label=_("Note for the reporter"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    agency_responsible = forms.CharField(
        label=_("Agency responsible"), max_length=120, required=False
    )
    expected_datetime = forms.DateTimeField(
        label=_("Expected by"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
    )


class AppSettingsForm(forms.Form):
    app_name = forms.CharField(label=_("App name"), max_length=80)
    languages = forms.MultipleChoiceField(
        label=_("Languages"),
        choices=[(code, code.upper()) for code in LANGUAGES],
        widget=forms.CheckboxSelectMultiple,
    )


class AdoptionForm(forms.Form):
    version = forms.ModelChoiceField(label=_("Version"), queryset=ModuleVersion.objects.none())
    configuration = forms.CharField(
        label=_("Configuration (JSON)"),
        widget=forms.Textarea(attrs={"rows": 10, "spellcheck": "false"}),
        initial="{}",
    )
    position = forms.IntegerField(label=_("Menu position"), min_value=0, initial=100)
    enabled = forms.BooleanField(label=_("Enabled"), required=False, initial=True)

    def __init__(self, module: Module, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["version"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = module.versions.all()

    def clean_configuration(self) -> Any:
        try:
            return json.loads(self.cleaned_data["configuration"])
        except ValueError as exc:
            raise forms.ValidationError(
                _("Not valid JSON: %(error)s"), params={"error": exc}
            ) from None


class ClientKeyForm(forms.Form):
    label = forms.CharField(label=_("Label"), max_length=80)
    rate_limit = forms.IntegerField(
        label=_("Requests per minute"), min_value=1, max_value=100_000, initial=120
    )
