"""Replacing an erased person's name and address wherever text holds them: in every text, JSON
and binary column of every table but the legal records and the other people's accounts. A
name is replaced where it stands as a whole (the full name as the account wrote it, in any
case), so "Ann Lee" leaves "Annual report" alone; the address wherever it appears."""

import html
import json
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import (
    Boolean,
    Column,
    ColumnElement,
    LargeBinary,
    Table,
    Text,
    cast,
    func,
    literal,
    or_,
    select,
    update,
)
from sqlalchemy.orm import Session

from app.privacy.service import tables


@dataclass(frozen=True)
class Replacement:
    needle: str
    by: str
    pattern: re.Pattern[str]


# A name of one short word ("An", "Minh") would also hit ordinary words and other people.
SHORTEST_SINGLE_WORD_NAME = 8


def searchable(name: str) -> bool:
    words = name.split()
    return len(words) >= 2 or (len(words) == 1 and len(words[0]) >= SHORTEST_SINGLE_WORD_NAME)


def replacements(name: str, email: str, erased_name: str, erased_email: str) -> list[Replacement]:
    found = [
        Replacement(email, erased_email, _pattern(email, r"(?<![\w.+-])", r"(?![\w]|[.-]\w)")),
    ]
    if searchable(name):
        found.append(Replacement(name, erased_name, _pattern(name, r"(?<!\w)", r"(?!\w)")))
    return found


def _pattern(needle: str, before: str, after: str) -> re.Pattern[str]:
    forms = {needle, html.escape(needle), json.dumps(needle)[1:-1]}
    alternatives = "|".join(re.escape(form) for form in sorted(forms, key=len, reverse=True))
    return re.compile(f"{before}(?:{alternatives}){after}", re.IGNORECASE)


def _forms(needle: str) -> set[str]:
    """What the database is asked to look for, before the exact match in Python."""
    escaped = {needle, html.escape(needle), json.dumps(needle)[1:-1]}
    return escaped | {form.lower() for form in escaped}


def _may_hold(
    column: Column[Any], needles: Iterable[str], dialect: str
) -> list[ColumnElement[bool]]:
    kind = tables.text_kind(column)
    if kind == "binary":
        if dialect == "sqlite":  # its LIKE never matches a blob; instr() reads bytes
            return [func.instr(column, literal(n.encode(), LargeBinary)) > 0 for n in needles]
        like = column.op("LIKE", return_type=Boolean)  # PostgreSQL's `bytea LIKE bytea`
        return [like(literal(f"%{n}%".encode(), LargeBinary)) for n in needles]
    text = cast(column, Text) if kind == "json" else column
    conditions = []
    for needle in needles:
        conditions.append(text.contains(needle, autoescape=True))
        conditions.append(func.lower(text).contains(needle.lower(), autoescape=True))
    return conditions


def replace_everywhere(session: Session, found: list[Replacement], skip: frozenset[str]) -> int:
    """Replace the person's name and address in every table but `skip`; how many rows."""
    needles = {form for item in found for form in _forms(item.needle)}
    dialect = session.get_bind().dialect.name
    changed = 0
    for each in tables.tables():
        columns = tables.text_columns(each)
        if each.name in skip or not columns:
            continue
        changed += _replace_in(session, each, columns, needles, found, dialect)
    return changed


def _replace_in(
    session: Session,
    of: Table,
    columns: list[Column[Any]],
    needles: set[str],
    found: list[Replacement],
    dialect: str,
) -> int:
    keys = list(of.primary_key.columns)
    held = (condition for column in columns for condition in _may_hold(column, needles, dialect))
    where = or_(*held)
    rows = session.execute(select(*keys, *columns).where(where)).all()
    changed = 0
    for row in rows:
        values = dict(zip((c.name for c in columns), row[len(keys) :], strict=True))
        changes = {
            column.name: new
            for column in columns
            if (new := _replaced(column, values[column.name], found)) != values[column.name]
        }
        if changes:
            match = [key == row[i] for i, key in enumerate(keys)]
            session.execute(update(of).where(*match).values(**changes))
            changed += 1
    return changed


def _replaced(column: Column[Any], value: object, found: list[Replacement]) -> object:
    kind = tables.text_kind(column)
    if value is None:
        return None
    if kind == "json":
        return _in_structure(value, lambda text: _in_text(text, found))
    if kind == "binary" and isinstance(value, bytes):
        try:
            return _in_text(value.decode(), found).encode()
        except UnicodeDecodeError:
            return value
    if isinstance(value, str):
        new = _in_text(value, found)
        length = getattr(column.type, "length", None)
        return new[:length] if length else new
    return value


def _in_text(text: str, found: list[Replacement]) -> str:
    for item in found:
        text = item.pattern.sub(item.by, text)
    return text


def _in_structure(value: object, change: Callable[[str], str]) -> object:
    if isinstance(value, str):
        return change(value)
    if isinstance(value, list):
        return [_in_structure(item, change) for item in value]
    if isinstance(value, dict):
        return {change(str(k)): _in_structure(v, change) for k, v in value.items()}
    return value
