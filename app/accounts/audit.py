"""The audit trail: who did what to whom, acting for which institution, from which value to
which, when (UTC) and in which request; refused authorisations too. Written in the
transaction of the change it records (so it rolls back with it), except refusals, which
are written in a transaction of their own. Read by coordinators (everything) and
institution managers (their institution's): `list_entries`, `entries_csv`."""

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from enum import Enum

from sqlalchemy import ColumnElement, Select, select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from app.accounts import policy
from app.accounts.models import ApiClient, AuditEntry, AuditOutcome, Institution, User
from app.core.actors import Actor, require
from app.core.db import session_factory, sqlite_writes_expected
from app.core.errors import Invalid
from app.core.i18n import N_
from app.core.logging import request_id_var
from app.core.pagination import MAX_PAGE_SIZE, decode_cursor, encode_cursor
from app.core.spreadsheets import csv_text

log = logging.getLogger("agora.audit")

REFUSED_ACTION = "refused"
# The newest entries an export holds at most, whatever the filters let through.
EXPORT_LIMIT = 10_000


# --- writing -------------------------------------------------------------------------------


def plain(value: object) -> str | None:
    """A value as the trail shows it: 12.50 → "12.5", 14.00 → "14", an enum by its value,
    a date in ISO form, None as None."""
    if value is None:
        return None
    if isinstance(value, Decimal):
        return f"{value.normalize():f}"
    if isinstance(value, Enum):
        return str(value.value)
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def current_request_id() -> str | None:
    """The id of the request being answered; None outside a request (CLI, jobs)."""
    request_id = request_id_var.get()
    return None if request_id == "-" else request_id[:64]


def entry_of(
    actor: Actor,
    action: str,
    subject: str,
    detail: str = "",
    *,
    person_id: int | None = None,
    from_value: object = None,
    to_value: object = None,
) -> AuditEntry:
    """An entry by `actor`, acting for its institution (a person's, or a partner client's)."""
    return AuditEntry(
        actor_user_id=actor.user_id,
        actor_client_id=actor.api_client_id,
        institution_id=actor.institution_id,
        person_id=person_id,
        action=action[:64],
        subject=subject[:128],
        detail=detail or None,
        from_value=plain(from_value),
        to_value=plain(to_value),
        request_id=current_request_id(),
        outcome=AuditOutcome.DONE,
    )


def audit(
    session: Session,
    actor: Actor,
    action: str,
    subject: str,
    detail: str = "",
    *,
    person_id: int | None = None,
    from_value: object = None,
    to_value: object = None,
) -> None:
    """Keep an accountable trace of a change or a sensitive read, in the same transaction.
    Never pass a sensitive value (nationality, refugee status) as `from_value` or `to_value`."""
    session.add(
        entry_of(
            actor, action, subject, detail,
            person_id=person_id, from_value=from_value, to_value=to_value,
        )
    )  # fmt: skip


def audit_all(session: Session, entries: Iterable[AuditEntry]) -> None:
    """Several entries at once (a bulk path): added together, inserted in one flush."""
    session.add_all(list(entries))


def acting_user(session: Session, user_id: int | None) -> Actor:
    """The actor of a change known only by its person's id (a grade a source wrote on
    someone's behalf); nobody (the platform itself) when None. Reads the person from the
    session's identity map when it holds them, as it does for the signed-in person."""
    if user_id is None:
        return Actor()
    user = session.get(User, user_id)
    return Actor(user_id=user_id, institution_id=user.institution_id if user else None)


def record_refusal(
    *, user_id: int | None, client_id: int | None, subject: str, detail: str
) -> None:
    """A refused authorisation, in a transaction of its own (the request's rolled back). The
    actor's institution is read by the insert itself. A failure is logged, never raised:
    the caller is being answered already."""
    entry = AuditEntry(
        actor_user_id=user_id,
        actor_client_id=client_id,
        institution_id=_institution_of(user_id, client_id),
        action=REFUSED_ACTION,
        subject=subject[:128],
        detail=detail or None,
        request_id=current_request_id(),
        outcome=AuditOutcome.REFUSED,
    )
    writes = sqlite_writes_expected.set(True)  # a GET refused still writes this one row
    try:
        with session_factory() as session:
            session.add(entry)
            session.commit()
    except SQLAlchemyError:
        log.warning("could not record a refusal of %s", subject, exc_info=True)
    finally:
        sqlite_writes_expected.reset(writes)


def _institution_of(user_id: int | None, client_id: int | None) -> object:
    if client_id is not None:
        return select(ApiClient.institution_id).where(ApiClient.id == client_id).scalar_subquery()
    if user_id is not None:
        return select(User.institution_id).where(User.id == user_id).scalar_subquery()
    return None


# --- reading -------------------------------------------------------------------------------


class PeriodReversed(Invalid):
    code = "period_reversed"
    title = N_("The end is before the start.")


@dataclass(frozen=True)
class AuditFilters:
    """Which entries to read: about a person, about an object (`grade:12`; `grade:` for every
    grade), by an actor (a person or a partner client), within a period of UTC days (both
    ends included), of one outcome."""

    person_id: int | None = None
    subject: str | None = None
    actor_user_id: int | None = None
    actor_client_id: int | None = None
    since: date | None = None
    until: date | None = None
    outcome: AuditOutcome | None = None

    def __post_init__(self) -> None:
        if self.since and self.until and self.until < self.since:
            raise PeriodReversed(field="to")


