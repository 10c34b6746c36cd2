from django.apps import AppConfig
from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from dos.portal.web.navigation import NavItem


class OpendataConfig(AppConfig):
    name = "dos.portal.opendata"
    label = "opendata"
    verbose_name = _("Open data")
    default_auto_field = "django.db.models.BigAutoField"

    def navigation(self, request: HttpRequest) -> list[NavItem]:
        return [NavItem(str(_("Open data")), reverse("opendata:catalogue"), order=80)]
