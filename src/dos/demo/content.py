"""Demo news, blog posts and the "about the strategy" page, from ../shared/data/dos2030-facts.json.

Posts link to the action fields and projects of :mod:`dos.demo.strategy` by code when they
exist. No personal names. One news item is scheduled two weeks ahead to show scheduling.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

BERLIN = ZoneInfo("Europe/Berlin")

# kind, city slug (None = region), slug, title, date, teaser, body, tags, field codes, project codes
POSTS: list[dict[str, Any]] = [
    {
        "kind": "news",
        "city": None,
        "slug": "strategie-dos-2030-beschlossen",
        "title": "Strategie DOS 2030 beschlossen",
        "date": "2023-03-23",
        "teaser": "Nach dem Rat der Stadt Schwerte hat auch der Rat der Stadt Dortmund die "
        "gemeinsame Smart-City-Strategie beschlossen. Die Umsetzungsphase beginnt.",
        "body": "<p>Am 15. Februar 2023 hat der Rat der Stadt Schwerte die Strategie DOS 2030 "
        "beschlossen, am 23. März 2023 folgte der Rat der Stadt Dortmund. Damit endet die "
        "Phase der Strategieentwicklung (2020–2022).</p><p>Die Strategie ordnet 45 Maßnahmen "
        "in 12 Handlungsfeldern; 25 davon fördert der Bund im Programm Modellprojekte Smart "
        "Cities. Im April 2023 beginnt die Umsetzungsphase, die rund viereinhalb Jahre "
        "dauert.</p>",
        "tags": ["Strategie", "Beteiligung"],
        "fields": [],
        "projects": [],
    },
    {
        "kind": "news",
        "city": "dortmund",
        "slug": "klimamessnetz-komplett",
        "title": "Klimamessnetz komplett: 80 Stationen an 76 Standorten",
        "date": "2025-05-28",
        "teaser": "Alle 76 Standorte des Dortmunder Klimamessnetzes sind ausgestattet – an "
        "Hitze- und an Kühleorten der Stadt.",
        "body": "<p>80 Wetterstationen messen an 76 Standorten Temperatur und Luftfeuchte, "
        "25 davon als Vollstationen mit Globethermometer für die gefühlte Temperatur. Die "
        "Stationen hängen meist in 3,30 m Höhe an Lichtmasten, laufen mit Batterie und senden "
        "alle fünf Minuten über LoRaWAN.</p><p>Die Daten fließen in ein Dashboard der "
        "urbanen Datenplattform; die Auswertung entsteht gemeinsam mit der Ruhr-Universität "
        "Bochum und dem Umweltamt.</p>",
        "tags": ["Sensorik", "Klima"],
        "fields": ["SV"],
        "projects": ["SV 01.2"],
    },
    {
        "kind": "news",
        "city": "dortmund",
        "slug": "brueckensensorik-erste-bruecken",
        "title": "Brückensensorik: die ersten Brücken sind ausgestattet",
        "date": "2025-05-26",
        "teaser": "Sensoren an der Brücke Wittekindstraße (B1) und an der Langen Straße melden "
        "Neigung, Risse, Dehnung und Temperatur.",
        "body": "<p>Im Pilotprojekt werden fünf Brücken überwacht; zwei sind ausgestattet, "
        "weitere folgen. Neigungs-, Riss-, Dehnungs- und Temperatursensoren ergänzen "
        "Belastungstests, die Daten laufen über ein Gateway mit SIM-Karte ein.</p><p>Das "
        "Smart-City-Team arbeitet dafür mit dem Vermessungs- und Katasteramt und dem "
        "Tiefbauamt zusammen.</p>",
        "tags": ["Sensorik", "Infrastruktur"],
        "fields": ["SV"],
        "projects": ["SV 01.1"],
    },
    {
        "kind": "news",
        "city": "dortmund",
        "slug": "feinstaubsensoren-an-sechs-standorten",
        "title": "Feinstaubsensoren an sechs Standorten",
        "date": "2025-05-28",
        "teaser": "Sechs neue Sensoren messen Feinstaub, Temperatur, Luftfeuchte und Luftdruck.",
        "body": "<p>Die Sensoren stehen unter anderem in Lindenhorst, am Oberen Silberknapp, "
        "an der Wittener Straße und an der Lindemannstraße. Ihre Messwerte ergänzen das "
        "Klimamessnetz.</p>",
        "tags": ["Sensorik", "Luft"],
        "fields": ["SV"],
        "projects": ["SV 01.3"],
    },
    {
        "kind": "news",
        "city": "schwerte",
        "slug": "wetterstationen-in-allen-stadtteilen",
        "title": "Wetterstationen in allen Stadtteilen",
        "date": "2024-09-12",
        "teaser": "Schwerte misst das Wetter in jedem Stadtteil – Feuerwehr und Baubetriebshof "
        "nutzen die Daten.",
        "body": "<p>Die Stationen messen Niederschlag, Wind, Luftfeuchte, Luftdruck, Taupunkt, "
        "Feinstaub und Sonneneinstrahlung; ein Solarmodul versorgt sie mit Strom. Alle fünf "
        "bis zehn Minuten kommen neue Werte.</p><p>Die Feuerwehr nutzt sie für "
        "Starkregenwarnungen, der Baubetriebshof für den Winterdienst. Eine Station steht im "
        "Klimagarten Wandhofen, einem Ort der IGA 2027.</p>",
        "tags": ["Sensorik", "Klima"],
        "fields": ["SV"],
        "projects": ["SV 01.4"],
    },
    {
        "kind": "news",
        "city": "schwerte",
        "slug": "parkleitsystem-665-sensoren",
        "title": "Parkleitsystem: 665 Sensoren zeigen freie Plätze",
        "date": "2023-03-30",
        "teaser": "Auf den vier großen Parkplätzen der Innenstadt meldet jeder Stellplatz, ob er "
        "frei ist.",
        "body": "<p>665 Einzelplatzsensoren liegen auf dem P+R-Platz am Bahnhof, in der "
        "Tiefgarage unter dem Markt, am Stadtbad und am Parkplatz Im Reiche des Wassers. "
        "Digitale Anzeigetafeln kommen nach und nach hinzu.</p><p>Auch alle öffentlichen "
        "Behindertenparkplätze der Innenstadt sind ausgestattet; eine Karte zeigt freie und "
        "belegte Plätze. Die Daten dienen nicht der Kontrolle.</p>",
        "tags": ["Mobilität", "Sensorik"],
        "fields": ["IM"],
        "projects": ["IM 01", "IM 02"],
    },
    {
        "kind": "news",
        "city": "dortmund",
        "slug": "dortmund-app-17-module",
        "title": "Dortmund-App wächst auf 17 Module",
        "date": "2025-06-30",
        "teaser": "Seit Oktober 2023 ist die Open Smart City App verfügbar – und wird ständig "
        "weiterentwickelt.",
        "body": "<p>Nachrichten, Veranstaltungen, Dienstleistungen, ortsbezogene Informationen, "
        "Mängelmelder und Terminbuchung: Die App entsteht als Open Source in einer "
        "Entwicklungspartnerschaft mehrerer Städte.</p>",
        "tags": ["App", "Verwaltung"],
        "fields": ["DV"],
        "projects": ["DV 01"],
    },
    {
        "kind": "news",
        "city": "dortmund",
        "slug": "open-data-portal-584-datensaetze",
        "title": "Open-Data-Portal mit 584 Datensätzen",
        "date": "2025-03-06",
        "teaser": "Freie Parkplätze, Baustellen, Spielplätze: Das Dortmunder Open-Data-Portal "
        "wächst weiter.",
        "body": "<p>2024 ging das überarbeitete Portal mit rund 490 Datensätzen online, im März "
        "2025 waren es 584. Besonders gefragt sind freie Plätze in Parkhäusern und auf "
        "P+R-Plätzen, Baustellen und Spielplätze.</p>",
        "tags": ["Open Data"],
        "fields": ["DP"],
        "projects": ["DP 03"],
    },
    {
        "kind": "news",
        "city": "dortmund",
        "slug": "stadtlabor-projektor-wiedereroeffnet",
        "title": "Stadtlabor PROJEKTOR wiedereröffnet",
        "date": "2025-10-15",
        "teaser": "Der Raum für Innovationen und Zusammenarbeit in der Kleppingstraße lädt zu "
        "Workshops, Vorträgen und Experimenten ein.",
        "body": "<p>Das Stadtlabor ist Schnittstelle zwischen Stadtgesellschaft und Forschung. "
        "In Schwerte erfüllt das Citizen Science Lab in der Factory 4 dieselbe Aufgabe.</p>",
        "tags": ["Beteiligung"],
        "fields": ["ZM"],
        "projects": ["ZM 01"],
    },
    {
        "kind": "news",
        "city": None,
        "slug": "baumsensoren-helfen-beim-giessen",
        "title": "Baumsensoren helfen beim Gießen",
        "date": "2025-08-04",
        "teaser": "In Dortmund und Schwerte messen Sensoren, wie viel Wasser Bäume haben – "
        "junge Bäume werden gezielter gegossen.",
        "body": "<p>In Dortmund misst das Grünflächenamt an Testbäumen den elektrischen "
        "Widerstand im wasserleitenden Gewebe der Krone: Je mehr Wasser, desto geringer der "
        "Widerstand. In Schwerte zeigen Bodenfeuchtesensoren den Trockenstress eines Baums "
        "an.</p>",
        "tags": ["Sensorik", "Umwelt"],
        "fields": ["EU"],
        "projects": ["EU 01", "EU 02"],
    },
    {
        "kind": "news",
        "city": "dortmund",
        "slug": "mobiler-maker-space-auf-tour",
        "title": "Mobiler Maker Space geht auf Tour",
        "date": None,  # scheduled: two weeks after the demo is loaded
        "teaser": "Ein Fahrzeug mit 3D-Druckern besucht Stadtteile, Stadtfeste und "
        "Bildungsveranstaltungen.",
        "body": "<p>Der Mobile Maker Space bringt digitale Werkzeuge in die Stadtteile. "
        "Partner sind die Stadt- und Landesbibliothek, der Fachbereich Schule und das "
        "uzwei im Dortmunder U.</p>",
        "tags": ["Bildung"],
        "fields": ["BKF"],
        "projects": ["BKF 02.1"],
    },
    {
        "kind": "blog",
        "city": None,
        "slug": "smart-sind-wir-nur-gemeinsam",
        "title": "Smart sind wir nur gemeinsam",
        "date": "2023-04-20",
        "teaser": "Warum eine Großstadt und eine Mittelstadt eine gemeinsame Strategie "
        "schreiben – und was beide davon haben.",
        "body": "<p>Dortmund und Schwerte haben sich 2020 gemeinsam beworben und wurden als "
        "eines von 32 Projekten unter 86 Bewerbungen ausgewählt. Jede Stadt baut ihre eigene "
        "urbane Datenplattform, beide nutzen dieselben offenen Datenstandards.</p>"
        "<blockquote><p>Smart Cities sind wir nur gemeinsam.</p></blockquote>"
        "<p>So lassen sich Lösungen teilen, etwa Sensorik, Dashboards oder die offene "
        "Stadt-App, statt sie zweimal zu entwickeln.</p>",
        "tags": ["Strategie"],
        "fields": ["DP"],
        "projects": ["DP 01"],
    },
    {
        "kind": "blog",
        "city": "dortmund",
        "slug": "was-ein-digitaler-zwilling-leistet",
        "title": "Was ein Digitaler Zwilling leistet",
        "date": "2024-09-05",
        "teaser": "Seit August 2024 erfassen Kamerafahrzeuge den Straßenraum – die Grundlage "
        "für ein digitales Abbild der Stadt.",
        "body": "<p>Ein Digitaler Zwilling bildet Straßen, Gebäude und Grünflächen digital ab. "
        "Planungen lassen sich damit vorab prüfen. In Schwerte entstehen 3D-Modelle "
        "öffentlicher Gebäude mit Laserscannern.</p>",
        "tags": ["Daten"],
        "fields": ["DP"],
        "projects": ["DP 02"],
    },
    {
        "kind": "blog",
        "city": "schwerte",
        "slug": "citizen-science-lab-factory-4",
        "title": "Zu Besuch im Citizen Science Lab",
        "date": "2025-08-04",
        "teaser": "Sensoren, Laserscanner und Beteiligungswerkzeuge zum Ausprobieren im "
        "ehemaligen Verwaltungsgebäude von Hoesch.",
        "body": "<p>Im Citizen Science Lab in der Factory 4 können Bürgerinnen und Bürger "
        "selbst messen und forschen. Nebenan hat der Makerspace Schwerte e. V. 3D-Drucker, "
        "einen Laserschneider und eine CNC-Fräse aufgebaut.</p>",
        "tags": ["Beteiligung", "Bildung"],
        "fields": ["ZM"],
        "projects": ["ZM 01"],
    },
    {
        "kind": "blog",
        "city": None,
        "slug": "so-wird-die-smarte-region-gefoerdert",
        "title": "17,5 Millionen Euro für die smarte Region",
        "date": "2023-06-01",
        "teaser": "Wie sich das Programm finanziert: Bundesförderung und Eigenanteile der "
        "beiden Städte.",
        "body": "<p>Das Gesamtvolumen beträgt 17,5 Millionen Euro, davon 12,4 Millionen Euro "
        "Förderung des Bundes im Programm Modellprojekte Smart Cities. Auf Dortmund entfallen "
        "8,8 Millionen Euro, auf Schwerte 3,6 Millionen Euro; Schwertes Eigenanteil liegt bei "
        "10 Prozent.</p>",
        "tags": ["Strategie", "Förderung"],
        "fields": [],
        "projects": [],
    },
]

ABOUT_PAGE = {
    "slug": "ueber-die-strategie",
    "title": "Über die Strategie",
    "title_en": "About the strategy",
    "body": (
        "<p>DOS 2030 – das Digital Operating System Dortmund Schwerte – ist die gemeinsame "
        "Smart-City-Strategie beider Städte im Bundesprogramm Modellprojekte Smart Cities "
        "(zweite Staffel, 2020).</p>"
        "<h2>Vision</h2><p>Smart Cities sind wir nur gemeinsam. Smart sind wir, wenn alle "
        "Akteure und Technologien über einen intelligenten Prozess miteinander verbunden "
        "sind. Wir sind bürger*innennah und sozial, nachhaltig, transparent, lebenswert und "
        "resilient.</p>"
        "<h2>Aufbau</h2><p>Vision, Leitlinien, 12 Handlungsfelder und 45 Maßnahmen; 25 "
        "Maßnahmen werden vom Bund gefördert.</p>"
        "<h2>Zeitplan</h2><ul><li>2020: gemeinsame Bewerbung und Auswahl</li>"
        "<li>2020–2022: Strategieentwicklung</li>"
        "<li>Februar/März 2023: Beschluss in Schwerte und Dortmund</li>"
        "<li>ab April 2023: Umsetzung bis etwa 2027</li></ul>"
        "<h2>Finanzierung</h2><p>17,5 Millionen Euro Gesamtvolumen, davon 12,4 Millionen Euro "
        "Bundesförderung.</p>"
    ),
    "body_en": (
        "<p>DOS 2030 – the Digital Operating System Dortmund Schwerte – is the joint smart "
        "city strategy of both cities in the federal programme Model Projects Smart Cities "
        "(second cohort, 2020).</p>"
        "<h2>Structure</h2><p>A vision, guidelines, 12 action fields and 45 measures, 25 of "
        "them federally funded.</p>"
        "<h2>Funding</h2><p>EUR 17.5 million in total, EUR 12.4 million of it federal "
        "funding.</p>"
    ),
    "navigation": "main",
    "navigation_order": 10,
}


def _date(value: str | None) -> datetime:
    from django.utils import timezone

    if value is None:
        return timezone.now() + timedelta(days=14)
    return datetime.fromisoformat(value).replace(hour=9, tzinfo=BERLIN)


def load(say: Any) -> None:
    """Create or update the demo posts and the "about the strategy" page."""
    from dos.demo import english
    from dos.portal.accounts.permissions import SYSTEM
    from dos.portal.content import actions, search
    from dos.portal.content.models import Page, Post
    from dos.portal.strategy.models import ActionField, Project
    from dos.portal.tenancy.models import City

    cities = {city.slug: city for city in City.objects.all()}
    fields = {field.code: field for field in ActionField.objects.all()}
    projects = {project.code: project for project in Project.objects.all()}
    for data in POSTS:
        post = Post.objects.filter(kind=data["kind"], slug=data["slug"]).first()
        values = {"title": data["title"], "teaser": data["teaser"], "body": data["body"]}
        values.update(english.POSTS.get(data["slug"], {}))
        links = {
            "tags": data["tags"],
            "action_fields": [fields[c] for c in data["fields"] if c in fields],
            "projects": [projects[c] for c in data["projects"] if c in projects],
        }
        if post is None:
            post = actions.post_create(
                SYSTEM,
                kind=data["kind"],
                slug=data["slug"],
                city=cities.get(data["city"] or ""),
                **values,
                **links,
            )
            actions.post_publish(SYSTEM, post, at=_date(data["date"]))
            say(f"{data['kind']} “{post.title}”: added")
        else:
            actions.post_update(SYSTEM, post, **values, **links)
    page_fields = {k: v for k, v in ABOUT_PAGE.items() if k != "slug"}
    created = not Page.objects.filter(city=None, slug=ABOUT_PAGE["slug"]).exists()
    actions.page_save(SYSTEM, slug=ABOUT_PAGE["slug"], city=None, **page_fields)
    say(f"page “{ABOUT_PAGE['title']}”: {'added' if created else 'up to date'}")
    count = search.rebuild()
    say(f"search index: {count} entries")
