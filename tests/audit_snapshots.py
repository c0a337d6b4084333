"""For the tests that show a refused request changed nothing: a table's rows as such a
snapshot compares them. A request refused with 403 records its refusal in the audit trail, in
a transaction of its own, by design: the audit log is compared without its refusals, and
`refusals` counts them for the tests that must see one written."""

from typing import Any

from sqlalchemy import Select, Table, func, select
from sqlalchemy.orm import Session

from app.accounts.models import AuditEntry, AuditOutcome


def rows_of(db: Session, table: Table) -> list[str]:
    """Every row of `table`, in a stable order; the audit log's refusals left out."""
    return sorted(repr(tuple(row)) for row in db.execute(without_refusals(table, select(table))))


def count_of(db: Session, table: Table) -> int:
    """The rows of `table`; the audit log's refusals left out."""
    stmt = without_refusals(table, select(func.count()).select_from(table))
    return db.scalar(stmt) or 0


def without_refusals(table: Table, stmt: Select[Any]) -> Select[Any]:
    """`stmt` over `table`, the audit log's refusals left out."""
    if table.name != AuditEntry.__tablename__:
        return stmt
    return stmt.where(table.c.outcome != AuditOutcome.REFUSED.value)


def refusals(db: Session, subject: str | None = None) -> int:
    """The refusals recorded so far (of one `METHOD /route/{template}` if given)."""
    stmt = select(func.count()).where(AuditEntry.outcome == AuditOutcome.REFUSED)
    if subject is not None:
        stmt = stmt.where(AuditEntry.subject == subject)
    return db.scalar(stmt) or 0
