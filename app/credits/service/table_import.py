"""Importing a partner's ECTS grading table, as JSON or as a CSV file: passing grades of the
partner's scale only, with counts or percentages that add up to 100 (± 0.1)."""

import csv
import io
from collections import Counter
from collections.abc import Sequence
from decimal import Decimal

from sqlalchemy.orm import Session

from app.core.actors import Actor
from app.core.i18n import N_
from app.credits.models import GradingTable, GradingTableRow, TableSource
from app.credits.service.tables import (
    CENT,
    HUNDRED,
    TableRefused,
    check_owner,
    passing_keys,
    rows_from_counts,
    save_table,
    table_scale,
    typed_key,
)
from app.credits.tables_schemas import TableImport, TableRowIn

PERCENT_TOLERANCE = Decimal("0.1")
MAX_CSV_BYTES = 64 * 1024


def _rows_from_percents(keys: Sequence[str], given: dict[str, TableRowIn]) -> list[GradingTableRow]:
    total = sum((row.percent or Decimal(0) for row in given.values()), Decimal(0))
    if abs(total - HUNDRED) > PERCENT_TOLERANCE:
        raise TableRefused(N_("The percentages must add up to 100."), field="rows")
    rows: list[GradingTableRow] = []
    cumulative = Decimal(0)
    for key in (key for key in keys if key in given):
        row = given[key]
        percent = (row.percent or Decimal(0)).quantize(CENT)
        cumulative += percent
        rows.append(
            GradingTableRow(
                position=len(rows),
                grade=key,
                count=row.count or 0,
                percent=percent,
                cumulative=cumulative,
            )
        )
    return rows


def import_table(session: Session, actor: Actor, data: TableImport) -> GradingTable:
    """A partner's table, passing grades only, stored best first. With a count for every
    grade the percentages are computed; otherwise every grade needs its percentage, and they
    add up to 100 (± 0.1)."""
    check_owner(session, actor, data)
    scale = table_scale(session, data.scale_code)
    keys = passing_keys(scale)
    given: dict[str, TableRowIn] = {}
    for row in data.rows:
        key = typed_key(scale, row.grade)
        if key not in keys:
            raise TableRefused(
                N_("Only passing grades of the scale belong in a table."), field="rows"
            )
        if key in given:
            raise TableRefused(N_("A grade appears twice in the table."), field="rows")
        given[key] = row
    if all(row.count is not None for row in given.values()):
        counts = Counter({key: row.count or 0 for key, row in given.items()})
        if sum(counts.values()) == 0:
            raise TableRefused(N_("The table counts no grade."), field="rows")
        rows = rows_from_counts([key for key in keys if key in given], counts)
    elif any(row.percent is None for row in given.values()):
        raise TableRefused(N_("Give a count for every grade, or a percentage."), field="rows")
    else:
        rows = _rows_from_percents(keys, given)
    return save_table(session, actor, data, TableSource.IMPORTED, rows)


def parse_rows_csv(data: bytes) -> list[TableRowIn]:
    """The rows of a table sent as CSV (UTF-8): a `grade` column and a `count` or a `percent`
    column, one line per passing grade."""
    if len(data) > MAX_CSV_BYTES:
        raise TableRefused(N_("The file is too large."), field="file")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise TableRefused(N_("The file is not UTF-8 text."), field="file") from error
    reader = csv.DictReader(io.StringIO(text))
    if reader.fieldnames is None or "grade" not in reader.fieldnames:
        raise TableRefused(N_("The file needs a “grade” column."), field="file")
    rows: list[TableRowIn] = []
    try:
        for line in reader:
            values = {k: (line.get(k) or "").strip() for k in ("grade", "count", "percent")}
            rows.append(TableRowIn.model_validate({k: v for k, v in values.items() if v}))
    except (ValueError, csv.Error) as error:
        raise TableRefused(
            N_("A line of the file is not a grade with its count or percentage."), field="file"
        ) from error
    return rows