@dataclass(frozen=True)
class ListedEntry:
    """An entry with the names a reader may see (None where the name is outside their reach)."""

    entry: AuditEntry
    actor_name: str | None
    client_name: str | None
    person_name: str | None
    institution_code: str | None


def require_reader(actor: Actor) -> None:
    """Forbidden unless the actor may read the trail (before reading any filter)."""
    require(policy.can_read_audit_trail(actor))


def list_entries(
    session: Session, actor: Actor, filters: AuditFilters, cursor: str | None, limit: int
) -> tuple[list[ListedEntry], str | None]:
    """A page of the trail, newest first, and the cursor of the next: one query."""
    require(policy.can_read_audit_trail(actor))
    limit = max(1, min(limit, MAX_PAGE_SIZE))
    stmt = _listing(actor, filters)
    if cursor:
        stmt = stmt.where(AuditEntry.id < decode_cursor(cursor))
    rows = _listed(actor, session.execute(stmt.limit(limit + 1)).all())
    if len(rows) <= limit:
        return rows, None
    return rows[:limit], encode_cursor(rows[limit - 1].entry.id)


CSV_HEADER = (
    "id", "at", "outcome", "action", "subject", "actor_user_id", "actor_name",
    "actor_client_id", "client_name", "institution", "person_id", "person_name",
    "from", "to", "detail", "request_id",
)  # fmt: skip


def entries_csv(session: Session, actor: Actor, filters: AuditFilters) -> tuple[str, str]:
    """The filtered trail as CSV, newest first (at most `EXPORT_LIMIT` entries), and its
    file name: one query."""
    require(policy.can_read_audit_trail(actor))
    rows = _listed(actor, session.execute(_listing(actor, filters).limit(EXPORT_LIMIT)))
    return csv_text(CSV_HEADER, (_csv_row(row) for row in rows)), "audit-trail.csv"


def _csv_row(row: ListedEntry) -> tuple[object, ...]:
    entry = row.entry
    return (
        entry.id, entry.at.isoformat(), entry.outcome.value, entry.action, entry.subject,
        entry.actor_user_id, row.actor_name, entry.actor_client_id, row.client_name,
        row.institution_code, entry.person_id, row.person_name, entry.from_value,
        entry.to_value, entry.detail, entry.request_id,
    )  # fmt: skip


# Table aliases, not ORM ones: `aliased` at import would configure every mapper at start-up.
_by = User.__table__.alias("audit_actor")
_about = User.__table__.alias("audit_person")
_Row = tuple[AuditEntry, str | None, int | None, str | None, str | None, int | None, str | None]


def _listing(
    actor: Actor, filters: AuditFilters
) -> Select[AuditEntry, str, int | None, str, str, int | None, str]:
    columns = (
        _by.c.display_name, _by.c.institution_id, ApiClient.name,
        _about.c.display_name, _about.c.institution_id, Institution.code,
    )  # fmt: skip
    reach = policy.audit_entries_in_reach(actor, AuditEntry.institution_id, _about.c.institution_id)
    return (
        select(AuditEntry, *columns)
        .outerjoin(_by, _by.c.id == AuditEntry.actor_user_id)
        .outerjoin(ApiClient, ApiClient.id == AuditEntry.actor_client_id)
        .outerjoin(_about, _about.c.id == AuditEntry.person_id)
        .outerjoin(Institution, Institution.id == AuditEntry.institution_id)
        .where(reach, *_conditions(filters))
        .order_by(AuditEntry.id.desc())
    )


def _conditions(filters: AuditFilters) -> list[ColumnElement[bool]]:
    found: list[ColumnElement[bool]] = []
    if filters.person_id is not None:
        found.append(AuditEntry.person_id == filters.person_id)
    if filters.subject:
        found.append(_about_subject(filters.subject))
    if filters.actor_user_id is not None:
        found.append(AuditEntry.actor_user_id == filters.actor_user_id)
    if filters.actor_client_id is not None:
        found.append(AuditEntry.actor_client_id == filters.actor_client_id)
    if filters.since is not None:
        found.append(AuditEntry.at >= _midnight(filters.since))
    if filters.until is not None:
        found.append(AuditEntry.at < _midnight(filters.until + timedelta(days=1)))
    if filters.outcome is not None:
        found.append(AuditEntry.outcome == filters.outcome)
    return found


def _about_subject(subject: str) -> ColumnElement[bool]:
    """`grade:` is every grade's entries; `grade:12` that grade's only."""
    if subject.endswith(":"):
        return AuditEntry.subject.startswith(subject, autoescape=True)
    return AuditEntry.subject == subject


def _midnight(day: date) -> datetime:
    return datetime.combine(day, time(0), tzinfo=UTC)


def _listed(actor: Actor, rows: Iterable[_Row]) -> list[ListedEntry]:
    def shown(name: str | None, institution_id: int | None) -> str | None:
        return name if policy.can_see_audited_person(actor, institution_id) else None

    listed = []
    for entry, by_name, by_home, client_name, about_name, about_home, code in rows:
        acting_for = entry.institution_id
        names = (shown(by_name, by_home), shown(client_name, acting_for))
        listed.append(ListedEntry(entry, *names, shown(about_name, about_home), code))
    return listed
