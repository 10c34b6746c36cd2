"""JSON-LD expansion + compaction throughput against its raw ceiling.

Measures, for a 10-attribute WeatherObserved entity (the common case: core context plus one
small user context, both cached):

- raw ceiling: ``orjson.loads`` of the client payload + ``orjson.dumps`` of it again;
- expand: the payload through :func:`expand_entity` (validation and expansion);
- compact: the internal entity through :func:`compact_entity` (normalized, concise, keyValues);
- round trip: ``loads`` + expand + compact (normalized) + ``dumps``, what a write-then-read
  costs the broker, and its ratio to the raw ceiling.

Run: ``PYTHONPATH=src python bench/bench_jsonld.py [total-seconds]`` (default 20).
"""

from __future__ import annotations

import platform
import sys
import time
from collections.abc import Callable
from typing import Any

import orjson

from dos.broker.jsonld.active import build_active_context
from dos.broker.jsonld.compact import compact_entity
from dos.broker.jsonld.expand import expand_entity

SDM = "https://smartdatamodels.org/dataModel.Weather/"
USER_CONTEXT = {
    "WeatherObserved": SDM + "WeatherObserved",
    "temperature": SDM + "temperature",
    "relativeHumidity": SDM + "relativeHumidity",
    "atmosphericPressure": SDM + "atmosphericPressure",
    "windSpeed": SDM + "windSpeed",
    "windDirection": SDM + "windDirection",
    "precipitation": SDM + "precipitation",
    "dateObserved": SDM + "dateObserved",
    "refDevice": SDM + "refDevice",
    "name": "https://schema.org/name",
}

PAYLOAD = {
    "id": "urn:ngsi-ld:WeatherObserved:dortmund-hoerde-001",
    "type": "WeatherObserved",
    "name": {"type": "Property", "value": "Phoenix-See"},
    "location": {
        "type": "GeoProperty",
        "value": {"type": "Point", "coordinates": [7.5123, 51.4872]},
    },
    "temperature": {
        "type": "Property",
        "value": 21.4,
        "unitCode": "CEL",
        "observedAt": "2026-11-27T10:00:00Z",
    },
    "relativeHumidity": {"type": "Property", "value": 0.64, "observedAt": "2026-11-27T10:00:00Z"},
    "atmosphericPressure": {"type": "Property", "value": 1013.2, "unitCode": "A97"},
    "windSpeed": {"type": "Property", "value": 3.2, "unitCode": "MTS"},
    "windDirection": {"type": "Property", "value": 240, "unitCode": "DD"},
    "precipitation": {"type": "Property", "value": 0.0, "unitCode": "MMT"},
    "dateObserved": {"type": "Property", "value": "2026-11-27T10:00:00Z"},
    "refDevice": {"type": "Relationship", "object": "urn:ngsi-ld:Device:weather-station-7"},
}


def measure(
    actions: dict[str, Callable[[], Any]], seconds: float, rounds: int = 5
) -> dict[str, float]:
    """Calls per second of each action: the best of ``rounds`` rounds, the actions taking
    turns within each round so that load on a shared machine hits them alike."""
    best = dict.fromkeys(actions, 0.0)
    for _ in range(rounds):
        for label, action in actions.items():
            count = 0
            started = time.perf_counter()
            deadline = started + seconds / (rounds * len(actions))
            while time.perf_counter() < deadline:
                for _ in range(50):
                    action()
                count += 50
            best[label] = max(best[label], count / (time.perf_counter() - started))
    return best


def main(seconds: float = 20.0) -> None:
    ctx = build_active_context([USER_CONTEXT], lambda url: None)
    raw = orjson.dumps(PAYLOAD)
    entity = expand_entity(orjson.loads(raw), ctx)

    def ceiling() -> None:
        orjson.dumps(orjson.loads(raw))

    def round_trip() -> None:
        orjson.dumps(compact_entity(expand_entity(orjson.loads(raw), ctx), ctx))

    rates = measure(
        {
            "raw ceiling: orjson loads + dumps": ceiling,
            "expand_entity": lambda: expand_entity(PAYLOAD, ctx),
            "compact_entity normalized": lambda: compact_entity(entity, ctx),
            "compact_entity concise": lambda: compact_entity(entity, ctx, representation="concise"),
            "compact_entity keyValues": lambda: compact_entity(
                entity, ctx, representation="keyValues"
            ),
            "loads + expand + compact + dumps": round_trip,
        },
        seconds,
    )
    print(
        f"JSON-LD benchmark — {platform.python_implementation()} {platform.python_version()}, "
        f"{platform.machine()}, {time.strftime('%Y-%m-%d %H:%M')}"
    )
    print("  10-attribute WeatherObserved, core context + one user context (cached)")
    for label, value in rates.items():
        print(f"  {label:<44} {value:>12,.0f} /s")
    raw_rate = rates["raw ceiling: orjson loads + dumps"]
    full = rates["loads + expand + compact + dumps"]
    print(
        f"  ratio round trip / raw ceiling: {full / raw_rate:.1%} "
        f"({full:,.0f} vs {raw_rate:,.0f} entities/s on one core)"
    )


if __name__ == "__main__":
    main(float(sys.argv[1]) if len(sys.argv) > 1 else 20.0)
