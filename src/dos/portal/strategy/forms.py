"""Forms of the public strategy pages."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from dos.portal.strategy.models import ActionField, Phase, Project, Status
from dos.portal.strategy.models.core import SDG_NAMES
from dos.portal.tenancy.models import City

FUNDING_CHOICES = [
    ("", _("All")),
    ("federal", _("Federally funded")),
    ("other", _("Other funding")),
    ("none", _("Without funding")),
]


class ProjectFilterForm(forms.Form):
    """Filters of the project list; every field is optional (GET parameters)."""

    field = forms.ChoiceField(label=_("Action field"), required=False)
    city = forms.ChoiceField(label=_("City"), required=False)
    phase = forms.ChoiceField(
        label=_("Phase"), required=False, choices=[("", _("All")), *Phase.choices]
    )
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", _("All")), *Status.choices]
    )
    funding = forms.ChoiceField(label=_("Funding"), required=False, choices=FUNDING_CHOICES)
    sdg = forms.TypedChoiceField(
        label=_("SDG"),
        required=False,
        coerce=int,
        empty_value=None,
        choices=[("", _("All"))] + [(n, f"{n} – {name}") for n, name in SDG_NAMES.items()],
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["field"].choices = [("", _("All"))] + [
            (f.slug, f"{f.code} – {f.text('name')}") for f in ActionField.objects.all()
        ]
        self.fields["city"].choices = [
            ("", _("All")),
            *((c.slug, c.name) for c in City.objects.all()),
            ("region", _("Whole region")),
        ]

    def apply(self, projects: QuerySet[Project]) -> QuerySet[Project]:
        """The projects matching the valid filters."""
        if not self.is_valid():
            return projects
        data = self.cleaned_data
        if data["field"]:
            projects = projects.filter(action_fields__slug=data["field"])
        if data["city"] == "region":
            projects = projects.filter(cities__isnull=True)
        elif data["city"]:
            projects = projects.filter(cities__slug=data["city"])
        if data["phase"]:
            projects = projects.filter(phase=data["phase"])
        if data["status"]:
            projects = projects.filter(status=data["status"])
        if data["funding"] == "federal":
            projects = projects.filter(federally_funded=True)
        elif data["funding"] == "other":
            projects = projects.filter(federally_funded=False).exclude(funding_programme="")
        elif data["funding"] == "none":
            projects = projects.filter(Q(federally_funded=False) & Q(funding_programme=""))
        if data["sdg"]:
            projects = projects.filter(sdg_goals__number=data["sdg"])
        return projects.distinct()


class CompareForm(forms.Form):
    """The date to compare a project's current state with."""

    date = forms.DateField(
        label=_("Compare with the state on"),
        widget=forms.DateInput(attrs={"type": "date"}),
    )
