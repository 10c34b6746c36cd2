"""Demo participation: two processes, ideas in every status (some became strategy projects),
comments with official answers, districts, and a survey with published results.

Runs after the region and the strategy. Demo people have pseudonyms only. Ideas are created
through the actions (so history, notifications and the log are real); an idea whose title
already exists in its process is left as it is, so a second run changes nothing.
"""

from __future__ import annotations

import datetime
import json
from typing import Any

PEOPLE = [
    "Radlerin44",
    "Stadtgaertner7",
    "Ruhrpott_Eule",
    "Kiezkind23",
    "Bahnpendler_SW",
    "Nachbarin_Ost",
    "Datenfreund",
    "Waldlaeuferin",
]

# Simplified district outlines (rectangles around the district centres): enough to place
# ideas, not official boundaries.
DISTRICTS = {
    "schwerte": [
        ("Innenstadt", 51.4458, 7.5650, 0.008, 0.016),
        ("Ergste", 51.4225, 7.5680, 0.008, 0.016),
        ("Villigst", 51.4320, 7.5960, 0.006, 0.012),
        ("Westhofen", 51.4250, 7.5170, 0.008, 0.016),
        ("Holzen", 51.4620, 7.5340, 0.006, 0.012),
    ],
    "dortmund": [
        ("Innenstadt-West", 51.5136, 7.4470, 0.006, 0.014),
        ("Innenstadt-Nord", 51.5270, 7.4653, 0.007, 0.020),
        ("Hörde", 51.4880, 7.5040, 0.010, 0.022),
        ("Hombruch", 51.4710, 7.4400, 0.010, 0.022),
    ],
}

RULES = {
    "schwerte": {"precheck_ideas": True, "support_threshold": 75, "support_weeks": 6},
    "dortmund": {"precheck_ideas": False, "support_threshold": 100, "support_weeks": 8},
}

PROCESSES = [
    {
        "slug": "ideenpool-smart-city",
        "city": None,
        "title": "Ideenpool Smart City",
        "description": (
            "Der gemeinsame Ideenpool von Dortmund und Schwerte für die Strategie DOS 2030: "
            "Bringen Sie Ideen ein, unterstützen Sie gute Vorschläge und verfolgen Sie, was "
            "daraus wird. Ideen mit genügend Unterstützung werden in den Ausschüssen beraten."
        ),
    },
    {
        "slug": "mobilitaet-in-schwerte",
        "city": "schwerte",
        "title": "Mobilität in Schwerte",
        "description": (
            "Wie kommen wir in Schwerte besser voran – zu Fuß, mit dem Rad, mit Bus und Bahn? "
            "Sammeln Sie Ideen für sichere Wege, Parken und Mobilstationen."
        ),
    },
]

