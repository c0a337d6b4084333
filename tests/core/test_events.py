"""The event bus: subscribers run in the publisher's transaction, so they commit and roll
back with it, and each is registered once."""

from dataclasses import dataclass

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.accounts.models import Institution
from app.core.db import session_factory
from app.core.events import Event, publish, subscribe, subscribers_of, unsubscribe
from tests.events import recorded


@dataclass(frozen=True)
class PartnerJoined(Event):
    code: str


def _add_institution(session: Session, event: PartnerJoined) -> None:
    session.add(Institution(code=event.code, name="Université Mohammed V", country="MA"))


@pytest.fixture
def writing_subscriber():
    subscribe(PartnerJoined)(_add_institution)
    yield
    unsubscribe(PartnerJoined, _add_institution)


def _stored(db: Session, code: str) -> bool:
    return db.scalar(select(Institution.id).where(Institution.code == code)) is not None


@pytest.mark.usefixtures("writing_subscriber")
def test_a_subscribers_writes_commit_with_the_publishers_transaction(db: Session):
    with session_factory() as session, session.begin():
        publish(session, PartnerJoined("UM5"))

    assert _stored(db, "UM5")


@pytest.mark.usefixtures("writing_subscriber")
def test_a_subscribers_writes_roll_back_with_the_publishers_transaction(db: Session):
    def publish_then_fail() -> None:
        with session_factory() as session, session.begin():
            publish(session, PartnerJoined("UM5"))
            session.flush()
            raise RuntimeError("the publisher's request failed after publishing")

    with pytest.raises(RuntimeError):
        publish_then_fail()

    assert not _stored(db, "UM5")


def test_a_failing_subscriber_fails_the_publisher(db: Session):
    def refuse(session: Session, event: PartnerJoined) -> None:
        raise ValueError("refused")

    subscribe(PartnerJoined)(refuse)
    try:
        with pytest.raises(ValueError, match="refused"):
            publish(db, PartnerJoined("UM5"))
    finally:
        unsubscribe(PartnerJoined, refuse)


def test_subscribing_the_same_function_twice_calls_it_once(db: Session):
    with recorded(PartnerJoined) as published:
        subscribe(PartnerJoined)(_add_institution)
        subscribe(PartnerJoined)(_add_institution)
        try:
            publish(db, PartnerJoined("UM5"))
        finally:
            unsubscribe(PartnerJoined, _add_institution)

    assert published == [PartnerJoined("UM5")]
    assert _add_institution not in subscribers_of(PartnerJoined)
    assert len(db.scalars(select(Institution).where(Institution.code == "UM5")).all()) == 1
