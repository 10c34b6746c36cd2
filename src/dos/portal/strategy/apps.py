from __future__ import annotations

from typing import TYPE_CHECKING

from django.apps import AppConfig
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from dos.portal.web.navigation import NavItem


class StrategyConfig(AppConfig):
    name = "dos.portal.strategy"
    label = "strategy"
    verbose_name = _("Strategy")

    def ready(self) -> None:
        from dos.portal.strategy import history

        history.connect()

    def navigation(self, request: HttpRequest) -> list[NavItem]:
        from django.urls import reverse

        from dos.portal.web.navigation import NavItem

        city = getattr(request, "city", None)
        projects = (
            reverse("strategy_city:project_list", args=[city.slug])
            if city
            else reverse("strategy:project_list")
        )
        return [
            NavItem(str(_("Strategy")), reverse("strategy:overview"), order=20),
            NavItem(str(_("Projects")), projects, order=21),
        ]
