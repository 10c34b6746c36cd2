"""A read-only subset of CKAN's Action API (API version 3) over the catalogue.

Each function is named after its CKAN action, takes the request parameters and returns the
``result`` CKAN would return; their docstrings are served by ``help_show``. Errors are raised
as :class:`NotFound` or :class:`ValidationError` and answered in CKAN's envelope by
:mod:`dos.portal.opendata.api`.
"""

from __future__ import annotations

import json
import re
import shlex
from collections.abc import Callable, Mapping
from typing import Any

from django.db.models import Q, QuerySet

from dos.portal.opendata import vocab
from dos.portal.opendata.models import Dataset
from dos.portal.tenancy.models import City, Region

MAX_ROWS = 1000


class NotFound(Exception):
    """CKAN's ``Not Found Error`` (HTTP 404)."""


class ValidationError(Exception):
    """CKAN's ``Validation Error`` (HTTP 409); ``errors`` maps field → messages."""

    def __init__(self, errors: dict[str, list[str]]) -> None:
        super().__init__(errors)
        self.errors = errors


def _natural(params: Mapping[str, str], name: str, default: int, maximum: int | None = None) -> int:
    raw = params.get(name)
    if raw is None or raw == "":
        return default
    if not re.fullmatch(r"\d+", raw.strip()):
        raise ValidationError({name: ["Must be a natural number"]})
    value = int(raw)
    return min(value, maximum) if maximum is not None else value


def _required(params: Mapping[str, str], name: str) -> str:
    value = params.get(name, "").strip()
    if not value:
        raise ValidationError({name: ["Missing value"]})
    return value


def _datasets() -> QuerySet[Dataset]:
    return Dataset.objects.select_related("city").prefetch_related("distributions")


def _timestamp(value: Any) -> str:
    return value.replace(tzinfo=None).isoformat()


def organization_dict(
    city: City | None, region: Region, *, package_count: int = 0
) -> dict[str, Any]:
    """A city (or the region) as a CKAN organization."""
    name = city.slug if city else "region"
    return {
        "id": name,
        "name": name,
        "title": city.name if city else region.name,
        "display_name": city.name if city else region.name,
        "description": "",
        "type": "organization",
        "is_organization": True,
        "state": "active",
        "approval_status": "approved",
        "image_url": "",
        "created": _timestamp(region.updated_at) if city is None else city.joined_at.isoformat(),
        "package_count": package_count,
    }


def package_dict(dataset: Dataset, base_url: str, region: Region) -> dict[str, Any]:
    """A dataset in the shape of CKAN's ``package_show`` result."""
    licence = dataset.licence_info
    package_id = str(dataset.uuid)
    resources = []
    for position, download in enumerate(dataset.downloads()):
        url = download.url if "://" in download.url else base_url + download.url
        resources.append(
            {
                "id": f"{package_id}-{position + 1}",
                "package_id": package_id,
                "name": download.title,
                "description": download.description,
                "url": url,
                "format": download.format,
                "mimetype": download.media_type,
                "position": position,
                "state": "active",
                "url_type": None,
            }
        )
    extras = {
        "contributorID": f'["{vocab.CONTRIBUTOR_ID}"]',
        "frequency": vocab.FREQUENCY_BASE + dataset.frequency,
        "issued": _timestamp(dataset.created_at),
        "modified": _timestamp(dataset.updated_at),
        "publisher_name": dataset.publisher_name(region),
        "contact_email": dataset.contact_email,
        "source": dataset.source,
    }
    if dataset.geocoding_uri():
        extras["politicalGeocodingURI"] = str(dataset.geocoding_uri())
        extras["politicalGeocodingLevelURI"] = vocab.GEOCODING_LEVEL_MUNICIPALITY
    if dataset.temporal_start:
        extras["temporal_start"] = dataset.temporal_start.isoformat()
    if dataset.temporal_end:
        extras["temporal_end"] = dataset.temporal_end.isoformat()
    if dataset.theme_list:
        extras["theme"] = json.dumps([vocab.THEME_BASE + code for code in dataset.theme_list])
    if dataset.entity_type:
        extras["ngsi_ld_type"] = dataset.entity_type
    organization = organization_dict(dataset.city, region)
    del organization["package_count"]
    return {
        "id": package_id,
        "name": dataset.slug,
        "title": dataset.title,
        "notes": dataset.description,
        "url": base_url + dataset.get_absolute_url(),
        "type": "dataset",
        "state": "active",
        "private": False,
        "isopen": True,
        "license_id": licence.id,
        "license_title": licence.title,
        "license_url": licence.uri,
        "author": dataset.publisher_name(region),
        "author_email": None,
        "maintainer": dataset.publisher_name(region),
        "maintainer_email": dataset.contact_email,
        "metadata_created": _timestamp(dataset.created_at),
        "metadata_modified": _timestamp(dataset.updated_at),
        "owner_org": organization["id"],
        "organization": organization,
        "groups": [
            {"name": code.lower(), "title": str(vocab.THEMES.get(code, code))}
            for code in dataset.theme_list
        ],
        "tags": [
            {"name": keyword, "display_name": keyword, "state": "active", "vocabulary_id": None}
            for keyword in dataset.keyword_list
        ],
        "num_tags": len(dataset.keyword_list),
        "resources": resources,
        "num_resources": len(resources),
        "extras": [{"key": key, "value": value} for key, value in sorted(extras.items())],
    }


