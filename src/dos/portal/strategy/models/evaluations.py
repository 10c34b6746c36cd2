"""Evaluation rounds with weighted criteria, and the evaluation of each project."""

from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from dos.portal.strategy.models.core import Project

SCORE_MAX = 5


class Recommendation(models.TextChoices):
    CONTINUE = "continue", _("Continue")
    ADAPT = "adapt", _("Adapt")
    INTEGRATE = "integrate", _("Integrate into regular operations")
    STOP = "stop", _("Stop")


class EvaluationRound(models.Model):
    """An evaluation of the portfolio at one time, with its weighted criteria."""

    name = models.CharField(_("name"), max_length=200)
    date = models.DateField(_("date"))
    description = models.TextField(_("description"), blank=True)

    class Meta:
        ordering = ["-date"]
        verbose_name = _("evaluation round")
        verbose_name_plural = _("evaluation rounds")

    def __str__(self) -> str:
        return self.name

    def dos_city_ids(self) -> None:
        return None


class EvaluationCriterion(models.Model):
    """A criterion of an evaluation round; its weight says how much it counts."""

    round = models.ForeignKey(EvaluationRound, on_delete=models.CASCADE, related_name="criteria")
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    weight = models.DecimalField(
        _("weight"),
        max_digits=5,
        decimal_places=2,
        default=Decimal(1),
        validators=[MinValueValidator(Decimal("0.01"))],
    )
    position = models.PositiveIntegerField(_("position"), default=0)

    class Meta:
        ordering = ["position", "pk"]
        verbose_name = _("evaluation criterion")
        verbose_name_plural = _("evaluation criteria")

    def __str__(self) -> str:
        return self.name

    def dos_city_ids(self) -> None:
        return None


class Evaluation(models.Model):
    """The evaluation of one project in one round: scores, narrative and recommendation."""

    round = models.ForeignKey(EvaluationRound, on_delete=models.CASCADE, related_name="evaluations")
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="evaluations")
    narrative = models.TextField(_("narrative"), blank=True)
    recommendation = models.CharField(
        _("recommendation"), max_length=10, choices=Recommendation.choices
    )

    class Meta:
        ordering = ["-round__date", "project__code"]
        constraints = [
            models.UniqueConstraint(
                fields=["round", "project"], name="strategy_evaluation_once_per_round"
            )
        ]
        verbose_name = _("evaluation")
        verbose_name_plural = _("evaluations")

    def __str__(self) -> str:
        return f"{self.project.code} – {self.round}"

    def dos_city_ids(self) -> set[int] | None:
        return self.project.dos_city_ids()

    def weighted_score(self) -> Decimal | None:
        """The weighted mean of the scores (0–5), from prefetched scores and criteria."""
        total = weights = Decimal(0)
        for score in self.scores.all():
            total += score.criterion.weight * score.score
            weights += score.criterion.weight
        if not weights:
            return None
        return (total / weights).quantize(Decimal("0.01"))


class EvaluationScore(models.Model):
    """The score (0–5) of one evaluation on one criterion."""

    evaluation = models.ForeignKey(Evaluation, on_delete=models.CASCADE, related_name="scores")
    criterion = models.ForeignKey(
        EvaluationCriterion, on_delete=models.CASCADE, related_name="scores"
    )
    score = models.PositiveSmallIntegerField(
        _("score"), validators=[MinValueValidator(0), MaxValueValidator(SCORE_MAX)]
    )

    class Meta:
        ordering = ["criterion__position", "criterion__pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["evaluation", "criterion"], name="strategy_score_once_per_criterion"
            )
        ]
        verbose_name = _("score")
        verbose_name_plural = _("scores")

    def __str__(self) -> str:
        return f"{self.criterion}: {self.score}"

    def clean(self) -> None:
        if (
            self.criterion_id
            and self.evaluation_id
            and self.criterion.round_id != self.evaluation.round_id
        ):
            raise ValidationError(
                {"criterion": _("The criterion belongs to another evaluation round.")}
            )

    def dos_city_ids(self) -> set[int] | None:
        return self.evaluation.dos_city_ids()
