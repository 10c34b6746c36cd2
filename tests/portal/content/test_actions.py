"""Every post, page and document action: allowed and refused, and the workflow."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from dos.portal.content import actions
from dos.portal.content.models import Page, Post
from tests.portal.content.conftest import People


def draft(people: People, city: str = "dortmund", kind: str = "news") -> Post:
    return actions.post_create(
        people.editor if city == "dortmund" else people.schwerte_editor,
        kind=kind,
        title="Neue Klimastationen",
        teaser="Das Klimamessnetz wächst.",
        body="<p>Text</p>",
        city=getattr(people, city),
    )


def test_editor_writes_a_draft_of_their_city(people: People) -> None:
    post = actions.post_create(
        people.editor,
        kind="news",
        title="Brückensensorik: zwei Brücken ausgestattet",
        teaser="Sensoren messen Schwingungen.",
        body="<p>Die Brücke an der Wittekindstraße ist ausgestattet.</p>",
        city=people.dortmund,
        tags=["Sensorik", "Brücken", "Sensorik"],
    )
    stored = Post.objects.get(pk=post.pk)
    assert stored.status == Post.Status.DRAFT
    assert stored.slug == "bruckensensorik-zwei-brucken-ausgestattet"
    assert stored.created_by == people.editor
    assert sorted(t.name for t in stored.tags.all()) == ["Brücken", "Sensorik"]
    assert stored.published_at is None


@pytest.mark.parametrize("who", ["schwerte_editor", "citizen"])
def test_others_cannot_write_for_dortmund(people: People, who: str) -> None:
    with pytest.raises(PermissionDenied, match=r"content\.add_post"):
        actions.post_create(
            getattr(people, who), kind="news", title="X", teaser="Y", city=people.dortmund
        )
    assert not Post.objects.exists()


def test_region_post_needs_a_region_wide_role(people: People) -> None:
    with pytest.raises(PermissionDenied):
        actions.post_create(people.editor, kind="blog", title="Region", teaser="T", city=None)
    post = actions.post_create(
        people.region_editor, kind="blog", title="Region", teaser="T", city=None
    )
    assert Post.objects.get(pk=post.pk).city is None


def test_slugs_are_unique_per_kind(people: People) -> None:
    first = draft(people)
    second = draft(people)
    blog = draft(people, kind="blog")
    assert (first.slug, second.slug, blog.slug) == (
        "neue-klimastationen",
        "neue-klimastationen-2",
        "neue-klimastationen",
    )


def test_update_by_editor_and_refusals(people: People) -> None:
    post = draft(people)
    actions.post_update(people.editor, post, title="Neuer Titel", tags=["Klima"])
    stored = Post.objects.get(pk=post.pk)
    assert stored.title == "Neuer Titel"
    assert [t.name for t in stored.tags.all()] == ["Klima"]
    with pytest.raises(PermissionDenied):
        actions.post_update(people.schwerte_editor, post, title="Fremd")
    with pytest.raises(PermissionDenied):
        actions.post_update(people.citizen, post, title="Fremd")
    with pytest.raises(PermissionDenied):  # moving it to a city where the editor has no role
        actions.post_update(people.editor, post, city=people.schwerte)
    assert Post.objects.get(pk=post.pk).title == "Neuer Titel"
    assert Post.objects.get(pk=post.pk).city == people.dortmund


def test_invalid_update_saves_nothing(people: People) -> None:
    post = draft(people)
    with pytest.raises(ValidationError) as error:
        actions.post_update(people.editor, post, title="", teaser="neu")
    assert "title" in error.value.message_dict
    assert Post.objects.get(pk=post.pk).teaser == "Das Klimamessnetz wächst."


def test_workflow_draft_review_published(people: People) -> None:
    post = draft(people)
    actions.post_submit(people.editor, post)
    assert Post.objects.get(pk=post.pk).status == Post.Status.REVIEW
    with pytest.raises(PermissionDenied, match=r"content\.publish_post"):
        actions.post_publish(people.editor, post)
    with pytest.raises(PermissionDenied):
        actions.post_publish(people.schwerte_reviewer, post)
    actions.post_publish(people.reviewer, post)
    stored = Post.objects.get(pk=post.pk)
    assert stored.status == Post.Status.PUBLISHED
    assert stored.reviewed_by == people.reviewer
    assert stored.published_at is not None and stored.is_visible


def test_reviewer_sends_back_and_withdraws(people: People) -> None:
    post = draft(people)
    actions.post_submit(people.editor, post)
    with pytest.raises(PermissionDenied):
        actions.post_reject(people.editor, post)
    actions.post_reject(people.reviewer, post)
    assert Post.objects.get(pk=post.pk).status == Post.Status.DRAFT
    actions.post_publish(people.reviewer, post)
    with pytest.raises(PermissionDenied):
        actions.post_unpublish(people.editor, post)
    actions.post_unpublish(people.reviewer, post)
    stored = Post.objects.get(pk=post.pk)
    assert (stored.status, stored.published_at) == (Post.Status.DRAFT, None)


def test_invalid_transitions_are_refused_with_a_message(people: People) -> None:
    post = draft(people)
    with pytest.raises(ValidationError) as error:
        actions.post_reject(people.reviewer, post)
    assert "status" in error.value.message_dict
    actions.post_submit(people.editor, post)
    with pytest.raises(ValidationError):
        actions.post_submit(people.editor, post)
    with pytest.raises(ValidationError):
        actions.post_unpublish(people.reviewer, post)
    assert Post.objects.get(pk=post.pk).status == Post.Status.REVIEW


def test_published_posts_are_changed_only_by_reviewers(people: People) -> None:
    post = draft(people)
    actions.post_publish(people.reviewer, post)
    with pytest.raises(PermissionDenied):
        actions.post_update(people.editor, post, title="Unbemerkt geändert")
    with pytest.raises(PermissionDenied):
        actions.post_delete(people.editor, post)
    actions.post_update(people.reviewer, post, title="Korrigiert")
    assert Post.objects.get(pk=post.pk).title == "Korrigiert"


def test_scheduled_publication(people: People) -> None:
    post = draft(people)
    later = timezone.now() + timedelta(days=2)
    actions.post_publish(people.reviewer, post, at=later)
    stored = Post.objects.get(pk=post.pk)
    assert stored.status == Post.Status.PUBLISHED
    assert stored.published_at == later
    assert stored.is_scheduled and not stored.is_visible
    assert not Post.objects.visible().filter(pk=post.pk).exists()
    assert Post.objects.visible(now=later + timedelta(seconds=1)).filter(pk=post.pk).exists()


def test_delete_post(people: People) -> None:
    post = draft(people)
    with pytest.raises(PermissionDenied):
        actions.post_delete(people.schwerte_editor, post)
    with pytest.raises(PermissionDenied):
        actions.post_delete(people.citizen, post)
    actions.post_delete(people.editor, post)
    assert not Post.objects.filter(pk=post.pk).exists()


def test_pages_by_city_editors(people: People) -> None:
    page = actions.page_save(
        people.editor,
        slug="ueber-die-strategie",
        city=people.dortmund,
        title="Über die Strategie",
        body="<p>DOS 2030</p><script>x()</script>",
        navigation=Page.Navigation.MAIN,
    )
    stored = Page.objects.get(pk=page.pk)
    assert stored.body == "<p>DOS 2030</p>"
    assert stored.updated_by == people.editor
    with pytest.raises(PermissionDenied, match=r"content\.change_page"):
        actions.page_save(
            people.schwerte_editor, slug="ueber-die-strategie", city=people.dortmund, title="X"
        )
    with pytest.raises(PermissionDenied, match=r"content\.add_page"):
        actions.page_save(people.editor, slug="impressum", city=None, title="X", body="Y")
    with pytest.raises(PermissionDenied):
        actions.page_delete(people.citizen, page)
    actions.page_save(people.editor, slug="ueber-die-strategie", city=people.dortmund, title="Neu")
    assert Page.objects.get(pk=page.pk).title == "Neu"
    actions.page_delete(people.editor, page)
    assert not Page.objects.exists()


def test_page_with_missing_title_is_refused(people: People) -> None:
    with pytest.raises(ValidationError) as error:
        actions.page_save(people.region_editor, slug="about", title="", body="<p>x</p>")
    assert "title" in error.value.message_dict
    assert not Page.objects.exists()


def test_wished_publication_time_is_kept_by_the_reviewer(people: People) -> None:
    later = timezone.now() + timedelta(days=3)
    post = actions.post_create(
        people.editor,
        kind="news",
        title="Termin",
        teaser="T",
        city=people.dortmund,
        published_at=later,
    )
    actions.post_submit(people.editor, post)
    actions.post_publish(people.reviewer, post)
    stored = Post.objects.get(pk=post.pk)
    assert stored.published_at == later and stored.is_scheduled
