"""What the accounts app holds about a user, for the data export and the deletion."""

from __future__ import annotations

from typing import Any


def export(user: Any) -> dict[str, Any]:
    from allauth.account.models import EmailAddress

    return {
        "email": user.email,
        "public_name": user.public_name,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "date_joined": user.date_joined.isoformat(),
        "last_login": user.last_login.isoformat() if user.last_login else None,
        "email_addresses": [
            {"email": a.email, "verified": a.verified, "primary": a.primary}
            for a in EmailAddress.objects.filter(user=user)
        ],
        "roles": [
            {
                "role": m.role,
                "city": m.city.slug if m.city else None,
                "granted_at": m.granted_at.isoformat(),
            }
            for m in user.memberships.select_related("city")
        ],
        "login_providers": [
            {"provider": s.provider, "uid": s.uid} for s in user.socialaccount_set.all()
        ],
    }


def erase(user: Any) -> None:
    from allauth.account.models import EmailAddress

    EmailAddress.objects.filter(user=user).delete()
    user.socialaccount_set.all().delete()
    user.memberships.all().delete()
