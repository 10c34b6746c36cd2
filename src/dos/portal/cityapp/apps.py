from __future__ import annotations

from django.apps import AppConfig
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from dos.portal.web.navigation import NavItem


class CityappConfig(AppConfig):
    name = "dos.portal.cityapp"
    label = "cityapp"
    verbose_name = _("City app")

    def navigation(self, request: HttpRequest) -> list[NavItem]:
        """Staff of the current city see the defect reports and the app settings."""
        from dos.portal.accounts.permissions import has_perm

        city = getattr(request, "city", None)
        user = getattr(request, "user", None)
        if city is None or user is None:
            return []
        found = []
        if has_perm(user, "cityapp.change_servicerequest", city):
            found.append(NavItem(str(_("Defect reports")), f"/{city.slug}/meldungen/", 80))
        if has_perm(user, "cityapp.change_appsettings", city):
            found.append(NavItem(str(_("City app")), f"/{city.slug}/app/", 90))
        return found
