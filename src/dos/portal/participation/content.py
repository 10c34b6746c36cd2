"""User content: text is stored with all markup removed and shown escaped, so no script
and no tracking image can get through; images are re-encoded without their metadata."""

from __future__ import annotations

import html
import io
import uuid

import nh3
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.utils.translation import gettext as _

MAX_IMAGE_BYTES = 5 * 1024 * 1024
MAX_IMAGE_PIXELS = 40_000_000
IMAGE_LONG_SIDE = 1600
IMAGE_FORMATS = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp"}


def plain_text(value: str) -> str:
    """``value`` without any HTML (script and style elements go with their content)."""
    cleaned = nh3.clean(value, tags=set(), clean_content_tags={"script", "style"})
    return html.unescape(cleaned).strip()


def clean_image(upload: object) -> ContentFile:  # type: ignore[type-arg]
    """Check an uploaded image (JPEG, PNG or WebP, at most 5 MB) and return it re-encoded
    without EXIF or other metadata, its long side at most 1600 px.

    Raises :class:`ValidationError` naming the problem.
    """
    from PIL import Image, UnidentifiedImageError

    size = getattr(upload, "size", 0) or 0
    if size > MAX_IMAGE_BYTES:
        raise ValidationError(_("The image is larger than 5 MB."), code="image_size")
    raw = upload.read()  # type: ignore[attr-defined]
    try:
        with Image.open(io.BytesIO(raw)) as probe:
            kind = probe.format
            if kind not in IMAGE_FORMATS:
                raise ValidationError(
                    _("Please upload a JPEG, PNG or WebP image."), code="image_type"
                )
            if probe.width * probe.height > MAX_IMAGE_PIXELS:
                raise ValidationError(_("The image has too many pixels."), code="image_size")
            probe.load()
            image = probe.copy()
    except (UnidentifiedImageError, OSError, Image.DecompressionBombError):
        raise ValidationError(
            _("Please upload a JPEG, PNG or WebP image."), code="image_type"
        ) from None
    image.thumbnail((IMAGE_LONG_SIDE, IMAGE_LONG_SIDE))
    # A fresh image from the pixels alone carries no EXIF, GPS or XMP data.
    mode = "RGBA" if image.mode in ("RGBA", "LA", "P") and kind != "JPEG" else "RGB"
    clean = Image.new(mode, image.size)
    clean.paste(image.convert(mode))
    out = io.BytesIO()
    clean.save(out, format=kind, quality=85) if kind != "PNG" else clean.save(out, format=kind)
    return ContentFile(out.getvalue(), name=f"{uuid.uuid4().hex}.{IMAGE_FORMATS[kind]}")
