"""A durable outbox for everything Agora sends to the outside world (webhooks today; mail
digests and reminders can follow). A domain writes what must be sent with `enqueue`, in the
same transaction as the change that caused it: a rolled-back change sends nothing, a committed
one is never forgotten. `agora worker` then delivers each message through the handler
registered for its kind, outside any transaction.

Several workers may run at once: a worker claims a message with a single conditional UPDATE
(only one can win it, on SQLite and PostgreSQL alike) that leases it for a while, so a worker
that dies mid-delivery only delays its messages. A failed delivery is retried with exponential
backoff; once the next try would fall past the kind's deadline (24 h by default) the message is
parked with its last error for an operator, and the kind's `on_parked` hook is told."""

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any, cast

from sqlalchemy import JSON, CursorResult, Enum, Index, String, Update, delete, or_, select, update
from sqlalchemy.orm import Mapped, Session, mapped_column

from app.core.config import Settings
from app.core.db import Base, enum_values, utcnow

log = logging.getLogger("agora.outbox")

NewSession = Callable[[], Session]
LEASE = timedelta(minutes=5)
FIRST_RETRY = timedelta(seconds=30)
LONGEST_WAIT = timedelta(hours=4)
DELIVERED_KEPT_FOR = timedelta(days=30)


class MessageState(StrEnum):
    PENDING = "pending"
    DELIVERED = "delivered"
    PARKED = "parked"  # gave up: waits for an operator


