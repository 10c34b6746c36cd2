"""Streamed downloads of a generated dataset's current values (CSV and GeoJSON).

The bodies are asynchronous generators over the broker's pages, so Django's ASGI handler
streams them: memory stays constant however many entities the city has.
"""

from __future__ import annotations

import csv
import io
from collections.abc import AsyncIterator
from typing import Any

import orjson

from dos.portal.opendata.broker import entity_pages, history_rows
from dos.portal.opendata.models import Dataset

FIXED = ("id", "type")
LOCATION = "location"


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool | int | float):
        return str(value)
    return orjson.dumps(value).decode()


def _point(entity: dict[str, Any]) -> tuple[str, str]:
    geometry = entity.get(LOCATION)
    if isinstance(geometry, dict) and geometry.get("type") == "Point":
        coordinates = geometry.get("coordinates") or []
        if len(coordinates) >= 2:
            return str(coordinates[0]), str(coordinates[1])
    return "", ""


def csv_columns(dataset: Dataset) -> list[str]:
    """The attribute columns: what the broker reported for the type at the last sync."""
    return [name for name in dataset.attribute_names if name not in (*FIXED, LOCATION, "@context")]


async def current_csv(dataset: Dataset) -> AsyncIterator[bytes]:
    """CSV (UTF-8 with BOM for spreadsheet programs): id, type, longitude, latitude, then one
    column per attribute; structured values as JSON, other geometries as GeoJSON."""
    columns = csv_columns(dataset)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([*FIXED, "longitude", "latitude", *columns, LOCATION])
    yield ("\ufeff" + buffer.getvalue()).encode()
    async for page in entity_pages(
        dataset.city.tenant if dataset.city else "", dataset.entity_type
    ):
        buffer.seek(0)
        buffer.truncate()
        for entity in page:
            longitude, latitude = _point(entity)
            geometry = entity.get(LOCATION)
            writer.writerow(
                [
                    entity.get("id", ""),
                    entity.get("type", ""),
                    longitude,
                    latitude,
                    *(_cell(entity.get(name)) for name in columns),
                    "" if longitude or geometry is None else _cell(geometry),
                ]
            )
        yield buffer.getvalue().encode()


async def current_geojson(dataset: Dataset) -> AsyncIterator[bytes]:
    """A GeoJSON FeatureCollection (RFC 7946) of the entities with a location; the other
    attributes become the feature's properties."""
    yield b'{"type":"FeatureCollection","features":['
    first = True
    async for page in entity_pages(
        dataset.city.tenant if dataset.city else "", dataset.entity_type
    ):
        parts = []
        for entity in page:
            geometry = entity.get(LOCATION)
            if not isinstance(geometry, dict):
                continue
            properties = {
                key: value
                for key, value in entity.items()
                if key not in ("id", LOCATION, "@context")
            }
            feature = {
                "type": "Feature",
                "id": entity.get("id"),
                "geometry": geometry,
                "properties": properties,
            }
            parts.append(orjson.dumps(feature))
        if parts:
            yield (b"" if first else b",") + b",".join(parts)
            first = False
    yield b"]}"


HISTORY_HEADER = ("id", "attribute", "observedAt", "value")


def history_columns(dataset: Dataset) -> list[str]:
    """The attributes whose history a download holds: all but the location."""
    return csv_columns(dataset)


async def history_csv(dataset: Dataset, time_at: str, end_time_at: str) -> AsyncIterator[bytes]:
    """CSV of every attribute instance in [time_at, end_time_at), one row per instance
    (long format: id, attribute, observedAt, value)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(HISTORY_HEADER)
    yield ("\ufeff" + buffer.getvalue()).encode()
    attrs = history_columns(dataset)
    if not attrs:
        return
    tenant = dataset.city.tenant if dataset.city else ""
    async for rows in history_rows(tenant, dataset.entity_type, attrs, time_at, end_time_at):
        buffer.seek(0)
        buffer.truncate()
        for entity_id, attr, instant, value in rows:
            writer.writerow([entity_id, attr, instant, _cell(value)])
        yield buffer.getvalue().encode()
