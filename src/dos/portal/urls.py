"""All portal routes in one place: platform routes first, then ``/<city>/…``."""

from django.contrib import admin
from django.urls import include, path
from django.views.decorators.csrf import csrf_exempt
from django.views.i18n import set_language

from dos.portal.cityapp import urls as cityapp
from dos.portal.web import views as web

handler403 = "dos.portal.web.views.error_403"
handler404 = "dos.portal.web.views.error_404"

admin.site.site_header = "DOS"
admin.site.site_title = "DOS"

urlpatterns = [
    path("", web.region_home, name="region_home"),
    path("admin/", admin.site.urls),
    path("accounts/", include("allauth.urls")),
    path("konto/", include("dos.portal.accounts.urls")),
    # The language switch needs no CSRF token: all it changes is the language cookie (``next``
    # is checked by Django), so a forged switch changes only the language a visitor reads.
    # Without a token in the header form, public pages can be kept by the page cache.
    path("i18n/setlang/", csrf_exempt(set_language), name="set_language"),
    path("impressum/", web.footer_page, {"page": "imprint"}, name="imprint"),
    path("datenschutz/", web.footer_page, {"page": "privacy"}, name="privacy"),
    path("barrierefreiheit/", web.footer_page, {"page": "accessibility"}, name="accessibility"),
    path("opendata/", include("dos.portal.opendata.urls")),
    path("api/3/action/", include("dos.portal.opendata.api_urls")),
    path("lizenz/", web.footer_page, {"page": "licence"}, name="licence"),
    # Events: /veranstaltungen/… and /<city>/veranstaltungen/… (one module, see its docstring).
    path("", include("dos.portal.events.urls")),
    path("", include("dos.portal.content.urls")),
    path("strategie/", include("dos.portal.strategy.urls")),
    path("beteiligung/", include("dos.portal.participation.urls")),
    path("api/app/v1/", include((cityapp.api_patterns, "cityapp_api"))),
    path("open311/v2/", include((cityapp.open311_patterns, "open311"))),
    path("dashboard/", include("dos.portal.dashboards.urls")),
    # City-scoped routes come last: /<city>/ must not shadow the platform routes above.
    path("<slug:city>/", include("dos.portal.cityapp.urls")),
    path("<slug:city>/", include("dos.portal.content.city_urls")),
    path("<slug:city>/", web.city_home, name="city_home"),
    path("<slug:city>/projekte/", include(("dos.portal.strategy.city_urls", "strategy_city"))),
    path("<slug:city>/beteiligung/", include("dos.portal.participation.city_urls")),
    path(
        "<slug:city>/dashboard/",
        include(("dos.portal.dashboards.city_urls", "dashboards_city")),
    ),
]
