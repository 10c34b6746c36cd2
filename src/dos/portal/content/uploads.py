"""Checks and processing of uploaded images and documents.

The type is recognised from the file's content, never trusted from its name or the browser.
Images are re-encoded by Pillow: that drops EXIF (GPS position, camera serial …) and any other
metadata, applies the EXIF orientation first and bounds the size.
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass
from typing import IO

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _
from PIL import Image, ImageOps, UnidentifiedImageError

MAX_IMAGE_BYTES = 8 * 1024 * 1024
MAX_IMAGE_PIXELS = 40_000_000
MAX_IMAGE_EDGE = 2400
IMAGE_FORMATS = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp"}

MAX_DOCUMENT_BYTES = 30 * 1024 * 1024


@dataclass(frozen=True)
class DocumentType:
    extension: str
    label: str


DOCUMENT_TYPES = {
    "application/pdf": DocumentType("pdf", "PDF"),
    "application/vnd.oasis.opendocument.text": DocumentType("odt", "ODT"),
    "application/vnd.oasis.opendocument.spreadsheet": DocumentType("ods", "ODS"),
    "application/vnd.oasis.opendocument.presentation": DocumentType("odp", "ODP"),
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": DocumentType(
        "docx", "DOCX"
    ),
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": DocumentType(
        "xlsx", "XLSX"
    ),
    "text/csv": DocumentType("csv", "CSV"),
}
ALLOWED_DOCUMENT_LABEL = ", ".join(spec.label for spec in DOCUMENT_TYPES.values())

_OOXML = {
    "word/": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xl/": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


@dataclass(frozen=True)
class ProcessedImage:
    content: ContentFile  # type: ignore[type-arg]
    content_type: str
    width: int
    height: int


def _read_capped(upload: IO[bytes], limit: int, field: str, what: str) -> bytes:
    size = getattr(upload, "size", None)
    if size is not None and size > limit:
        raise ValidationError(
            {field: _too_big(what, size, limit)},
            code="too_big",
        )
    upload.seek(0)
    data = upload.read(limit + 1)
    if len(data) > limit:
        raise ValidationError({field: _too_big(what, len(data), limit)}, code="too_big")
    if not data:
        raise ValidationError({field: _("The file is empty.")}, code="empty")
    return data


def _too_big(what: str, size: int, limit: int) -> str:
    return str(
        _("The %(what)s is %(size)s; at most %(limit)s are allowed.")
        % {"what": what, "size": filesizeformat(size), "limit": filesizeformat(limit)}
    )


def process_image(upload: IO[bytes], field: str = "file") -> ProcessedImage:
    """Validate an uploaded image (JPEG, PNG or WebP, size-limited) and re-encode it."""
    data = _read_capped(upload, MAX_IMAGE_BYTES, field, str(_("image")))
    wrong_type = ValidationError(
        {field: _("This is not an image in an allowed format (JPEG, PNG or WebP).")},
        code="type",
    )
    try:
        with Image.open(io.BytesIO(data)) as probe:
            fmt = probe.format or ""
            width, height = probe.size
    except (UnidentifiedImageError, OSError, Image.DecompressionBombError) as exc:
        raise wrong_type from exc
    if fmt not in IMAGE_FORMATS:
        raise wrong_type
    if width * height > MAX_IMAGE_PIXELS:
        raise ValidationError(
            {field: _("The image has too many pixels (at most 40 megapixels).")}, code="too_big"
        )
    try:
        with Image.open(io.BytesIO(data)) as source:
            source.load()
            image = ImageOps.exif_transpose(source)
    except (OSError, ValueError) as exc:
        raise wrong_type from exc
    image.thumbnail((MAX_IMAGE_EDGE, MAX_IMAGE_EDGE))
    out = io.BytesIO()
    # A fresh save without exif=/pnginfo= writes no metadata at all.
    if fmt == "JPEG":
        image.convert("RGB").save(out, "JPEG", quality=86, optimize=True)
    elif fmt == "PNG":
        image.save(out, "PNG", optimize=True)
    else:
        image.save(out, "WEBP", quality=86)
    extension = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp"}[fmt]
    return ProcessedImage(
        content=ContentFile(out.getvalue(), name=f"image.{extension}"),
        content_type=IMAGE_FORMATS[fmt],
        width=image.width,
        height=image.height,
    )


def _zip_type(data: bytes) -> str | None:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = archive.namelist()
            if "mimetype" in names:
                mimetype = archive.read("mimetype").decode("ascii", "replace").strip()
                return mimetype if mimetype in DOCUMENT_TYPES else None
            if "[Content_Types].xml" in names:
                for prefix, mimetype in _OOXML.items():
                    if any(name.startswith(prefix) for name in names):
                        return mimetype
    except (zipfile.BadZipFile, KeyError, OSError):
        return None
    return None


def _text_type(data: bytes) -> str | None:
    if b"\x00" in data:
        return None
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return None
    return "text/csv"


def detect_document_type(data: bytes, filename: str) -> str | None:
    """The document's MIME type from its content, checked against its file extension."""
    if data.startswith(b"%PDF-"):
        detected: str | None = "application/pdf"
    elif data.startswith(b"PK\x03\x04"):
        detected = _zip_type(data)
    else:
        detected = _text_type(data) if filename.lower().endswith(".csv") else None
    if detected is None:
        return None
    extension = filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
    return detected if DOCUMENT_TYPES[detected].extension == extension else None


def check_document(upload: IO[bytes], filename: str, field: str = "file") -> tuple[bytes, str]:
    """The content and MIME type of an allowed document, or a ValidationError at ``field``."""
    data = _read_capped(upload, MAX_DOCUMENT_BYTES, field, str(_("document")))
    content_type = detect_document_type(data, filename)
    if content_type is None:
        raise ValidationError(
            {
                field: _(
                    "This file type is not allowed. Allowed are: %(types)s (the file name must "
                    "end with the matching extension)."
                )
                % {"types": ALLOWED_DOCUMENT_LABEL}
            },
            code="type",
        )
    return data, content_type
