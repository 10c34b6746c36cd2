from __future__ import annotations

from django.apps import AppConfig
from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext_lazy as _


class ParticipationConfig(AppConfig):
    name = "dos.portal.participation"
    label = "participation"
    verbose_name = _("Participation")

    def navigation(self, request: HttpRequest) -> list:  # type: ignore[type-arg]
        from dos.portal.web.navigation import NavItem

        city = getattr(request, "city", None)
        if city is not None:
            url = reverse("participation_city:processes", kwargs={"city": city.slug})
        else:
            url = reverse("participation:processes")
        items = [NavItem(label=str(_("Participation")), url=url, order=30)]
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            from dos.portal.participation.models import Notification

            unread = Notification.objects.filter(user=user, read_at=None).count()
            label = str(_("Notifications"))
            if unread:
                label = f"{label} ({unread})"
            items.append(NavItem(label=label, url=reverse("participation:notifications"), order=90))
        return items
