"""A small typed in-process event bus: a domain says what happened, other domains react,
and neither imports the other.

Events are frozen dataclasses deriving from `Event`, declared by the domain they happen in
(`app/<domain>/events.py`). Subscribers live in the domain that reacts
(`app/<domain>/subscriptions.py`) and are registered once, when `app.subscribers` is imported
by the app and the CLI. `publish` runs them at once, in the publisher's session: they write in
the same transaction, so a rollback undoes their writes too, and a subscriber's error fails
the publisher's request instead of leaving half of it done."""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from sqlalchemy.orm import Session


@dataclass(frozen=True)
class Event:
    """Something that happened, named in the past tense (`CourseRunCreated`)."""


E = TypeVar("E", bound=Event)
Subscriber = Callable[[Session, E], None]

_subscribers: dict[type[Event], list[Callable[[Session, Any], None]]] = {}


def subscribe(event_type: type[E]) -> Callable[[Subscriber[E]], Subscriber[E]]:
    """Decorator: call the function with the session and the event each time one of this
    exact type is published. Registering the same function twice keeps one registration."""

    def register(subscriber: Subscriber[E]) -> Subscriber[E]:
        registered = _subscribers.setdefault(event_type, [])
        if subscriber not in registered:
            registered.append(subscriber)
        return subscriber

    return register


def unsubscribe(event_type: type[E], subscriber: Subscriber[E]) -> None:
    """Stop calling a subscriber (tests that listen for a while)."""
    registered = _subscribers.get(event_type, [])
    if subscriber in registered:
        registered.remove(subscriber)


def subscribers_of(event_type: type[Event]) -> tuple[Callable[[Session, Any], None], ...]:
    return tuple(_subscribers.get(event_type, ()))


def publish(session: Session, event: Event) -> None:
    """Run every subscriber of the event's type, in order of registration, in this session
    and transaction. Publishers flush first, so subscribers' queries see what happened."""
    for subscriber in subscribers_of(type(event)):
        subscriber(session, event)