# (process, city, author, title, description, action field code, lat, lon, target, project)
IDEAS: list[tuple[str, str, int, str, str, str, float, float, str, str]] = [
    (
        "mobilitaet-in-schwerte",
        "schwerte",
        0,
        "Sichere Radwege zur Gesamtschule",
        "Zwischen Innenstadt und Gesamtschule fehlt ein durchgehender, baulich getrennter "
        "Radweg. Viele Eltern fahren ihre Kinder deshalb mit dem Auto.",
        "IM",
        51.4480,
        7.5610,
        "referred",
        "",
    ),
    (
        "mobilitaet-in-schwerte",
        "schwerte",
        4,
        "Echtzeitanzeige am Bahnhof",
        "Eine Anzeige am Bahnhofsvorplatz mit den nächsten Bussen in Echtzeit würde das "
        "Umsteigen vom Zug erleichtern.",
        "IM",
        51.4435,
        7.5640,
        "collecting",
        "",
    ),
    (
        "mobilitaet-in-schwerte",
        "schwerte",
        2,
        "Freie Parkplätze in der Innenstadt anzeigen",
        "Ein Parkleitsystem, das freie Plätze in den Parkhäusern und auf dem Marktplatz "
        "anzeigt, spart Suchverkehr.",
        "IM",
        51.4460,
        7.5660,
        "implemented",
        "parkleitsystem-schwerte",
    ),
    (
        "mobilitaet-in-schwerte",
        "schwerte",
        5,
        "Belegung der Behindertenparkplätze sichtbar machen",
        "Sensoren an den Behindertenparkplätzen könnten in der App zeigen, welche frei sind.",
        "IM",
        51.4450,
        7.5700,
        "accepted",
        "sensoren-behindertenparkplaetze",
    ),
    (
        "mobilitaet-in-schwerte",
        "schwerte",
        3,
        "Seilbahn über die Ruhr",
        "Eine Seilbahn von Westhofen nach Ergste wäre eine Attraktion und ein Verkehrsmittel.",
        "IM",
        51.4240,
        7.5400,
        "declined",
        "",
    ),
    (
        "mobilitaet-in-schwerte",
        "schwerte",
        1,
        "Mehr Fahrradbügel in Ergste",
        "Am Ergster Markt fehlen Abstellplätze für Fahrräder und Lastenräder.",
        "IM",
        51.4230,
        7.5690,
        "closed",
        "",
    ),
    (
        "mobilitaet-in-schwerte",
        "schwerte",
        6,
        "Tempo 30 vor allen Kitas",
        "Vor jeder Kita sollte Tempo 30 gelten, gut sichtbar markiert.",
        "IM",
        51.4565,
        7.5330,
        "precheck",
        "",
    ),
    (
        "ideenpool-smart-city",
        "dortmund",
        7,
        "Baumpatenschaften mit Bodenfeuchte-Daten",
        "Wenn Sensoren zeigen, welche Straßenbäume Wasser brauchen, können Patinnen und Paten "
        "gezielt gießen.",
        "EU",
        51.5150,
        7.4480,
        "implemented",
        "baumsensoren-dortmund",
    ),
    (
        "ideenpool-smart-city",
        "dortmund",
        6,
        "Offene Daten zu Baustellen",
        "Alle Baustellen der Stadt als offene Daten und auf einer Karte, mit Dauer und "
        "Umleitungen.",
        "DP",
        51.5280,
        7.4700,
        "collecting",
        "",
    ),
    (
        "ideenpool-smart-city",
        "dortmund",
        3,
        "Digitale Sprechstunde im Quartier",
        "Eine wöchentliche digitale Sprechstunde der Bezirksvertretung in der Stadtteilbibliothek.",
        "ZM",
        51.4890,
        7.5050,
        "collecting",
        "",
    ),
    (
        "ideenpool-smart-city",
        "schwerte",
        1,
        "Citizen-Science-Messstation für Schulen",
        "Schulklassen bauen im Factory 4 eigene Messstationen für Luft und Lärm und teilen die "
        "Daten auf der Plattform.",
        "ZM",
        51.4470,
        7.5630,
        "referred",
        "",
    ),
]

COMMENTS = {
    "Sichere Radwege zur Gesamtschule": [
        (1, "Unbedingt! Morgens ist es an der Kreuzung sehr eng.", None),
        (3, "Gilt auch für den Weg aus Holzen.", 0),
    ],
    "Echtzeitanzeige am Bahnhof": [
        (0, "Dann bitte auch mit Ansage für Menschen, die schlecht sehen.", None),
    ],
    "Offene Daten zu Baustellen": [
        (2, "Gute Idee – auch für Navigations-Apps nützlich.", None),
    ],
}

SURVEY = {
    "title": "Wie bewegen Sie sich durch Schwerte?",
    "description": "Eine kurze Umfrage zur Mobilität in Schwerte. Sie ist anonym.",
    "questions": [
        (
            "single",
            "Wie kommen Sie meistens in die Innenstadt?",
            "Zu Fuß\nFahrrad\nBus oder Bahn\nAuto",
            5,
        ),
        ("multiple", "Was sollte sich zuerst verbessern?", "Radwege\nBustakt\nGehwege\nParken", 5),
        ("scale", "Wie zufrieden sind Sie mit dem Nahverkehr? (1 = gar nicht, 5 = sehr)", "", 5),
        ("ranking", "Was ist Ihnen am wichtigsten?", "Sicherheit\nSchnelligkeit\nKosten", 5),
        ("text", "Was möchten Sie uns noch sagen?", "", 5),
    ],
    "answers": [
        ("Fahrrad", ["Radwege"], 2, ["Sicherheit", "Schnelligkeit", "Kosten"], "Mehr Licht"),
        ("Bus oder Bahn", ["Bustakt"], 3, ["Schnelligkeit", "Sicherheit", "Kosten"], ""),
        ("Zu Fuß", ["Gehwege", "Radwege"], 4, ["Sicherheit", "Kosten", "Schnelligkeit"], ""),
        ("Auto", ["Parken"], 3, ["Kosten", "Schnelligkeit", "Sicherheit"], ""),
        (
            "Fahrrad",
            ["Radwege", "Bustakt"],
            2,
            ["Sicherheit", "Kosten", "Schnelligkeit"],
            "Abstellanlagen am Bahnhof",
        ),
        ("Bus oder Bahn", ["Bustakt", "Gehwege"], 4, ["Sicherheit", "Schnelligkeit", "Kosten"], ""),
    ],
}


