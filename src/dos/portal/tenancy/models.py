"""The region and its cities. A city's slug is also its NGSI-LD tenant."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

#: First path segments that belong to the platform and can never be a city's slug.
RESERVED_SLUGS = frozenset(
    {
        "admin",
        "opendata",
        "dashboard",
        "accounts",
        "konto",
        "account",
        "api",
        "static",
        "media",
        "ngsi-ld",
        "i18n",
        "healthz",
        "readyz",
        "metrics",
        "open311",
        "iot",
        "impressum",
        "imprint",
        "datenschutz",
        "privacy",
        "barrierefreiheit",
        "beteiligung",
        "accessibility",
        "lizenz",
        "licence",
        "search",
        "suche",
        "aktuelles",
        "blog",
        "seite",
        "dokumente",
        "medien",
        "region",
        "strategie",
        "feeds",
        "veranstaltungen",
        "sitemap.xml",
        "robots.txt",
        "favicon.ico",
    }
)

hex_colour = RegexValidator(r"^#[0-9a-fA-F]{6}$", _("Enter a colour like #1a5f9e."))


def validate_slug_free(value: str) -> None:
    if value in RESERVED_SLUGS:
        raise ValidationError(_("“%(slug)s” is reserved by the platform."), params={"slug": value})


class Region(models.Model):
    """The smart-city region the installation serves (one per installation)."""

    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("region")
        verbose_name_plural = _("regions")

    def __str__(self) -> str:
        return self.name

    @classmethod
    def current(cls) -> Region:
        """The installation's region (created empty if there is none yet)."""
        region = cls.objects.order_by("pk").first()
        return region or cls.objects.create(name="Region")


class City(models.Model):
    """A city of the region; its slug names its portal URLs and its NGSI-LD tenant."""

    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="cities")
    slug = models.SlugField(
        _("slug"),
        max_length=40,
        unique=True,
        validators=[
            validate_slug_free,
            RegexValidator(
                r"^[a-z][a-z0-9-]*$",
                _("Lower-case letters, digits and hyphens, starting with a letter."),
            ),
        ],
        help_text=_("Part of the address, e.g. dortmund for /dortmund/. Also the NGSI-LD tenant."),
    )
    name = models.CharField(_("name"), max_length=200)
    ags = models.CharField(
        _("official municipality key (AGS)"),
        max_length=8,
        unique=True,
        validators=[RegexValidator(r"^\d{8}$", _("The AGS has exactly 8 digits."))],
    )
    latitude = models.FloatField(
        _("latitude"), validators=[MinValueValidator(-90), MaxValueValidator(90)]
    )
    longitude = models.FloatField(
        _("longitude"), validators=[MinValueValidator(-180), MaxValueValidator(180)]
    )
    primary_colour = models.CharField(
        _("primary colour"), max_length=7, default="#1a5f9e", validators=[hex_colour]
    )
    secondary_colour = models.CharField(
        _("secondary colour"), max_length=7, default="#f2b705", validators=[hex_colour]
    )
    logo = models.FileField(_("logo"), upload_to="cities/", blank=True)
    position = models.PositiveIntegerField(_("position"), default=0)
    joined_at = models.DateField(_("partner since"), auto_now_add=True)

    class Meta:
        ordering = ["position", "name"]
        verbose_name = _("city")
        verbose_name_plural = _("cities")

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return f"/{self.slug}/"

    @property
    def tenant(self) -> str:
        """The NGSI-LD tenant (``NGSILD-Tenant`` header) of the city's urban data."""
        return self.slug

    def dos_city_ids(self) -> set[int]:
        return {self.pk}
