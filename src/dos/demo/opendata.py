"""The open data catalogue: generated datasets for every entity type in the cities' tenants
(``dataset_sync``) and a hand-described dataset pointing at Dortmund's own open data portal."""

from __future__ import annotations

from typing import Any

MANUAL: list[dict[str, Any]] = [
    {
        "slug": "dortmund-open-data-portal-katalog",
        "city": "dortmund",
        "title": "Datenkatalog des Open-Data-Portals Dortmund",
        "description": (
            "Das Open-Data-Portal der Stadt Dortmund veröffentlicht mehrere hundert Datensätze, "
            "zum Beispiel freie Plätze in Parkhäusern und P+R-Anlagen, Baustellen, Spielplätze "
            "und Vornamen. Dieser Eintrag verweist auf den maschinenlesbaren Katalog des "
            "Portals (Opendatasoft Explore API v2.1)."
        ),
        "contact_email": "opendata@dortmund.de",
        "frequency": "DAILY",
        "keywords": "Open Data,Datenkatalog,Dortmund",
        "themes": "GOVE,REGI",
        "distributions": [
            {
                "title": "Katalog der Datensätze (JSON)",
                "url": "https://open-data.dortmund.de/api/explore/v2.1/catalog/datasets",
                "format": "JSON",
                "description": "Explore API v2.1 des Portals",
            }
        ],
    }
]


def load(say: Any) -> None:
    """Describe the manual datasets (update_or_create) and sync the generated ones."""
    from dos.broker.client import BrokerError
    from dos.portal.accounts.permissions import SYSTEM
    from dos.portal.opendata.actions import dataset_sync
    from dos.portal.opendata.models import Dataset, Distribution
    from dos.portal.tenancy.models import City

    for data in MANUAL:
        fields = {key: value for key, value in data.items() if key not in ("distributions",)}
        fields["city"] = City.objects.get(slug=data["city"])
        dataset, created = Dataset.objects.update_or_create(
            slug=data["slug"], defaults={**fields, "source": Dataset.MANUAL}
        )
        for position, item in enumerate(data["distributions"]):
            Distribution.objects.update_or_create(
                dataset=dataset, url=item["url"], defaults={**item, "position": position}
            )
        say(f"dataset {dataset.title}: {'added' if created else 'up to date'}")
    try:
        result = dataset_sync(SYSTEM)
    except BrokerError as exc:
        say(f"open data: the broker did not answer ({exc}); run `dos opendata sync` later")
        return
    say(f"open data: {len(result.created)} generated datasets added, {len(result.updated)} updated")
