"""English versions of part of the demo content, so the English app and pages show English
texts; everything not listed here stays German and shows the fallback.

Keyed by the German data's codes and slugs (:mod:`dos.demo.strategy_data`,
:mod:`dos.demo.strategy_projects`, :mod:`dos.demo.content`, :mod:`dos.demo.events`); the
loaders there merge these texts in. No personal names.
"""

from __future__ import annotations

#: The strategy's title, vision and guidelines (:mod:`dos.demo.strategy_data`).
STRATEGY: dict[str, str] = {
    "title_en": "DOS 2030 – Digital Operating System Dortmund Schwerte",
    "vision_en": (
        "We are smart cities only together.\n\n"
        "We are smart when all actors and technologies are connected through an intelligent "
        "process.\n\n"
        "We are smart so that we offer our citizens the best service, guarantee a high "
        "quality of life and environment and strengthen Dortmund and Schwerte as places to "
        "do business.\n\n"
        "We are close to citizens and social, sustainable, transparent, liveable and resilient."
    ),
    "guidelines_en": "\n".join(
        [
            "- Close to citizens and social: people are at the centre.",
            "- Sustainable: digitalisation is not an end in itself but serves the common good.",
            "- Transparent: data, decisions and progress can be followed in public.",
            "- Liveable: improving the quality of life and environment in both cities.",
            "- Resilient: secure infrastructure and precautions against extreme weather.",
        ]
    ),
}

#: slug of a series' first event → English name of the series
SERIES: dict[str, str] = {"offener-laborabend-projektor": "Open lab evenings at the Projektor"}

# code → (name, description) of all 12 action fields
ACTION_FIELDS: dict[str, tuple[str, str]] = {
    "DP": (
        "Data and Platforms",
        "Data and platforms steer flows of information and data efficiently across city "
        "limits. User-friendly data platforms connect citizens, administration and other "
        "actors and create transparency.",
    ),
    "ZM": (
        "Living Together and Taking Part",
        "This action field strengthens neighbourhoods and the concerns of the people who live "
        "here: people at the centre, transparent and creative participation.",
    ),
    "TFE": (
        "Trends, Research and Development",
        "Trying out new technologies, working with universities and research, and carrying "
        "the findings into urban development.",
    ),
    "SV": (
        "Safety and Trust",
        "Carefree use of public space, secure infrastructure, trust in technology and in the "
        "handling of data, and resilience against extreme weather; sensors are installed and "
        "connected in both cities.",
    ),
    "RI": (
        "Space and Infrastructure",
        "Planning, running and maintaining public space and urban infrastructure with digital "
        "tools.",
    ),
    "IM": (
        "Smart Mobility",
        "Managing traffic intelligently, avoiding cruising for parking and making sustainable "
        "mobility easy to use.",
    ),
    "WHT": (
        "Economy, Retail and Tourism",
        "Strengthening town centres, local shops and tourism with digital services.",
    ),
    "BKF": (
        "Education, Culture and Leisure",
        "Promoting digital and STEM skills, opening places of learning and making culture and "
        "leisure accessible digitally.",
    ),
    "BW": (
        "Building and Housing",
        "Supporting planning, building and housing digitally – from the building application "
        "to the neighbourhood.",
    ),
    "EU": (
        "Energy and Environment",
        "Protecting the climate, saving energy and caring for urban greenery with data.",
    ),
    "GS": (
        "Health and Social Affairs",
        "Supporting health, care and social participation with digital services.",
    ),
    "DV": (
        "Digital Administration",
        "Offering administrative services digitally, simply and from a single source.",
    ),
}

# code → title, summary (and description) of several projects; the others stay German
PROJECTS: dict[str, dict[str, str]] = {
    "DP 01": {
        "title_en": "Smart City Data Platform and Dashboards",
        "summary_en": "Urban data platforms for Dortmund and Schwerte: run separately, but "
        "interoperable on shared FIWARE data standards.",
    },
    "DP 02": {
        "title_en": "Digital Twin",
        "summary_en": "A digital image of the cities as the basis for planning and simulation.",
        "description_en": "Since August 2024 Dortmund has been recording its streets with "
        "camera vehicles; Schwerte scans public buildings and spaces with 3D laser scanners.",
    },
    "DP 03": {
        "title_en": "Open Data Portal",
        "summary_en": "Open data of the City of Dortmund, free to use – from free parking "
        "spaces to playgrounds.",
    },
    "ZM 01": {
        "title_en": "Citizen Science Lab / City Lab",
        "summary_en": "Meeting places for the urban community and research: workshops, talks "
        "and experiments.",
    },
    "SV 01.2": {
        "title_en": "Climate Sensors / Climate Measuring Network",
        "summary_en": "80 weather stations at 76 sites measure the city's hot and cool spots.",
    },
    "SV 01.3": {
        "title_en": "Particulate Matter Sensors",
        "summary_en": "Six new sensors measure particulate matter as well as temperature, "
        "humidity and air pressure.",
        "description_en": "The measuring points are spread across the city; their values flow "
        "into the data platform.",
    },
    "IM 01": {
        "title_en": "Parking Guidance / Integrated Traffic Management",
        "summary_en": "Sensors on every parking space show where a space is free.",
    },
}