def _box(lat: float, lon: float, dlat: float, dlon: float) -> str:
    ring = [
        [lon - dlon, lat - dlat],
        [lon + dlon, lat - dlat],
        [lon + dlon, lat + dlat],
        [lon - dlon, lat + dlat],
        [lon - dlon, lat - dlat],
    ]
    return json.dumps({"type": "Polygon", "coordinates": [ring]})


def _people() -> list[Any]:
    from allauth.account.models import EmailAddress

    from dos.portal.accounts.models import User

    people = []
    for name in PEOPLE:
        email = f"{name.lower()}@demo.dos.localhost"
        user, created = User.objects.get_or_create(
            email=email, defaults={"username": email, "public_name": name}
        )
        if created:
            user.set_unusable_password()
            user.save()
        EmailAddress.objects.update_or_create(
            user=user, email=email, defaults={"verified": True, "primary": True}
        )
        people.append(user)
    return people


def _moderator(city: Any) -> Any:
    from allauth.account.models import EmailAddress

    from dos.portal.accounts.actions import membership_grant
    from dos.portal.accounts.models import User
    from dos.portal.accounts.permissions import SYSTEM
    from dos.portal.accounts.roles import MODERATOR

    email = f"moderation-{city.slug}@demo.dos.localhost"
    user, created = User.objects.get_or_create(
        email=email, defaults={"username": email, "public_name": f"Moderation {city.name}"}
    )
    if created:
        user.set_unusable_password()
        user.save()
    EmailAddress.objects.update_or_create(
        user=user, email=email, defaults={"verified": True, "primary": True}
    )
    membership_grant(SYSTEM, user, MODERATOR, city)
    return user


def _phases(process: Any) -> None:
    from django.utils import timezone

    from dos.portal.participation import phases
    from dos.portal.participation.models import Phase

    today = timezone.localdate()
    spans = [
        (phases.INFORMATION, -60, -31),
        (phases.IDEA_COLLECTION, -30, 90),
        (phases.SUPPORT, 91, 130),
        (phases.EVALUATION, 131, 180),
        (phases.IMPLEMENTATION, 181, 545),
    ]
    for kind, start, end in spans:
        Phase.objects.update_or_create(
            process=process,
            kind=kind,
            defaults={
                "starts_on": today + datetime.timedelta(days=start),
                "ends_on": today + datetime.timedelta(days=end),
            },
        )


def _answers_for(target: str) -> list[tuple[str, str]]:
    """The official steps from "collecting" (or "precheck") to ``target``."""
    steps = {
        "referred": [],
        "accepted": [("accepted", "Der Ausschuss hat zugestimmt; die Umsetzung wird geplant.")],
        "implemented": [
            ("accepted", "Der Ausschuss hat zugestimmt; die Umsetzung wird geplant."),
            ("implemented", "Die Idee ist als Projekt umgesetzt worden."),
        ],
        "declined": [
            (
                "declined",
                "Der Ausschuss hat die Idee geprüft: Kosten und Eingriff in die Ruhraue "
                "stehen in keinem Verhältnis zum Nutzen.",
            )
        ],
    }
    return steps.get(target, [])


def _idea(
    row: tuple[Any, ...],
    processes: dict[str, Any],
    cities: dict[str, Any],
    people: list[Any],
    moderators: dict[str, Any],
    fields: dict[str, Any],
    projects: dict[str, Any],
) -> tuple[Any, bool]:
    from django.utils import timezone

    from dos.portal.participation import actions
    from dos.portal.participation.models import Idea, IdeaStatus

    slug, city_slug, author, title, text, field, lat, lon, target, project_slug = row
    process = processes[slug]
    existing = Idea.objects.filter(process=process, title=title).first()
    if existing is not None:
        return existing, False
    city = cities[city_slug]
    moderator = moderators[city_slug]
    idea = actions.idea_submit(
        people[author],
        process,
        title=title,
        description=text,
        city=city,
        action_field=fields.get(field),
        latitude=lat,
        longitude=lon,
    )
    if target == "precheck":
        return idea, True
    if idea.status == IdeaStatus.PRECHECK:
        actions.idea_answer(
            moderator,
            idea,
            status=IdeaStatus.COLLECTING,
            answer="Vielen Dank! Die Idee entspricht den Regeln und ist jetzt freigeschaltet.",
        )
    idea.refresh_from_db()
    for supporter in people[:5]:
        if supporter.pk != idea.author_id:
            actions.idea_support(supporter, idea)
    if target == "closed":
        Idea.objects.filter(pk=idea.pk).update(
            support_deadline=timezone.now() - datetime.timedelta(minutes=1)
        )
        actions.ideas_tick()
        return idea, True
    if target == "collecting":
        return idea, True
    idea.refresh_from_db()
    needed = max(1, 200 - idea.support_count)
    actions.paper_signatures_add(
        moderator, idea, count=needed, note="Unterschriftenliste vom Wochenmarkt"
    )
    for status, answer in _answers_for(target):
        idea.refresh_from_db()
        project = projects.get(project_slug) if status in ("accepted", "implemented") else None
        actions.idea_answer(moderator, idea, status=status, answer=answer, project=project)
    return idea, True


