"""Inserts of many rows as one statement per table. SQLite gives the ORM no way to match the
ids of a multi-row INSERT to its objects, so a flush there inserts row by row; a Core
executemany does not, which keeps series, registers and group registrations at a fixed
number of queries on both databases."""

from collections.abc import Sequence
from typing import Any

from sqlalchemy import insert
from sqlalchemy.orm import Session

from app.core.db import Base


def column_values(row: Base, **shared: Any) -> dict[str, Any]:
    """The column values set on a new (transient) object, plus `shared` ones."""
    keys = {column.key for column in row.__table__.columns}
    return {**{k: v for k, v in vars(row).items() if k in keys}, **shared}


def insert_all(session: Session, model: type[Base], rows: Sequence[dict[str, Any]]) -> None:
    """One INSERT (executemany) for rows that all set the same columns."""
    if rows:
        session.execute(insert(model), list(rows))