# slug → English title, teaser and text of a few posts
POSTS: dict[str, dict[str, str]] = {
    "strategie-dos-2030-beschlossen": {
        "title_en": "DOS 2030 strategy adopted",
        "teaser_en": "After the Schwerte city council, the Dortmund city council has adopted "
        "the joint smart city strategy as well. The implementation phase begins.",
        "body_en": "<p>On 15 February 2023 the Schwerte city council adopted the DOS 2030 "
        "strategy; the Dortmund city council followed on 23 March 2023. This ends the phase "
        "of developing the strategy (2020–2022).</p><p>The strategy arranges 45 measures in "
        "12 action fields; the federal government funds 25 of them in the Model Projects "
        "Smart Cities programme. The implementation phase starts in April 2023 and lasts "
        "about four and a half years.</p>",
    },
    "klimamessnetz-komplett": {
        "title_en": "Climate network complete: 80 stations at 76 sites",
        "teaser_en": "All 76 sites of Dortmund's climate measuring network are equipped – at "
        "the city's hot and cool spots.",
        "body_en": "<p>80 weather stations at 76 sites measure temperature and humidity, 25 of "
        "them as full stations with a globe thermometer for the felt temperature. The "
        "stations mostly hang 3.30 m up on lamp posts, run on batteries and send every five "
        "minutes via LoRaWAN.</p><p>The data flow into a dashboard of the urban data "
        "platform; the analysis is done together with Ruhr University Bochum and the "
        "environment office.</p>",
    },
    "parkleitsystem-665-sensoren": {
        "title_en": "Parking guidance: 665 sensors show free spaces",
        "teaser_en": "On the four large car parks in the town centre every space reports "
        "whether it is free.",
        "body_en": "<p>665 single-space sensors lie on the park-and-ride car park at the "
        "station, in the underground car park below the market, at the town baths and at the "
        "Im Reiche des Wassers car park. Digital display boards are being added step by "
        "step.</p><p>All public disabled parking spaces in the town centre are equipped too; "
        "a map shows free and occupied spaces. The data are not used for enforcement.</p>",
    },
    "stadtlabor-projektor-wiedereroeffnet": {
        "title_en": "PROJEKTOR city lab reopened",
        "teaser_en": "The space for innovation and collaboration in Kleppingstraße invites "
        "you to workshops, talks and experiments.",
        "body_en": "<p>The city lab links the urban community and research. In Schwerte the "
        "Citizen Science Lab in Factory 4 does the same.</p>",
    },
}

# slug → English name, description and accessibility notes of the venues
VENUES: dict[str, dict[str, str]] = {
    "projektor": {
        "name_en": "Citizen Science Lab “Projektor”",
        "description_en": "The City of Dortmund's innovation space: here citizens build "
        "sensors, explore open data and try out smart city ideas. In Kleppingstraße since "
        "October 2025.",
        "accessibility_notes_en": "Step-free entrance from Kleppingstraße. Demo details – "
        "please check accessibility on site.",
    },
    "factory-4": {
        "name_en": "Factory 4",
        "description_en": "The City of Schwerte's Citizen Science Lab, maker space and gaming "
        "room in the former Hoesch administration building.",
        "accessibility_notes_en": "Demo details – please check accessibility on site.",
    },
}

# slug → English title, summary and description of some events (a series' first date
# passes them on to its other dates)
EVENTS: dict[str, dict[str, str]] = {
    "sensor-bautag-feinstaub": {
        "title_en": "Sensor building day: build your own particulate matter sensor",
        "summary_en": "We solder particulate matter sensors together and bring their readings "
        "onto the data platform.",
        "description_en": "<p>No previous knowledge needed. Material and tools are there; you "
        "take the finished sensor home.</p>",
    },
    "workshop-offene-daten": {
        "title_en": "Workshop: using the city's open data",
        "summary_en": "How to fetch and analyse climate and traffic data from the data platform.",
        "description_en": "<p>Please bring a laptop. Places are limited.</p>",
    },
    "offener-laborabend-projektor": {
        "title_en": "Open lab evening at the Projektor",
        "summary_en": "Drop in, ask questions, show projects – no registration needed.",
        "description_en": "<p>Every Thursday: open workbench, 3D printers and sensor "
        "consultation.</p>",
    },
}
