"""Forms of the accounts app."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from dos.portal.accounts.models import User


class SignupForm(forms.Form):
    """Extra sign-up fields (django-allauth adds e-mail and password)."""

    public_name = forms.CharField(
        label=_("Public name"),
        max_length=60,
        help_text=_("Shown next to your ideas and comments. A pseudonym is fine."),
    )
    # A field people never see: bots fill it in (honeypot).
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

    def signup(self, request: Any, user: User) -> None:
        user.public_name = self.cleaned_data["public_name"]
        user.save(update_fields=["public_name"])


class ProfileForm(forms.ModelForm):
    class Meta:
        model = User
        fields = ["public_name", "first_name", "last_name"]


class DeleteAccountForm(forms.Form):
    password = forms.CharField(label=_("Your password"), widget=forms.PasswordInput, required=False)
    confirm = forms.BooleanField(
        label=_(
            "I understand that my account and personal data will be deleted. My public "
            "contributions stay and are shown as “deleted user”."
        )
    )

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_password(self) -> str:
        password: str = self.cleaned_data.get("password", "")
        if self.user.has_usable_password() and not self.user.check_password(password):
            raise forms.ValidationError(_("The password is not correct."))
        return password
