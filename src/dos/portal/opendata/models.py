"""The open data catalogue: datasets (generated from the broker or described by hand) and the
download addresses (distributions) of the hand-described ones."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from dos.portal.opendata import vocab
from dos.portal.tenancy.models import City, Region


class Dataset(models.Model):
    """A dataset of the catalogue (dcat:Dataset / a CKAN package).

    ``generated`` datasets describe one NGSI-LD entity type in one city's tenant and are kept
    up to date by ``dataset_sync``; ``manual`` ones are described by data stewards and list
    their downloads as :class:`Distribution` rows.
    """

    GENERATED = "generated"
    MANUAL = "manual"
    SOURCE_CHOICES = [(GENERATED, _("generated from urban data")), (MANUAL, _("described by hand"))]

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    slug = models.SlugField(
        _("short name"),
        max_length=100,
        unique=True,
        validators=[RegexValidator(r"^[a-z0-9][a-z0-9-]*$", _("Lower-case letters, digits, -."))],
    )
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"))
    city = models.ForeignKey(
        City,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="datasets",
        help_text=_("Empty: the region publishes the dataset."),
    )
    source = models.CharField(_("source"), max_length=20, choices=SOURCE_CHOICES, default=MANUAL)
    entity_type = models.CharField(_("NGSI-LD entity type"), max_length=200, blank=True)
    attribute_names = models.JSONField(_("attributes"), default=list, blank=True)
    licence = models.CharField(
        _("licence"), max_length=40, choices=vocab.LICENCE_CHOICES, default=vocab.DEFAULT_LICENCE
    )
    contact_email = models.EmailField(
        _("contact e-mail"), help_text=_("A role address such as opendata@stadt.de, no person.")
    )
    temporal_start = models.DateField(_("covered from"), null=True, blank=True)
    temporal_end = models.DateField(_("covered until"), null=True, blank=True)
    frequency = models.CharField(
        _("update frequency"), max_length=20, choices=vocab.FREQUENCY_CHOICES, default="UNKNOWN"
    )
    keywords = models.CharField(
        _("keywords"), max_length=500, blank=True, help_text=_("Separated by commas.")
    )
    themes = models.CharField(
        _("themes"),
        max_length=200,
        blank=True,
        help_text=_("Codes of the EU data themes separated by commas, e.g. ENVI,TRAN."),
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["title"]
        verbose_name = _("dataset")
        verbose_name_plural = _("datasets")
        constraints = [
            models.UniqueConstraint(
                fields=["city", "entity_type"],
                condition=models.Q(source="generated"),
                name="opendata_generated_unique",
            )
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("opendata:dataset", args=[self.slug])

    def dos_city_ids(self) -> set[int] | None:
        return {self.city_id} if self.city_id is not None else None

    @property
    def is_generated(self) -> bool:
        return self.source == self.GENERATED

    @property
    def licence_info(self) -> vocab.Licence:
        return vocab.LICENCES[self.licence]

    def publisher_name(self, region: Region | None = None) -> str:
        """The publishing city's name, or the region's for a region-wide dataset."""
        if self.city is not None:
            return self.city.name
        return (region or Region.current()).name

    def geocoding_uri(self) -> str | None:
        """The municipality's political geocoding URI (DCAT-AP.de), from the city's AGS."""
        if self.city is None:
            return None
        return vocab.GEOCODING_MUNICIPALITY + self.city.ags

    @property
    def keyword_list(self) -> list[str]:
        return [word.strip() for word in self.keywords.split(",") if word.strip()]

    @property
    def theme_list(self) -> list[str]:
        return [code.strip() for code in self.themes.split(",") if code.strip()]

    def theme_labels(self) -> list[str]:
        return [str(vocab.THEMES.get(code, code)) for code in self.theme_list]

    def clean(self) -> None:
        unknown = [code for code in self.theme_list if code not in vocab.THEMES]
        if unknown:
            raise ValidationError(
                {"themes": _("Unknown theme: %(codes)s.") % {"codes": ", ".join(unknown)}}
            )

    def downloads(self) -> list[Download]:
        """Every distribution: the computed downloads of a generated dataset, else the rows."""
        if self.is_generated:
            return [
                Download(
                    title=str(_("Current values as CSV")),
                    url=reverse("opendata:current_csv", args=[self.slug]),
                    format="CSV",
                ),
                Download(
                    title=str(_("Current values as GeoJSON")),
                    url=reverse("opendata:current_geojson", args=[self.slug]),
                    format="GeoJSON",
                ),
            ]
        return [
            Download(title=d.title, url=d.url, format=d.format, description=d.description)
            for d in self.distributions.all()
        ]


@dataclass(frozen=True)
class Download:
    """One distribution as the pages and exports show it (``url`` may be site-relative)."""

    title: str
    url: str
    format: str
    description: str = ""

    @property
    def media_type(self) -> str:
        return vocab.FORMATS.get(self.format, ("", "application/octet-stream"))[1]

    @property
    def file_type(self) -> str:
        return vocab.FORMATS.get(self.format, ("OCTET", ""))[0]


class Distribution(models.Model):
    """A download address of a hand-described dataset (dcat:Distribution / a CKAN resource)."""

    dataset = models.ForeignKey(Dataset, on_delete=models.CASCADE, related_name="distributions")
    title = models.CharField(_("title"), max_length=200)
    url = models.URLField(_("download address"), max_length=500)
    format = models.CharField(_("format"), max_length=20, choices=vocab.FORMAT_CHOICES)
    description = models.TextField(_("description"), blank=True)
    position = models.PositiveIntegerField(_("position"), default=0)

    class Meta:
        ordering = ["position", "pk"]
        verbose_name = _("distribution")
        verbose_name_plural = _("distributions")

    def __str__(self) -> str:
        return self.title

    def dos_city_ids(self) -> set[int] | None:
        return self.dataset.dos_city_ids()
