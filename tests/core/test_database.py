"""Database wiring: migrations match the models, SQLite is tuned, PostgreSQL survives restarts."""

from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from fastapi.testclient import TestClient
from sqlalchemy import Connection, Engine, text
from sqlalchemy.orm import sessionmaker

from app.core.db import make_engine, session_factory
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
