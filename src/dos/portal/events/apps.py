from __future__ import annotations

from django.apps import AppConfig
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from dos.portal.web.navigation import NavItem


class EventsConfig(AppConfig):
    name = "dos.portal.events"
    label = "events"
    verbose_name = _("Events")

    def navigation(self, request: HttpRequest) -> list[NavItem]:
        city = getattr(request, "city", None)
        url = f"/{city.slug}/veranstaltungen/" if city else "/veranstaltungen/"
        return [NavItem(label=str(_("Events")), url=url, order=40)]