def _survey(process: Any, city: Any, people: list[Any], editor: Any) -> None:
    from dos.portal.participation import actions
    from dos.portal.participation.models import InvitationCode, Question, Survey

    survey, _created = Survey.objects.update_or_create(
        title=SURVEY["title"],
        defaults={
            "city": city,
            "process": process,
            "description": SURVEY["description"],
            "anonymous": True,
        },
    )
    for position, (kind, text, choices, scale_max) in enumerate(SURVEY["questions"], start=1):
        Question.objects.update_or_create(
            survey=survey,
            position=position,
            defaults={
                "kind": kind,
                "text": text,
                "choices": choices,
                "scale_max": scale_max,
                "required": kind != "text",
            },
        )
    for n in range(1, 4):
        InvitationCode.objects.get_or_create(survey=survey, code=f"SENIORENTREFF-{n:02d}")
    if survey.responses.exists():
        return
    questions = list(survey.questions.all())
    for person, values in zip(people, SURVEY["answers"], strict=False):
        actions.survey_respond(
            person, survey, {q.pk: v for q, v in zip(questions, values, strict=True)}
        )
    actions.survey_publish_results(editor, survey, published=True)


def load(say: Any) -> None:
    """Create or update the demo participation data."""
    from dos.portal.accounts.permissions import SYSTEM
    from dos.portal.participation import actions
    from dos.portal.participation.models import CityRules, District, Idea, Process
    from dos.portal.strategy.models import ActionField, Project
    from dos.portal.tenancy.models import City

    cities = {c.slug: c for c in City.objects.filter(slug__in=["dortmund", "schwerte"])}
    if len(cities) < 2:
        say("participation: the demo cities are missing, skipped")
        return
    for slug, rules in RULES.items():
        CityRules.objects.update_or_create(city=cities[slug], defaults=rules)
    for slug, districts in DISTRICTS.items():
        for name, lat, lon, dlat, dlon in districts:
            District.objects.update_or_create(
                city=cities[slug], name=name, defaults={"geometry": _box(lat, lon, dlat, dlon)}
            )
    processes = {}
    for data in PROCESSES:
        city = cities.get(data["city"]) if data["city"] else None
        process, _created = Process.objects.update_or_create(
            slug=data["slug"],
            defaults={"city": city, "title": data["title"], "description": data["description"]},
        )
        _phases(process)
        processes[process.slug] = process
    people = _people()
    moderators = {slug: _moderator(city) for slug, city in cities.items()}
    fields = {f.code: f for f in ActionField.objects.all()}
    projects = {p.slug: p for p in Project.objects.all()}
    added = 0
    for row in IDEAS:
        idea, created = _idea(row, processes, cities, people, moderators, fields, projects)
        added += created
        if not created:
            continue
        for author, body, parent in COMMENTS.get(idea.title, []):
            idea.refresh_from_db()
            if not idea.is_public:
                continue
            parent_comment = (
                list(idea.comments.order_by("pk"))[parent] if parent is not None else None
            )
            actions.comment_create(people[author], idea, body=body, parent=parent_comment)
        if idea.title == "Sichere Radwege zur Gesamtschule":
            actions.comment_create(
                moderators["schwerte"],
                idea,
                official=True,
                body="Die Verwaltung prüft gerade eine Fahrradstraße auf diesem Abschnitt.",
            )
    _survey(processes["mobilitaet-in-schwerte"], cities["schwerte"], people, SYSTEM)
    say(f"participation: 2 processes, {Idea.objects.count()} ideas ({added} added), 1 survey")
