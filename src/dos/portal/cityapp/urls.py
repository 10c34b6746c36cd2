"""Routes of the city app: the app API, Open311 and the staff pages.

``api_patterns`` and ``open311_patterns`` are platform routes (before the city catch-all);
``urlpatterns`` are the city-scoped staff pages under ``/<city>/meldungen/`` and ``/<city>/app/``.
"""

from django.urls import path, re_path

from dos.portal.cityapp import views
from dos.portal.cityapp.api import content
from dos.portal.cityapp.api import views as api
from dos.portal.cityapp.open311 import views as open311

FMT = r"(?P<fmt>[A-Za-z0-9]+)"

api_patterns = [
    path("openapi.json", api.openapi, name="openapi"),
    path("<slug:city_slug>/config", api.config, name="config"),
    path("<slug:city_slug>/<slug:endpoint>", content.listing, name="content"),
]

open311_patterns = [
    re_path(rf"^services\.{FMT}$", open311.services, name="services"),
    re_path(rf"^services/(?P<code>[^/]+)\.{FMT}$", open311.service_definition, name="service"),
    re_path(rf"^requests\.{FMT}$", open311.requests, name="requests"),
    re_path(rf"^requests/(?P<request_id>[^/]+)\.{FMT}$", open311.request_detail, name="request"),
    re_path(rf"^tokens/(?P<token>[^/]+)\.{FMT}$", open311.token, name="token"),
    path("media/<str:name>", open311.media, name="media"),
]

app_name = "cityapp"
urlpatterns = [
    path("meldungen/", views.report_list, name="reports"),
    path("meldungen/<int:pk>/", views.report_detail, name="report"),
    path("meldungen/dienste/", views.service_list, name="services"),
    path("meldungen/dienste/neu/", views.service_edit, name="service_create"),
    path("meldungen/dienste/<slug:code>/", views.service_edit, name="service_edit"),
    path("app/", views.app_home, name="app"),
    path("app/neues-modul/", views.module_create, name="module_create"),
    path("app/module/<slug:key>/", views.module_detail, name="module"),
    path("app/module/<slug:key>/bearbeiten/", views.module_edit, name="module_edit"),
    path("app/module/<slug:key>/neue-version/", views.module_release, name="release"),
    path("app/module/<slug:key>/uebernehmen/", views.module_adopt, name="adopt"),
    path("app/module/<slug:key>/entfernen/", views.adoption_remove, name="adoption_remove"),
    path("app/schluessel/neu/", views.key_create, name="key_create"),
    path("app/schluessel/<int:pk>/widerrufen/", views.key_revoke, name="key_revoke"),
]
