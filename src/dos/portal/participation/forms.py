"""Forms of the participation app; the actions check the content again."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from dos.portal.participation.models import IdeaStatus, NotificationSettings
from dos.portal.tenancy.models import City


class HoneypotMixin(forms.Form):
    # A field people never see (hidden by CSS): bots fill it in.
    website = forms.CharField(
        label=_("Leave this field empty"),
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
    )

    def clean_website(self) -> str:
        value: str = self.cleaned_data.get("website", "")
        if value:
            raise forms.ValidationError(_("This field must stay empty."))
        return value


class IdeaForm(HoneypotMixin):
    title = forms.CharField(label=_("Title"), max_length=120)
    description = forms.CharField(
        label=_("Description"), max_length=5000, widget=forms.Textarea(attrs={"rows": 8})
    )
    city = forms.ModelChoiceField(label=_("City"), queryset=City.objects.all())
    action_field = forms.ChoiceField(label=_("Action field"), required=False)
    latitude = forms.FloatField(
        label=_("Latitude"),
        required=False,
        min_value=-90,
        max_value=90,
        widget=forms.NumberInput(attrs={"step": "any"}),
    )
    longitude = forms.FloatField(
        label=_("Longitude"),
        required=False,
        min_value=-180,
        max_value=180,
        widget=forms.NumberInput(attrs={"step": "any"}),
    )
    image = forms.FileField(
        label=_("Image"),
        required=False,
        help_text=_("JPEG, PNG or WebP, at most 5 MB. Location and camera data are removed."),
        widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png,image/webp"}),
    )
    image_alt = forms.CharField(
        label=_("Image description"),
        max_length=200,
        required=False,
        help_text=_("What the image shows, for people who cannot see it."),
    )
    field_order = [
        "title",
        "description",
        "city",
        "action_field",
        "latitude",
        "longitude",
        "image",
        "image_alt",
        "website",
    ]

    def __init__(
        self, *args: Any, process: Any, action_fields: list[tuple[str, str]], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        if process.city_id:
            self.fields["city"].initial = process.city_id
            self.fields["city"].queryset = City.objects.filter(pk=process.city_id)
        if action_fields:
            self.fields["action_field"].choices = [("", "—"), *action_fields]
        else:
            del self.fields["action_field"]


class CommentForm(HoneypotMixin):
    body = forms.CharField(
        label=_("Your comment"), max_length=3000, widget=forms.Textarea(attrs={"rows": 4})
    )
    parent = forms.IntegerField(required=False, widget=forms.HiddenInput)
    official = forms.BooleanField(label=_("Official answer of the city"), required=False)


class CommentEditForm(forms.Form):
    body = forms.CharField(
        label=_("Your comment"), max_length=3000, widget=forms.Textarea(attrs={"rows": 4})
    )


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"), max_length=1000, widget=forms.Textarea(attrs={"rows": 3})
    )


class AnswerForm(forms.Form):
    status = forms.ChoiceField(label=_("New status"), choices=IdeaStatus.choices)
    answer = forms.CharField(
        label=_("Official answer"), max_length=5000, widget=forms.Textarea(attrs={"rows": 4})
    )
    project = forms.ChoiceField(label=_("Project"), required=False)

    def __init__(
        self,
        *args: Any,
        statuses: list[tuple[str, str]],
        projects: list[tuple[str, str]],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["status"].choices = statuses
        if projects:
            self.fields["project"].choices = [("", "—"), *projects]
        else:
            del self.fields["project"]


class PaperSignatureForm(forms.Form):
    count = forms.IntegerField(label=_("Number of signatures"), min_value=1, max_value=100000)
    note = forms.CharField(label=_("Note"), max_length=300)


class NotificationSettingsForm(forms.Form):
    email_mode = forms.ChoiceField(
        label=_("E-mails about what I follow"),
        choices=NotificationSettings.MODES,
        widget=forms.RadioSelect,
    )
