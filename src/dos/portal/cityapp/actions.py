"""The only code that changes the city app's data: modules, adoptions, app settings, client
keys, Open311 services and defect reports."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from dos.portal.accounts.permissions import SystemActor, require
from dos.portal.cityapp.models import (
    Adoption,
    AppSettings,
    ClientKey,
    Module,
    ModuleVersion,
    Service,
    ServiceRequest,
)
from dos.portal.tenancy.models import City

MODULE_FIELDS = ("name", "name_en", "description", "description_en", "licence", "sharing")
SERVICE_FIELDS = (
    "name",
    "name_en",
    "description",
    "description_en",
    "group",
    "keywords",
    "department",
    "attributes",
    "active",
)
REQUEST_FIELDS = (
    "description",
    "lat",
    "long",
    "address_string",
    "address_id",
    "zipcode",
    "attributes",
    "email",
    "first_name",
    "last_name",
    "phone",
    "device_id",
    "account_id",
)


# --- module registry --------------------------------------------------------------------


@transaction.atomic
def module_register(
    actor: Any,
    *,
    key: str,
    owner: City | None,
    shared_with: list[City] | None = None,
    **fields: Any,
) -> Module:
    """Register a new module owned by ``owner`` (``cityapp.add_module`` for that city; a
    built-in module without owner needs a region-wide role)."""
    require(actor, "cityapp.add_module", owner)
    unknown = set(fields) - set(MODULE_FIELDS)
    if unknown:
        raise TypeError(f"unknown module fields: {', '.join(sorted(unknown))}")
    module = Module(key=key, owner=owner, **fields)
    module.full_clean()
    module.save()
    module.shared_with.set(shared_with or [])
    return module


@transaction.atomic
def module_update(
    actor: Any, module: Module, *, shared_with: list[City] | None = None, **fields: Any
) -> Module:
    """Change a module's description, licence or sharing (``cityapp.change_module``)."""
    require(actor, "cityapp.change_module", module)
    for name, value in fields.items():
        if name not in MODULE_FIELDS:
            raise TypeError(f"field {name} cannot be changed here")
        setattr(module, name, value)
    module.full_clean()
    module.save()
    if shared_with is not None:
        module.shared_with.set(shared_with)
    return module


@transaction.atomic
def module_release(
    actor: Any,
    module: Module,
    *,
    version: str,
    changelog: str,
    config_schema: dict[str, Any],
    endpoints: list[str],
) -> ModuleVersion:
    """Publish a new version; it must be higher than every earlier one
    (``cityapp.add_moduleversion`` for the owner city)."""
    require(actor, "cityapp.add_moduleversion", module)
    release = ModuleVersion(
        module=module,
        version=version,
        changelog=changelog,
        config_schema=config_schema,
        endpoints=endpoints,
    )
    release.full_clean()  # also: higher than every earlier version (ModuleVersion.clean)
    release.save()
    Module.objects.filter(pk=module.pk).update(updated_at=timezone.now())
    return release


# --- a city's app ------------------------------------------------------------------------


@transaction.atomic
def app_settings_save(
    actor: Any,
    city: City,
    *,
    app_name: str,
    languages: list[str],
    theme: dict[str, Any] | None = None,
) -> AppSettings:
    """Set up or change a city's app; a new partner city joins the app this way
    (``cityapp.change_appsettings`` for the city)."""
    require(actor, "cityapp.change_appsettings", city)
    settings = AppSettings.objects.filter(city=city).first() or AppSettings(city=city)
    settings.app_name = app_name
    settings.languages = languages
    settings.theme = theme or {}
    settings.full_clean()
    settings.save()
    return settings


@transaction.atomic
def module_adopt(
    actor: Any,
    city: City,
    module: Module,
    *,
    configuration: dict[str, Any],
    position: int = 100,
    version: ModuleVersion | None = None,
    enabled: bool = True,
) -> Adoption:
    """Enable ``module`` in ``city``'s app, or change how it is used: the configuration is
    validated against the version's schema, errors name the field (``/path: message``).
    Needs ``cityapp.change_adoption`` for the city and a module shared with it (or already
    used by it: withdrawing the sharing does not break a partner's app)."""
    require(actor, "cityapp.change_adoption", city)
    adoption = Adoption.objects.filter(city=city, module=module).first()
    if adoption is None and not module.is_available_to(city):
        raise PermissionDenied(f"module {module.key} is not shared with {city.name}")
    version = version or module.latest_version()
    if version is None or version.module_id != module.pk:
        raise ValidationError({"version": f"module {module.key} has no such version"})
    if position < 0:
        raise ValidationError({"position": "must be 0 or more"})
    if adoption is None:
        adoption = Adoption(city=city, module=module)
    adoption.version = version
    adoption.configuration = configuration
    adoption.position = position
    adoption.enabled = enabled
    adoption.full_clean()  # the configuration against the version's schema (Adoption.clean)
    adoption.save()
    return adoption


