from __future__ import annotations

from typing import TYPE_CHECKING

from django.apps import AppConfig
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from dos.portal.web.navigation import NavItem


class DashboardsConfig(AppConfig):
    name = "dos.portal.dashboards"
    label = "dashboards"
    verbose_name = _("Dashboards")

    def navigation(self, request: HttpRequest) -> list[NavItem]:
        from django.urls import reverse

        from dos.portal.web.navigation import NavItem

        city = getattr(request, "city", None)
        url = (
            reverse("dashboards_city:map", args=[city.slug]) if city else reverse("dashboards:map")
        )
        return [NavItem(str(_("City at a glance")), url, order=30)]
