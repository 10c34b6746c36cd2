"""The demo sensor network of the region, laid out from ../shared/data/dos2030-facts.json.

Dortmund: 80 climate stations at 76 sites (25 with black-globe temperature, 55 temperature and
humidity only), 6 fine-dust sensors at the addresses the city published, tree-crown moisture
sensors in four parks. Schwerte: 15 weather stations (with fine dust) and 665 parking sensors on
4 car parks plus disabled parking spaces. Positions are spread plausibly over the districts;
the same seed always gives the same network.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass, field

#: District centres (lat, lon) from dos2030-facts.json; Schwerte's unverified Ortsteile are
#: placed by their known direction from the centre.
DISTRICTS: dict[str, dict[str, tuple[float, float]]] = {
    "dortmund": {
        "Innenstadt-West": (51.51389, 7.46528),
        "Innenstadt-Nord": (51.525, 7.47),
        "Innenstadt-Ost": (51.505, 7.49),
        "Eving": (51.55, 7.48),
        "Scharnhorst": (51.55, 7.53333),
        "Brackel": (51.51667, 7.56667),
        "Aplerbeck": (51.49167, 7.56667),
        "Hörde": (51.48333, 7.5),
        "Hombruch": (51.47583, 7.43944),
        "Lütgendortmund": (51.5, 7.35),
        "Huckarde": (51.53, 7.41),
        "Mengede": (51.57, 7.38),
    },
    "schwerte": {
        "Schwerte-Mitte": (51.44387, 7.5675),
        "Schwerte-Ost": (51.4455, 7.5840),
        "Holzen": (51.4560, 7.5320),
        "Geisecke": (51.4560, 7.6200),
        "Villigst": (51.43417, 7.595),
        "Ergste": (51.4250, 7.5500),
        "Westhofen": (51.4280, 7.5170),
        "Wandhofen": (51.4420, 7.5350),
        "Lichtendorf": (51.46667, 7.6),
    },
}

#: Districts whose centre is the city core (urban heat island strongest there).
CORE = {"Innenstadt-West", "Innenstadt-Nord", "Innenstadt-Ost", "Schwerte-Mitte"}

CITY_CENTRES = {"dortmund": (51.51494, 7.466), "schwerte": (51.44583, 7.56528)}

#: The six fine-dust sensors Dortmund published, with the district each address lies in.
#: Coordinates are approximations near the address (the facts file carries no geocodes).
DUST_SITES = [
    ("Lindenhorst 198", "Eving", (51.5465, 7.4560), True),
    ("Oberer Silberknapp 220", "Hombruch", (51.4700, 7.4430), False),
    ("Im Karrenberg 44", "Huckarde", (51.5330, 7.4140), False),
    ("Langschedestraße 32", "Lütgendortmund", (51.5000, 7.3560), False),
    ("Wittener Straße 155", "Innenstadt-West", (51.5040, 7.4380), True),
    ("Lindemannstraße 11", "Innenstadt-West", (51.5050, 7.4560), True),
]

PARKS = [
    ("Westfalenpark", "Innenstadt-Ost", (51.4935, 7.4766), 12),
    ("Rombergpark", "Hombruch", (51.4842, 7.4643), 10),
    ("Fredenbaumpark", "Innenstadt-Nord", (51.5392, 7.4603), 8),
    ("Westpark", "Innenstadt-West", (51.5116, 7.4469), 6),
]

#: (name, kind, spots, disabled spots, centre). 300 and 55 spots are published; the two
#: others make up the 665.
CAR_PARKS = [
    ("P+R Bahnhof", "park_and_ride", 300, 6, (51.4436, 7.5606)),
    ("Tiefgarage unter dem Markt", "shopping", 190, 4, (51.4447, 7.5676)),
    ("Parkplatz am Stadtbad", "leisure", 55, 2, (51.4413, 7.5730)),
    ("Parkplatz Im Reiche des Wassers", "leisure", 120, 3, (51.4488, 7.5529)),
]

CLIMATE_ATTRS = {
    "t": ("temperature", "CEL"),
    "h": ("relativeHumidity", "P1"),
}
GLOBE_ATTRS = {"g": ("blackGlobeTemperature", "CEL")}
DUST_ATTRS = {
    "pm10": ("pm10", "GQ"),
    "pm25": ("pm25", "GQ"),
    "t": ("temperature", "CEL"),
    "h": ("relativeHumidity", "P1"),
    "p": ("atmosphericPressure", "A97"),
}
WEATHER_ATTRS = {
    **CLIMATE_ATTRS,
    **DUST_ATTRS,
    "r": ("precipitation", "MMT"),
    "ws": ("windSpeed", "MTS"),
}
TREE_ATTRS = {"m": ("soilMoisture", "P1"), "t": ("temperature", "CEL")}
PARKING_ATTRS = {"s": ("status", "")}


@dataclass(frozen=True)
class Station:
    """One device of the demo network and the NGSI-LD entity it feeds."""

    device_id: str
    entity_id: str
    entity_type: str
    kind: str  # climate | climate_globe | dust | tree | weather | parking
    city: str
    district: str
    lat: float
    lon: float
    #: 0 (rural) … 1 (dense core): drives the urban heat island.
    urbanity: float
    traffic: bool = False
    site: str = ""
    attributes: dict[str, tuple[str, str]] = field(default_factory=dict)
    static: dict[str, object] = field(default_factory=dict)


def _km(a: tuple[float, float], b: tuple[float, float]) -> float:
    dy = (a[0] - b[0]) * 111.2
    dx = (a[1] - b[1]) * 111.2 * math.cos(math.radians(a[0]))
    return math.hypot(dx, dy)


def urbanity_at(city: str, point: tuple[float, float]) -> float:
    """Built-up density proxy: 1 in the city core, falling off over ~8 km (Schwerte ~3 km)."""
    scale = 8.0 if city == "dortmund" else 3.0
    return max(0.0, min(1.0, 1.0 - _km(point, CITY_CENTRES[city]) / scale))


def _jitter(rng: random.Random, centre: tuple[float, float], km: float) -> tuple[float, float]:
    r = km * math.sqrt(rng.random())
    angle = rng.random() * 2 * math.pi
    lat = centre[0] + (r * math.cos(angle)) / 111.2
    lon = centre[1] + (r * math.sin(angle)) / (111.2 * math.cos(math.radians(centre[0])))
    return round(lat, 6), round(lon, 6)


def build_network(seed: int = 2030) -> list[Station]:
    """Every station of the demo region, in a stable order."""
    rng = random.Random(seed)
    stations: list[Station] = []
    districts = list(DISTRICTS["dortmund"].items())
    # 76 sites: more in the core districts (heat island measurement), at least 4 per district.
    sites: list[tuple[str, tuple[float, float]]] = []
    weights = [3 if name in CORE else 1 for name, _ in districts]
    for name, centre in districts:
        sites += [(name, _jitter(rng, centre, 1.6)) for _ in range(4)]
    while len(sites) < 76:
        name, centre = rng.choices(districts, weights=weights)[0]
        sites.append((name, _jitter(rng, centre, 1.2)))
    # 80 stations at 76 sites: four sites carry a second station (lamp post pairs).
    placements = [(i, site) for i, site in enumerate(sites)] + [
        (i, sites[i]) for i in (0, 12, 24, 36)
    ]
    for n, (site_no, (district, point)) in enumerate(placements, start=1):
        globe = n <= 25
        attrs = {**CLIMATE_ATTRS, **(GLOBE_ATTRS if globe else {})}
        stations.append(
            Station(
                device_id=f"klima-do-{n:03d}",
                entity_id=f"urn:ngsi-ld:WeatherObserved:dortmund-klima-{n:03d}",
                entity_type="WeatherObserved",
                kind="climate_globe" if globe else "climate",
                city="dortmund",
                district=district,
                lat=point[0],
                lon=point[1],
                urbanity=urbanity_at("dortmund", point),
                site=f"site-{site_no + 1:02d}",
                attributes=attrs,
                static={
                    "name": f"Klimamessstation {n:03d} ({district})",
                    "height": 3.3,
                    "source": "LoRaWAN",
                },
            )
        )
    for n, (address, district, point, traffic) in enumerate(DUST_SITES, start=1):
        stations.append(
            Station(
                device_id=f"feinstaub-do-{n}",
                entity_id=f"urn:ngsi-ld:AirQualityObserved:dortmund-feinstaub-{n}",
                entity_type="AirQualityObserved",
                kind="dust",
                city="dortmund",
                district=district,
                lat=point[0],
                lon=point[1],
                urbanity=urbanity_at("dortmund", point),
                traffic=traffic,
                attributes=DUST_ATTRS,
                static={
                    "name": f"Feinstaubsensor {address}",
                    "address": f"{address}, Dortmund",
                    "typeofLocation": "traffic" if traffic else "background",
                },
            )
        )
    tree = 0
    for park, district, centre, count in PARKS:
        for _ in range(count):
            tree += 1
            point = _jitter(rng, centre, 0.35)
            stations.append(
                Station(
                    device_id=f"baum-do-{tree:03d}",
                    entity_id=f"urn:ngsi-ld:GreenspaceRecord:dortmund-baum-{tree:03d}",
                    entity_type="GreenspaceRecord",
                    kind="tree",
                    city="dortmund",
                    district=district,
                    lat=point[0],
                    lon=point[1],
                    urbanity=urbanity_at("dortmund", point),
                    site=park,
                    attributes=TREE_ATTRS,
                    static={
                        "name": f"Baum {tree:03d} im {park}",
                        "park": park,
                        "species": rng.choice(
                            ["Stieleiche", "Winterlinde", "Bergahorn", "Rotbuche", "Platane"]
                        ),
                    },
                )
            )
    # Schwerte: 15 weather stations; the first is the published one behind Rathaus I.
    schwerte = list(DISTRICTS["schwerte"].items())
    for n in range(1, 16):
        if n == 1:
            district, point = "Schwerte-Mitte", (51.4452, 7.5660)
        elif n == 2:
            district, point = "Wandhofen", (51.4405, 7.5390)  # Klimagarten Wandhofen
        else:
            district, centre = schwerte[(n - 3) % len(schwerte)]
            point = _jitter(rng, centre, 0.8)
        traffic = n in (1, 4, 9)
        stations.append(
            Station(
                device_id=f"wetter-sw-{n:02d}",
                entity_id=f"urn:ngsi-ld:WeatherObserved:schwerte-wetter-{n:02d}",
                entity_type="WeatherObserved",
                kind="weather",
                city="schwerte",
                district=district,
                lat=point[0],
                lon=point[1],
                urbanity=urbanity_at("schwerte", point),
                traffic=traffic,
                attributes=WEATHER_ATTRS,
                static={"name": f"Wetterstation {n:02d} ({district})"},
            )
        )
    for park_no, (name, kind, spots, disabled, centre) in enumerate(CAR_PARKS, start=1):
        for spot in range(1, spots + disabled + 1):
            is_disabled = spot > spots
            point = _jitter(rng, centre, 0.06)
            stations.append(
                Station(
                    device_id=f"park-sw-{park_no}-{spot:03d}",
                    entity_id=f"urn:ngsi-ld:ParkingSpot:schwerte-{park_no}-{spot:03d}",
                    entity_type="ParkingSpot",
                    kind="parking",
                    city="schwerte",
                    district="Schwerte-Mitte",
                    lat=point[0],
                    lon=point[1],
                    urbanity=urbanity_at("schwerte", point),
                    site=name,
                    attributes=PARKING_ATTRS,
                    static={
                        "name": f"{name} – Stellplatz {spot}",
                        "category": ["forDisabled"] if is_disabled else ["public"],
                        "refParkingSite": f"urn:ngsi-ld:OffStreetParking:schwerte-{park_no}",
                        "carPark": name,
                        "carParkKind": kind,
                    },
                )
            )
    return stations


def count_by_kind(stations: list[Station]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for station in stations:
        counts[station.kind] = counts.get(station.kind, 0) + 1
    return counts
