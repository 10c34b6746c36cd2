"""Submitting ideas: allowed and refused cases, bad input, images, districts, pre-check."""

from __future__ import annotations

import io
import json

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from dos.portal.participation import phases
from dos.portal.participation.actions import idea_submit
from dos.portal.participation.models import CityRules, District, Idea, IdeaStatus
from tests.portal.participation.conftest import login, make_process

pytestmark = pytest.mark.django_db


def jpeg_with_exif() -> SimpleUploadedFile:
    image = Image.new("RGB", (2400, 1200), "#3366aa")
    exif = Image.Exif()
    exif[0x010F] = "SecretCam"  # Make
    exif[0x0132] = "2024:01:01 10:00:00"
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif)
    return SimpleUploadedFile("foto.jpg", out.getvalue(), content_type="image/jpeg")


def test_submit_publishes_at_once_without_precheck(process, citizen, other_citizen) -> None:
    from dos.portal.participation.actions import follow_set

    follow_set(other_citizen, process=process, following=True)
    idea = idea_submit(citizen, process, title="Mehr Bänke", description="Am Marktplatz.")
    idea.refresh_from_db()
    assert idea.published and idea.status == IdeaStatus.COLLECTING
    assert idea.support_deadline is not None
    assert [c.status for c in idea.status_changes.all()] == ["submitted", "collecting"]
    # The process's followers hear of the new idea, the author follows it.
    assert "Mehr Bänke" in other_citizen.participation_notices.get().text
    assert idea.follows.filter(user=citizen).exists()


def test_submit_waits_for_precheck_when_the_city_wants_it(process, citizen, city) -> None:
    CityRules.objects.filter(city=city).update(precheck_ideas=True)
    idea = idea_submit(citizen, process, title="Mehr Bänke", description="Am Marktplatz.")
    assert not idea.published and idea.status == IdeaStatus.PRECHECK
    assert [c.status for c in idea.status_changes.all()] == ["submitted", "precheck"]


def test_submit_refused_for_unverified_user(process, unverified) -> None:
    with pytest.raises(PermissionDenied):
        idea_submit(unverified, process, title="Titel", description="Text")
    assert Idea.objects.count() == 0


def test_submit_refused_in_wrong_phase(city, rules, citizen) -> None:
    process = make_process(city, phases.EVALUATION)
    with pytest.raises(ValidationError) as exc:
        idea_submit(citizen, process, title="Titel", description="Text")
    assert "keine neuen Ideen" in exc.value.messages[0]
    assert Idea.objects.count() == 0


@pytest.mark.parametrize(
    ("title", "description", "field", "words"),
    [
        ("", "Text", "title", "Titel"),
        ("x" * 121, "Text", "title", "120"),
        ("Titel", "   ", "description", "beschreiben"),
        ("Titel", "y" * 5001, "description", "5000"),
        ("<script>alert(1)</script>", "Text", "title", "Titel"),
    ],
)
def test_bad_input_names_the_field_and_saves_nothing(
    process, citizen, title, description, field, words
) -> None:
    with pytest.raises(ValidationError) as exc:
        idea_submit(citizen, process, title=title, description=description)
    assert words in exc.value.message_dict[field][0]
    assert Idea.objects.count() == 0


def test_markup_is_removed(process, citizen) -> None:
    idea = idea_submit(
        citizen,
        process,
        title="<b>Bänke</b>",
        description='Text <img src="https://tracker.example/p.gif"><script>x()</script>',
    )
    assert idea.title == "Bänke"
    assert idea.description == "Text"


def test_image_is_reencoded_without_metadata(process, citizen) -> None:
    idea = idea_submit(
        citizen, process, title="Mit Foto", description="Text", image=jpeg_with_exif()
    )
    with Image.open(idea.image.path) as stored:
        assert not stored.getexif()
        assert max(stored.size) == 1600


def test_wrong_image_type_is_refused(process, citizen) -> None:
    fake = SimpleUploadedFile("bild.png", b"GIF89a not really", content_type="image/png")
    with pytest.raises(ValidationError) as exc:
        idea_submit(citizen, process, title="Titel", description="Text", image=fake)
    assert "JPEG, PNG oder WebP" in exc.value.message_dict["image"][0]
    assert Idea.objects.count() == 0