def package_list(params: Mapping[str, str], base_url: str) -> list[str]:
    """Return the names of all datasets, ordered by name (``limit``, ``offset``)."""
    limit = _natural(params, "limit", 0)
    offset = _natural(params, "offset", 0)
    names = Dataset.objects.order_by("slug").values_list("slug", flat=True)
    return list(names[offset : offset + limit] if limit else names[offset:])


def package_show(params: Mapping[str, str], base_url: str) -> dict[str, Any]:
    """Return one dataset; ``id`` is its name or its id."""
    key = _required(params, "id")
    query = Q(slug=key)
    if re.fullmatch(r"[0-9a-fA-F-]{36}", key):
        query |= Q(uuid=key)
    dataset = _datasets().filter(query).first()
    if dataset is None:
        raise NotFound("Dataset not found")
    return package_dict(dataset, base_url, Region.current())


SORTS = {
    "name": "slug",
    "title": "title",
    "title_string": "title",
    "metadata_modified": "updated_at",
    "metadata_created": "created_at",
}
DEFAULT_SORT = "score desc, metadata_modified desc"


def _order(sort: str) -> list[str]:
    fields: list[str] = []
    for part in sort.split(","):
        words = part.split()
        if not words:
            continue
        name = words[0]
        direction = words[1].lower() if len(words) > 1 else "asc"
        if name == "score":
            continue  # no relevance ranking here: the other keys decide
        if name not in SORTS or direction not in ("asc", "desc") or len(words) > 2:
            raise ValidationError({"sort": [f"Invalid sort field or direction: {part.strip()}"]})
        fields.append(("-" if direction == "desc" else "") + SORTS[name])
    return [*fields, "slug"]


def _listed(field: str, value: str) -> Q:
    """Exact member of a comma-separated list field (case-insensitive)."""
    return Q(**{f"{field}__iregex": rf"(^|,)\s*{re.escape(value)}\s*(,|$)"})


FILTERS: dict[str, Callable[[str], Q]] = {
    "organization": lambda v: Q(city__isnull=True) if v == "region" else Q(city__slug=v),
    "owner_org": lambda v: Q(city__isnull=True) if v == "region" else Q(city__slug=v),
    "tags": lambda v: _listed("keywords", v),
    "groups": lambda v: _listed("themes", v.upper()),
    "res_format": lambda v: (
        Q(source=Dataset.GENERATED)
        if v.lower() in ("csv", "geojson")
        else Q(distributions__format__iexact=v)
    ),
    "license_id": lambda v: Q(licence=v),
    "name": lambda v: Q(slug=v),
}


