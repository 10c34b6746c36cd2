"""Staff pages: defect reports (list, map, status) and the city's app (settings, modules,
adoptions, client keys)."""

from __future__ import annotations

import json
from typing import Any

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from dos.portal.accounts.permissions import has_perm
from dos.portal.cityapp import actions
from dos.portal.cityapp.forms import (
    AdoptionForm,
    AppSettingsForm,
    ClientKeyForm,
    ModuleForm,
    ReleaseForm,
    ReportStatusForm,
    ServiceForm,
)
from dos.portal.cityapp.models import (
    Adoption,
    AppSettings,
    ClientKey,
    Module,
    Service,
    ServiceRequest,
)
from dos.portal.tenancy.models import City


def _guard(request: HttpRequest, perm: str, obj: Any) -> HttpResponse | None:
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    if not has_perm(request.user, perm, obj):
        raise PermissionDenied(perm)
    return None


def _add_errors(form: Any, exc: ValidationError) -> None:
    """Put an action's validation errors next to the form's fields (or above the form)."""
    for field, problems in exc.message_dict.items():
        form.add_error(field if field in form.fields else None, problems)


#: How far from the city centre (degrees) a report is still drawn on the overview map.
MAP_REACH = 0.3


def _map(reports: list[ServiceRequest], city: City) -> dict[str, Any]:
    """The overview map of the reports: the district centres as labelled reference points and
    the reports near the city, projected as on the dashboards' sensor map (north up)."""
    from dos.demo.network import DISTRICTS
    from dos.portal.dashboards.geomap import WIDTH, Projection

    located = [r for r in reports if r.lat is not None and r.long is not None]
    near = [
        r
        for r in located
        if abs(r.lat - city.latitude) <= MAP_REACH  # type: ignore[operator]
        and abs(r.long - city.longitude) <= MAP_REACH  # type: ignore[operator]
    ]
    centres = list(DISTRICTS.get(city.slug, {}).items())
    project = Projection(
        [c for _, c in centres]
        + [(r.lat, r.long) for r in near]  # type: ignore[misc]
        + [(city.latitude, city.longitude)]
    )
    points = []
    for report in near:
        x, y = project(report.lat, report.long)  # type: ignore[arg-type]
        points.append({"report": report, "x": x, "y": y})
    districts = [{"name": name, "xy": project(*centre)} for name, centre in centres]
    return {
        "width": WIDTH,
        "height": project.height,
        "points": points,
        "districts": [
            # Labels near the right edge run to the left of their point.
            {"name": d["name"], "x": d["xy"][0], "y": d["xy"][1], "end": d["xy"][0] > WIDTH * 0.8}
            for d in districts
        ],
        "elsewhere": len(located) - len(near),
        "unlocated": len(reports) - len(located),
    }


@require_http_methods(["GET", "HEAD"])
def report_list(request: HttpRequest, city: str) -> HttpResponse:
    here: City = request.city  # type: ignore[attr-defined]
    if (denied := _guard(request, "cityapp.view_servicerequest", here)) is not None:
        return denied
    reports = ServiceRequest.objects.filter(city=here).select_related("service")
    state = request.GET.get("state", "")
    if state in dict(ServiceRequest.STATE_CHOICES):
        reports = reports.filter(state=state)
    shown = list(reports[:500])
    return render(
        request,
        "cityapp/report_list.html",
        {
            "reports": shown,
            "map": _map(shown, here),
            "states": ServiceRequest.STATE_CHOICES,
            "state": state,
            "may_edit_services": has_perm(request.user, "cityapp.change_service", here),
        },
    )


@require_http_methods(["GET", "HEAD", "POST"])
def report_detail(request: HttpRequest, city: str, pk: int) -> HttpResponse:
    here: City = request.city  # type: ignore[attr-defined]
    report = get_object_or_404(ServiceRequest.objects.select_related("service"), city=here, pk=pk)
    if (denied := _guard(request, "cityapp.view_servicerequest", report)) is not None:
        return denied
    can_change = has_perm(request.user, "cityapp.change_servicerequest", report)
    initial = {
        "state": report.state,
        "status_notes": report.status_notes,
        "agency_responsible": report.agency_responsible,
        "expected_datetime": report.expected_datetime,
    }
    form = ReportStatusForm(request.POST or None, initial=initial)
    if request.method == "POST":
        if not can_change:
            raise PermissionDenied("cityapp.change_servicerequest")
        if form.is_valid():
            actions.request_update(request.user, report, **form.cleaned_data)
            messages.success(request, _("The report's status has been saved."))
            return redirect("cityapp:report", city=here.slug, pk=report.pk)
    return render(
        request,
        "cityapp/report_detail.html",
        {"report": report, "form": form, "can_change": can_change},
    )


def _usable_modules(here: City) -> list[Module]:
    modules = Module.objects.select_related("owner").prefetch_related("shared_with", "versions")
    return [m for m in modules if m.is_available_to(here)]


