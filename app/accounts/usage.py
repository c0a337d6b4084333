"""Partner clients' requests per minute: each request counted in a transaction of its own (kept
whatever becomes of the request), refused with 429 past the client's limit until the minute
ends; answers of 400 or more counted as the client's errors. One row per client and UTC
minute, kept 35 days, for the managers' usage view."""

import logging
import math
from datetime import datetime, timedelta

import anyio
from sqlalchemy import delete, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session
from sqlalchemy.sql.dml import ReturningInsert
from starlette.concurrency import run_in_threadpool
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.accounts.models import ApiClient, ApiClientUsage
from app.core.config import Settings
from app.core.db import session_factory, utcnow
from app.core.errors import TooManyRequests
from app.core.i18n import N_

log = logging.getLogger("agora.usage")

WINDOW = timedelta(minutes=1)
KEPT_FOR = timedelta(days=35)
# The request-state key naming the partner client a request was counted for.
COUNTED_CLIENT = "api_client_id"


class RateLimited(TooManyRequests):
    code = "rate_limited"
    title = N_(
        "This API client has sent more requests this minute than its limit allows; "
        "try again when the minute is over."
    )


def window_of(moment: datetime) -> datetime:
    return moment.replace(second=0, microsecond=0)


def seconds_left(moment: datetime) -> int:
    """Whole seconds until the minute of `moment` ends, at least 1."""
    remaining = window_of(moment) + WINDOW - moment
    return max(1, math.ceil(remaining.total_seconds()))


def limit_for(settings: Settings, own: int | None) -> int:
    return settings.api_client_requests_per_minute if own is None else own


def count_request(settings: Settings, client_id: int) -> bool:
    """Count one request of a client in good standing (False for a revoked or unknown one,
    which is not counted); raise `RateLimited` once this minute holds more than its limit.
    The first request of a minute drops every client's rows older than 35 days."""
    now = utcnow()
    window = window_of(now)
    with session_factory() as session:
        own = session.execute(
            select(ApiClient.rate_limit_per_minute).where(
                ApiClient.id == client_id, ApiClient.revoked_at.is_(None)
            )
        ).first()
        if own is None:
            return False
        requests = session.execute(_add(session, client_id, window, requests=1)).scalar_one()
        if requests == 1:
            session.execute(
                delete(ApiClientUsage).where(ApiClientUsage.window_start < window - KEPT_FOR)
            )
        session.commit()
    if requests > limit_for(settings, own.rate_limit_per_minute):
        raise RateLimited(retry_after_seconds=seconds_left(now))
    return True


def count_error(client_id: int) -> None:
    """One more error answer for the client in the current minute."""
    with session_factory() as session:
        session.execute(_add(session, client_id, window_of(utcnow()), errors=1))
        session.commit()


def _add(
    session: Session, client_id: int, window: datetime, *, requests: int = 0, errors: int = 0
) -> ReturningInsert[int]:
    """One upsert of the client's minute, returning its requests so far."""
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    statement = insert(ApiClientUsage).values(
        api_client_id=client_id, window_start=window, requests=requests, errors=errors
    )
    return statement.on_conflict_do_update(
        index_elements=[ApiClientUsage.api_client_id, ApiClientUsage.window_start],
        set_={
            "requests": ApiClientUsage.requests + requests,
            "errors": ApiClientUsage.errors + errors,
        },
    ).returning(ApiClientUsage.requests)


class ErrorCountingMiddleware:
    """Pure ASGI: an answer of 400 or more (or an unanswered failure) to a request counted for
    a partner client (`COUNTED_CLIENT` on the request's state, left by `api_actor`) counts
    as one of the client's errors, once the answer has gone."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        state = scope.setdefault("state", {})
        status = 500

        async def send_noting_status(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, send_noting_status)
        finally:
            client_id = state.get(COUNTED_CLIENT)
            if client_id is not None and status >= 400:
                with anyio.CancelScope(shield=True):  # a caller gone still had its error
                    await run_in_threadpool(_count_error_quietly, client_id)


def _count_error_quietly(client_id: int) -> None:
    """The answer has gone: a failure to count it is logged, never raised over it."""
    try:
        count_error(client_id)
    except SQLAlchemyError:
        log.warning("could not count an error answer of API client %s", client_id, exc_info=True)
