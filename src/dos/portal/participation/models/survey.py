"""Surveys with typed questions, responses per user or per invitation code."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from dos.portal.participation.models.process import Process
from dos.portal.tenancy.models import City


class Survey(models.Model):
    """A survey of a city or the region, optionally part of a process."""

    city = models.ForeignKey(
        City, on_delete=models.CASCADE, null=True, blank=True, related_name="surveys"
    )
    process = models.ForeignKey(
        Process, on_delete=models.SET_NULL, null=True, blank=True, related_name="surveys"
    )
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    anonymous = models.BooleanField(
        _("anonymous"),
        default=False,
        help_text=_("Responses are stored without the respondent's account."),
    )
    open = models.BooleanField(_("open for responses"), default=True)
    results_published = models.BooleanField(_("results published"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("survey")
        verbose_name_plural = _("surveys")

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("participation:survey", kwargs={"pk": self.pk})

    def dos_city_ids(self) -> set[int] | None:
        return {self.city_id} if self.city_id else None


class Question(models.Model):
    """One question; choices are one per line for choice and ranking questions."""

    SINGLE = "single"
    MULTIPLE = "multiple"
    TEXT = "text"
    SCALE = "scale"
    RANKING = "ranking"
    KINDS = [
        (SINGLE, _("Single choice")),
        (MULTIPLE, _("Multiple choice")),
        (TEXT, _("Free text")),
        (SCALE, _("Scale")),
        (RANKING, _("Ranking")),
    ]

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="questions")
    position = models.PositiveIntegerField(_("position"), default=0)
    kind = models.CharField(_("kind"), max_length=10, choices=KINDS)
    text = models.CharField(_("question"), max_length=300)
    choices = models.TextField(_("choices (one per line)"), blank=True)
    scale_max = models.PositiveSmallIntegerField(
        _("scale maximum"), default=5, validators=[MinValueValidator(2), MaxValueValidator(10)]
    )
    required = models.BooleanField(_("required"), default=True)

    class Meta:
        ordering = ["position", "pk"]
        verbose_name = _("question")
        verbose_name_plural = _("questions")

    def __str__(self) -> str:
        return self.text

    def choice_list(self) -> list[str]:
        return [line.strip() for line in self.choices.splitlines() if line.strip()]

    def dos_city_ids(self) -> set[int] | None:
        return self.survey.dos_city_ids()


class InvitationCode(models.Model):
    """A one-time code for answering without an account (e.g. for offline groups)."""

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="codes")
    code = models.CharField(_("code"), max_length=32, unique=True)
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("invitation code")
        verbose_name_plural = _("invitation codes")

    def __str__(self) -> str:
        return self.code


class SurveyResponse(models.Model):
    """One filled-in survey: by a user (none when anonymous) or by an invitation code."""

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="responses")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="survey_responses",
    )
    # Anonymous surveys still allow one response per user: a keyed hash, not the account.
    respondent_key = models.CharField(max_length=64, blank=True, db_index=True)
    code = models.OneToOneField(
        InvitationCode, on_delete=models.SET_NULL, null=True, blank=True, related_name="response"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("survey response")
        verbose_name_plural = _("survey responses")
        constraints = [
            models.UniqueConstraint(
                fields=["survey", "respondent_key"],
                condition=~models.Q(respondent_key=""),
                name="survey_response_once",
            )
        ]

    def __str__(self) -> str:
        return f"{self.survey} #{self.pk}"


class Answer(models.Model):
    """The answer to one question: ``value`` is a string, a list of choices or a number."""

    response = models.ForeignKey(SurveyResponse, on_delete=models.CASCADE, related_name="answers")
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="answers")
    value = models.JSONField()

    class Meta:
        verbose_name = _("answer")
        verbose_name_plural = _("answers")

    def __str__(self) -> str:
        return f"{self.question}: {self.value}"
