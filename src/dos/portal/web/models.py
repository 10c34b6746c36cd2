"""What the web shell keeps in the database: the content generation of each portal app."""

from __future__ import annotations

from django.db import models


class ContentGeneration(models.Model):
    """A token per portal app that changes with every write to the app's data.

    Rendered pages and API payloads are cached under the tokens of the apps they are made of (see
    :mod:`dos.portal.web.generations`); as the token lives in the database, a change made
    by any process (a server worker, the CLI, the admin) reaches the caches of all of them.
    """

    app_label = models.CharField(max_length=50, primary_key=True)
    token = models.CharField(max_length=32)

    def __str__(self) -> str:
        return f"{self.app_label}: {self.token}"
