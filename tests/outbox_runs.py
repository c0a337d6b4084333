"""One run of `agora worker` in a test, counting only the messages of the kind under test:
the same changes also queue other mail (the notices of an enrolment, a released grade)."""

from sqlalchemy import func, select

from app.core import outbox
from app.core.config import Settings
from app.core.db import session_factory


def delivered_of_kind(settings: Settings, kind: str) -> int:
    """Deliver what is due; how many messages of `kind` this run delivered."""
    with session_factory() as session:
        due = list(session.scalars(select(outbox.OutboxMessage.id).where(
            outbox.OutboxMessage.kind == kind,
            outbox.OutboxMessage.state == outbox.MessageState.PENDING,
        )))  # fmt: skip
    outbox.deliver_due(session_factory, settings, worker="test-worker")
    with session_factory() as session:
        return session.scalar(select(func.count()).where(
            outbox.OutboxMessage.id.in_(due),
            outbox.OutboxMessage.state == outbox.MessageState.DELIVERED,
        )) or 0  # fmt: skip
