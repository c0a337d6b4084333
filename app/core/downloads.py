"""Serving user files: always as attachments, never sniffed, sandboxed if opened anyway.

Every route that sends stored or user-made files answers through `stored_file_response` (or
`attachment_headers` for content made on the fly), so the protections cannot drift apart.
Stored files are served by byte range too, so a learner on a connection that drops resumes a
large download instead of starting again."""

import re
from urllib.parse import quote

from fastapi.responses import StreamingResponse
from starlette.concurrency import iterate_in_threadpool
from starlette.datastructures import Headers
from starlette.exceptions import HTTPException
from starlette.types import Receive, Scope, Send

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
    """Stream stored content as a download named `name`, resumable by byte range."""
    return StoredFileResponse(storage, sha256, name, media_type, size)


class RangeNotSatisfiable(HTTPException):
    def __init__(self, size: int) -> None:
        super().__init__(416, "Range Not Satisfiable", headers={"Content-Range": f"bytes */{size}"})


class StoredFileResponse(StreamingResponse):
    """A download a dropped connection can resume (RFC 9110 §14): it offers byte ranges, its
    strong ETag is the content's SHA-256, a `Range` of one span gets 206 with that span,
    an `If-Range` naming another version gets the whole file, a span past the end 416.
    Several spans at once get the whole file too, which the RFC allows."""

    def __init__(self, storage: Storage, sha256: str, name: str, media_type: str, size: int):
        super().__init__(
            (),
            media_type=media_type,
            headers={
                **attachment_headers(name),
                "Content-Length": str(size),
                "Accept-Ranges": "bytes",
                "ETag": f'"{sha256}"',
                "Cache-Control": "private, max-age=3600",
            },
        )
        self.storage, self.sha256, self.size = storage, sha256, size

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        headers = Headers(scope=scope)
        span = None
        if headers.get("if-range", self.headers["etag"]) == self.headers["etag"]:
            span = requested_span(headers.get("range"), self.size)
        if span is None:
            self.body_iterator = iterate_in_threadpool(self.storage.open(self.sha256))
        else:
            first, length = span
            self.status_code = 206
            self.headers["Content-Range"] = f"bytes {first}-{first + length - 1}/{self.size}"
            self.headers["Content-Length"] = str(length)
            chunks = self.storage.open(self.sha256, first, length)
            self.body_iterator = iterate_in_threadpool(chunks)
        await super().__call__(scope, receive, send)


SPAN = re.compile(r"bytes=(\d*)-(\d*)", re.IGNORECASE)


def requested_span(header: str | None, size: int) -> tuple[int, int] | None:
    """The (first byte, length) a `Range` header asks of `size` bytes; None for the whole
    content (no header, a unit other than bytes, several spans, or nonsense, all of which a
    server may ignore). Raises RangeNotSatisfiable for a span wholly past the end."""
    match = SPAN.fullmatch(header.strip()) if header else None
    if match is None or match.group(1) == match.group(2) == "":
        return None
    start, end = match.group(1), match.group(2)
    if start == "":  # the last `end` bytes
        length = min(int(end), size)
        if length == 0:
            raise RangeNotSatisfiable(size)
        return size - length, length
    first = int(start)
    last = size - 1 if end == "" else min(int(end), size - 1)
    if end != "" and int(end) < first:
        return None
    if first >= size:
        raise RangeNotSatisfiable(size)
    return first, last - first + 1
