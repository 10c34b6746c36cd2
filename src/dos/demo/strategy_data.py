"""Demo content of the strategy DOS 2030, from ../shared/data/dos2030-facts.json.

The public projects are in :mod:`dos.demo.strategy_projects`; the examples here are
illustrative projects that fill the portfolio up to the official 45 and are marked as such.
No personal names.
"""

from __future__ import annotations

TITLE = "DOS 2030 – Digital Operating System Dortmund Schwerte"

VISION = (
    "Smart Cities sind wir nur gemeinsam.\n\n"
    "Smart sind wir, wenn alle Akteure und Technologien über einen intelligenten Prozess "
    "miteinander verbunden sind.\n\n"
    "Smart sind wir, um unseren Bürger*innen den besten Service anzubieten, eine hohe Lebens- "
    "und Umweltqualität zu garantieren und die Wirtschaftsstandorte Dortmund und Schwerte zu "
    "stärken.\n\n"
    "Wir sind bürger*innennah und sozial, nachhaltig, transparent, lebenswert und resilient."
)

GUIDELINES = "\n".join(
    [
        "- Bürger*innennah und sozial: Der Mensch steht im Fokus.",
        "- Nachhaltig: Digitalisierung ist kein Selbstzweck, sondern dient dem Gemeinwohl.",
        "- Transparent: Daten, Entscheidungen und Fortschritt sind öffentlich nachvollziehbar.",
        "- Lebenswert: Lebens- und Umweltqualität in beiden Städten verbessern.",
        "- Resilient: sichere Infrastrukturen und Vorsorge gegen Extremwetter.",
    ]
)

# code, slug, name, colour, icon, description
ACTION_FIELDS: list[tuple[str, str, str, str, str, str]] = [
    (
        "DP",
        "daten-und-plattformen",
        "Daten und Plattformen",
        "#1a5f9e",
        "database",
        "Daten und Plattformen bieten die Möglichkeit, Informations- und Datenflüsse effizient "
        "und zielgerichtet über Stadtgrenzen hinaus zu steuern. Nutzer*innenfreundliche "
        "Datenplattformen vernetzen Bürger*innen, Verwaltung und weitere Akteur*innen und "
        "schaffen Transparenz.",
    ),
    (
        "ZM",
        "zusammenleben-und-mitmachen",
        "Zusammenleben und Mitmachen",
        "#8a3b12",
        "people",
        "Das Handlungsfeld stärkt die Nachbarschaft und die Belange der hier lebenden Menschen: "
        "der Mensch im Fokus, transparente und kreative Teilhabe.",
    ),
    (
        "TFE",
        "trends-forschung-und-entwicklung",
        "Trends, Forschung und Entwicklung",
        "#5b3f8c",
        "flask",
        "Neue Technologien erproben, mit Hochschulen und Forschung zusammenarbeiten und "
        "Erkenntnisse in die Stadtentwicklung übertragen.",
    ),
    (
        "SV",
        "sicherheit-und-vertrauen",
        "Sicherheit und Vertrauen",
        "#a4161a",
        "shield",
        "Unbeschwerte Nutzung des öffentlichen Raums, sichere Infrastrukturen, Vertrauen in "
        "Technologien und den Umgang mit Daten sowie Resilienz gegenüber Extremwetter; Sensorik "
        "wird in beiden Städten aufgebaut und vernetzt.",
    ),
    (
        "RI",
        "raum-und-infrastruktur",
        "Raum und Infrastruktur",
        "#4d5863",
        "map",
        "Öffentlichen Raum und städtische Infrastruktur mit digitalen Werkzeugen planen, "
        "betreiben und erhalten.",
    ),
    (
        "IM",
        "intelligente-mobilitaet",
        "Intelligente Mobilität",
        "#00666b",
        "bus",
        "Verkehr intelligent steuern, Parksuchverkehr vermeiden und nachhaltige Mobilität "
        "einfach zugänglich machen.",
    ),
    (
        "WHT",
        "wirtschaft-handel-und-tourismus",
        "Wirtschaft, Handel und Tourismus",
        "#7a5200",
        "shop",
        "Innenstädte, lokalen Handel und Tourismus mit digitalen Angeboten stärken.",
    ),
    (
        "BKF",
        "bildung-kultur-und-freizeit",
        "Bildung, Kultur und Freizeit",
        "#9c2a6b",
        "book",
        "Digitale und MINT-Kompetenzen fördern, Lernorte öffnen und Kultur- und "
        "Freizeitangebote digital erlebbar machen.",
    ),
    (
        "BW",
        "bauen-und-wohnen",
        "Bauen und Wohnen",
        "#5c4a1f",
        "home",
        "Planen, Bauen und Wohnen digital unterstützen – vom Bauantrag bis zum Quartier.",
    ),
    (
        "EU",
        "energie-und-umwelt",
        "Energie und Umwelt",
        "#2e6b1e",
        "leaf",
        "Klima schützen, Energie sparen und Stadtgrün mit Daten gezielt pflegen.",
    ),
    (
        "GS",
        "gesundheit-und-soziales",
        "Gesundheit und Soziales",
        "#a13d00",
        "heart",
        "Gesundheit, Pflege und soziale Teilhabe mit digitalen Angeboten unterstützen.",
    ),
    (
        "DV",
        "digitale-verwaltung",
        "Digitale Verwaltung",
        "#264b8c",
        "building",
        "Verwaltungsleistungen digital, einfach und aus einer Hand anbieten.",
    ),
]

