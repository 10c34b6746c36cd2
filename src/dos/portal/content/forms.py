"""Back-office forms; they check input at the field, the actions then do the writing."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from dos.portal.content.models import Document, Page, Post, PostImage
from dos.portal.content.uploads import (
    ALLOWED_DOCUMENT_LABEL,
    MAX_DOCUMENT_BYTES,
    MAX_IMAGE_BYTES,
    check_document,
    process_image,
)


def _field_errors(exc: ValidationError, field: str) -> list[Any]:
    return exc.message_dict.get(field, exc.messages) if hasattr(exc, "error_dict") else exc.messages


class PostForm(forms.ModelForm):  # type: ignore[type-arg]
    """Title, texts, city and links of a post; tags as a comma-separated list."""

    tag_names = forms.CharField(
        label=_("tags"),
        required=False,
        help_text=_("Separated by commas, e.g. Sensorik, Klima."),
    )

    class Meta:
        model = Post
        fields = [
            "kind",
            "city",
            "title",
            "slug",
            "teaser",
            "body",
            "title_en",
            "teaser_en",
            "body_en",
            "published_at",
            "action_fields",
            "projects",
        ]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["slug"].required = False
        if self.instance.pk:
            self.fields["tag_names"].initial = ", ".join(t.name for t in self.instance.tags.all())

    def clean_tag_names(self) -> list[str]:
        raw = self.cleaned_data.get("tag_names") or ""
        return [name.strip() for name in raw.split(",") if name.strip()]

    def _post_clean(self) -> None:
        # The slug is made unique by the action; skip the model's unique check for an empty one.
        if not self.cleaned_data.get("slug"):
            self.instance.slug = "-"
        super()._post_clean()


class PostImageForm(forms.ModelForm):  # type: ignore[type-arg]
    """An image upload with its required alternative text."""

    upload = forms.FileField(
        label=_("image file"),
        help_text=_("JPEG, PNG or WebP, at most %(size)d MB. Metadata (EXIF) is removed.")
        % {"size": MAX_IMAGE_BYTES // (1024 * 1024)},
    )

    class Meta:
        model = PostImage
        fields = ["post", "alt_text", "caption"]

    def clean_upload(self) -> Any:
        upload = self.cleaned_data["upload"]
        try:
            process_image(upload, field="upload")
        except ValidationError as exc:
            raise ValidationError(_field_errors(exc, "upload")) from exc
        upload.seek(0)
        return upload


class DocumentForm(forms.ModelForm):  # type: ignore[type-arg]
    """An official document to offer for download."""

    upload = forms.FileField(
        label=_("file"),
        help_text=_("Allowed: %(types)s, at most %(size)d MB.")
        % {"types": ALLOWED_DOCUMENT_LABEL, "size": MAX_DOCUMENT_BYTES // (1024 * 1024)},
    )

    class Meta:
        model = Document
        fields = ["city", "title", "description"]

    def clean_upload(self) -> Any:
        upload = self.cleaned_data["upload"]
        try:
            check_document(upload, upload.name, field="upload")
        except ValidationError as exc:
            raise ValidationError(_field_errors(exc, "upload")) from exc
        upload.seek(0)
        return upload


class PageForm(forms.ModelForm):  # type: ignore[type-arg]
    class Meta:
        model = Page
        fields = [
            "city",
            "slug",
            "title",
            "body",
            "title_en",
            "body_en",
            "navigation",
            "navigation_order",
            "is_published",
        ]
