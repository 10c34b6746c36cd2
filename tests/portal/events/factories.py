"""Factories for venues and events."""

from __future__ import annotations

from datetime import timedelta

import factory
from django.utils import timezone

from dos.portal.events.models import Event, Venue
from tests.factories import dortmund


class VenueFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Venue

    city = factory.LazyFunction(dortmund)
    name = factory.Sequence(lambda n: f"Labor {n}")
    slug = factory.Sequence(lambda n: f"labor-{n}")
    address = "Kleppingstraße 28, Dortmund"
    latitude = 51.5128
    longitude = 7.4682
    step_free_access = True


class EventFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Event

    city = factory.LazyFunction(dortmund)
    venue = factory.SubFactory(VenueFactory, city=factory.SelfAttribute("..city"))
    title = factory.Sequence(lambda n: f"Sensor-Workshop {n}")
    slug = factory.Sequence(lambda n: f"sensor-workshop-{n}")
    organiser = "Smart-City-Büro Dortmund"
    starts_at = factory.LazyFunction(lambda: timezone.now() + timedelta(days=7))
    ends_at = factory.LazyAttribute(lambda o: o.starts_at + timedelta(hours=2))
    capacity = 2
    waiting_list_limit = 2
    registration_required = True
    status = Event.Status.PUBLISHED
