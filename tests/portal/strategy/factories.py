"""Factories for strategy tests."""

from __future__ import annotations

import datetime as dt

import factory

from dos.portal.strategy.models import ActionField, Kpi, Milestone, Project


class ActionFieldFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ActionField
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"HF{n}")
    slug = factory.LazyAttribute(lambda o: o.code.lower())
    name = factory.LazyAttribute(lambda o: f"Handlungsfeld {o.code}")
    position = factory.Sequence(int)


class ProjectFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Project
        skip_postgeneration_save = True

    code = factory.Sequence(lambda n: f"TP {n:02d}")
    slug = factory.Sequence(lambda n: f"testprojekt-{n}")
    title = factory.Sequence(lambda n: f"Testprojekt {n}")
    summary = "Ein Projekt zum Testen."
    phase = "implementation"
    status = "on_track"
    progress = 40
    start_date = dt.date(2023, 4, 1)
    end_date = dt.date(2026, 12, 31)

    @factory.post_generation
    def action_fields(self, create: bool, extracted: list | None, **kwargs: object) -> None:
        if create:
            self.action_fields.set(extracted or [ActionFieldFactory()])

    @factory.post_generation
    def cities(self, create: bool, extracted: list | None, **kwargs: object) -> None:
        if create and extracted:
            self.cities.set(extracted)


class MilestoneFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Milestone

    project = factory.SubFactory(ProjectFactory)
    title = factory.Sequence(lambda n: f"Meilenstein {n}")
    planned_date = dt.date(2024, 6, 30)


class KpiFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Kpi

    project = factory.SubFactory(ProjectFactory)
    name = factory.Sequence(lambda n: f"Kennzahl {n}")
    unit = "Stück"
    baseline = 0
    target = 100
