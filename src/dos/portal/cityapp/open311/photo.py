"""Photos attached to defect reports: type and size limits, metadata (EXIF, GPS) stripped."""

from __future__ import annotations

import io
import uuid
import warnings
from typing import Any

from django.core.files.base import ContentFile
from PIL import Image, ImageOps, UnidentifiedImageError

MAX_BYTES = 5 * 1024 * 1024
MAX_PIXELS = 40_000_000
MAX_EDGE = 2560
#: Accepted image formats and what they are stored as.
FORMATS = {"JPEG": ("JPEG", "jpg"), "PNG": ("PNG", "png"), "WEBP": ("JPEG", "jpg")}


class PhotoError(ValueError):
    """The upload is not an acceptable photo; the message says why."""


def clean_photo(upload: Any) -> ContentFile[bytes]:
    """Re-encode an uploaded photo without any metadata; raises :class:`PhotoError`.

    Re-encoding (rather than deleting EXIF tags) also drops XMP, IPTC, comments and anything
    hidden after the image data.
    """
    if upload.size > MAX_BYTES:
        raise PhotoError(f"media is larger than {MAX_BYTES // (1024 * 1024)} MB")
    data = upload.read()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data))
            if image.format not in FORMATS:
                raise PhotoError("media must be a JPEG, PNG or WebP image")
            if image.width * image.height > MAX_PIXELS:
                raise PhotoError("media has too many pixels")
            image.load()
    except PhotoError:
        raise
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Warning):
        raise PhotoError("media is not a readable image") from None
    target, extension = FORMATS[image.format]
    image = ImageOps.exif_transpose(image)
    image.thumbnail((MAX_EDGE, MAX_EDGE))
    if target == "JPEG" and image.mode not in ("RGB", "L"):
        image = image.convert("RGB")
    image.info = {}  # Pillow would otherwise write EXIF/ICC/text chunks back
    out = io.BytesIO()
    if target == "JPEG":
        image.save(out, format=target, quality=85, exif=b"")
    else:
        image.save(out, format=target)
    return ContentFile(out.getvalue(), name=f"{uuid.uuid4().hex}.{extension}")
