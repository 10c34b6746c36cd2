"""Serving stored files (post images, documents) under WSGI and ASGI alike.

Django's FileResponse iterates a file synchronously, which an ASGI server has to hand to a
thread as a whole; under ASGI the file is streamed by an async generator instead.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

from asgiref.sync import sync_to_async
from django.core.files import File
from django.core.handlers.asgi import ASGIRequest
from django.http import FileResponse, Http404, HttpRequest, StreamingHttpResponse
from django.utils.http import content_disposition_header

CHUNK = 256 * 1024


def file_response(
    request: HttpRequest,
    stored: File,  # type: ignore[type-arg]
    *,
    content_type: str,
    filename: str | None = None,
) -> StreamingHttpResponse:
    """Stream ``stored``; with ``filename`` as a download (Content-Disposition: attachment)."""
    try:
        size = stored.size
    except (FileNotFoundError, OSError) as exc:
        raise Http404("file missing") from exc
    if not isinstance(request, ASGIRequest):
        return FileResponse(
            stored.open("rb"),
            as_attachment=filename is not None,
            filename=filename or "",
            content_type=content_type,
        )

    async def chunks() -> AsyncIterator[bytes]:
        handle = await sync_to_async(stored.open)("rb")
        try:
            while chunk := await sync_to_async(handle.read)(CHUNK):
                yield chunk
        finally:
            await sync_to_async(handle.close)()

    response = StreamingHttpResponse(chunks(), content_type=content_type)
    response["Content-Length"] = str(size)
    if filename is not None:
        response["Content-Disposition"] = content_disposition_header(True, filename) or ""
    return response