@require_http_methods(["GET", "HEAD", "POST"])
def app_home(request: HttpRequest, city: str) -> HttpResponse:
    here: City = request.city  # type: ignore[attr-defined]
    if (denied := _guard(request, "cityapp.view_appsettings", here)) is not None:
        return denied
    app = AppSettings.objects.filter(city=here).first()
    initial = (
        {
            "app_name": app.app_name,
            "languages": app.languages,
            "theme": json.dumps(app.theme, ensure_ascii=False) if app.theme else "",
        }
        if app
        else {
            "app_name": f"{here.name}-App",
            "languages": ["de", "en"],
        }
    )
    form = AppSettingsForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            actions.app_settings_save(request.user, here, **form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("The app settings have been saved."))
            return redirect("cityapp:app", city=here.slug)
    adoptions = Adoption.objects.filter(city=here).select_related("module", "version")
    owned = (
        Module.objects.filter(owner=here)
        .annotate(users=Count("adoptions"))
        .prefetch_related("adoptions__city", "adoptions__version")
    )
    return render(
        request,
        "cityapp/app_home.html",
        {
            "app": app,
            "form": form,
            "adoptions": adoptions,
            "modules": _usable_modules(here),
            "owned": owned,
            "may_register": has_perm(request.user, "cityapp.add_module", here),
            "keys": ClientKey.objects.filter(city=here),
            "key_form": ClientKeyForm(),
        },
    )


def _may_see(module: Module, here: City) -> None:
    """A city sees the modules shared with it and those it uses (even if no longer shared)."""
    if not module.is_available_to(here) and not module.adoptions.filter(city=here).exists():
        raise PermissionDenied("module not shared with this city")


@require_http_methods(["GET", "HEAD"])
def module_detail(request: HttpRequest, city: str, key: str) -> HttpResponse:
    here: City = request.city  # type: ignore[attr-defined]
    if (denied := _guard(request, "cityapp.view_appsettings", here)) is not None:
        return denied
    module = get_object_or_404(Module.objects.select_related("owner"), key=key)
    _may_see(module, here)
    usage = None
    if module.owner_id == here.pk or has_perm(request.user, "cityapp.change_module", module):
        usage = module.adoptions.select_related("city", "version").order_by("city__name")
    manage = module.owner_id == here.pk and has_perm(request.user, "cityapp.change_module", module)
    return render(
        request,
        "cityapp/module_detail.html",
        {
            "module": module,
            "manage": manage,
            "partners": list(module.shared_with.order_by("name")),
            "adopted": Adoption.objects.filter(city=here, module=module)
            .select_related("version")
            .first(),
            "versions": sorted(module.versions.all(), key=lambda v: v.sort_key, reverse=True),
            "usage": usage,
        },
    )


@require_http_methods(["GET", "HEAD", "POST"])
def module_adopt(request: HttpRequest, city: str, key: str) -> HttpResponse:
    here: City = request.city  # type: ignore[attr-defined]
    if (denied := _guard(request, "cityapp.change_adoption", here)) is not None:
        return denied
    module = get_object_or_404(Module, key=key)
    _may_see(module, here)
    current = Adoption.objects.filter(city=here, module=module).first()
    initial: dict[str, Any] = {"version": module.latest_version()}
    if current is not None:
        initial = {
            "version": current.version,
            "configuration": json.dumps(current.configuration, indent=2, ensure_ascii=False),
            "position": current.position,
            "enabled": current.enabled,
        }
    form = AdoptionForm(module, request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            actions.module_adopt(request.user, here, module, **form.cleaned_data)
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, _("The module is part of the app now."))
            return redirect("cityapp:app", city=here.slug)
    return render(
        request,
        "cityapp/module_adopt.html",
        {
            "module": module,
            "form": form,
            "current": current,
            "versions": sorted(module.versions.all(), key=lambda v: v.sort_key, reverse=True),
        },
    )


@require_POST
def adoption_remove(request: HttpRequest, city: str, key: str) -> HttpResponse:
    here: City = request.city  # type: ignore[attr-defined]
    adoption = get_object_or_404(Adoption, city=here, module__key=key)
    if (denied := _guard(request, "cityapp.delete_adoption", adoption)) is not None:
        return denied
    actions.adoption_remove(request.user, adoption)
    messages.success(request, _("The module has been taken out of the app."))
    return redirect("cityapp:app", city=here.slug)


@require_http_methods(["GET", "HEAD", "POST"])
def module_create(request: HttpRequest, city: str) -> HttpResponse:
    """Register a module this city builds; its first version is released next."""
    here: City = request.city  # type: ignore[attr-defined]
    if (denied := _guard(request, "cityapp.add_module", here)) is not None:
        return denied
    form = ModuleForm(here, request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        shared_with = list(data.pop("shared_with"))
        try:
            module = actions.module_register(
                request.user, owner=here, shared_with=shared_with, **data
            )
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, _("The module is registered. Release its first version."))
            return redirect("cityapp:release", city=here.slug, key=module.key)
    return render(request, "cityapp/module_form.html", {"form": form, "module": None})


