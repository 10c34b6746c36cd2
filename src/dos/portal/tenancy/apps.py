from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TenancyConfig(AppConfig):
    name = "dos.portal.tenancy"
    label = "tenancy"
    verbose_name = _("Region and cities")
