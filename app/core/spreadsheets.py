"""CSV for spreadsheets: every export goes through here, so no cell opens as a formula."""

import csv
import io
from collections.abc import Iterable, Sequence

NEUTRALISED = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_cell(value: object) -> str:
    """A spreadsheet opens a cell starting with = + - @ (or a tab, a return) as a formula:
    such text is prefixed with an apostrophe so it stays text."""
    text = "" if value is None else str(value)
    return f"'{text}" if text.startswith(NEUTRALISED) else text


def csv_text(header: Sequence[str], rows: Iterable[Sequence[object]]) -> str:
    """CSV with a byte-order mark (so Excel reads UTF-8), every cell neutralised."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([spreadsheet_cell(cell) for cell in header])
    for row in rows:
        writer.writerow([spreadsheet_cell(cell) for cell in row])
    return "\ufeff" + buffer.getvalue()
