"""Public projects of DOS 2030 and their reported figures, from ../shared/data/dos2030-facts.json.

Texts are summarised in German from the cited pages; the phase follows the reported status.
"""

from __future__ import annotations

from typing import Any

MPSC = "Modellprojekte Smart Cities (BMWSB)"

# Public projects. cities: "both", "dortmund" or "schwerte"; phase from the reported status.
PROJECTS: list[dict[str, Any]] = [
    {
        "code": "DP 01",
        "slug": "datenplattform-und-dashboards",
        "field": "DP",
        "cities": "both",
        "title": "Smart City Datenplattform und Dashboards",
        "phase": "implementation",
        "progress": 60,
        "sdg": [9, 11, 17],
        "summary": "Urbane Datenplattformen für Dortmund und Schwerte: getrennt betrieben, aber "
        "interoperabel auf gemeinsamen FIWARE-Datenstandards.",
        "description": "Die Plattformen sammeln, vereinheitlichen und visualisieren Daten in "
        "Dashboards. In Dortmund fließen unter anderem die Daten von 76 "
        "Klimastandorten, Feinstaubsensoren und Baumsensoren ein; in Schwerte "
        "nutzen Feuerwehr und Baubetriebshof die Daten von 15 Wetterstationen.",
        "source": "https://www.smart-city-dialog.de/wissen/smart-city-loesungen/stadt-auf-einen-blick-die-urbane-datenplattform-fuer-dortmund-und",
    },
    {
        "code": "DP 02",
        "slug": "digitaler-zwilling",
        "field": "DP",
        "cities": "both",
        "title": "Digitaler Zwilling",
        "phase": "implementation",
        "progress": 45,
        "sdg": [9, 11],
        "summary": "Ein digitales Abbild der Städte als Grundlage für Planung und Simulation.",
        "description": "Dortmund erfasst seit August 2024 den Straßenraum mit Kamerafahrzeugen; "
        "Schwerte scannt öffentliche Gebäude und Flächen mit 3D-Laserscannern.",
        "source": "https://smartcity.dortmund.de/2023/07/13/zwoelf-handlungsfelder-fuer-eine-smarte-stadt/",
    },
    {
        "code": "DP 03",
        "slug": "open-data-portal",
        "field": "DP",
        "cities": "dortmund",
        "title": "Open Data Portal",
        "phase": "integrated",
        "progress": 100,
        "status": "done",
        "sdg": [16, 17],
        "summary": "Offene Daten der Stadt Dortmund frei nutzbar – von freien Parkplätzen bis zu "
        "Spielplätzen.",
        "description": "Das überarbeitete Portal bietet maschinenlesbare Datensätze über eine "
        "offene Schnittstelle. Besonders gefragt sind freie Stellplätze in "
        "Parkhäusern und P+R-Anlagen, Baustellen und Spielplätze.",
        "source": "https://www.dortmund.de/newsroom/nachrichten-dortmund.de/modellprojekt-legt-smarte-und-harte-arbeit-an-den-tag.html",
    },
    {
        "code": "ZM 01",
        "slug": "citizen-science-lab-stadtlabor",
        "field": "ZM",
        "cities": "both",
        "title": "Citizen Science Lab / Stadtlabor",
        "phase": "implementation",
        "progress": 70,
        "federal": True,
        "sdg": [4, 11, 17],
        "summary": "Orte der Begegnung zwischen Stadtgesellschaft und Forschung: Workshops, "
        "Vorträge und Experimente.",
        "description": "In Dortmund ist das PROJEKTOR – Raum für Innovationen und Zusammenarbeit – "
        "seit Oktober 2025 am neuen Standort wieder geöffnet. In Schwerte arbeitet "
        "das Citizen Science Lab in der Factory 4 mit Sensoren, Laserscannern und "
        "Beteiligungswerkzeugen.",
        "source": "https://smartcity.dortmund.de/2025/05/28/citizen-science-lab-stadtlabor/",
    },
    {
        "code": "ZM 02",
        "slug": "digitale-beteiligung",
        "field": "ZM",
        "cities": "dortmund",
        "title": "Digitale Mitwirkung 2.0 / Digitale Beteiligung",
        "phase": "implementation",
        "progress": 50,
        "sdg": [16],
        "summary": "Ein digitales Beteiligungsportal ergänzt die analogen Formate.",
        "description": "Mitmachpool mit allen laufenden Beteiligungsprojekten, Mitmachbox mit "
        "interaktiven Werkzeugen und Anbindung an Beteiligung.NRW; die Integration "
        "in beide Stadt-Apps ist geplant.",
        "source": "https://smartcity.dortmund.de/2025/06/03/digitale-beteiligung/",
    },
    {
        "code": "SV 01",
        "slug": "umwelt-verkehrs-und-sicherheitssensorik",
        "field": "SV",
        "cities": "both",
        "title": "Umwelt-, Verkehrs- und Sicherheitssensorik",
        "phase": "implementation",
        "progress": 65,
        "sdg": [3, 11, 13],
        "summary": "Gemeinsamer Aufbau von Umwelt-, Verkehrs- und Sicherheitssensorik in "
        "Dortmund und Schwerte.",
        "description": "Die Daten werden zentral zusammengeführt und für gemeinsame Analysen, "
        "Früherkennung und Prävention genutzt; andere Kommunen können von den "
        "Erfahrungen lernen.",
        "source": "https://smartcity.dortmund.de/2025/05/27/umwelt-verkehrs-und-sicherheitssensorik-brueckensensorik/",
    },
    {
        "code": "SV 01.1",
        "slug": "brueckensensorik",
        "field": "SV",
        "cities": "dortmund",
        "title": "Brückensensorik (Brückenmonitoring)",
        "phase": "implementation",
        "progress": 40,
        "federal": True,
        "sdg": [9, 11],
        "summary": "Neigungs-, Riss-, Dehnungs- und Temperatursensoren überwachen den Zustand "
        "von Brücken in Echtzeit.",
        "description": "Der Pilot umfasst fünf Brücken. Die Daten laufen über ein Gateway mit "
        "SIM-Karte; beteiligt sind das Smart-City-Team, das Vermessungs- und "
        "Katasteramt und das Tiefbauamt.",
        "source": "https://smartcity.dortmund.de/2025/05/27/umwelt-verkehrs-und-sicherheitssensorik-brueckensensorik/",
    },
    {
        "code": "SV 01.2",
        "slug": "klimamessnetz",
        "field": "SV",
        "cities": "dortmund",
        "title": "Klimasensorik / Klimamessnetz",
        "phase": "integrated",
        "progress": 100,
        "status": "done",
        "sdg": [3, 11, 13],
        "summary": "80 Wetterstationen an 76 Standorten messen Hitze- und Kühleorte der Stadt.",
        "description": "25 Vollstationen mit Globethermometer für die gefühlte Temperatur und 55 "
        "Temperatur- und Feuchtestandorte, batteriebetrieben meist an "
        "Lichtmasten, Übertragung per LoRaWAN alle fünf Minuten; mit der "
        "Ruhr-Universität Bochum und dem Umweltamt.",
        "partners": "Ruhr-Universität Bochum\nUmweltamt der Stadt Dortmund",
        "source": "https://smartcity.dortmund.de/2024/09/13/klimamessnetz/",
    },
    {
        "code": "SV 01.3",
        "slug": "feinstaubsensorik",
        "field": "SV",
        "cities": "dortmund",
        "title": "Feinstaubsensorik",
        "phase": "integrated",
        "progress": 100,
        "status": "done",
        "sdg": [3, 11],
        "summary": "Sechs neue Sensoren messen Feinstaub sowie Temperatur, Luftfeuchte und "
        "Luftdruck.",
        "description": "Die Messstellen verteilen sich über das Stadtgebiet; die Werte fließen "
        "in die Datenplattform.",
        "source": "https://smartcity.dortmund.de/2025/05/28/umwelt-verkehrs-sicherheitssensorik-feinstaubsensorik-2/",
    },
    {
        "code": "SV 01.4",
        "slug": "wetterstationen-schwerte",
        "field": "SV",
        "cities": "schwerte",
        "title": "Wetterstationen in allen Stadtteilen",
        "phase": "integrated",
        "progress": 100,
        "status": "done",
        "sdg": [11, 13],
        "summary": "Wetterstationen in jedem Stadtteil für Starkregenwarnung und Winterdienst.",
        "description": "Die solarbetriebenen Stationen messen Niederschlag, Wind, Feuchte, "
        "Luftdruck, Taupunkt, Feinstaub und Sonneneinstrahlung alle fünf bis zehn "
        "Minuten; Feuerwehr und Baubetriebshof nutzen die Daten.",
        "source": "https://www.smart-city-dialog.de/wissen/smart-city-loesungen/stadt-auf-einen-blick-die-urbane-datenplattform-fuer-dortmund-und",
    },
    {
        "code": "SV 02",
        "slug": "intelligente-strassenbeleuchtung",
        "field": "SV",
        "cities": "dortmund",
        "title": "Intelligente Straßenbeleuchtung",
        "phase": "implementation",
        "progress": 55,
        "sdg": [7, 11, 13],
        "summary": "Einzeln dimmbare LED-Leuchten mit funkbasiertem Lichtmanagement.",
        "description": "Teilmaßnahme des Bündels „Öffentliche Sicherheit“: LED und smarte "
        "Steuerung sparen jeweils rund ein Drittel der Energie.",
        "source": "https://smart-city-dialog.de/wissensspeicher/massnahmen/oeffentliche-sicherheit",
    },
    {
        "code": "SV 03",
        "slug": "unwetter-und-katastrophenwarnung",
        "field": "SV",
        "cities": "both",
        "title": "Unwetter- und Katastrophenwarnung",
        "phase": "planning",
        "progress": 15,
        "sdg": [11, 13],
        "summary": "Sensorgestützte Frühwarnung der Bevölkerung bei Extremwetter und Katastrophen.",
        "source": "https://smart-city-dialog.de/wissensspeicher/massnahmen/oeffentliche-sicherheit",
    },
    {
        "code": "SV 04",
        "slug": "smartes-abfallmanagement",
        "field": "SV",
        "cities": "both",
        "title": "Smartes Abfallmanagement",
        "phase": "planning",
        "progress": 10,
        "sdg": [11, 12],
        "summary": "Füllstandssensoren melden, wann öffentliche Abfallbehälter geleert werden "
        "müssen.",
        "source": "https://smart-city-dialog.de/wissensspeicher/massnahmen/oeffentliche-sicherheit",
    },
    {
        "code": "BKF 01",
        "slug": "smarte-schulen",
        "field": "BKF",
        "cities": "dortmund",
        "title": "Smarte Schulen",
        "phase": "implementation",
        "progress": 50,
        "sdg": [4],
        "summary": "Schulen erhalten Umweltsensoren; Schüler*innen lernen, die Daten auszuwerten.",
        "source": "https://www.dortmund.de/newsroom/nachrichten-dortmund.de/modellprojekt-legt-smarte-und-harte-arbeit-an-den-tag.html",
    },
    {
        "code": "BKF 02",
        "slug": "learning-lab-maker-space",
        "field": "BKF",
        "cities": "both",
        "title": "Learning Lab / Maker Space",
        "phase": "implementation",
        "progress": 75,
        "sdg": [4, 9],
        "summary": "Digitale und MINT-Kompetenzen mit 3D-Druckern, Lasercuttern und "
        "CNC-Fräsen fördern.",
        "description": "In Dortmund ist der Maker Space auf der uzwei im Dortmunder U geöffnet; "
        "in Schwerte ist der Makerspace in der Factory 4 ausgestattet.",
        "source": "https://smartcity.dortmund.de/2025/06/06/learning-lab-maker-space/",
    },
    {
        "code": "BKF 02.1",
        "slug": "mobiler-maker-space",
        "field": "BKF",
        "cities": "dortmund",
        "title": "Mobiler Maker Space",
        "phase": "implementation",
        "progress": 35,
        "sdg": [4],
        "summary": "Ein technisch ausgestattetes Fahrzeug bringt den Maker Space in die "
        "Stadtteile.",
        "partners": "Stadt- und Landesbibliothek Dortmund\nFachbereich Schule\nuzwei",
        "source": "https://smartcity.dortmund.de/2025/06/06/project-mobile-maker-space/",
    },
    {
        "code": "BKF 03",
        "slug": "schuelerinnenprojekt-smart-city",
        "field": "BKF",
        "cities": "dortmund",
        "title": "Schüler*innenprojekt Smart City",
        "phase": "evaluation",
        "progress": 90,
        "sdg": [4],
        "summary": "Neuntklässler*innen entwickeln eigene Smart-City-Konzepte.",
        "source": "https://smartcity.dortmund.de/2025/07/17/schuelerinnenprojekt-begeistert-erneut/",
    },
    {
        "code": "DV 01",
        "slug": "open-smart-city-app",
        "field": "DV",
        "cities": "both",
        "title": "Open Smart City App (Dortmund-App)",
        "phase": "integrated",
        "progress": 100,
        "status": "done",
        "sdg": [9, 16, 17],
        "summary": "Eine modulare Open-Source-Stadt-App aus einer Entwicklungspartnerschaft "
        "mehrerer Städte.",
        "description": "Nachrichten, Veranstaltungen, Services, ortsbezogene Informationen, "
        "Mängelmelder und Terminbuchung; seit Oktober 2023 verfügbar und laufend "
        "weiterentwickelt.",
        "source": "https://smartcity.dortmund.de/2023/03/31/open-smart-city-app/",
    },
    {
        "code": "DV 02",
        "slug": "stadtportal-dortmund-de",
        "field": "DV",
        "cities": "dortmund",
        "title": "Stadtportal dortmund.de",
        "phase": "implementation",
        "progress": 60,
        "sdg": [16],
        "summary": "Das Stadtportal als zentraler digitaler Zugang zur Verwaltung.",
        "source": "https://www.dortmund.de/newsroom/nachrichten-dortmund.de/modellprojekt-legt-smarte-und-harte-arbeit-an-den-tag.html",
    },
    {
        "code": "IM 01",
        "slug": "parkleitsystem-schwerte",
        "field": "IM",
        "cities": "schwerte",
        "title": "Parkleitsystem / Integriertes Verkehrsleitsystem",
        "phase": "integrated",
        "progress": 100,
        "status": "done",
        "federal": True,
        "budget": 88000,
        "funding_amount": 79200,
        "sdg": [11, 13],
        "summary": "665 Einzelplatzsensoren in vier Innenstadt-Parkplätzen und digitale "
        "Anzeigetafeln.",
        "description": "Die Sensoren sind seit März 2023 installiert; Anzeigetafeln kamen "
        "schrittweise hinzu. Die Maßnahme wurde zu 90 % aus dem Programm "
        "Modellprojekte Smart Cities gefördert.",
        "source": "https://lokalkompass.de/schwerte/c-ratgeber/parksensoren-erfolgreich-installiert_a1846327",
    },
    {
        "code": "IM 02",
        "slug": "sensoren-behindertenparkplaetze",
        "field": "IM",
        "cities": "schwerte",
        "title": "Sensoren auf Behindertenparkplätzen",
        "phase": "integrated",
        "progress": 100,
        "status": "done",
        "sdg": [10, 11],
        "summary": "Bodensensoren zeigen freie Behindertenparkplätze in der Innenstadt auf "
        "einer Karte.",
        "description": "Die Sensoren melden nur frei oder belegt und werden ausdrücklich nicht "
        "zur Kontrolle eingesetzt.",
        "source": "https://www.ruhrnachrichten.de/schwerte/sensoren-auf-behindertenparkplaetzen-montiert-rufen-sie-die-polizei-w1681666-p-2000335185/",
    },
    {
        "code": "EU 01",
        "slug": "baumsensoren-dortmund",
        "field": "EU",
        "cities": "dortmund",
        "title": "Baumsensoren (Kronenfeuchte)",
        "phase": "implementation",
        "progress": 30,
        "sdg": [13, 15],
        "summary": "Sensoren messen die Wasserversorgung in Baumkronen, um gezielt zu gießen.",
        "description": "Gemessen wird der elektrische Widerstand im wasserleitenden Gewebe; "
        "junge Bäume werden bedarfsgerecht bewässert, für alte Bäume werden "
        "Maßnahmen vorausschauend geplant.",
        "source": "https://www.dortmund.de/newsroom/nachrichten-dortmund.de/wie-gehts-dem-gruen-neue-technik-hilft-dortmunder-baeumen.html",
    },
    {
        "code": "EU 02",
        "slug": "bodenfeuchte-sensoren-schwerte",
        "field": "EU",
        "cities": "schwerte",
        "title": "Bodenfeuchte- und Trockenstress-Sensoren an Bäumen",
        "phase": "implementation",
        "progress": 40,
        "sdg": [13, 15],
        "summary": "Sensoren überwachen die Bodenfeuchte und den Trockenstress von Stadtbäumen.",
        "source": "https://ruhrblick.info/smart-city-schwerte-staatssekretaerin-zu-besuch",
    },
]


