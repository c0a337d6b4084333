"""Test harness: one database per run (SQLite file, or TEST_DATABASE_URL for PostgreSQL),
migrated with Alembic; every test runs inside a transaction that is rolled back, with the
app's session factory bound to it so the real commit/rollback code runs."""

import os
import re
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from alembic import command
from argon2 import PasswordHasher
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Connection, Engine, event, text
from sqlalchemy.orm import Session, sessionmaker

from app.cli import alembic_config
from app.core import security
from app.core.config import Settings
from app.core.db import make_engine, session_factory, sqlite_writes_expected
from app.courses.service.completion import clear_course_shapes
from app.main import create_app
from tests.smtp import inbox  # noqa: F401  (a real local SMTP server, for mail tests)

# Argon2's cost is deliberate in the app (most of a second a hash on this machine); the tests
# need real hashing and verifying, not its cost: the cheapest parameters argon2 accepts.
security._hasher = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)

TEST_SECRET = "test-secret-key-that-is-long-enough-for-production-checks"


def database_url(tmp_dir: Path) -> str:
    return os.environ.get("TEST_DATABASE_URL") or f"sqlite:///{tmp_dir / 'agora-test.db'}"


@pytest.fixture(scope="session")
def engine(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    url = database_url(tmp_path_factory.mktemp("db"))
    engine = make_engine(url)
    with engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            connection.execute(text("DROP SCHEMA public CASCADE"))
            connection.execute(text("CREATE SCHEMA public"))
        config = alembic_config()
        config.attributes["connection"] = connection
        command.upgrade(config, "head")
    yield engine
    engine.dispose()


@contextmanager
def rolled_back(engine: Engine) -> Iterator[Connection]:
    with engine.connect() as connection:
        # Deferred on SQLite: the test's transaction takes the write lock only if it writes,
        # so tests that run the app on committing connections are not blocked by it.
        reset = sqlite_writes_expected.set(False)
        transaction = connection.begin()
        sqlite_writes_expected.reset(reset)
        try:
            yield connection
        finally:
            transaction.rollback()


@contextmanager
def sessions_on(connection: Connection) -> Iterator[None]:
    """The app's sessions work in savepoints of `connection`, so its commits are kept there."""
    maker = sessionmaker(
        bind=connection, join_transaction_mode="create_savepoint", expire_on_commit=False
    )
    session_factory.configure(maker)
    try:
        yield
    finally:
        session_factory.configure(None)


@pytest.fixture
def connection(engine: Engine) -> Iterator[Connection]:
    with rolled_back(engine) as connection, sessions_on(connection):
        yield connection


@pytest.fixture(scope="module")
def module_connection(engine: Engine) -> Iterator[Connection]:
    """One transaction for a module whose tests all start from the same costly world (the
    permission matrices): the module builds it once in here and overrides `connection` with
    `in_savepoint(module_connection)`, so each test's writes are rolled back after it."""
    with rolled_back(engine) as connection:
        yield connection


def with_own_storage(shared: Settings, tmp_path: Path) -> Settings:
    """A module's settings for one test, with a copy of the files stored so far (a test may
    delete some)."""
    shutil.copytree(shared.storage_dir, tmp_path / "storage")
    return shared.model_copy(update={"storage_dir": tmp_path / "storage"})


def in_savepoint(connection: Connection) -> Iterator[Connection]:
    savepoint = connection.begin_nested()
    try:
        with sessions_on(connection):
            yield connection
    finally:
        savepoint.rollback()


@pytest.fixture
def db(connection: Connection) -> Iterator[Session]:
    """A session for arranging and checking data, in the test's transaction."""
    with session_factory() as session:
        yield session


def test_settings() -> Settings:
    return Settings(
        agora_env="test",
        database_url="sqlite://",
        secret_key=TEST_SECRET,
        base_url="http://testserver",
        # Suites that call the API many times a minute as one partner client (the permission
        # matrix) must not meet its limit; tests/accounts/test_rate_limits.py sets it low.
        api_client_requests_per_minute=1_000_000,
    )


test_settings.__test__ = False  # a helper, not a test, where test modules import it


@pytest.fixture
def settings() -> Settings:
    return test_settings()


@pytest.fixture(scope="session")
def shared_app() -> FastAPI:
    # Building the routes is most of a second: one application serves the whole run, each
    # test giving it its own settings (routes and middleware read them per request).
    return create_app(test_settings())


@pytest.fixture
def app(settings: Settings, connection: Connection, shared_app: FastAPI) -> FastAPI:
    clear_course_shapes()  # ids come back after a test's rollback: start each test afresh
    shared_app.state.settings = settings
    return shared_app


@pytest.fixture
def private_app(settings: Settings, connection: Connection) -> FastAPI:
    """An application of the test's own, for a test that adds routes to it."""
    clear_course_shapes()
    return create_app(settings)


@pytest.fixture
def client(app) -> Iterator[TestClient]:
    with TestClient(app, raise_server_exceptions=False) as test_client:
        yield test_client


CSRF_INPUT = re.compile(r'name="csrf_token" value="([^"]+)"')


def csrf_from(html: str) -> str:
    match = CSRF_INPUT.search(html)
    assert match, "page has no CSRF token"
    return match.group(1)


class QueryCounter:
    """Counts the SQL statements the app sends (savepoints excluded) while active."""

    def __init__(self, connection: Connection) -> None:
        self.connection = connection
        self.statements: list[str] = []

    def _record(self, _conn, _cursor, statement: str, *_args) -> None:
        if not statement.lstrip().upper().startswith(("SAVEPOINT", "RELEASE", "ROLLBACK TO")):
            self.statements.append(statement)

    def __enter__(self) -> "QueryCounter":
        self.statements.clear()
        event.listen(self.connection, "before_cursor_execute", self._record)
        return self

    def __exit__(self, *_exc: object) -> None:
        event.remove(self.connection, "before_cursor_execute", self._record)

    @property
    def count(self) -> int:
        return len(self.statements)


@pytest.fixture
def queries(connection: Connection) -> QueryCounter:
    """`with queries: client.get(...)`, then `queries.count`: for N+1 budgets."""
    return QueryCounter(connection)
