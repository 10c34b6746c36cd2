"""The only code that changes accounts and roles."""

from __future__ import annotations

import secrets
from typing import Any

from django.contrib.sessions.models import Session
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from dos.portal.accounts.models import Membership, User
from dos.portal.accounts.permissions import require
from dos.portal.accounts.privacy import collect_exports, erase_everywhere
from dos.portal.accounts.roles import REGION_ADMIN, STAFF_ROLES
from dos.portal.tenancy.models import City


def _sync_staff(user: User) -> None:
    """Staff (admin access) follows roles: anyone with a staff role, nobody else."""
    is_staff = user.is_superuser or user.memberships.filter(role__in=STAFF_ROLES).exists()
    if user.is_staff != is_staff:
        user.is_staff = is_staff
        user.save(update_fields=["is_staff"])
    user.__dict__.pop("_dos_roles", None)


@transaction.atomic
def membership_grant(actor: Any, user: User, role: str, city: City | None) -> Membership:
    """Give ``user`` a role in ``city`` (or region-wide); needs ``accounts.add_membership``."""
    if role not in STAFF_ROLES:
        raise ValidationError({"role": f"unknown role {role}"})
    if role == REGION_ADMIN and city is not None:
        raise ValidationError({"city": "the region admin role is region-wide"})
    require(actor, "accounts.add_membership", city)
    membership, _ = Membership.objects.get_or_create(user=user, role=role, city=city)
    _sync_staff(user)
    return membership


@transaction.atomic
def membership_revoke(actor: Any, membership: Membership) -> None:
    """Take a role away (``accounts.delete_membership`` in the role's city)."""
    require(actor, "accounts.delete_membership", membership.city)
    user = membership.user
    membership.delete()
    _sync_staff(user)


@transaction.atomic
def admin_create(email: str, password: str | None = None) -> tuple[User, str]:
    """Create (or reset) a region admin with a verified e-mail; returns the user and password."""
    from allauth.account.models import EmailAddress

    password = password or secrets.token_urlsafe(12)
    user = User.objects.filter(email__iexact=email).first()
    if user is None:
        user = User(username=email.lower(), email=email.lower(), public_name="Admin")
    user.full_clean(exclude=["password"])
    user.set_password(password)
    user.is_superuser = True
    user.is_staff = True
    user.is_active = True
    user.save()
    Membership.objects.get_or_create(user=user, role=REGION_ADMIN, city=None)
    EmailAddress.objects.update_or_create(
        user=user, email=user.email, defaults={"verified": True, "primary": True}
    )
    return user, password


def account_export(actor: Any, user: User) -> dict[str, Any]:
    """All personal data DOS holds about ``user`` (GDPR Art. 15/20); only the user themself."""
    if actor != user:
        require(actor, "accounts.export_user", None)
    return {
        "format": "dos-personal-data/1",
        "exported_at": timezone.now().isoformat(),
        "user_id": user.pk,
        **collect_exports(user),
    }


@transaction.atomic
def account_delete(actor: Any, user: User) -> None:
    """Delete the account (GDPR Art. 17): personal data goes, public contributions stay and
    show “deleted user”."""
    if actor != user:
        require(actor, "accounts.delete_user", None)
    erase_everywhere(user)
    user.username = f"deleted-{user.pk}-{secrets.token_hex(4)}"
    user.email = None
    user.first_name = ""
    user.last_name = ""
    user.public_name = ""
    user.is_active = False
    user.is_staff = False
    user.is_superuser = False
    user.set_unusable_password()
    user.deleted_at = timezone.now()
    user.save()
    for session in Session.objects.filter(expire_date__gt=timezone.now()).iterator():
        if session.get_decoded().get("_auth_user_id") == str(user.pk):
            session.delete()
