"""Demo events at the two Citizen Science Labs: Projektor (Dortmund) and Factory 4 (Schwerte).

Addresses come from ../shared/data/dos2030-facts.json (``real_locations``); the coordinates
are approximate and the accessibility details are demo values to be checked on site. Dates
are set relative to the day of the first load; loading again leaves existing events as they
are. Demo participants are pseudonymous accounts without e-mail address (they cannot log in
and receive no mail).
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

ACCESS_NOTE = "Demo-Angaben – Barrierefreiheit bitte vor Ort prüfen."

VENUES: list[dict[str, Any]] = [
    {
        "slug": "projektor",
        "city": "dortmund",
        "name": "Citizen Science Lab „Projektor“",
        "address": "Kleppingstraße 28, Dortmund",
        "latitude": 51.5126,
        "longitude": 7.4697,
        "website": "https://smartcity.dortmund.de/2025/10/07/innovationsraum-projektor-nach-umzug-wieder-geoeffnet/",
        "description": (
            "Der Innovationsraum der Stadt Dortmund: Hier bauen Bürgerinnen und Bürger "
            "Sensoren, erkunden offene Daten und probieren Smart-City-Ideen aus. "
            "Seit Oktober 2025 in der Kleppingstraße."
        ),
        "step_free_access": True,
        "accessible_toilet": True,
        "induction_loop": False,
        "accessibility_notes": "Eingang ebenerdig von der Kleppingstraße. " + ACCESS_NOTE,
    },
    {
        "slug": "factory-4",
        "city": "schwerte",
        "name": "Factory 4",
        "address": "Factory 4 (ehem. Hoesch-Verwaltungsgebäude), Schwerte",
        "latitude": 51.4435,
        "longitude": 7.5700,
        "website": "https://www.smart-city-dialog.de/aktuelles/news/smart-city-heisst-schwerte-gemeinsam-zukunft-bauen",
        "description": (
            "Citizen Science Lab, Maker Space und Gaming Room der Stadt Schwerte im "
            "ehemaligen Hoesch-Verwaltungsgebäude."
        ),
        "step_free_access": True,
        "accessible_toilet": None,
        "induction_loop": None,
        "accessibility_notes": ACCESS_NOTE,
    },
]

PARTICIPANTS = [
    "Sensorfan",
    "Datenspürnase",
    "Lötkolben42",
    "Stadtgärtnerei",
    "Wetterfrosch",
    "Radlerin_44",
    "Mikrocontroller",
    "Nachteule",
]

ORGANISER = {
    "dortmund": "Smart-City-Team der Stadt Dortmund",
    "schwerte": "Smart-City-Team der Stadt Schwerte",
}

# Single events: "day" days after the first load, at "hour" local time.
EVENTS: list[dict[str, Any]] = [
    {
        "slug": "sensor-bautag-feinstaub",
        "city": "dortmund",
        "venue": "projektor",
        "title": "Sensor-Bautag: Feinstaubsensor selbst bauen",
        "summary": "Wir löten gemeinsam Feinstaubsensoren und bringen ihre Messwerte auf die "
        "Datenplattform.",
        "description": "<p>Vorkenntnisse sind nicht nötig. Material und Werkzeug sind da; "
        "den fertigen Sensor nehmen Sie mit nach Hause.</p>",
        "day": 9,
        "hour": 10,
        "hours": 5,
        "capacity": 12,
        "waiting": 10,
        "fields": ["Energie und Umwelt", "Daten und Plattformen"],
        "people": ["Sensorfan", "Lötkolben42", "Nachteule"],
        "projects": ["Feinstaubsensorik", "Citizen Science Lab / Stadtlabor"],
    },
    {
        "slug": "workshop-offene-daten",
        "city": "dortmund",
        "venue": "projektor",
        "title": "Workshop: Offene Daten der Stadt nutzen",
        "summary": "Wie man Klima- und Verkehrsdaten der Datenplattform abruft und auswertet.",
        "description": "<p>Bitte einen Laptop mitbringen. Die Plätze sind begrenzt.</p>",
        "day": 5,
        "hour": 17,
        "hours": 2,
        "capacity": 3,
        "waiting": 5,
        "fields": ["Daten und Plattformen"],
        "projects": ["Open Data Portal", "Smart City Datenplattform und Dashboards"],
        # three seats, two on the waiting list: the demo's full event
        "people": ["Datenspürnase", "Sensorfan", "Radlerin_44", "Mikrocontroller", "Wetterfrosch"],
    },
    {
        "slug": "wetterstation-maker-workshop",
        "city": "schwerte",
        "venue": "factory-4",
        "title": "Maker-Workshop: Eine Wetterstation mit Mikrocontrollern",
        "summary": "Temperatur, Luftfeuchte und Luftdruck messen – wie die 15 Wetterstationen "
        "der Stadt.",
        "description": "<p>Für Jugendliche ab 12 Jahren und Erwachsene.</p>",
        "day": 12,
        "hour": 14,
        "hours": 3,
        "capacity": 10,
        "waiting": 5,
        "fields": ["Bildung, Kultur und Freizeit", "Energie und Umwelt"],
        "people": ["Wetterfrosch", "Stadtgärtnerei"],
        "projects": ["Wetterstationen in allen Stadtteilen", "Learning Lab / Maker Space"],
    },
]

# Series: the first date is created like an event above, the rest is generated.
SERIES: list[dict[str, Any]] = [
    {
        "slug": "offener-laborabend-projektor",
        "city": "dortmund",
        "venue": "projektor",
        "title": "Offener Laborabend im Projektor",
        "summary": "Vorbeikommen, Fragen stellen, Projekte zeigen – ohne Anmeldung.",
        "description": "<p>Jeden Donnerstag: offene Werkbank, 3D-Drucker und Sensor-Sprechstunde."
        "</p>",
        "weekday": 3,
        "hour": 17,
        "hours": 3,
        "capacity": None,
        "waiting": 0,
        "registration_required": False,
        "fields": ["Zusammenleben und Mitmachen"],
        "projects": ["Citizen Science Lab / Stadtlabor"],
        "frequency": "weekly",
        "count": 6,
    },
    {
        "slug": "sensor-bautag-factory-4",
        "city": "schwerte",
        "venue": "factory-4",
        "title": "Sensor-Bautag in der Factory 4",
        "summary": "Einmal im Monat: Bodenfeuchte- und Wettersensoren bauen.",
        "description": "<p>Jeden Monat ein anderer Sensor. Anmeldung erbeten.</p>",
        "weekday": 5,
        "hour": 11,
        "hours": 4,
        "capacity": 8,
        "waiting": 4,
        "registration_required": True,
        "fields": ["Energie und Umwelt", "Bildung, Kultur und Freizeit"],
        "projects": ["Bodenfeuchte- und Trockenstress-Sensoren an Bäumen"],
        "frequency": "monthly",
        "count": 4,
        "people": ["Stadtgärtnerei", "Mikrocontroller"],
    },
]


def _participant(name: str) -> Any:
    from dos.portal.accounts.models import User

    user, created = User.objects.get_or_create(
        username=f"demo-{name.lower()}", defaults={"public_name": name, "email": None}
    )
    if created:
        user.set_unusable_password()
        user.save(update_fields=["password"])
    return user


def _at(day: date, hour: int) -> datetime:
    from django.utils import timezone

    return timezone.make_aware(datetime.combine(day, time(hour)))


def _event(data: dict[str, Any], starts: datetime) -> tuple[Any, bool]:
    """The event of ``data`` (created, published, with action fields) and whether it is new."""
    from dos.demo import english
    from dos.portal.accounts.permissions import SYSTEM
    from dos.portal.events.actions import event_save
    from dos.portal.events.models import Event, Venue
    from dos.portal.strategy.models import ActionField, Project
    from dos.portal.tenancy.models import City

    existing = Event.objects.filter(slug=data["slug"]).first()
    if existing is not None:
        # English texts reach events of an earlier load (and, for a series, its later dates).
        texts = english.EVENTS.get(data["slug"], {})
        for event in (
            Event.objects.filter(series=existing.series) if existing.series else [existing]
        ):
            if texts and not event.title_en:
                for name, value in texts.items():
                    setattr(event, name, value)
                event_save(SYSTEM, event)
        return existing, False
    event = Event(
        slug=data["slug"],
        city=City.objects.get(slug=data["city"]),
        venue=Venue.objects.get(slug=data["venue"]),
        title=data["title"],
        summary=data["summary"],
        description=data["description"],
        organiser=ORGANISER[data["city"]],
        starts_at=starts,
        ends_at=starts + timedelta(hours=data["hours"]),
        capacity=data["capacity"],
        waiting_list_limit=data["waiting"],
        registration_required=data.get("registration_required", True),
        status=Event.Status.PUBLISHED,
        **english.EVENTS.get(data["slug"], {}),
    )
    event_save(SYSTEM, event)
    # Links to the strategy, where its demo step has loaded it (matched by name).
    event.action_fields.set(ActionField.objects.filter(name__in=data["fields"]))
    event.projects.set(Project.objects.filter(title__in=data.get("projects", [])))
    return event, True


def _register(event: Any, names: list[str]) -> None:
    from dos.portal.events.actions import registration_create

    for name in names:
        registration_create(_participant(name), event)


def load(say: Any) -> None:
    """Create the venues and, on the first load, the demo events and registrations."""
    from django.utils import timezone

    from dos.demo import english
    from dos.portal.accounts.permissions import SYSTEM
    from dos.portal.events.actions import series_generate, venue_save
    from dos.portal.events.models import EventSeries, Venue
    from dos.portal.tenancy.models import City

    for data in VENUES:
        venue = Venue.objects.filter(slug=data["slug"]).first() or Venue(slug=data["slug"])
        for key, value in {**data, **english.VENUES.get(data["slug"], {})}.items():
            if key != "city":
                setattr(venue, key, value)
        venue.city = City.objects.get(slug=data["city"])
        venue_save(SYSTEM, venue)
        say(f"venue {venue.name}: up to date")

    today = timezone.localdate()
    for data in EVENTS:
        event, created = _event(data, _at(today + timedelta(days=data["day"]), data["hour"]))
        if created:
            _register(event, data["people"])
        say(f"event {event.title}: {'added' if created else 'exists'}")

    for data in SERIES:
        first_day = today + timedelta(days=(data["weekday"] - today.weekday()) % 7 or 7)
        first, created = _event(data, _at(first_day, data["hour"]))
        if not created:
            say(f"series {data['title']}: exists")
            continue
        series = EventSeries(
            title=data["title"],
            title_en=english.SERIES.get(data["slug"], ""),
            frequency=data["frequency"],
            count=data["count"],
        )
        dates = series_generate(SYSTEM, first, series)
        for event in dates[:2]:
            _register(event, data.get("people", []))
        say(f"series {data['title']}: {len(dates)} dates added")
