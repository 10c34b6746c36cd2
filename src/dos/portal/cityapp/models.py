"""The module registry, each city's app, client keys, Open311 services and service requests."""

from __future__ import annotations

import hashlib
import re
import secrets
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import (
    MaxValueValidator,
    MinValueValidator,
    RegexValidator,
)
from django.db import models
from django.utils.translation import gettext_lazy as _

from dos.portal.tenancy.models import City

SEMVER = re.compile(r"^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)$")

#: Content endpoints a module can use: key → path below ``/api/app/v1/<city>/``.
CONTENT_ENDPOINTS = {
    "news": "news",
    "events": "events",
    "places": "places",
    "projects": "projects",
    "ideas": "ideas",
    "environment": "environment",
    "parking": "parking",
    "open311": "/open311/v2/services.json",
    "pages": "pages",
}

LANGUAGES = ("de", "en")


def validate_semver(value: str) -> None:
    if not SEMVER.match(value):
        raise ValidationError(_("Use a semantic version like 1.2.0."))


def validate_endpoints(value: Any) -> None:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ValidationError(_("A list of endpoint names."))
    unknown = sorted(set(value) - set(CONTENT_ENDPOINTS))
    if unknown:
        raise ValidationError(
            _("Unknown content endpoints: %(names)s."), params={"names": ", ".join(unknown)}
        )


def validate_json_schema(value: Any) -> None:
    from jsonschema import Draft202012Validator
    from jsonschema.exceptions import SchemaError

    if not isinstance(value, dict):
        raise ValidationError(_("A JSON Schema is a JSON object."))
    try:
        Draft202012Validator.check_schema(value)
    except SchemaError as exc:
        raise ValidationError(
            _("Not a valid JSON Schema: %(error)s"), params={"error": exc.message}
        ) from None


def configuration_errors(schema: dict[str, Any], configuration: Any) -> dict[str, str]:
    """Where ``configuration`` breaks ``schema``: JSON Pointer of the field → message."""
    from jsonschema import Draft202012Validator

    found: dict[str, str] = {}
    for error in sorted(
        Draft202012Validator(schema).iter_errors(configuration), key=lambda e: list(e.path)
    ):
        pointer = "/" + "/".join(str(part) for part in error.absolute_path)
        found.setdefault(pointer, error.message)
    return found


def validate_languages(value: Any) -> None:
    if (
        not isinstance(value, list)
        or not value
        or any(language not in LANGUAGES for language in value)
    ):
        raise ValidationError(_("A non-empty list of languages out of: de, en."))


