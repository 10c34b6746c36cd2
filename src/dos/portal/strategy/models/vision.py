"""The strategy document of the region: its vision and guidelines."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from dos.portal.tenancy.models import Region
from dos.portal.web.translated import EnglishVersion


class Strategy(EnglishVersion, models.Model):
    """The region's smart city strategy: title, vision, guidelines and the period it covers.

    Texts are plain text; an empty line starts a new paragraph, a line starting with “- ” is
    a list item. One strategy per region; region-level, so only region-wide editors change it.
    Title, vision and guidelines may have an English version (``*_en``).
    """

    english_fields = ("title", "vision", "guidelines")

    region = models.OneToOneField(Region, on_delete=models.CASCADE, related_name="strategy")
    title = models.CharField(_("title"), max_length=200, default="Smart City Strategie")
    vision = models.TextField(_("vision"), blank=True)
    guidelines = models.TextField(
        _("guidelines"), blank=True, help_text=_("One guideline per line, starting with “- ”.")
    )
    title_en = models.CharField(_("title (English)"), max_length=200, blank=True)
    vision_en = models.TextField(_("vision (English)"), blank=True)
    guidelines_en = models.TextField(
        _("guidelines (English)"),
        blank=True,
        help_text=_("One guideline per line, starting with “- ”."),
    )
    start_year = models.PositiveSmallIntegerField(
        _("first year"), default=2020, validators=[MinValueValidator(2000), MaxValueValidator(2100)]
    )
    end_year = models.PositiveSmallIntegerField(
        _("last year"), default=2027, validators=[MinValueValidator(2000), MaxValueValidator(2100)]
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("strategy")
        verbose_name_plural = _("strategy")

    def __str__(self) -> str:
        return self.title

    def clean(self) -> None:
        super().clean()
        if self.end_year < self.start_year:
            raise ValidationError({"end_year": _("The last year must not be before the first.")})

    def dos_city_ids(self) -> None:
        return None

    @classmethod
    def current(cls) -> Strategy:
        """The strategy of the installation's region (created empty if there is none)."""
        strategy, _created = cls.objects.get_or_create(region=Region.current())
        return strategy

    @property
    def guideline_list(self) -> list[str]:
        """The guidelines in the active language, one item per line."""
        return [
            line.strip().removeprefix("- ").strip()
            for line in self.text("guidelines").splitlines()
            if line.strip()
        ]
