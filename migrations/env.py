"""Alembic environment: the database comes from Agora's settings (DATABASE_URL), or from a
connection handed over in `config.attributes["connection"]` (tests, the CLI)."""

from alembic import context
from sqlalchemy import Connection, text

from app.core.config import get_settings
from app.core.db import engine_for, make_engine
from app.models import Base

config = context.config
target_metadata = Base.metadata
# Held for the migrating transaction on PostgreSQL: app servers (containers) started together
# each run `agora db upgrade`; the first migrates, the others wait, then find nothing to do.
MIGRATION_LOCK = 0x61676F7261  # "agora"


def run_with(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        if connection.dialect.name == "postgresql":
            connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK})
        context.run_migrations()


def run_migrations_online() -> None:
    given = config.attributes.get("connection")
    if given is not None:
        run_with(given)
        return
    url = config.get_main_option("sqlalchemy.url")
    engine = make_engine(url) if url else engine_for(get_settings())  # DATABASE_* options too
    with engine.connect() as connection:
        run_with(connection)
    engine.dispose()


if context.is_offline_mode():
    context.configure(url=get_settings().database_url, target_metadata=target_metadata)
    with context.begin_transaction():
        context.run_migrations()
else:
    run_migrations_online()
