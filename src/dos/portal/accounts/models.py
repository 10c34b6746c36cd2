"""Users and their roles per city."""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.utils.translation import gettext_lazy as _

from dos.portal.accounts.roles import REGION_ADMIN, ROLE_CHOICES
from dos.portal.tenancy.models import City


class DosUserManager(UserManager["User"]):
    """Users log in by e-mail; the username is an internal handle derived from it."""

    def create_user(
        self,
        username: str | None = None,
        email: str | None = None,
        password: str | None = None,
        **extra: object,
    ) -> User:
        username = username or (email or "").lower()
        return super().create_user(username, email, password, **extra)

    def create_superuser(
        self,
        username: str | None = None,
        email: str | None = None,
        password: str | None = None,
        **extra: object,
    ) -> User:
        username = username or (email or "").lower()
        return super().create_superuser(username, email, password, **extra)


class User(AbstractUser):
    """A person with an account. ``public_name`` is the pseudonym shown next to contributions."""

    email = models.EmailField(_("e-mail address"), unique=True, null=True, blank=True)
    public_name = models.CharField(
        _("public name"),
        max_length=60,
        blank=True,
        help_text=_("Shown next to your ideas and comments. A pseudonym is fine."),
    )
    deleted_at = models.DateTimeField(_("deleted at"), null=True, blank=True, editable=False)

    objects = DosUserManager()

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        """What the public sees: the pseudonym, or “deleted user” after deletion."""
        if self.deleted_at:
            return str(_("deleted user"))
        return self.public_name or str(_("anonymous"))


class Membership(models.Model):
    """A role a user holds in one city, or region-wide when ``city`` is empty."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    city = models.ForeignKey(
        City,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="memberships",
        help_text=_("Empty: the role holds for the whole region."),
    )
    role = models.CharField(_("role"), max_length=20, choices=ROLE_CHOICES)
    granted_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("role")
        verbose_name_plural = _("roles")
        constraints = [
            models.UniqueConstraint(fields=["user", "city", "role"], name="membership_unique"),
            models.UniqueConstraint(
                fields=["user", "role"],
                condition=models.Q(city=None),
                name="membership_unique_regionwide",
            ),
        ]

    def __str__(self) -> str:
        where = self.city.name if self.city else _("region")
        return f"{self.get_role_display()} ({where})"

    @property
    def is_region_admin(self) -> bool:
        return self.role == REGION_ADMIN
