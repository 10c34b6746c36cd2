from __future__ import annotations

from django.apps import AppConfig
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _


class ContentConfig(AppConfig):
    name = "dos.portal.content"
    label = "content"
    verbose_name = _("Content")

    def ready(self) -> None:
        from dos.portal.content import navigation  # noqa: F401 - connects its cache signals
        from dos.portal.content.search import providers

        providers.register_defaults()

    def navigation(self, request: HttpRequest) -> list:  # type: ignore[type-arg]
        from dos.portal.content.navigation import items

        return items(request)
