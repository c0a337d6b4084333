"""ASGI middleware: request ids, request body limits and no-store for private answers."""

import re
import uuid

from starlette.exceptions import HTTPException
from starlette.middleware.gzip import GZipMiddleware
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.core.config import settings_of
from app.core.db import sqlite_writes_expected
from app.core.inputs import NUL, NUL_REFUSED, NulRefused
from app.core.logging import request_id_var
from app.core.web import problem

_VALID_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")


class RequestIdMiddleware:
    """Every response carries `X-Request-ID` (the caller's, if sane, else a new one), and
    every log line of the request names it. Also tells SQLite whether to expect writes."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        given = dict(scope["headers"]).get(b"x-request-id", b"").decode("latin-1")
        request_id = given if _VALID_REQUEST_ID.match(given) else uuid.uuid4().hex
        token = request_id_var.set(request_id)
        sqlite_writes_expected.set(scope["method"] not in ("GET", "HEAD"))
        scope.setdefault("state", {})["request_id"] = request_id

        async def send_with_id(message: Message) -> None:
            headers = message.setdefault("headers", [])
            if message["type"] == "http.response.start" and not any(
                name.lower() == b"x-request-id" for name, _ in headers
            ):
                headers.append((b"x-request-id", request_id.encode()))
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            request_id_var.reset(token)


class BodyTooLarge(HTTPException):
    """An HTTPException, so FastAPI's body parsing lets it through as a 413."""

    def __init__(self, limit: int) -> None:
        super().__init__(413, f"The request body is larger than {limit} bytes.")


class BodySizeLimitMiddleware:
    """Refuse bodies over the limit, whether announced by Content-Length or streamed.
    Uploads (multipart) get the upload limit, everything else the smaller JSON limit."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = dict(scope["headers"])
        is_upload = headers.get(b"content-type", b"").startswith(b"multipart/form-data")
        settings = settings_of(scope["app"])
        # Room for the multipart envelope, so an over-size file gets its own precise error.
        upload_limit = max(settings.max_upload_bytes, settings.max_package_bytes) + 1024 * 1024
        limit = upload_limit if is_upload else settings.max_json_body_bytes
        declared = headers.get(b"content-length", b"")
        received = int(declared) if declared.isdigit() else 0

        async def counting_receive() -> Message:
            nonlocal received
            if received > limit:
                raise BodyTooLarge(limit)
            message = await receive()
            if message["type"] == "http.request" and not declared.isdigit():
                received += len(message.get("body", b""))
                if received > limit:
                    raise BodyTooLarge(limit)
            return message

        await self.app(scope, counting_receive, send)


# The request-state key that marks an answer as private: it must not be stored anywhere.
PRIVATE_ANSWER = "private_answer"


def keep_private(request: Request) -> None:
    """Mark the answer to this request as one no cache may store (a FastAPI dependency too)."""
    setattr(request.state, PRIVATE_ANSWER, True)


class NoStoreMiddleware:
    """`Cache-Control: no-store` on every answer marked private (`request.state` holds
    `PRIVATE_ANSWER`): pages for a signed-in person and token responses, so that neither a
    shared cache nor the back button of a shared computer keeps them. An answer that sets
    its own `Cache-Control` (a file download) keeps it."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        state = scope.setdefault("state", {})

        async def send_no_store(message: Message) -> None:
            if message["type"] == "http.response.start" and state.get(PRIVATE_ANSWER):
                headers = message.setdefault("headers", [])
                if not any(name.lower() == b"cache-control" for name, _ in headers):
                    headers.append((b"cache-control", b"no-store"))
            await send(message)

        await self.app(scope, receive, send_no_store)


class RefuseNulMiddleware:
    """A NUL character in the path, the query string or a urlencoded form is refused at the
    door: PostgreSQL cannot store it in text and no Agora input has a use for it. The API
    answers a 422 problem, the portal a 400 page saying why. (JSON bodies are checked by
    `StrictInput`; uploads may hold any byte.)"""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        status = 422 if scope["path"].startswith("/api/") else 400
        if NUL in scope["path"] or _has_nul(scope.get("query_string", b"")):
            request = Request(scope)
            refusal = problem(request, status, "validation_error", NUL_REFUSED, NUL_REFUSED)
            await refusal(scope, receive, send)
            return
        headers = dict(scope["headers"])
        if not headers.get(b"content-type", b"").startswith(b"application/x-www-form-urlencoded"):
            await self.app(scope, receive, send)
            return
        tail = b""

        async def checking_receive() -> Message:
            nonlocal tail
            message = await receive()
            if message["type"] == "http.request":
                chunk = tail + message.get("body", b"")
                if _has_nul(chunk):
                    raise NulRefused(status)
                tail = chunk[-2:]  # so a `%00` split across two chunks is still seen
            return message

        await self.app(scope, checking_receive, send)


def _has_nul(encoded: bytes) -> bool:
    return b"\x00" in encoded or b"%00" in encoded


class HeadAsGetMiddleware:
    """`HEAD` answered like `GET` without the body, on every page and endpoint that answers
    `GET` (link checkers and caches ask it; FastAPI's routes would answer 405). The routes
    and the OpenAPI description list `GET` only; the headers are exactly those of `GET`,
    `Content-Length` included."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "HEAD":
            await self.app(scope, receive, send)
            return

        async def send_headers_only(message: Message) -> None:
            if message["type"] == "http.response.body":
                if message.get("more_body", False):
                    return
                message = {"type": "http.response.body", "body": b"", "more_body": False}
            await send(message)

        await self.app({**scope, "method": "GET"}, receive, send_headers_only)


class CompressionExceptDownloads:
    """Starlette's gzip for pages, API answers and static files, but a download that offers
    byte ranges (a stored file) passes as it is: a download resumed by range must go on with the
    same bytes as the first try, not with the plain bytes of a compressed one."""

    def __init__(self, app: ASGIApp, minimum_size: int) -> None:
        self.app = app
        self.gzip = GZipMiddleware(self._beside_gzip, minimum_size=minimum_size)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        await self.gzip({**scope, _PLAIN_SEND: send}, receive, send)

    async def _beside_gzip(self, scope: Scope, receive: Receive, gzip_send: Send) -> None:
        target = gzip_send

        async def choose(message: Message) -> None:
            nonlocal target
            if message["type"] == "http.response.start" and _is_ranged_download(message):
                target = scope[_PLAIN_SEND]
            await target(message)

        await self.app(scope, receive, choose)


_PLAIN_SEND = "agora.plain_send"


def _is_ranged_download(start: Message) -> bool:
    names = {name.lower() for name, _ in start.get("headers", [])}
    return {b"accept-ranges", b"content-disposition"} <= names
