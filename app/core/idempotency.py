"""Idempotent API writes (the IETF httpapi `Idempotency-Key` draft): a POST under /api/v1 that
carries the header acts once. The same caller repeating the key with the same request gets
the stored first answer (status and body) without acting again; a repeat while the first is
still running gets 409; the key with another request gets 422. Keys belong to the caller (the
token's subject) and are kept 24 hours. Only successful answers are kept: a refused or failed
request stores nothing (it wrote nothing either), so its retry runs again."""

import hashlib
import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import JSON, LargeBinary, String, UniqueConstraint, delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, mapped_column
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.core.db import Base, session_factory, utcnow
from app.core.web import PROBLEM_JSON

HEADER = "Idempotency-Key"
KEPT_FOR = timedelta(hours=24)
# A key still "running" after this long belongs to a request that died before it answered.
ABANDONED_AFTER = timedelta(minutes=5)
VALID_KEY = re.compile(r"^[\x21-\x7e]{1,255}$")
_REPLAYED_HEADERS = (b"content-type", b"location", b"etag")


class IdempotencyKey(Base):
    """A caller's key: the fingerprint of the request it was first used with, and once that
    request succeeded, its answer."""

    __tablename__ = "idempotency_keys"
    __table_args__ = (UniqueConstraint("caller", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    caller: Mapped[str] = mapped_column(String(64))
    key: Mapped[str] = mapped_column(String(255))
    fingerprint: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    status: Mapped[int | None]  # None while the first request runs
    headers: Mapped[list[list[str]]] = mapped_column(JSON, default=list)
    body: Mapped[bytes | None] = mapped_column(LargeBinary)


@dataclass(frozen=True)
class _Claim:
    """What the store says about a key: ours to run, or an answer to give instead."""

    row_id: int | None = None
    replay: IdempotencyKey | None = None
    refusal: tuple[int, str, str] | None = None


def _claim(caller: str, key: str, fingerprint: str) -> _Claim:
    """Take the key for this request in a transaction of its own, so a concurrent repeat sees
    it at once; or say why not."""
    now = utcnow()
    with session_factory() as session:
        session.execute(delete(IdempotencyKey).where(IdempotencyKey.created_at < now - KEPT_FOR))
        existing = session.scalar(
            select(IdempotencyKey).where(IdempotencyKey.caller == caller, IdempotencyKey.key == key)
        )
        abandoned = now - ABANDONED_AFTER
        if existing is not None and existing.status is None and existing.created_at < abandoned:
            session.delete(existing)
            session.flush()
            existing = None
        if existing is None:
            row = IdempotencyKey(caller=caller, key=key, fingerprint=fingerprint, status=None)
            session.add(row)
            try:
                session.commit()
            except IntegrityError:  # the same key claimed a moment ago by a concurrent repeat
                session.rollback()
                return _Claim(refusal=_IN_PROGRESS)
            return _Claim(row_id=row.id)
        session.commit()
        if existing.fingerprint != fingerprint:
            return _Claim(refusal=_REUSED)
        if existing.status is None:
            return _Claim(refusal=_IN_PROGRESS)
        return _Claim(replay=existing)


def _settle(row_id: int, status: int, headers: list[list[str]], body: bytes) -> None:
    """Keep a successful answer for the key's repeats; release the key after any other."""
    with session_factory() as session:
        row = session.get(IdempotencyKey, row_id)
        if row is None:
            return
        if 200 <= status < 300:
            row.status, row.headers, row.body = status, headers, body
        else:
            session.delete(row)
        session.commit()


_IN_PROGRESS = (
    409,
    "idempotency_key_in_use",
    "A request with this Idempotency-Key is still being processed; retry later.",
)
_REUSED = (
    422,
    "idempotency_key_reused",
    "This Idempotency-Key was used with a different request.",
)
_INVALID = (
    400,
    "invalid_idempotency_key",
    "An Idempotency-Key is 1 to 255 visible ASCII characters.",
)


Identify = Callable[[Scope, dict[bytes, bytes]], str | None]


class IdempotencyMiddleware:
    """Pure ASGI: wraps POSTs under the API prefix that carry the header and name a caller
    (`identify` reads it from the request's credentials; None leaves the request alone, as
    for sign-in, whose answers must never be stored)."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        prefix: str,
        identify: Callable[[Scope, dict[bytes, bytes]], str | None],
    ) -> None:
        self.app = app
        self.prefix = prefix
        self.identify = identify

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "POST":
            await self.app(scope, receive, send)
            return
        headers = dict(scope["headers"])
        key = headers.get(HEADER.lower().encode())
        if key is None or not scope["path"].startswith(self.prefix):
            await self.app(scope, receive, send)
            return
        caller = self.identify(scope, headers)
        if caller is None:
            await self.app(scope, receive, send)
            return
        text = key.decode("latin-1")
        if not VALID_KEY.match(text):
            await _send_problem(scope, send, _INVALID)
            return
        try:
            body = await _read_body(receive)
        except HTTPException as too_large:  # the body limit, raised from inside `receive`
            refusal = (too_large.status_code, "body_too_large", str(too_large.detail))
            await _send_problem(scope, send, refusal)
            return
        claim = await run_in_threadpool(_claim, caller, text, _fingerprint(scope, body))
        if claim.refusal is not None:
            await _send_problem(scope, send, claim.refusal)
        elif claim.replay is not None:
            await _replay(send, claim.replay)
        else:
            assert claim.row_id is not None
            await self._run(scope, body, send, claim.row_id)

    async def _run(self, scope: Scope, body: bytes, send: Send, row_id: int) -> None:
        answer: dict[str, Any] = {"status": 500, "headers": [], "body": b""}
        delivered = False

        async def replay_body() -> Message:
            nonlocal delivered
            if delivered:
                return {"type": "http.disconnect"}
            delivered = True
            return {"type": "http.request", "body": body, "more_body": False}

        async def keep_answer(message: Message) -> None:
            if message["type"] == "http.response.start":
                answer["status"] = message["status"]
                answer["headers"] = [
                    [name.decode("latin-1"), value.decode("latin-1")]
                    for name, value in message.get("headers", [])
                    if name.lower() in _REPLAYED_HEADERS
                ]
            elif message["type"] == "http.response.body":
                answer["body"] += message.get("body", b"")
            await send(message)

        try:
            await self.app(scope, replay_body, keep_answer)
        finally:
            await run_in_threadpool(
                _settle, row_id, answer["status"], answer["headers"], answer["body"]
            )


def _fingerprint(scope: Scope, body: bytes) -> str:
    digest = hashlib.sha256()
    for part in (scope["method"], scope["path"], scope.get("query_string", b"").decode()):
        digest.update(part.encode() + b"\0")
    content_type = dict(scope["headers"]).get(b"content-type", b"")
    digest.update(content_type + b"\0" + body)
    return digest.hexdigest()


async def _read_body(receive: Receive) -> bytes:
    chunks: list[bytes] = []
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            break
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            break
    return b"".join(chunks)


async def _replay(send: Send, stored: IdempotencyKey) -> None:
    headers = [(name.encode("latin-1"), value.encode("latin-1")) for name, value in stored.headers]
    headers.append((b"idempotent-replayed", b"true"))
    assert stored.status is not None
    await send({"type": "http.response.start", "status": stored.status, "headers": headers})
    await send({"type": "http.response.body", "body": stored.body or b""})


async def _send_problem(scope: Scope, send: Send, refusal: tuple[int, str, str]) -> None:
    status, code, title = refusal
    body = json.dumps(
        {
            "type": f"urn:agora:problem:{code}",
            "title": title,
            "status": status,
            "code": code,
            "detail": title,
            "instance": scope["path"],
            "request_id": scope.get("state", {}).get("request_id", "-"),
        }
    ).encode()
    headers = [
        (b"content-type", PROBLEM_JSON.encode()),
        (b"content-length", str(len(body)).encode()),
    ]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


def declare_header(document: dict[str, Any], prefix: str, skip: tuple[str, ...]) -> None:
    """Say in the OpenAPI document that every POST under the prefix takes the header."""
    parameter = {
        "name": HEADER,
        "in": "header",
        "required": False,
        "description": "Makes the write idempotent: repeating the key with the same request "
        "returns the first answer without acting again (kept 24 h, per caller); with another "
        "request, 422; while the first still runs, 409.",
        "schema": {"type": "string", "minLength": 1, "maxLength": 255, "pattern": "^[!-~]+$"},
    }
    for path, operations in document.get("paths", {}).items():
        post = operations.get("post")
        if post is None or not path.startswith(prefix) or path.startswith(skip):
            continue
        parameters = post.setdefault("parameters", [])
        if not any(p.get("name") == HEADER for p in parameters):
            parameters.append(parameter)
