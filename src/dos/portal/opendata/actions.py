"""Every change to the catalogue. Views, admin, CLI and demo call these functions."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from dos.portal.accounts.permissions import require
from dos.portal.opendata import broker, vocab
from dos.portal.opendata.models import Dataset, Distribution
from dos.portal.tenancy.models import City

DATASET_FIELDS = frozenset(
    {
        "title",
        "description",
        "city",
        "licence",
        "contact_email",
        "temporal_start",
        "temporal_end",
        "frequency",
        "keywords",
        "themes",
    }
)


def _check_fields(fields: dict[str, Any]) -> None:
    unknown = set(fields) - DATASET_FIELDS
    if unknown:
        raise TypeError(f"unknown dataset fields: {', '.join(sorted(unknown))}")


def dataset_create(actor: Any, *, slug: str, **fields: Any) -> Dataset:
    """Describe a dataset by hand (source ``manual``); validated before it is saved."""
    _check_fields(fields)
    dataset = Dataset(slug=slug, source=Dataset.MANUAL, **fields)
    require(actor, "opendata.add_dataset", dataset)
    dataset.full_clean()
    dataset.save()
    return dataset


def dataset_update(actor: Any, dataset: Dataset, **fields: Any) -> Dataset:
    """Change a dataset's description; the actor needs the right for its old and new city."""
    _check_fields(fields)
    require(actor, "opendata.change_dataset", dataset)
    for name, value in fields.items():
        setattr(dataset, name, value)
    require(actor, "opendata.change_dataset", dataset)
    dataset.full_clean()
    dataset.save()
    return dataset


def dataset_save(actor: Any, dataset: Dataset) -> Dataset:
    """Save a dataset edited as a whole (the admin form): add or change permission for its
    city, before and after the edit."""
    if dataset.pk is None:
        require(actor, "opendata.add_dataset", dataset)
    else:
        require(actor, "opendata.change_dataset", Dataset.objects.get(pk=dataset.pk))
        require(actor, "opendata.change_dataset", dataset)
    dataset.full_clean()
    dataset.save()
    return dataset


def dataset_delete(actor: Any, dataset: Dataset) -> None:
    """Remove a dataset and its distributions from the catalogue."""
    require(actor, "opendata.delete_dataset", dataset)
    dataset.delete()


def distribution_add(
    actor: Any, dataset: Dataset, *, title: str, url: str, format: str, description: str = ""
) -> Distribution:
    """Add a download address to a hand-described dataset."""
    distribution = Distribution(
        dataset=dataset,
        title=title,
        url=url,
        format=format,
        description=description,
        position=dataset.distributions.count(),
    )
    require(actor, "opendata.add_distribution", distribution)
    if dataset.is_generated:
        raise ValueError("a generated dataset's downloads come from the broker")
    distribution.full_clean()
    distribution.save()
    return distribution


@dataclass
class SyncResult:
    """What a sync did: slugs of datasets created and updated, per city."""

    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)


def generated_slug(city: City, entity_type: str) -> str:
    return slugify(f"{city.slug}-{entity_type}")[:100]


def dataset_sync(actor: Any, cities: list[City] | None = None) -> SyncResult:
    """Create or update one generated dataset per city and NGSI-LD entity type.

    Asks the broker (``/types`` of each city's tenant) which types it holds. Running it again
    changes nothing but the attribute list; a steward's edits to title, description, keywords
    or themes are kept. Datasets of types that disappeared are left in place: the catalogue
    keeps describing what was published.
    """
    result = SyncResult()
    for city in cities if cities is not None else list(City.objects.all()):
        require(actor, "opendata.sync_dataset", city)
        types = broker.tenant_types(city.tenant)
        with transaction.atomic():
            for item in types:
                _sync_type(city, item, result)
    return result


def _sync_type(city: City, item: dict[str, Any], result: SyncResult) -> None:
    entity_type = str(item["typeName"])
    attributes = sorted(str(name) for name in item.get("attributeNames", []))
    dataset = Dataset.objects.filter(
        source=Dataset.GENERATED, city=city, entity_type=entity_type
    ).first()
    if dataset is not None:
        if dataset.attribute_names != attributes:
            dataset.attribute_names = attributes
            dataset.save(update_fields=["attribute_names", "updated_at"])
            result.updated.append(dataset.slug)
        return
    info = vocab.entity_type_info(entity_type)
    dataset = Dataset(
        slug=generated_slug(city, entity_type),
        source=Dataset.GENERATED,
        city=city,
        entity_type=entity_type,
        attribute_names=attributes,
        title=info.title.format(city=city.name),
        description=info.description.format(city=city.name),
        contact_email=f"opendata@{city.slug}.de",
        temporal_start=timezone.localdate(),
        frequency="UPDATE_CONT",
        keywords=",".join([*info.keywords, city.name]),
        themes=",".join(info.themes),
    )
    dataset.full_clean()
    dataset.save()
    result.created.append(dataset.slug)
