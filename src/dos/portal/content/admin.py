"""Back office for content: every save and every workflow step goes through the actions."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from dos.portal.accounts.admin_scoping import CityScopedAdmin
from dos.portal.content import actions
from dos.portal.content.forms import DocumentForm, PageForm, PostForm, PostImageForm
from dos.portal.content.models import Document, Page, Post, PostImage, Tag
from dos.portal.web.translated import ENGLISH_SECTION

#: The English texts of a post, edited under "English (optional)".
ENGLISH = ("title_en", "teaser_en", "body_en")


def _each(
    request: HttpRequest, queryset: QuerySet[Post], step: Callable[[Any, Post], Any], done: str
) -> None:
    count = 0
    for post in queryset:
        try:
            step(request.user, post)
            count += 1
        except PermissionDenied:
            messages.error(request, _("“%(post)s”: you may not do this.") % {"post": post})
        except ValidationError as exc:
            messages.error(request, f"“{post}”: {' '.join(exc.messages)}")
    if count:
        messages.success(request, f"{done}: {count}")


@admin.action(description=_("Submit for review"))
def submit(modeladmin: Any, request: HttpRequest, queryset: QuerySet[Post]) -> None:
    _each(request, queryset, actions.post_submit, str(_("Submitted for review")))


@admin.action(description=_("Publish (at the publication time, if set in the future)"))
def publish(modeladmin: Any, request: HttpRequest, queryset: QuerySet[Post]) -> None:
    _each(request, queryset, actions.post_publish, str(_("Published")))


@admin.action(description=_("Send back to the authors"))
def reject(modeladmin: Any, request: HttpRequest, queryset: QuerySet[Post]) -> None:
    _each(request, queryset, actions.post_reject, str(_("Sent back")))


@admin.action(description=_("Withdraw publication"))
def unpublish(modeladmin: Any, request: HttpRequest, queryset: QuerySet[Post]) -> None:
    _each(request, queryset, actions.post_unpublish, str(_("Withdrawn")))


class PostImageInline(admin.TabularInline):  # type: ignore[type-arg]
    model = PostImage
    fields = ["alt_text", "caption", "content_type", "width", "height"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Post)
class PostAdmin(CityScopedAdmin):
    form = PostForm
    list_display = ["title", "kind", "city", "status", "published_at"]
    list_filter = ["kind", "status", "city"]
    search_fields = ["title", "teaser"]
    actions = [submit, publish, reject, unpublish]
    inlines = [PostImageInline]
    filter_horizontal = ["action_fields", "projects"]
    fieldsets = [
        (None, {"fields": ["kind", "city", "title", "slug", "teaser", "body", "published_at"]}),
        (ENGLISH_SECTION, {"fields": list(ENGLISH)}),
        (_("Links"), {"fields": ["tag_names", "action_fields", "projects"]}),
    ]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        # The kind is part of the address; it stays as created.
        return ["kind"] if obj is not None else []

    def save_model(self, request: HttpRequest, obj: Post, form: Any, change: bool) -> None:
        names = ("title", "teaser", "body", "city", "published_at")
        data = {name: form.cleaned_data.get(name) for name in names}
        data.update({name: form.cleaned_data.get(name) or "" for name in ENGLISH})
        links = {
            "tags": form.cleaned_data.get("tag_names", []),
            "action_fields": form.cleaned_data.get("action_fields", []),
            "projects": form.cleaned_data.get("projects", []),
        }
        slug = form.cleaned_data.get("slug") or None
        if change:
            saved = actions.post_update(
                request.user,
                Post.objects.get(pk=obj.pk),
                **data,
                **({"slug": slug} if slug else {}),
                **links,
            )
        else:
            saved = actions.post_create(
                request.user, kind=form.cleaned_data["kind"], slug=slug, **data, **links
            )
        obj.pk = saved.pk
        obj.refresh_from_db()

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        """Links were set by the action already."""

    def delete_model(self, request: HttpRequest, obj: Post) -> None:
        actions.post_delete(request.user, obj)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Post]) -> None:
        for post in queryset:
            actions.post_delete(request.user, post)


@admin.register(PostImage)
class PostImageAdmin(CityScopedAdmin):
    form = PostImageForm
    city_lookup = "post__city"
    list_display = ["alt_text", "post", "content_type", "width", "height"]

    def _perm(self, action: str) -> str:
        return f"content.{'view' if action == 'view' else 'change'}_post"

    def save_model(self, request: HttpRequest, obj: PostImage, form: Any, change: bool) -> None:
        if change:
            obj.alt_text = form.cleaned_data["alt_text"]
            obj.caption = form.cleaned_data.get("caption", "")
            actions.post_image_update(request.user, obj)
            return
        saved = actions.post_image_add(
            request.user,
            form.cleaned_data["post"],
            form.cleaned_data["upload"],
            alt_text=form.cleaned_data["alt_text"],
            caption=form.cleaned_data.get("caption", ""),
        )
        obj.pk = saved.pk
        obj.refresh_from_db()

    def get_form(self, request: HttpRequest, obj: Any = None, **kwargs: Any) -> Any:
        form = super().get_form(request, obj, **kwargs)
        if obj is not None:
            form.base_fields["upload"].required = False
        return form

    def delete_model(self, request: HttpRequest, obj: PostImage) -> None:
        actions.post_image_delete(request.user, obj)


@admin.register(Page)
class PageAdmin(CityScopedAdmin):
    form = PageForm
    list_display = ["title", "slug", "city", "navigation", "is_published", "updated_at"]
    list_filter = ["city", "navigation", "is_published"]
    fieldsets = [
        (None, {"fields": ["city", "slug", "title", "body"]}),
        (ENGLISH_SECTION, {"fields": ["title_en", "body_en"]}),
        (None, {"fields": ["navigation", "navigation_order", "is_published"]}),
    ]

    def save_model(self, request: HttpRequest, obj: Page, form: Any, change: bool) -> None:
        data = dict(form.cleaned_data)
        city, slug = data.pop("city"), data.pop("slug")
        if change:
            original = Page.objects.get(pk=obj.pk)
            if (original.city_id, original.slug) != (getattr(city, "pk", None), slug):
                actions.page_delete(request.user, original)
        saved = actions.page_save(request.user, slug=slug, city=city, **data)
        obj.pk = saved.pk
        obj.refresh_from_db()

    def delete_model(self, request: HttpRequest, obj: Page) -> None:
        actions.page_delete(request.user, obj)


@admin.register(Document)
class DocumentAdmin(CityScopedAdmin):
    form = DocumentForm
    list_display = ["title", "city", "filename", "content_type", "size", "uploaded_at"]
    readonly_fields = ["filename", "content_type", "size"]

    def get_form(self, request: HttpRequest, obj: Any = None, **kwargs: Any) -> Any:
        form = super().get_form(request, obj, **kwargs)
        if obj is not None:
            form.base_fields["upload"].required = False
        return form

    def save_model(self, request: HttpRequest, obj: Document, form: Any, change: bool) -> None:
        upload = form.cleaned_data.get("upload")
        fields = {
            "title": form.cleaned_data["title"],
            "description": form.cleaned_data.get("description", ""),
        }
        if change:
            actions.document_update(request.user, Document.objects.get(pk=obj.pk), **fields)
            return
        saved = actions.document_upload(
            request.user,
            upload=upload,
            filename=upload.name,
            city=form.cleaned_data.get("city"),
            **fields,
        )
        obj.pk = saved.pk
        obj.refresh_from_db()

    def delete_model(self, request: HttpRequest, obj: Document) -> None:
        actions.document_delete(request.user, obj)


@admin.register(Tag)
class TagAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ["name", "slug"]
    search_fields = ["name"]

    # Tags are created by the post actions (from the post's tag list); here they are only read.
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
