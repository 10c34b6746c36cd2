"""Links between the apps, on the demo region: what a citizen sees on a project page."""

from __future__ import annotations

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo() -> None:
    from importlib import import_module

    for step in ("region", "strategy", "content", "participation"):
        import_module(f"dos.demo.{step}").load(lambda _msg: None)


def test_project_page_shows_its_source_ideas_and_linked_news(client: Client, demo: None) -> None:
    from dos.portal.content.models import Post
    from dos.portal.participation.models import Idea

    idea = Idea.objects.exclude(project=None).select_related("project").first()
    assert idea is not None, "the demo links accepted ideas to projects"
    html = client.get(f"/strategie/projekte/{idea.project.slug}/").content.decode()
    assert "Ideen, aus denen dieses Projekt entstand" in html
    assert idea.title in html

    post = Post.objects.visible().exclude(projects=None).first()
    assert post is not None, "the demo links news to projects"
    project = post.projects.first()
    html = client.get(f"/strategie/projekte/{project.slug}/").content.decode()
    assert post.title in html