def _owned_module(request: HttpRequest, here: City, key: str, perm: str) -> Module:
    module = get_object_or_404(Module, key=key, owner=here)
    if not has_perm(request.user, perm, module):
        raise PermissionDenied(perm)
    return module


@require_http_methods(["GET", "HEAD", "POST"])
def module_edit(request: HttpRequest, city: str, key: str) -> HttpResponse:
    """Change the names, licence and sharing of a module this city owns."""
    here: City = request.city  # type: ignore[attr-defined]
    if (denied := _guard(request, "cityapp.view_appsettings", here)) is not None:
        return denied
    module = _owned_module(request, here, key, "cityapp.change_module")
    initial = {
        "name": module.name,
        "name_en": module.name_en,
        "description": module.description,
        "description_en": module.description_en,
        "licence": module.licence,
        "sharing": module.sharing,
        "shared_with": list(module.shared_with.all()),
    }
    form = ModuleForm(here, request.POST or None, initial=initial, creating=False)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        shared_with = list(data.pop("shared_with"))
        try:
            actions.module_update(request.user, module, shared_with=shared_with, **data)
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, _("The module has been saved."))
            return redirect("cityapp:module", city=here.slug, key=module.key)
    return render(request, "cityapp/module_form.html", {"form": form, "module": module})


@require_http_methods(["GET", "HEAD", "POST"])
def module_release(request: HttpRequest, city: str, key: str) -> HttpResponse:
    """Release a new version of a module this city owns (higher than every earlier one)."""
    here: City = request.city  # type: ignore[attr-defined]
    if (denied := _guard(request, "cityapp.view_appsettings", here)) is not None:
        return denied
    module = _owned_module(request, here, key, "cityapp.add_moduleversion")
    latest = module.latest_version()
    initial: dict[str, Any] = {}
    if latest is not None:
        initial = {
            "config_schema": json.dumps(latest.config_schema, indent=2, ensure_ascii=False),
            "endpoints": latest.endpoints,
        }
    form = ReleaseForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            release = actions.module_release(request.user, module, **form.cleaned_data)
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(
                request, _("Version %(version)s is released.") % {"version": release.version}
            )
            return redirect("cityapp:module", city=here.slug, key=module.key)
    return render(
        request, "cityapp/module_release.html", {"form": form, "module": module, "latest": latest}
    )


@require_POST
def key_create(request: HttpRequest, city: str) -> HttpResponse:
    here: City = request.city  # type: ignore[attr-defined]
    if (denied := _guard(request, "cityapp.add_clientkey", here)) is not None:
        return denied
    form = ClientKeyForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("The key needs a label and a rate limit from 1 to 100000."))
        return redirect("cityapp:app", city=here.slug)
    key, raw = actions.client_key_create(request.user, here, **form.cleaned_data)
    return render(request, "cityapp/key_created.html", {"key": key, "raw": raw})


@require_POST
def key_revoke(request: HttpRequest, city: str, pk: int) -> HttpResponse:
    here: City = request.city  # type: ignore[attr-defined]
    key = get_object_or_404(ClientKey, city=here, pk=pk)
    if (denied := _guard(request, "cityapp.change_clientkey", key)) is not None:
        return denied
    actions.client_key_revoke(request.user, key)
    messages.success(request, _("The key has been revoked."))
    return redirect("cityapp:app", city=here.slug)


@require_http_methods(["GET", "HEAD"])
def service_list(request: HttpRequest, city: str) -> HttpResponse:
    """The city's Open311 services with their departments."""
    here: City = request.city  # type: ignore[attr-defined]
    if (denied := _guard(request, "cityapp.view_service", here)) is not None:
        return denied
    return render(
        request,
        "cityapp/service_list.html",
        {
            "services": Service.objects.filter(city=here).order_by("group", "name"),
            "may_edit": has_perm(request.user, "cityapp.change_service", here),
        },
    )


@require_http_methods(["GET", "HEAD", "POST"])
def service_edit(request: HttpRequest, city: str, code: str | None = None) -> HttpResponse:
    """Create (no ``code``) or change an Open311 service of the city."""
    here: City = request.city  # type: ignore[attr-defined]
    if (denied := _guard(request, "cityapp.change_service", here)) is not None:
        return denied
    service = get_object_or_404(Service, city=here, code=code) if code else None
    initial: dict[str, Any] = {}
    if service is not None:
        initial = {
            name: getattr(service, name) for name in actions.SERVICE_FIELDS if name != "attributes"
        }
        if service.attributes:
            initial["attributes"] = json.dumps(service.attributes, indent=2, ensure_ascii=False)
    form = ServiceForm(request.POST or None, initial=initial, creating=service is None)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        new_code = data.pop("code", None) or code
        if service is None and Service.objects.filter(city=here, code=new_code).exists():
            form.add_error("code", _("This city has a service with this code already."))
        else:
            try:
                actions.service_save(request.user, here, code=new_code, **data)
            except ValidationError as exc:
                _add_errors(form, exc)
            else:
                messages.success(request, _("The service has been saved."))
                return redirect("cityapp:services", city=here.slug)
    return render(request, "cityapp/service_form.html", {"form": form, "service": service})
