"""Factories shared by the portal tests."""

from __future__ import annotations

from typing import Any

import factory
from allauth.account.models import EmailAddress

from dos.portal.accounts.models import Membership, User
from dos.portal.tenancy.models import City, Region


class RegionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Region
        django_get_or_create = ("name",)

    name = "Smart-City-Region Test"


class CityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = City
        django_get_or_create = ("slug",)

    region = factory.SubFactory(RegionFactory)
    slug = factory.Sequence(lambda n: f"stadt{n}")
    name = factory.LazyAttribute(lambda o: o.slug.title())
    ags = factory.Sequence(lambda n: f"{5900000 + n:08d}")
    latitude = 51.5
    longitude = 7.5


def dortmund() -> City:
    return CityFactory(
        slug="dortmund", name="Dortmund", ags="05913000", latitude=51.5136, longitude=7.4653
    )


def schwerte() -> City:
    return CityFactory(
        slug="schwerte", name="Schwerte", ags="05978036", latitude=51.4458, longitude=7.5653
    )


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}@example.org")
    email = factory.LazyAttribute(lambda o: o.username)
    public_name = factory.Sequence(lambda n: f"Nutzer{n}")
    password = factory.PostGenerationMethodCall("set_password", "ein-gutes-passwort")

    @factory.post_generation
    def verified(self, create: bool, extracted: Any, **kwargs: Any) -> None:
        if create and extracted is not False:
            EmailAddress.objects.create(user=self, email=self.email, verified=True, primary=True)
        if create:
            self.save()


def user_with_role(role: str, city: City | None) -> User:
    """A user holding ``role`` in ``city`` (region-wide when ``city`` is None)."""
    from dos.portal.accounts.actions import membership_grant
    from dos.portal.accounts.permissions import SYSTEM

    user = UserFactory()
    membership_grant(SYSTEM, user, role, city)
    user.refresh_from_db()
    return user


__all__ = [
    "CityFactory",
    "Membership",
    "RegionFactory",
    "UserFactory",
    "dortmund",
    "schwerte",
    "user_with_role",
]
