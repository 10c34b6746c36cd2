"""Threaded comments on ideas."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from dos.portal.participation.models.idea import Idea

#: How long the author may still edit a comment.
EDIT_WINDOW = datetime.timedelta(minutes=15)


class Comment(models.Model):
    """A comment on an idea, or a reply to another comment; official when a moderator
    answers on behalf of the city."""

    idea = models.ForeignKey(Idea, on_delete=models.CASCADE, related_name="comments")
    parent = models.ForeignKey(
        "self", on_delete=models.CASCADE, null=True, blank=True, related_name="replies"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="idea_comments"
    )
    body = models.TextField(_("comment"), max_length=3000)
    official = models.BooleanField(_("official answer"), default=False)
    published = models.BooleanField(_("published"), default=True)
    hidden = models.BooleanField(_("hidden by moderation"), default=False)
    hidden_reason = models.TextField(_("reason for hiding"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    edited_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("comment")
        verbose_name_plural = _("comments")

    def __str__(self) -> str:
        return self.body[:60]

    def dos_city_ids(self) -> set[int]:
        return {self.idea.city_id}

    def editable_until(self) -> datetime.datetime:
        return self.created_at + EDIT_WINDOW

    def is_editable(self, now: datetime.datetime | None = None) -> bool:
        return (now or timezone.now()) <= self.editable_until()

    @property
    def is_public(self) -> bool:
        return self.published and not self.hidden
