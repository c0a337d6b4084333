"""Test harness: one database per run (SQLite file, or TEST_DATABASE_URL for PostgreSQL),
migrated with Alembic; every test runs inside a transaction that is rolled back, with the
app's session factory bound to it so the real commit/rollback code runs."""

import os
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic import command
from argon2 import PasswordHasher
from fastapi.testclient import TestClient
from sqlalchemy import Connection, Engine, event, text
from sqlalchemy.orm import Session, sessionmaker

from app.cli import alembic_config
from app.core import security
from app.core.config import Settings, get_settings
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


@pytest.fixture
def connection(engine: Engine) -> Iterator[Connection]:
    with engine.connect() as connection:
        # Deferred on SQLite: the test's transaction takes the write lock only if it writes,
        # so tests that run the app on committing connections are not blocked by it.
        reset = sqlite_writes_expected.set(False)
        transaction = connection.begin()
        sqlite_writes_expected.reset(reset)
        maker = sessionmaker(
            bind=connection, join_transaction_mode="create_savepoint", expire_on_commit=False
        )
        session_factory.configure(maker)
        try:
            yield connection
        finally:
            session_factory.configure(None)
            transaction.rollback()


@pytest.fixture
def db(connection: Connection) -> Iterator[Session]:
    """A session for arranging and checking data, in the test's transaction."""
    with session_factory() as session:
        yield session


@pytest.fixture
def settings() -> Settings:
    return Settings(
        agora_env="test",
        database_url="sqlite://",
        secret_key=TEST_SECRET,
        base_url="http://testserver",
    )


@pytest.fixture
def app(settings: Settings, connection: Connection):
    clear_course_shapes()  # ids come back after a test's rollback: start each test afresh
    application = create_app(settings)
    application.dependency_overrides[get_settings] = lambda: settings
    return application


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