class OutboxMessage(Base):
    __tablename__ = "outbox_messages"
    __table_args__ = (Index("ix_outbox_messages_due", "state", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(64))
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    state: Mapped[MessageState] = mapped_column(
        Enum(MessageState, native_enum=False, length=16, values_callable=enum_values),
        default=MessageState.PENDING,
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    next_attempt_at: Mapped[datetime] = mapped_column(default=utcnow)
    attempts: Mapped[int] = mapped_column(default=0, server_default="0")
    claimed_by: Mapped[str | None] = mapped_column(String(64))
    claimed_until: Mapped[datetime | None]
    finished_at: Mapped[datetime | None]
    last_error: Mapped[str | None] = mapped_column(String(1000))


@dataclass(frozen=True)
class Delivery:
    """What a handler is given: the message, and which attempt this is (1 for the first)."""

    message_id: int
    kind: str
    payload: dict[str, Any]
    attempt: int
    created_at: datetime


class DeliveryFailed(Exception):
    """A handler's way of saying "not delivered, try again later", with why."""


Handler = Callable[[NewSession, Settings, Delivery], None]
ParkedHook = Callable[[NewSession, Settings, Delivery, str], None]


@dataclass(frozen=True)
class _Kind:
    handler: Handler
    keep_trying_for: timedelta
    on_parked: ParkedHook | None


_kinds: dict[str, _Kind] = {}


def register(
    kind: str,
    handler: Handler,
    *,
    keep_trying_for: timedelta = timedelta(hours=24),
    on_parked: ParkedHook | None = None,
) -> None:
    _kinds[kind] = _Kind(handler, keep_trying_for, on_parked)


def enqueue(session: Session, kind: str, payload: dict[str, Any]) -> OutboxMessage:
    """Write a message to send, in the caller's transaction."""
    message = OutboxMessage(kind=kind, payload=payload)
    session.add(message)
    return message


def retry_delay(attempts: int) -> timedelta:
    """30 s after the first failure, doubling each time, never more than 4 h."""
    doubled: timedelta = FIRST_RETRY * 2 ** max(attempts - 1, 0)
    return min(doubled, LONGEST_WAIT)


def deliver_due(
    new_session: NewSession, settings: Settings, *, worker: str, limit: int = 100
) -> int:
    """Deliver up to `limit` due messages; returns how many were delivered."""
    delivered = 0
    for message_id in _due_ids(new_session, limit):
        delivery = _claim(new_session, message_id, worker)
        if delivery is not None and _deliver(new_session, settings, delivery, worker):
            delivered += 1
    _forget_old(new_session)
    return delivered


def _due_ids(new_session: NewSession, limit: int) -> list[int]:
    now = utcnow()
    with new_session() as session:
        return list(
            session.scalars(
                select(OutboxMessage.id)
                .where(
                    OutboxMessage.state == MessageState.PENDING,
                    OutboxMessage.next_attempt_at <= now,
                    _unclaimed(now),
                )
                .order_by(OutboxMessage.next_attempt_at, OutboxMessage.id)
                .limit(limit)
            )
        )


def _unclaimed(now: datetime) -> Any:
    return or_(OutboxMessage.claimed_until.is_(None), OutboxMessage.claimed_until < now)


def _claim(new_session: NewSession, message_id: int, worker: str) -> Delivery | None:
    """Take the message for this worker, or None if another took it first."""
    now = utcnow()
    with new_session() as session:
        taken = _rows_updated(
            session,
            update(OutboxMessage)
            .where(
                OutboxMessage.id == message_id,
                OutboxMessage.state == MessageState.PENDING,
                _unclaimed(now),
            )
            .values(
                claimed_by=worker,
                claimed_until=now + LEASE,
                attempts=OutboxMessage.attempts + 1,
            ),
        )
        if taken != 1:
            session.rollback()
            return None
        message = session.get_one(OutboxMessage, message_id)
        session.commit()
        return Delivery(
            message.id, message.kind, message.payload, message.attempts, message.created_at
        )


def _deliver(new_session: NewSession, settings: Settings, delivery: Delivery, worker: str) -> bool:
    kind = _kinds.get(delivery.kind)
    if kind is None:
        _park(new_session, settings, delivery, worker, f"no handler for {delivery.kind!r}", None)
        return False
    try:
        kind.handler(new_session, settings, delivery)
    except DeliveryFailed as failure:
        _failed(new_session, settings, delivery, worker, str(failure) or "failed", kind)
        return False
    except Exception as error:  # a handler's bug must not stop the worker
        log.exception("outbox handler %s failed on message %s", delivery.kind, delivery.message_id)
        _failed(new_session, settings, delivery, worker, f"{type(error).__name__}: {error}", kind)
        return False
    _settle(new_session, delivery, worker, state=MessageState.DELIVERED, finished_at=utcnow())
    return True


def _failed(
    new_session: NewSession,
    settings: Settings,
    delivery: Delivery,
    worker: str,
    error: str,
    kind: _Kind,
) -> None:
    next_at = utcnow() + retry_delay(delivery.attempt)
    if next_at > delivery.created_at + kind.keep_trying_for:
        _park(new_session, settings, delivery, worker, error, kind.on_parked)
        return
    _settle(new_session, delivery, worker, next_attempt_at=next_at, last_error=error[:1000])


def _park(
    new_session: NewSession,
    settings: Settings,
    delivery: Delivery,
    worker: str,
    error: str,
    on_parked: ParkedHook | None,
) -> None:
    log.warning("outbox message %s (%s) parked: %s", delivery.message_id, delivery.kind, error)
    _settle(
        new_session, delivery, worker,
        state=MessageState.PARKED, finished_at=utcnow(), last_error=error[:1000],
    )  # fmt: skip
    if on_parked is not None:
        on_parked(new_session, settings, delivery, error)


def _settle(new_session: NewSession, delivery: Delivery, worker: str, **values: Any) -> None:
    """Record the outcome and release the claim, if it is still this worker's."""
    with new_session() as session:
        session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.id == delivery.message_id, OutboxMessage.claimed_by == worker)
            .values(claimed_by=None, claimed_until=None, **values)
        )
        session.commit()


def _forget_old(new_session: NewSession) -> None:
    with new_session() as session:
        session.execute(
            delete(OutboxMessage).where(
                OutboxMessage.state == MessageState.DELIVERED,
                OutboxMessage.finished_at < utcnow() - DELIVERED_KEPT_FOR,
            )
        )
        session.commit()


def parked(session: Session) -> list[OutboxMessage]:
    return list(
        session.scalars(
            select(OutboxMessage)
            .where(OutboxMessage.state == MessageState.PARKED)
            .order_by(OutboxMessage.id)
        )
    )


def requeue(session: Session, message_id: int) -> bool:
    """Put a parked message back in line, to be tried again at once (an operator's call)."""
    requeued = _rows_updated(
        session,
        update(OutboxMessage)
        .where(OutboxMessage.id == message_id, OutboxMessage.state == MessageState.PARKED)
        .values(
            state=MessageState.PENDING,
            next_attempt_at=utcnow(),
            finished_at=None,
            created_at=utcnow(),
        ),
    )
    return requeued == 1


def _rows_updated(session: Session, statement: Update) -> int:
    result = cast(CursorResult[Any], session.execute(statement))  # an UPDATE's result
    return result.rowcount