def _filter_query(fq: str) -> Q:
    query = Q()
    try:
        terms = shlex.split(fq)
    except ValueError as exc:
        raise ValidationError({"fq": [f"Cannot parse: {exc}"]}) from exc
    for term in terms:
        name, sep, value = term.partition(":")
        name = name.lstrip("+")
        if not sep or name not in FILTERS or not value:
            raise ValidationError({"fq": [f"Unsupported filter: {term}"]})
        query &= FILTERS[name](value)
    return query


def _text_query(q: str) -> Q:
    query = Q()
    for word in q.split():
        if word in ("*:*", "*"):
            continue
        if ":" in word:
            query &= _filter_query(word)
            continue
        query &= (
            Q(title__icontains=word) | Q(description__icontains=word) | Q(keywords__icontains=word)
        )
    return query


def package_search(params: Mapping[str, str], base_url: str) -> dict[str, Any]:
    """Search datasets: ``q`` (words in title, notes, tags), ``fq`` (``organization:``,
    ``tags:``, ``groups:``, ``res_format:``, ``license_id:``, ``name:``), ``rows`` (≤ 1000,
    default 10), ``start``, ``sort`` (``name``, ``title_string``, ``metadata_modified``,
    ``metadata_created`` with ``asc``/``desc``)."""
    rows = _natural(params, "rows", 10, MAX_ROWS)
    start = _natural(params, "start", 0)
    sort = params.get("sort") or DEFAULT_SORT
    order = _order(sort)
    query = _text_query(params.get("q", "")) & _filter_query(params.get("fq", ""))
    found = _datasets().filter(query).distinct().order_by(*order)
    region = Region.current()
    return {
        "count": found.count(),
        "sort": sort,
        "facets": {},
        "search_facets": {},
        "results": [package_dict(d, base_url, region) for d in found[start : start + rows]],
    }


def _organizations(region: Region) -> list[dict[str, Any]]:
    counts: dict[int | None, int] = {}
    for city_id in Dataset.objects.values_list("city_id", flat=True):
        counts[city_id] = counts.get(city_id, 0) + 1
    found = [
        organization_dict(city, region, package_count=counts.get(city.pk, 0))
        for city in City.objects.all()
    ]
    if counts.get(None):
        found.append(organization_dict(None, region, package_count=counts[None]))
    return sorted(found, key=lambda org: org["name"])


def organization_list(params: Mapping[str, str], base_url: str) -> list[Any]:
    """Return the organizations (the cities, and the region when it publishes datasets): their
    names, or with ``all_fields=true`` their dicts."""
    organizations = _organizations(Region.current())
    if params.get("all_fields", "").lower() in ("true", "1"):
        return organizations
    return [org["name"] for org in organizations]


def organization_show(params: Mapping[str, str], base_url: str) -> dict[str, Any]:
    """Return one organization by ``id`` (its name), with its datasets as ``packages``."""
    key = _required(params, "id")
    region = Region.current()
    for organization in _organizations(region):
        if organization["name"] == key:
            found = _datasets().filter(FILTERS["organization"](key))
            organization["packages"] = [package_dict(d, base_url, region) for d in found]
            return organization
    raise NotFound("Organization not found")


ACTIONS: dict[str, Callable[[Mapping[str, str], str], Any]] = {
    "package_list": package_list,
    "package_show": package_show,
    "package_search": package_search,
    "organization_list": organization_list,
    "organization_show": organization_show,
}


def help_show(params: Mapping[str, str], base_url: str) -> str:
    """Return the documentation of the action ``name``."""
    name = _required(params, "name")
    action = ACTIONS.get(name) or (help_show if name == "help_show" else None)
    if action is None:
        raise NotFound(f"Action function not found: {name}")
    return (action.__doc__ or "").strip()


ACTIONS["help_show"] = help_show