class Module(models.Model):
    """A feature of the city app (news, parking, …) that one city builds and others may adopt.

    ``owner`` is the city that maintains it; built-in modules of the platform have no owner.
    """

    PRIVATE = "private"
    PARTNERS = "partners"
    ALL = "all"
    SHARING_CHOICES = [
        (PRIVATE, _("private (owner city only)")),
        (PARTNERS, _("shared with named partner cities")),
        (ALL, _("shared with all partner cities")),
    ]

    key = models.SlugField(_("key"), max_length=60, unique=True)
    name = models.CharField(_("name (German)"), max_length=120)
    name_en = models.CharField(_("name (English)"), max_length=120, blank=True)
    description = models.TextField(_("description (German)"), blank=True)
    description_en = models.TextField(_("description (English)"), blank=True)
    owner = models.ForeignKey(
        City,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="owned_app_modules",
        verbose_name=_("owner city"),
        help_text=_("Empty: a built-in module of the platform."),
    )
    licence = models.CharField(_("licence"), max_length=60, default="EUPL-1.2")
    sharing = models.CharField(_("sharing"), max_length=10, choices=SHARING_CHOICES, default=ALL)
    shared_with = models.ManyToManyField(
        City, blank=True, related_name="+", verbose_name=_("partner cities")
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["key"]
        verbose_name = _("app module")
        verbose_name_plural = _("app modules")

    def __str__(self) -> str:
        return self.name

    def dos_city_ids(self) -> set[int] | None:
        return {self.owner_id} if self.owner_id else None

    def label(self, language: str) -> str:
        return (self.name_en if language == "en" else "") or self.name

    def text(self, language: str) -> str:
        return (self.description_en if language == "en" else "") or self.description

    def latest_version(self) -> ModuleVersion | None:
        versions = sorted(self.versions.all(), key=lambda v: v.sort_key, reverse=True)
        return versions[0] if versions else None

    def is_available_to(self, city: City) -> bool:
        """Whether ``city`` may adopt the module (the owner always may)."""
        if self.owner_id == city.pk or self.sharing == self.ALL:
            return True
        if self.sharing == self.PARTNERS:
            return any(c.pk == city.pk for c in self.shared_with.all())
        return False


class ModuleVersion(models.Model):
    """One release of a module: semantic version, changelog, configuration schema, endpoints."""

    module = models.ForeignKey(Module, on_delete=models.CASCADE, related_name="versions")
    version = models.CharField(_("version"), max_length=30, validators=[validate_semver])
    changelog = models.TextField(_("changelog"), blank=True)
    config_schema = models.JSONField(
        _("configuration schema"),
        default=dict,
        blank=True,
        validators=[validate_json_schema],
        help_text=_("JSON Schema (draft 2020-12) of the module's configuration."),
    )
    endpoints = models.JSONField(
        _("content endpoints"), default=list, blank=True, validators=[validate_endpoints]
    )
    released_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["module", "-released_at"]
        verbose_name = _("module version")
        verbose_name_plural = _("module versions")
        constraints = [
            models.UniqueConstraint(fields=["module", "version"], name="module_version_unique")
        ]

    def __str__(self) -> str:
        return f"{self.module.key} {self.version}"

    def dos_city_ids(self) -> set[int] | None:
        return self.module.dos_city_ids()

    @property
    def sort_key(self) -> tuple[int, ...]:
        match = SEMVER.match(self.version)
        return tuple(int(part) for part in match.groups()) if match else (0, 0, 0)

    def clean(self) -> None:
        """A new release must be higher than every earlier one of its module (so the version
        history stays ordered however the release is made: portal, admin or code)."""
        if self._state.adding and self.module_id and SEMVER.match(self.version or ""):
            earlier = ModuleVersion.objects.filter(module_id=self.module_id)
            highest = max(earlier, key=lambda v: v.sort_key, default=None)
            if highest is not None and self.sort_key <= highest.sort_key:
                raise ValidationError(
                    {"version": _("must be higher than %(version)s") % {"version": highest.version}}
                )


class AppSettings(models.Model):
    """A city's app: its name, languages and theme. A partner city joins by creating it."""

    city = models.OneToOneField(City, on_delete=models.CASCADE, related_name="app_settings")
    app_name = models.CharField(_("app name"), max_length=80)
    languages = models.JSONField(
        _("languages"), default=list, validators=[validate_languages], help_text='["de", "en"]'
    )
    theme = models.JSONField(
        _("theme"),
        default=dict,
        blank=True,
        help_text=_("Extra theme values for the app (the colours come from the city)."),
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("app settings")
        verbose_name_plural = _("app settings")

    def __str__(self) -> str:
        return self.app_name


class Adoption(models.Model):
    """A city uses a module in its app: pinned version, configuration and menu position."""

    city = models.ForeignKey(City, on_delete=models.CASCADE, related_name="app_adoptions")
    module = models.ForeignKey(Module, on_delete=models.PROTECT, related_name="adoptions")
    version = models.ForeignKey(ModuleVersion, on_delete=models.PROTECT, related_name="adoptions")
    configuration = models.JSONField(_("configuration"), default=dict, blank=True)
    position = models.PositiveIntegerField(_("menu position"), default=100)
    enabled = models.BooleanField(_("enabled"), default=True)
    adopted_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["city", "position", "module__key"]
        verbose_name = _("module adoption")
        verbose_name_plural = _("module adoptions")
        constraints = [models.UniqueConstraint(fields=["city", "module"], name="adoption_unique")]

    def __str__(self) -> str:
        return f"{self.city} – {self.module} {self.version.version}"

    def clean(self) -> None:
        """The module is shared with the city (when it is adopted: a city keeps a module whose
        sharing is withdrawn later until it takes it out), the version is one of the module's
        and the configuration fits the version's schema (errors name the field as a JSON
        Pointer). Checked however the adoption is saved: portal, admin or code."""
        if not (self.city_id and self.module_id and self.version_id):
            return
        if self._state.adding and not self.module.is_available_to(self.city):
            raise ValidationError(
                {"module": _("This module is not shared with %(city)s.") % {"city": self.city}}
            )
        if self.version.module_id != self.module_id:
            raise ValidationError(
                {"version": _("This is not a version of %(module)s.") % {"module": self.module}}
            )
        errors = configuration_errors(self.version.config_schema, self.configuration)
        if errors:
            raise ValidationError(
                {"configuration": [f"{path}: {message}" for path, message in errors.items()]}
            )


class ClientKey(models.Model):
    """A public client key of a city's app: may read and post defect reports, nothing else.

    Only the SHA-256 of the key is stored; the key is shown once when it is created.
    """

    PREFIX = "dosapp_"

    city = models.ForeignKey(City, on_delete=models.CASCADE, related_name="app_client_keys")
    label = models.CharField(_("label"), max_length=80)
    hint = models.CharField(_("key starts with"), max_length=20, editable=False)
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    rate_limit = models.PositiveIntegerField(
        _("requests per minute"),
        default=120,
        validators=[MinValueValidator(1), MaxValueValidator(100_000)],
    )
    created_at = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)

    class Meta:
        ordering = ["city", "-created_at"]
        verbose_name = _("client key")
        verbose_name_plural = _("client keys")

    def __str__(self) -> str:
        return f"{self.label} ({self.hint}…)"

    @staticmethod
    def digest(raw: str) -> str:
        return hashlib.sha256(raw.encode()).hexdigest()

    @classmethod
    def generate(cls) -> str:
        return cls.PREFIX + secrets.token_urlsafe(24)

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None


class Service(models.Model):
    """An Open311 service a city offers (pothole, broken street light, …)."""

    city = models.ForeignKey(City, on_delete=models.CASCADE, related_name="open311_services")
    code = models.SlugField(_("service code"), max_length=60)
    name = models.CharField(_("name (German)"), max_length=120)
    name_en = models.CharField(_("name (English)"), max_length=120, blank=True)
    description = models.TextField(_("description (German)"), blank=True)
    description_en = models.TextField(_("description (English)"), blank=True)
    group = models.CharField(_("group"), max_length=80, blank=True)
    keywords = models.CharField(_("keywords"), max_length=200, blank=True)
    department = models.CharField(_("responsible department"), max_length=120)
    attributes = models.JSONField(
        _("attributes"),
        default=list,
        blank=True,
        help_text=_("Open311 service definition attributes (variable, code, datatype, …)."),
    )
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["city", "group", "name"]
        verbose_name = _("Open311 service")
        verbose_name_plural = _("Open311 services")
        constraints = [models.UniqueConstraint(fields=["city", "code"], name="service_code_unique")]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"

    def clean(self) -> None:
        from dos.portal.cityapp.open311.attributes import attribute_errors

        errors = attribute_errors(self.attributes)
        if errors:
            raise ValidationError({"attributes": errors})

    def label(self, language: str) -> str:
        return (self.name_en if language == "en" else "") or self.name

    def text(self, language: str) -> str:
        return (self.description_en if language == "en" else "") or self.description


def new_token() -> str:
    """The token a reporter follows a report with (however the report is made)."""
    return secrets.token_hex(16)


class ServiceRequest(models.Model):
    """A defect report (Open311 service request) with the city's handling of it.

    The reporter's e-mail, name and phone are for the city's staff only and never appear in a
    public response.
    """

    RECEIVED = "received"
    IN_PROGRESS = "in_progress"
    RESOLVED = "resolved"
    REJECTED = "rejected"
    STATE_CHOICES = [
        (RECEIVED, _("received")),
        (IN_PROGRESS, _("in progress")),
        (RESOLVED, _("resolved")),
        (REJECTED, _("rejected")),
    ]
    CLOSED_STATES = (RESOLVED, REJECTED)

    city = models.ForeignKey(City, on_delete=models.CASCADE, related_name="service_requests")
    service = models.ForeignKey(Service, on_delete=models.PROTECT, related_name="requests")
    token = models.CharField(max_length=40, unique=True, editable=False, default=new_token)
    state = models.CharField(_("state"), max_length=12, choices=STATE_CHOICES, default=RECEIVED)
    status_notes = models.TextField(_("status notes"), blank=True)
    agency_responsible = models.CharField(_("agency responsible"), max_length=120, blank=True)
    service_notice = models.CharField(_("service notice"), max_length=200, blank=True)
    description = models.TextField(_("description"), blank=True)
    lat = models.FloatField(
        _("latitude"),
        null=True,
        blank=True,
        validators=[MinValueValidator(-90), MaxValueValidator(90)],
    )
    long = models.FloatField(
        _("longitude"),
        null=True,
        blank=True,
        validators=[MinValueValidator(-180), MaxValueValidator(180)],
    )
    address_string = models.CharField(_("address"), max_length=250, blank=True)
    address_id = models.CharField(max_length=60, blank=True)
    zipcode = models.CharField(
        _("postcode"), max_length=10, blank=True, validators=[RegexValidator(r"^[0-9A-Za-z -]*$")]
    )
    attributes = models.JSONField(_("attribute values"), default=dict, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    first_name = models.CharField(_("first name"), max_length=80, blank=True)
    last_name = models.CharField(_("last name"), max_length=80, blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    device_id = models.CharField(max_length=100, blank=True)
    account_id = models.CharField(max_length=100, blank=True)
    media = models.FileField(_("photo"), upload_to="open311/", blank=True)
    client_key = models.ForeignKey(
        ClientKey, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    requested_datetime = models.DateTimeField(auto_now_add=True, db_index=True)
    updated_datetime = models.DateTimeField(auto_now=True)
    expected_datetime = models.DateTimeField(_("expected"), null=True, blank=True)
    mirrored_at = models.DateTimeField(null=True, blank=True, editable=False)
    mirror_error = models.CharField(max_length=300, blank=True, editable=False)

    class Meta:
        ordering = ["-requested_datetime", "-pk"]
        verbose_name = _("defect report")
        verbose_name_plural = _("defect reports")
        indexes = [models.Index(fields=["city", "state"])]

    def __str__(self) -> str:
        return f"#{self.pk} {self.service.name}"

    @property
    def status(self) -> str:
        """The GeoReport v2 status: ``open`` or ``closed``."""
        return "closed" if self.state in self.CLOSED_STATES else "open"

    @property
    def needs_mirror(self) -> bool:
        return self.mirrored_at is None or self.mirrored_at < self.updated_datetime


class RateWindow(models.Model):
    """Requests counted in one minute for one rate-limit bucket (a client key or an address).

    Kept in the database so that every server process counts into the same row: the limit of
    a key holds however many workers serve it (see :func:`dos.portal.cityapp.access.throttle`).
    Rows of past minutes are deleted when a bucket starts a new minute.
    """

    bucket = models.CharField(max_length=80)
    minute = models.BigIntegerField(help_text="minutes since 1970-01-01 UTC")
    hits = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["bucket", "minute"], name="cityapp_rate_bucket_minute")
        ]
        indexes = [models.Index(fields=["minute"], name="cityapp_rate_minute")]

    def __str__(self) -> str:
        return f"{self.bucket} @ {self.minute}: {self.hits}"
