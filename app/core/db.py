"""Engine, session factory, declarative base and the per-request session dependency."""

from collections.abc import AsyncIterator
from contextvars import ContextVar
from datetime import UTC, datetime
from enum import StrEnum
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Any

import anyio
from fastapi import Depends, Request
from sqlalchemy import DateTime, Engine, MetaData, create_engine, event
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import (
    DeclarativeBase,
    ORMExecuteState,
    Session,
    SessionTransaction,
    sessionmaker,
)
from sqlalchemy.types import TypeDecorator
from starlette.concurrency import run_in_threadpool

from app.core.config import Settings, get_settings
from app.core.errors import DomainError

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UTCDateTime(TypeDecorator[datetime]):
    """A timezone-aware datetime stored in UTC; SQLite, which drops the zone, gets it back."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given; Agora stores timezone-aware UTC datetimes")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {datetime: UTCDateTime()}  # noqa: RUF012


def enum_values(enum: type[StrEnum]) -> list[str]:
    """Store a StrEnum by its values, as VARCHAR (no native enum type to migrate)."""
    return [member.value for member in enum]


def utcnow() -> datetime:
    return datetime.now(UTC)


def make_engine(
    url: str,
    *,
    pool_size: int = 20,
    max_overflow: int = 10,
    prepared_statements: bool = True,
    **kwargs: Any,
) -> Engine:
    """An engine tuned per backend: SQLite with foreign keys, WAL and a busy timeout;
    PostgreSQL with pre-ping so a restarted server costs only the requests in flight, a pool
    of `pool_size` (+ `max_overflow`) connections, and psycopg's server-side prepared
    statements unless `prepared_statements` is false (behind a transaction-mode pooler that
    does not track them)."""
    if url.startswith("sqlite"):
        _ensure_sqlite_dir(url)
        engine = create_engine(url, connect_args={"timeout": 15}, **kwargs)
        event.listen(engine, "connect", _configure_sqlite_connection)
        event.listen(engine, "begin", _begin_sqlite_transaction)
        return engine
    if not prepared_statements:
        kwargs["connect_args"] = {**kwargs.get("connect_args", {}), "prepare_threshold": None}
    # A pool at least as large as a worker's share of concurrent requests: when requests wait
    # for connections beyond it, each overflow connection is a new server process to fork.
    return create_engine(
        url, pool_pre_ping=True, pool_size=pool_size, max_overflow=max_overflow, **kwargs
    )


def engine_for(settings: Settings) -> Engine:
    """The engine the settings describe (DATABASE_URL and the DATABASE_* pool options)."""
    return make_engine(
        settings.database_url,
        pool_size=settings.database_pool_size,
        max_overflow=settings.database_max_overflow,
        prepared_statements=settings.database_prepared_statements,
    )


def _ensure_sqlite_dir(url: str) -> None:
    path = url.split(":///", 1)[-1]
    if path and path != ":memory:" and not path.startswith("file:"):
        Path(path).parent.mkdir(parents=True, exist_ok=True)


def _configure_sqlite_connection(dbapi_connection: Any, _record: Any) -> None:
    # Let SQLAlchemy emit BEGIN itself so SAVEPOINTs and rollbacks behave as documented.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=15000")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


# SQLite fails at once (no waiting) when a transaction that began by reading tries to write
# after another one wrote. Transactions that mean to write therefore take the write lock at
# BEGIN and wait their turn; reads (GET/HEAD requests) begin deferred and run side by side.
sqlite_writes_expected: ContextVar[bool] = ContextVar("sqlite_writes_expected", default=True)


def _begin_sqlite_transaction(connection: Any) -> None:
    connection.exec_driver_sql("BEGIN IMMEDIATE" if sqlite_writes_expected.get() else "BEGIN")


@lru_cache
def get_engine() -> Engine:
    return engine_for(get_settings())


class SessionFactory:
    """Holds the sessionmaker so tests can bind it to a connection they roll back."""

    def __init__(self) -> None:
        self._maker: sessionmaker[Session] | None = None

    def configure(self, maker: sessionmaker[Session] | None) -> None:
        self._maker = maker

    def __call__(self) -> Session:
        if self._maker is None:
            self._maker = sessionmaker(bind=get_engine(), expire_on_commit=False)
        return self._maker()


session_factory = SessionFactory()


def refuse_request(request: Request, *, keep_changes: bool = False) -> None:
    """The answer to this request is a refusal (a form shown again with its errors, any page
    answered 4xx): its transaction rolls back instead of committing. `keep_changes` is for the
    few refusals that must still record something (`DomainError.keeps_changes`)."""
    request.state.refused = True
    if keep_changes:
        request.state.refusal_keeps_changes = True


def _refused(request: Request) -> bool:
    state = request.state
    return bool(getattr(state, "refused", False)) and not getattr(
        state, "refusal_keeps_changes", False
    )


async def get_session(request: Request) -> AsyncIterator[Session]:
    """One transaction per request: commit when the handler succeeds; roll back when it raises
    or answers with a refusal, so a refused form or request writes nothing.

    Asynchronous so that opening the session (which does no I/O: the first statement takes a
    connection) costs no trip to the thread pool; ending it, which does, takes one."""
    session = session_factory()
    error: BaseException | None = None
    try:
        yield session
    except BaseException as raised:
        error = raised
        raise
    finally:
        with anyio.CancelScope(shield=True):  # a client gone still ends the transaction
            await run_in_threadpool(_end_transaction, session, request, error)


def _end_transaction(session: Session, request: Request, error: BaseException | None) -> None:
    with session:
        if error is None:
            keep = not _refused(request)
        else:
            keep = isinstance(error, DomainError) and error.keeps_changes
        if keep:
            session.commit()
        else:
            session.rollback()


# Whether a session's transaction has written anything, for caches that may keep only what
# was read in a committed state (a read after this transaction's own writes may yet be undone).
_WROTE = "agora_wrote"


def wrote_in_transaction(session: Session) -> bool:
    return bool(session.info.get(_WROTE)) or bool(session.new or session.dirty or session.deleted)


@event.listens_for(Session, "after_flush")
def _flushed(session: Session, _context: Any) -> None:
    session.info[_WROTE] = True


@event.listens_for(Session, "do_orm_execute")
def _executed(state: ORMExecuteState) -> None:
    if state.is_insert or state.is_update or state.is_delete:
        state.session.info[_WROTE] = True


@event.listens_for(Session, "after_transaction_end")
def _transaction_ended(session: Session, transaction: SessionTransaction) -> None:
    if transaction.parent is None:
        session.info.pop(_WROTE, None)


SessionDep = Annotated[Session, Depends(get_session, scope="function")]
