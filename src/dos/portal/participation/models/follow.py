"""Following ideas and processes, in-portal notifications and e-mail settings."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from dos.portal.participation.models.idea import Idea
from dos.portal.participation.models.process import Process


class Follow(models.Model):
    """A user follows an idea, a whole process or a strategy project and hears of what
    happens there."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="participation_follows"
    )
    idea = models.ForeignKey(
        Idea, on_delete=models.CASCADE, null=True, blank=True, related_name="follows"
    )
    process = models.ForeignKey(
        Process, on_delete=models.CASCADE, null=True, blank=True, related_name="follows"
    )
    project = models.ForeignKey(
        "strategy.Project",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="participation_follows",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("follow")
        verbose_name_plural = _("follows")
        constraints = [
            models.UniqueConstraint(fields=["user", "idea"], name="follow_idea_once"),
            models.UniqueConstraint(fields=["user", "process"], name="follow_process_once"),
            models.UniqueConstraint(fields=["user", "project"], name="follow_project_once"),
            models.CheckConstraint(
                condition=models.Q(idea__isnull=False, process__isnull=True, project__isnull=True)
                | models.Q(idea__isnull=True, process__isnull=False, project__isnull=True)
                | models.Q(idea__isnull=True, process__isnull=True, project__isnull=False),
                name="follow_one_target",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} → {self.idea or self.process or self.project}"


class Notification(models.Model):
    """Something a user should know about, shown in the portal and sent by e-mail."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="participation_notices"
    )
    text = models.CharField(_("text"), max_length=400)
    url = models.CharField(_("link"), max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    read_at = models.DateTimeField(null=True, blank=True)
    emailed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")

    def __str__(self) -> str:
        return self.text


class NotificationSettings(models.Model):
    """How a user wants notifications by e-mail: each at once, a daily or weekly digest,
    or none."""

    SINGLE = "single"
    DAILY = "daily"
    WEEKLY = "weekly"
    NEVER = "never"
    MODES = [
        (SINGLE, _("Each notification at once")),
        (DAILY, _("Daily digest")),
        (WEEKLY, _("Weekly digest")),
        (NEVER, _("No e-mails")),
    ]

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_settings"
    )
    email_mode = models.CharField(_("e-mails"), max_length=10, choices=MODES, default=SINGLE)
    last_digest_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("notification settings")
        verbose_name_plural = _("notification settings")

    def __str__(self) -> str:
        return f"{self.user}: {self.email_mode}"