# Illustrative examples per action field (is_example): code, slug, title, cities, phase, summary
EXAMPLES: list[tuple[str, str, str, str, str, str]] = [
    (
        "DP 04",
        "beispiel-datenkompetenz",
        "Datenkompetenz in der Verwaltung",
        "both",
        "planning",
        "Schulungen machen Beschäftigte fit für datenbasierte Entscheidungen.",
    ),
    (
        "ZM 03",
        "beispiel-nachbarschaftsplattform",
        "Digitale Nachbarschaftsplattform",
        "schwerte",
        "idea",
        "Nachbarschaften organisieren Hilfe und Tauschbörsen online.",
    ),
    (
        "ZM 04",
        "beispiel-digitallotsen",
        "Digitallots*innen im Quartier",
        "dortmund",
        "implementation",
        "Ehrenamtliche begleiten Menschen bei den ersten digitalen Schritten.",
    ),
    (
        "TFE 01",
        "beispiel-reallabor-5g",
        "Reallabor Funknetze",
        "dortmund",
        "planning",
        "Neue Funktechnologien werden im Stadtraum gemeinsam mit der Forschung erprobt.",
    ),
    (
        "TFE 02",
        "beispiel-innovationswettbewerb",
        "Innovationswettbewerb Smart City",
        "both",
        "implementation",
        "Start-ups und Studierende entwickeln Lösungen für städtische Herausforderungen.",
    ),
    (
        "TFE 03",
        "beispiel-trendradar",
        "Trendradar",
        "both",
        "idea",
        "Technologietrends werden regelmäßig bewertet und für beide Städte eingeordnet.",
    ),
    (
        "RI 01",
        "beispiel-baustellenkoordination",
        "Digitale Baustellenkoordination",
        "dortmund",
        "implementation",
        "Baustellen im Straßenraum werden digital abgestimmt.",
    ),
    (
        "RI 02",
        "beispiel-spielplatzkataster",
        "Digitales Spielplatzkataster",
        "schwerte",
        "planning",
        "Zustand und Ausstattung der Spielplätze werden digital erfasst.",
    ),
    (
        "WHT 01",
        "beispiel-digitaler-marktplatz",
        "Digitaler Marktplatz Innenstadt",
        "schwerte",
        "implementation",
        "Lokale Händler*innen präsentieren ihr Angebot gemeinsam online.",
    ),
    (
        "WHT 02",
        "beispiel-frequenzmessung",
        "Passantenfrequenzmessung",
        "both",
        "implementation",
        "Anonyme Zählungen zeigen, wie belebt die Innenstädte sind.",
    ),
    (
        "WHT 03",
        "beispiel-tourismus-app",
        "Digitale Stadtführungen",
        "dortmund",
        "idea",
        "Themenrouten mit Audio und Karten für Gäste und Einheimische.",
    ),
    (
        "BW 01",
        "beispiel-digitaler-bauantrag",
        "Digitaler Bauantrag",
        "both",
        "implementation",
        "Bauanträge werden vollständig digital gestellt und bearbeitet.",
    ),
    (
        "BW 02",
        "beispiel-quartiersplanung-3d",
        "3D-Quartiersplanung",
        "schwerte",
        "planning",
        "Planungsvarianten werden im 3D-Modell sichtbar und diskutierbar.",
    ),
    (
        "EU 03",
        "beispiel-energiemonitoring",
        "Energiemonitoring städtischer Gebäude",
        "dortmund",
        "implementation",
        "Verbräuche werden erfasst, um Energie gezielt zu sparen.",
    ),
    (
        "EU 04",
        "beispiel-hitzeaktionsplan",
        "Digitaler Hitzeaktionsplan",
        "both",
        "planning",
        "Hitzewarnungen und kühle Orte werden aus Messdaten abgeleitet.",
    ),
    (
        "GS 01",
        "beispiel-pflegeplatzboerse",
        "Pflegeplatzbörse",
        "dortmund",
        "implementation",
        "Freie Pflegeplätze werden tagesaktuell angezeigt.",
    ),
    (
        "GS 02",
        "beispiel-barrierefreie-wege",
        "Barrierefreie Wege",
        "schwerte",
        "implementation",
        "Ein Routenplaner berücksichtigt Stufen, Steigungen und Aufzüge.",
    ),
    (
        "GS 03",
        "beispiel-sozialatlas",
        "Digitaler Sozialatlas",
        "both",
        "idea",
        "Soziale Angebote und Kennzahlen der Stadtteile auf einen Blick.",
    ),
    (
        "DV 03",
        "beispiel-terminbuchung",
        "Online-Terminvergabe",
        "both",
        "integrated",
        "Termine in Bürgerbüros werden online gebucht.",
    ),
    (
        "DV 04",
        "beispiel-e-akte",
        "Elektronische Akte",
        "schwerte",
        "implementation",
        "Verwaltungsvorgänge werden medienbruchfrei digital bearbeitet.",
    ),
    (
        "IM 03",
        "beispiel-mobilstationen",
        "Mobilstationen",
        "dortmund",
        "planning",
        "Bus, Bahn, Leihrad und Carsharing an einem Ort verknüpft.",
    ),
    (
        "IM 04",
        "beispiel-verkehrszaehlung",
        "Automatische Verkehrszählung",
        "both",
        "implementation",
        "Sensoren zählen Rad- und Fußverkehr an wichtigen Punkten.",
    ),
]

EVALUATION_CRITERIA = [
    ("Wirkung für die Stadtgesellschaft", 3),
    ("Bürgernähe und Teilhabe", 2),
    ("Übertragbarkeit", 2),
    ("Wirtschaftlichkeit", 1),
    ("Umsetzungsstand", 2),
]
