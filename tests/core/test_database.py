"""Database wiring: migrations match the models, SQLite is tuned, PostgreSQL survives restarts."""

from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from fastapi import APIRouter, FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Connection, Engine, event, text
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import sessionmaker

from app.core.config import Settings
from app.core.db import engine_for, make_engine, session_factory
from app.models import Base


def test_models_and_migrations_do_not_drift(connection: Connection):
    context = MigrationContext.configure(connection, opts={"compare_type": True})

    assert compare_metadata(context, Base.metadata) == []


def test_sqlite_runs_with_foreign_keys_wal_and_a_busy_timeout(tmp_path: Path):
    sqlite = make_engine(f"sqlite:///{tmp_path / 'tuned.db'}")
    with sqlite.connect() as connection:
        pragma = connection.exec_driver_sql

        assert pragma("PRAGMA foreign_keys").scalar() == 1
        assert pragma("PRAGMA journal_mode").scalar() == "wal"
        assert pragma("PRAGMA busy_timeout").scalar() >= 5000
    sqlite.dispose()


POOL_NAME = "agora-restart-test"


def test_next_request_succeeds_after_postgresql_drops_every_connection(app, engine: Engine):
    if engine.dialect.name != "postgresql":
        pytest.skip("a server restart only concerns PostgreSQL (set TEST_DATABASE_URL)")
    url = engine.url.render_as_string(hide_password=False)
    pooled = make_engine(url, connect_args={"application_name": POOL_NAME})
    session_factory.configure(sessionmaker(bind=pooled, expire_on_commit=False))
    client = TestClient(app, raise_server_exceptions=False)
    assert client.get("/readyz").status_code == 200

    # What a restart does to the app's pool: every server connection it holds is killed.
    with engine.connect() as admin:
        killed = admin.execute(
            text(
                "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                "WHERE application_name = :name"
            ),
            {"name": POOL_NAME},
        ).scalar()
        admin.commit()

    assert killed >= 1
    assert client.get("/readyz").status_code == 200
    pooled.dispose()


def test_a_request_cut_off_by_a_postgresql_restart_gets_a_503_and_the_next_succeeds(
    app, engine: Engine
):
    if engine.dialect.name != "postgresql":
        pytest.skip("a server restart only concerns PostgreSQL (set TEST_DATABASE_URL)")
    url = engine.url.render_as_string(hide_password=False)
    pooled = make_engine(url, connect_args={"application_name": POOL_NAME})
    session_factory.configure(sessionmaker(bind=pooled, expire_on_commit=False))
    # Server errors raised past the handlers would raise here: the 503 must be an answer, so
    # that the server keeps the keep-alive connection open.
    client = TestClient(app, raise_server_exceptions=True)
    assert client.get("/api/v1/courses").status_code == 200
    restart_pending = [True]

    def restart_during_the_request(*_args: object) -> None:
        if restart_pending:
            restart_pending.clear()
            with engine.connect() as admin:
                admin.execute(
                    text(
                        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                        "WHERE application_name = :name"
                    ),
                    {"name": POOL_NAME},
                )
                admin.commit()

    event.listen(pooled, "before_cursor_execute", restart_during_the_request)
    cut_off = client.get("/api/v1/courses")
    event.remove(pooled, "before_cursor_execute", restart_during_the_request)

    assert cut_off.status_code == 503
    assert cut_off.headers["retry-after"] == "2"
    assert cut_off.headers["content-type"] == "application/problem+json"
    assert cut_off.json()["code"] == "database_unavailable"
    assert client.get("/api/v1/courses").status_code == 200
    pooled.dispose()


def _lost_connection() -> OperationalError:
    return OperationalError("SELECT 1", {}, Exception("server closed the connection unexpectedly"))


def test_a_lost_database_is_a_503_problem_the_client_may_retry(private_app: FastAPI):
    outage = APIRouter()

    @outage.get("/api/v1/outage")
    def lose_the_database() -> None:
        raise _lost_connection()

    private_app.include_router(outage)
    client = TestClient(private_app, raise_server_exceptions=True)

    response = client.get("/api/v1/outage")

    assert response.status_code == 503
    assert response.headers["retry-after"] == "2"
    assert response.json()["code"] == "database_unavailable"
    assert response.json()["request_id"] == response.headers["x-request-id"]


def test_a_lost_database_is_a_503_page_in_the_readers_language(private_app: FastAPI):
    outage = APIRouter()

    @outage.get("/outage")
    def lose_the_database() -> None:
        raise _lost_connection()

    private_app.include_router(outage)
    client = TestClient(private_app, raise_server_exceptions=True)

    response = client.get("/outage", headers={"Accept-Language": "fr"})

    assert response.status_code == 503
    assert response.headers["retry-after"] == "2"
    assert "Agora est momentanément indisponible" in response.text


def test_the_postgresql_pool_and_prepared_statements_follow_the_settings(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
):
    if engine.dialect.name != "postgresql":
        pytest.skip("the pool options and prepared statements concern PostgreSQL only")
    url = engine.url.render_as_string(hide_password=False)
    monkeypatch.setenv("DATABASE_URL", url)
    default = engine_for(Settings(_env_file=None))
    monkeypatch.setenv("DATABASE_POOL_SIZE", "3")
    monkeypatch.setenv("DATABASE_MAX_OVERFLOW", "1")
    monkeypatch.setenv("DATABASE_PREPARED_STATEMENTS", "false")  # behind PgBouncer < 1.21
    pooler_safe = engine_for(Settings(_env_file=None))
    try:
        with default.connect() as connection, pooler_safe.connect() as behind_a_pooler:
            assert connection.connection.dbapi_connection.prepare_threshold == 5
            assert behind_a_pooler.connection.dbapi_connection.prepare_threshold is None
            for _ in range(6):  # past psycopg's threshold: nothing is prepared on the server
                behind_a_pooler.execute(text("SELECT 1"))
            prepared = "SELECT count(*) FROM pg_prepared_statements"
            assert behind_a_pooler.execute(text(prepared)).scalar() == 0
        # The pool has no public accessor for its overflow.
        assert (default.pool.size(), default.pool._max_overflow) == (20, 10)
        assert (pooler_safe.pool.size(), pooler_safe.pool._max_overflow) == (3, 1)
    finally:
        default.dispose()
        pooler_safe.dispose()
