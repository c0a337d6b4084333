"""Cursor pagination over an increasing integer key: stable while rows are added."""

import base64
from collections.abc import Sequence
from typing import Any, Generic, TypeVar

from pydantic import BaseModel
from sqlalchemy import Select
from sqlalchemy.orm import InstrumentedAttribute, Session

from app.core.errors import Invalid
from app.core.inputs import MAX_INT

T = TypeVar("T")
ItemT = TypeVar("ItemT")
MAX_PAGE_SIZE = 100


class Page(BaseModel, Generic[ItemT]):
    items: list[ItemT]
    next_cursor: str | None = None


def encode_cursor(last_id: int) -> str:
    return base64.urlsafe_b64encode(str(last_id).encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> int:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        last_id = int(base64.urlsafe_b64decode(padded.encode()).decode())
    except (ValueError, UnicodeDecodeError) as exc:
        raise Invalid("The cursor is not one Agora gave out.", field="cursor") from exc
    if not 0 <= last_id <= MAX_INT:
        raise Invalid("The cursor is not one Agora gave out.", field="cursor")
    return last_id


def paginate(
    session: Session,
    stmt: Select[T],
    key: InstrumentedAttribute[Any],
    cursor: str | None,
    limit: int,
) -> tuple[Sequence[T], str | None]:
    """One page of `stmt` ordered by `key`, and the cursor of the next page if there is one."""
    limit = max(1, min(limit, MAX_PAGE_SIZE))
    if cursor:
        stmt = stmt.where(key > decode_cursor(cursor))
    rows = session.scalars(stmt.order_by(key).limit(limit + 1)).all()
    if len(rows) <= limit:
        return rows, None
    rows = rows[:limit]
    return rows, encode_cursor(getattr(rows[-1], key.key))
