"""Serving stored files: streamed, as attachments, never sniffed by the browser."""

from urllib.parse import quote

from fastapi.responses import StreamingResponse

from app.core.storage import Storage
from app.courses.models import ModuleFile


def download_response(storage: Storage, attached: ModuleFile) -> StreamingResponse:
    stored = attached.content
    return StreamingResponse(
        storage.open(stored.sha256),
        media_type=stored.media_type,
        headers={
            "Content-Disposition": f"attachment; filename*=UTF-8''{quote(attached.name)}",
            "Content-Length": str(stored.size),
            "X-Content-Type-Options": "nosniff",
            "Cache-Control": "private, max-age=3600",
        },
    )
