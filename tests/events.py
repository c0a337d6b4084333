"""Listening to the event bus for the length of a test."""

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy.orm import Session

from app.core.events import Event, subscribe, unsubscribe


@contextmanager
def recorded(*event_types: type[Event]) -> Iterator[list[Event]]:
    """Every event of these types published inside the block, in order."""
    published: list[Event] = []

    def record(session: Session, event: Event) -> None:
        published.append(event)

    for event_type in event_types:
        subscribe(event_type)(record)
    try:
        yield published
    finally:
        for event_type in event_types:
            unsubscribe(event_type, record)
