"""The user's notifications and e-mail settings, and the one-click unsubscribe."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from dos.portal.participation import actions
from dos.portal.participation.forms import NotificationSettingsForm
from dos.portal.participation.models import Follow, NotificationSettings


@login_required
@require_http_methods(["GET", "POST"])
def notifications(request: HttpRequest) -> HttpResponse:
    user = request.user
    prefs = NotificationSettings.objects.filter(user=user).first()
    mode = prefs.email_mode if prefs else NotificationSettings.SINGLE
    form = NotificationSettingsForm(request.POST or None, initial={"email_mode": mode})
    if request.method == "POST":
        if request.POST.get("mark_read") == "1":
            actions.notifications_mark_read(user)
            messages.success(request, _("All notifications are marked as read."))
            return redirect("participation:notifications")
        if form.is_valid():
            actions.notification_settings_update(user, form.cleaned_data["email_mode"])
            messages.success(request, _("Your e-mail settings are saved."))
            return redirect("participation:notifications")
    notices = list(user.participation_notices.all()[:100])  # type: ignore[union-attr]
    follows = Follow.objects.filter(user=user).select_related("idea", "process", "project")
    return render(
        request,
        "participation/notifications.html",
        {"notices": notices, "form": form, "follows": follows},
    )


@csrf_exempt  # RFC 8058 one-click: mail clients POST without a session; the token is signed
@require_http_methods(["GET", "POST"])
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    try:
        actions.unsubscribe(token)
    except ValidationError as exc:
        return render(
            request, "participation/unsubscribe.html", {"error": exc.messages[0]}, status=400
        )
    return render(request, "participation/unsubscribe.html", {"error": ""})
