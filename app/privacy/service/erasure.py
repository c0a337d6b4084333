"""Carrying out an erasure, in one transaction: the person's uploads, then each table's rule
(`coverage.RULES`: delete their rows, clear some columns, or keep), the rows that name them
without pointing at them (throttled sign-ins, mail waiting to be sent), the account itself,
and last their name and address wherever text still holds them. Legal records
(`coverage.LEGAL_RECORD_TABLES`) are kept as they are, for their retention period."""

from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, Table, Text, cast, delete, or_, update
from sqlalchemy.orm import Session

from app.accounts.models import ThrottleEvent, User
from app.core.actors import PlatformRole
from app.core.db import utcnow
from app.core.outbox import MessageState, OutboxMessage
from app.core.storage import Storage
from app.privacy.service import files, scrub, tables
from app.privacy.service.coverage import (
    ERASED_EMAIL,
    LEGAL_RECORD_TABLES,
    NOW,
    RULES,
    Clear,
    Delete,
    Keep,
    Special,
)

ERASED_DOMAIN = "erased.invalid"  # RFC 2606: never delivered


@dataclass(frozen=True)
class Identity:
    """Who the person was, read before anything changes, and what replaces it."""

    id: int
    name: str
    email: str

    @property
    def erased_email(self) -> str:
        return f"erased-{self.id}@{ERASED_DOMAIN}"

    @property
    def erased_name(self) -> str:
        return f"Erased person {self.id}"


@dataclass(frozen=True)
class Erased:
    files_removed: int
    rows_rewritten: int


def carry_out(session: Session, storage: Storage, person: User) -> Erased:
    """Erase `person` (the caller has checked the policy and the confirmation)."""
    identity = Identity(person.id, person.display_name, person.email)
    removed = files.remove_uploads(session, storage, person.id)
    for name, rule in RULES.items():
        for step in rule.erase:
            _apply(session, tables.table(name), step, identity)
    _forget_unlinked(session, identity)
    _scrub_account(person, identity)
    session.flush()
    found = scrub.replacements(
        identity.name, identity.email, identity.erased_name, identity.erased_email
    )
    rewritten = scrub.replace_everywhere(session, found, skip=LEGAL_RECORD_TABLES | {tables.USERS})
    return Erased(removed, rewritten)


def _apply(session: Session, of: Table, step: object, identity: Identity) -> None:
    if isinstance(step, Keep | Special):
        return  # kept, or the account (below)
    if isinstance(step, Delete):
        on = step.on or tuple(tables.person_columns(of))
        session.execute(delete(of).where(_theirs(of, on, identity.id)))
    elif isinstance(step, Clear):
        where = _theirs(of, step.on, identity.id)
        if step.only is not None:
            where &= step.only(of)
        values = {name: _resolved(value, identity) for name, value in step.values.items()}
        session.execute(update(of).where(where).values(**values))


def _theirs(of: Table, on: tuple[str, ...], person_id: int) -> ColumnElement[bool]:
    return or_(*(of.c[name] == person_id for name in on))


def _resolved(value: Any, identity: Identity) -> Any:
    if value is NOW:
        return utcnow()
    return identity.erased_email if value is ERASED_EMAIL else value


def _forget_unlinked(session: Session, identity: Identity) -> None:
    """Rows that hold the address without pointing at the account: its throttled sign-ins and
    the mail still waiting to be sent to or about it."""
    session.execute(delete(ThrottleEvent).where(ThrottleEvent.account == identity.email))
    session.execute(
        delete(OutboxMessage).where(
            OutboxMessage.state != MessageState.DELIVERED,
            cast(OutboxMessage.payload, Text).contains(identity.email, autoescape=True),
        )
    )


def _scrub_account(person: User, identity: Identity) -> None:
    """The account stays (what points at it keeps counting) but names nobody and opens for
    nobody; its address is free for a new account."""
    person.email = identity.erased_email
    person.display_name = identity.erased_name
    person.password_hash = None
    person.country = None
    person.time_zone = "UTC"
    person.preferred_language = "en"
    person.is_active = False
    person.may_read_sensitive = False
    person.platform_role = PlatformRole.USER