def test_district_is_derived_from_the_location(process, citizen, city) -> None:
    square = {
        "type": "Polygon",
        "coordinates": [
            [[7.55, 51.44], [7.58, 51.44], [7.58, 51.46], [7.55, 51.46], [7.55, 51.44]]
        ],
    }
    District.objects.create(city=city, name="Innenstadt", geometry=json.dumps(square))
    inside = idea_submit(
        citizen, process, title="Hier", description="Text", latitude=51.45, longitude=7.56
    )
    outside = idea_submit(
        citizen, process, title="Dort", description="Text", latitude=51.40, longitude=7.50
    )
    assert inside.district.name == "Innenstadt"
    assert outside.district is None


def test_half_a_location_is_refused(process, citizen) -> None:
    with pytest.raises(ValidationError) as exc:
        idea_submit(citizen, process, title="T", description="Text", latitude=51.4)
    assert "latitude" in exc.value.message_dict


def test_region_process_needs_the_city(rules, citizen, city) -> None:
    process = make_process(None)
    with pytest.raises(ValidationError) as exc:
        idea_submit(citizen, process, title="T", description="Text")
    assert "city" in exc.value.message_dict
    idea = idea_submit(citizen, process, title="T", description="Text", city=city)
    assert idea.city == city


def test_form_view_submits_and_refuses(client, process, citizen, action_field) -> None:
    login(client, citizen)
    url = f"/beteiligung/{process.slug}/idee/neu/"
    page = client.get(url)
    assert page.status_code == 200 and "Idee einreichen" in page.content.decode()
    bad = client.post(url, {"title": "", "description": "Text", "city": process.city_id})
    assert bad.status_code == 200
    assert "Dieses Feld ist zwingend erforderlich" in bad.content.decode()
    bot = client.post(
        url,
        {"title": "T", "description": "Text", "city": process.city_id, "website": "http://spam"},
    )
    assert "muss leer bleiben" in bot.content.decode()
    assert Idea.objects.count() == 0
    ok = client.post(
        url,
        {
            "title": "Fahrradstraße",
            "description": "Eine Fahrradstraße am Bahnhof",
            "city": process.city_id,
            "action_field": action_field.pk,
            "latitude": "51.45",
            "longitude": "7.56",
        },
    )
    idea = Idea.objects.get()
    assert ok.status_code == 302 and ok["Location"] == idea.get_absolute_url()
    assert idea.action_field == action_field and idea.latitude == 51.45


def test_form_view_refuses_unverified(client, process, unverified) -> None:
    login(client, unverified)
    response = client.get(f"/beteiligung/{process.slug}/idee/neu/")
    assert response.status_code == 302


def test_similar_ideas_and_action_field_suggestion(client, process, citizen, action_field) -> None:
    idea_submit(citizen, process, title="Sichere Radwege zur Schule", description="Radwege")
    idea_submit(citizen, process, title="Mehr Bäume im Park", description="Grün")
    response = client.get(
        "/beteiligung/aehnlich/", {"process": process.slug, "q": "Radweg an der Schule"}
    )
    data = response.json()
    assert [i["title"] for i in data["ideas"]] == ["Sichere Radwege zur Schule"]
    assert data["action_fields"][0]["name"] == "Mobilität"
    bad = client.get("/beteiligung/aehnlich/", {"process": "gibt-es-nicht", "q": "x"})
    assert bad.status_code == 400 and bad.json()["error"]["field"] == "process"


def test_rate_limit_per_user(client, process, citizen, monkeypatch) -> None:
    from dos.portal.participation import ratelimit

    monkeypatch.setitem(ratelimit.LIMITS, "idea", (1, 3600))
    login(client, citizen)
    url = f"/beteiligung/{process.slug}/idee/neu/"
    data = {"title": "Eins", "description": "Text", "city": process.city_id}
    assert client.post(url, data).status_code == 302
    assert client.post(url, {**data, "title": "Zwei"}).status_code == 429
    assert Idea.objects.count() == 1
