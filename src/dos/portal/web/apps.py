from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WebConfig(AppConfig):
    name = "dos.portal.web"
    label = "web"
    verbose_name = _("Web shell")

    def ready(self) -> None:
        from dos.portal.web import generations

        generations.connect()