# Dated KPI values reported in the sources: project code → KPI definitions with values.
KPIS: dict[str, list[dict[str, Any]]] = {
    "SV 01.2": [
        {
            "name": "Ausgestattete Klimastandorte",
            "kind": "output",
            "unit": "Standorte",
            "baseline": 0,
            "target": 76,
            "target_date": "2025-06-30",
            "is_key": True,
            "values": [("2024-09-13", 40), ("2025-01-31", 62), ("2025-05-28", 76)],
        },
        {
            "name": "Hitzetage ≥ 30 °C an den Klimastationen",
            "former_names": ["Hitzetage an den Klimastationen in diesem Jahr"],
            "description": "Tage in diesem Jahr, an denen mindestens eine Klimastation "
            "30 °C oder mehr gemessen hat; berechnet aus den Tageshöchstwerten der "
            "Datenplattform.",
            "kind": "impact",
            "unit": "Tage",
            "direction": "decrease",
            "source": "live",
            "entity_type": "WeatherObserved",
            "attribute": "temperature",
            "aggregation": "days_above",
            "period": "year",
            "threshold": 30,
            "city": "dortmund",
            "values": [],
        },
    ],
    "SV 01.1": [
        {
            "name": "Überwachte Brücken",
            "kind": "output",
            "unit": "Brücken",
            "baseline": 0,
            "target": 5,
            "target_date": "2025-09-30",
            "is_key": True,
            "values": [("2024-09-04", 1), ("2025-05-26", 2)],
        },
    ],
    "SV 01.3": [
        {
            "name": "Feinstaub-Messstellen",
            "kind": "output",
            "unit": "Standorte",
            "baseline": 0,
            "target": 6,
            "values": [("2025-05-28", 6)],
        },
    ],
    "DP 03": [
        {
            "name": "Offene Datensätze",
            "kind": "output",
            "unit": "Datensätze",
            "baseline": 0,
            "target": 600,
            "target_date": "2026-12-31",
            "is_key": True,
            "values": [("2024-06-30", 490), ("2025-03-06", 584)],
        },
    ],
    "DV 01": [
        {
            "name": "Module der Stadt-App",
            "kind": "output",
            "unit": "Module",
            "baseline": 0,
            "target": 20,
            "target_date": "2026-12-31",
            "is_key": True,
            "values": [("2023-10-31", 8), ("2025-06-30", 17)],
        },
    ],
    "IM 01": [
        {
            "name": "Parkplätze mit Einzelplatzsensor",
            "kind": "output",
            "unit": "Stellplätze",
            "baseline": 0,
            "target": 665,
            "values": [("2023-03-31", 665)],
        },
        {
            "name": "Freie Stellplätze (live)",
            "kind": "outcome",
            "unit": "Stellplätze",
            "source": "live",
            "entity_type": "OffStreetParking",
            "attribute": "availableSpotNumber",
            "aggregation": "sum",
            "period": "day",
            "city": "schwerte",
            "values": [],
        },
    ],
    "SV 01.4": [
        {
            "name": "Wetterstationen in Betrieb",
            "kind": "output",
            "unit": "Stationen",
            "baseline": 0,
            "target": 15,
            "values": [("2023-12-31", 9), ("2025-08-04", 15)],
        },
    ],
}