@transaction.atomic
def adoption_remove(actor: Any, adoption: Adoption) -> None:
    """Take a module out of a city's app (``cityapp.delete_adoption``)."""
    require(actor, "cityapp.delete_adoption", adoption)
    adoption.delete()


@transaction.atomic
def client_key_create(
    actor: Any, city: City, *, label: str, rate_limit: int = 120
) -> tuple[ClientKey, str]:
    """A new public client key for the city's app; returns it and the raw key (shown once)."""
    require(actor, "cityapp.add_clientkey", city)
    raw = ClientKey.generate()
    key = ClientKey(
        city=city,
        label=label,
        hint=raw[: len(ClientKey.PREFIX) + 4],
        key_hash=ClientKey.digest(raw),
        rate_limit=rate_limit,
    )
    key.full_clean()
    key.save()
    return key, raw


@transaction.atomic
def client_key_revoke(actor: Any, key: ClientKey) -> ClientKey:
    """Revoke a client key: from now on it gets 401 (``cityapp.change_clientkey``)."""
    require(actor, "cityapp.change_clientkey", key)
    if key.revoked_at is None:
        key.revoked_at = timezone.now()
        key.save(update_fields=["revoked_at"])
    return key


# --- Open311 ---------------------------------------------------------------------------


@transaction.atomic
def service_save(actor: Any, city: City, *, code: str, **fields: Any) -> Service:
    """Create or change a city's Open311 service (``cityapp.change_service``)."""
    require(actor, "cityapp.change_service", city)
    unknown = set(fields) - set(SERVICE_FIELDS)
    if unknown:
        raise TypeError(f"unknown service fields: {', '.join(sorted(unknown))}")
    service = Service.objects.filter(city=city, code=code).first() or Service(city=city, code=code)
    for name, value in fields.items():
        setattr(service, name, value)
    service.full_clean()
    service.save()
    return service


def _may_submit(actor: Any, service: Service) -> None:
    if isinstance(actor, SystemActor):
        return
    if isinstance(actor, ClientKey):
        # A client key is the app's identity: it may post reports to its own city only.
        if not actor.is_active or actor.city_id != service.city_id:
            raise PermissionDenied("the client key may not post to this jurisdiction")
        return
    require(actor, "cityapp.add_servicerequest", service)


def request_submit(
    actor: Any, service: Service, *, media: Any = None, **fields: Any
) -> ServiceRequest:
    """File a defect report for ``service`` (a client key of the service's city, or staff with
    ``cityapp.add_servicerequest``). The report is mirrored to the broker after the commit;
    a broker failure never undoes the report."""
    _may_submit(actor, service)
    unknown = set(fields) - set(REQUEST_FIELDS)
    if unknown:
        raise TypeError(f"unknown request fields: {', '.join(sorted(unknown))}")
    if not service.active:
        raise ValidationError({"service_code": "this service takes no reports at the moment"})
    if fields.get("lat") is None and fields.get("long") is None:
        if not fields.get("address_string") and not fields.get("address_id"):
            raise ValidationError({"lat": "a location (lat/long, address_string or address_id)"})
    elif fields.get("lat") is None or fields.get("long") is None:
        raise ValidationError({"long": "lat and long go together"})
    with transaction.atomic():
        report = ServiceRequest(
            city_id=service.city_id,
            service=service,
            agency_responsible=service.department,
            client_key=actor if isinstance(actor, ClientKey) else None,
            **fields,
        )
        report.full_clean(exclude=["media"])
        if media is not None:
            report.media.save(media.name, media, save=False)
        report.save()
        transaction.on_commit(lambda: _mirror_later(report.pk))
    return report


@transaction.atomic
def request_update(
    actor: Any,
    report: ServiceRequest,
    *,
    state: str,
    status_notes: str = "",
    agency_responsible: str = "",
    expected_datetime: datetime | None = None,
) -> ServiceRequest:
    """Change a report's state with a note the reporter sees
    (``cityapp.change_servicerequest`` for the report's city)."""
    require(actor, "cityapp.change_servicerequest", report)
    report.state = state
    report.status_notes = status_notes
    report.agency_responsible = agency_responsible or report.service.department
    report.expected_datetime = expected_datetime
    report.full_clean(exclude=["media"])
    report.save()
    transaction.on_commit(lambda: _mirror_later(report.pk))
    return report


def _mirror_later(pk: int) -> None:
    from dos.portal.cityapp.mirror import mirror_request

    mirror_request(pk)


def requests_sync(actor: Any, *, city: City | None = None) -> tuple[int, int]:
    """Mirror every report the broker has not seen in its latest state; returns
    (mirrored, failed). Used by ``dos cityapp sync``."""
    from dos.portal.cityapp.mirror import mirror_request

    require(actor, "cityapp.change_servicerequest", city)
    reports = ServiceRequest.objects.all()
    if city is not None:
        reports = reports.filter(city=city)
    done = failed = 0
    for report in reports.only("pk", "mirrored_at", "updated_datetime"):
        if not report.needs_mirror:
            continue
        if mirror_request(report.pk):
            done += 1
        else:
            failed += 1
    return done, failed
