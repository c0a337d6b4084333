"""Reading the schema: which tables point at a person, which columns hold text. Everything
comes from `Base.metadata`, complete once every domain's models are imported (the app, the
CLI and the tests import `app.models`)."""

from typing import Any

from sqlalchemy import JSON, Column, Enum, LargeBinary, String, Table

from app.core.db import Base

USERS = "users"


def tables() -> list[Table]:
    return list(Base.metadata.sorted_tables)


def table(name: str) -> Table:
    return Base.metadata.tables[name]


def points_at(column: Column[Any], name: str) -> bool:
    return any(fk.column.table.name == name for fk in column.foreign_keys)


def person_columns(of: Table) -> list[str]:
    """The columns of `of` that hold a person's id."""
    return [column.name for column in of.columns if points_at(column, USERS)]


def tables_pointing_at_people() -> list[str]:
    """Every table with a column pointing at `users.id`, and `users` itself."""
    return [USERS, *(t.name for t in tables() if person_columns(t))]


def text_kind(column: Column[Any]) -> str | None:
    """ "text", "json" or "binary" for a column that may hold words; None otherwise (an enum's
    values are the code's, never a person's)."""
    kind = column.type
    if isinstance(kind, Enum):
        return None
    if isinstance(kind, String):
        return "text"
    if isinstance(kind, JSON):
        return "json"
    if isinstance(kind, LargeBinary):
        return "binary"
    return None


def text_columns(of: Table) -> list[Column[Any]]:
    return [column for column in of.columns if text_kind(column) is not None]
