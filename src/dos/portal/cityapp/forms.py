"""Forms of the staff pages: report status, app settings, module adoption, client keys."""

from __future__ import annotations

import json
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from dos.portal.cityapp.models import (
    CONTENT_ENDPOINTS,
    LANGUAGES,
    SEMVER,
    Module,
    ModuleVersion,
    ServiceRequest,
)
from dos.portal.tenancy.models import City


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
    theme = forms.CharField(
        label=_("Theme (JSON)"),
        widget=forms.Textarea(attrs={"rows": 4, "spellcheck": "false"}),
        required=False,
        help_text=_(
            'Extra values for the app, e.g. {"dark_mode": true}. The colours and the logo '
            "come from the city's settings."
        ),
    )

    def clean_theme(self) -> dict[str, Any]:
        text = self.cleaned_data["theme"].strip()
        return _json_object(text) if text else {}


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
        return _json_object(self.cleaned_data["configuration"])


def _json_object(text: str) -> dict[str, Any]:
    try:
        value = json.loads(text)
    except ValueError as exc:
        raise forms.ValidationError(_("Not valid JSON: %(error)s"), params={"error": exc}) from None
    if not isinstance(value, dict):
        raise forms.ValidationError(_("Write a JSON object: {…}."))
    if "\\u0000" in json.dumps(value):  # no database can store a NUL character
        raise forms.ValidationError(_("Null characters are not allowed."))
    return value


class ModuleForm(forms.Form):
    """A module the city registers and shares (the key only when it is created)."""

    key = forms.SlugField(
        label=_("Key"), max_length=60, help_text=_("Lower-case letters, digits and hyphens.")
    )
    name = forms.CharField(label=_("Name (German)"), max_length=120)
    name_en = forms.CharField(label=_("Name (English)"), max_length=120, required=False)
    description = forms.CharField(
        label=_("Description (German)"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    description_en = forms.CharField(
        label=_("Description (English)"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    licence = forms.CharField(label=_("Licence"), max_length=60, initial="EUPL-1.2")
    sharing = forms.ChoiceField(
        label=_("Sharing"), choices=Module.SHARING_CHOICES, initial=Module.ALL
    )
    shared_with = forms.ModelMultipleChoiceField(
        label=_("Partner cities (when shared with named partner cities)"),
        queryset=City.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, city: City, *args: Any, creating: bool = True, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        partners = self.fields["shared_with"]
        assert isinstance(partners, forms.ModelMultipleChoiceField)
        partners.queryset = City.objects.exclude(pk=city.pk).order_by("name")
        if not creating:
            del self.fields["key"]

    def clean_key(self) -> str:
        key: str = self.cleaned_data["key"]
        if Module.objects.filter(key=key).exists():
            raise forms.ValidationError(_("A module with this key exists already."))
        return key

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("sharing") == Module.PARTNERS and not data.get("shared_with"):
            self.add_error("shared_with", _("Choose the partner cities to share it with."))
        return data


class ReleaseForm(forms.Form):
    """A new version of a module: number, changelog, configuration schema, endpoints."""

    version = forms.CharField(
        label=_("Version"), max_length=30, help_text=_("Semantic version, e.g. 1.2.0.")
    )
    changelog = forms.CharField(
        label=_("Changelog"), widget=forms.Textarea(attrs={"rows": 4}), required=False
    )
    config_schema = forms.CharField(
        label=_("Configuration schema (JSON Schema)"),
        widget=forms.Textarea(attrs={"rows": 12, "spellcheck": "false"}),
        initial='{"type": "object"}',
    )
    endpoints = forms.MultipleChoiceField(
        label=_("Content endpoints the module uses"),
        choices=[(key, key) for key in CONTENT_ENDPOINTS],
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def clean_version(self) -> str:
        version: str = self.cleaned_data["version"].strip()
        if not SEMVER.match(version):
            raise forms.ValidationError(_("Use a semantic version like 1.2.0."))
        return version

    def clean_config_schema(self) -> dict[str, Any]:
        return _json_object(self.cleaned_data["config_schema"])


class ClientKeyForm(forms.Form):
    label = forms.CharField(label=_("Label"), max_length=80)
    rate_limit = forms.IntegerField(
        label=_("Requests per minute"), min_value=1, max_value=100_000, initial=120
    )


class ServiceForm(forms.Form):
    """An Open311 service of the city: names, the department responsible, attributes."""

    code = forms.SlugField(
        label=_("Service code"),
        max_length=60,
        help_text=_("Lower-case letters, digits and hyphens; apps send it with each report."),
    )
    name = forms.CharField(label=_("Name (German)"), max_length=120)
    name_en = forms.CharField(label=_("Name (English)"), max_length=120, required=False)
    description = forms.CharField(
        label=_("Description (German)"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )
    description_en = forms.CharField(
        label=_("Description (English)"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )
    group = forms.CharField(label=_("Group"), max_length=80, required=False)
    keywords = forms.CharField(label=_("Keywords"), max_length=200, required=False)
    department = forms.CharField(label=_("Responsible department"), max_length=120)
    attributes = forms.CharField(
        label=_("Attributes (JSON)"),
        widget=forms.Textarea(attrs={"rows": 8, "spellcheck": "false"}),
        required=False,
        help_text=_(
            "Open311 attributes as a JSON list, e.g. "
            '[{"code": "amount", "datatype": "number", "description": "Menge"}].'
        ),
    )
    active = forms.BooleanField(label=_("Takes reports"), required=False, initial=True)

    def __init__(self, *args: Any, creating: bool = True, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not creating:
            del self.fields["code"]

    def clean_attributes(self) -> list[Any]:
        text = self.cleaned_data["attributes"].strip()
        if not text:
            return []
        try:
            value = json.loads(text)
        except ValueError as exc:
            raise forms.ValidationError(
                _("Not valid JSON: %(error)s"), params={"error": exc}
            ) from None
        if not isinstance(value, list):
            raise forms.ValidationError(_("Write a JSON list: […]."))
        if "\\u0000" in json.dumps(value):
            raise forms.ValidationError(_("Null characters are not allowed."))
        return value
