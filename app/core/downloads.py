"""Serving user files: always as attachments, never sniffed, sandboxed if opened anyway.

Every route that sends stored or user-made files answers through `stored_file_response` (or
`attachment_headers` for content made on the fly), so the protections cannot drift apart."""

from urllib.parse import quote

from fastapi.responses import StreamingResponse

from app.core.storage import Storage

# Should a browser render the file anyway (an old browser, a "view" button, a proxy dropping
# Content-Disposition), it runs no script, loads nothing and gets a unique origin.
SANDBOX_POLICY = "default-src 'none'; sandbox"


def attachment_headers(name: str) -> dict[str, str]:
    """Headers for a download of a file named `name` (the user's name for it)."""
    return {
        "Content-Disposition": f"attachment; filename*=UTF-8''{quote(name)}",
        "X-Content-Type-Options": "nosniff",
        "Content-Security-Policy": SANDBOX_POLICY,
    }


def stored_file_response(
    storage: Storage, sha256: str, name: str, media_type: str, size: int
) -> StreamingResponse:
    """Stream stored content as a download named `name`."""
    return StreamingResponse(
        storage.open(sha256),
        media_type=media_type,
        headers={
            **attachment_headers(name),
            "Content-Length": str(size),
            "Cache-Control": "private, max-age=3600",
        },
    )
