"""The durable outbox: what a committed transaction enqueued is delivered exactly once, even
by two workers at once; what a rolled-back one enqueued never is; a failure is retried after
its backoff, and a message still failing at its deadline is parked with its error."""

import threading
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
from sqlalchemy import Engine, delete, select
from sqlalchemy.orm import Session, sessionmaker
from time_machine import TimeMachineFixture

from app import cli
from app.core import outbox
from app.core.config import Settings
from app.core.db import utcnow
from app.core.outbox import MessageState, OutboxMessage

KIND = "test.outbox"


class Recorder:
    """A handler that counts its calls per message and fails while told to."""

    def __init__(self) -> None:
        self.calls: Counter[int] = Counter()
        self.failing = False
        self.parked: list[tuple[int, str]] = []
        self.lock = threading.Lock()

    def __call__(self, _new: outbox.NewSession, _s: Settings, delivery: outbox.Delivery) -> None:
        with self.lock:
            self.calls[delivery.payload["n"]] += 1
        if self.failing:
            raise outbox.DeliveryFailed("receiver answered 503")

    def on_parked(
        self, _new: outbox.NewSession, _s: Settings, delivery: outbox.Delivery, error: str
    ) -> None:
        self.parked.append((delivery.payload["n"], error))


@pytest.fixture
def recorder() -> Iterator[Recorder]:
    recorder = Recorder()
    outbox.register(KIND, recorder, on_parked=recorder.on_parked)
    yield recorder
    outbox._kinds.pop(KIND, None)


@pytest.fixture
def committed(engine: Engine) -> Iterator[sessionmaker[Session]]:
    maker = sessionmaker(bind=engine, expire_on_commit=False)
    yield maker
    with maker.begin() as session:
        session.execute(delete(OutboxMessage))


def _enqueue(maker: sessionmaker[Session], *numbers: int) -> None:
    with maker.begin() as session:
        for n in numbers:
            outbox.enqueue(session, KIND, {"n": n})


def _states(maker: sessionmaker[Session]) -> list[tuple[MessageState, int, str | None]]:
    with maker() as session:
        rows = session.execute(
            select(OutboxMessage.state, OutboxMessage.attempts, OutboxMessage.last_error)
        )
        return [(state, attempts, error) for state, attempts, error in rows]


def test_a_committed_message_is_delivered_once_and_a_rolled_back_one_never(
    committed: sessionmaker[Session], settings: Settings, recorder: Recorder
):
    _enqueue(committed, 1)
    with committed() as session:
        outbox.enqueue(session, KIND, {"n": 2})
        session.flush()
        session.rollback()

    first = outbox.deliver_due(committed, settings, worker="a")
    again = outbox.deliver_due(committed, settings, worker="a")

    assert (first, again) == (1, 0)
    assert recorder.calls == Counter({1: 1})
    assert _states(committed) == [(MessageState.DELIVERED, 1, None)]


def test_two_workers_at_once_deliver_each_message_exactly_once(
    committed: sessionmaker[Session], settings: Settings, recorder: Recorder
):
    _enqueue(committed, *range(40))

    with ThreadPoolExecutor(max_workers=2) as pool:
        runs = list(
            pool.map(lambda w: outbox.deliver_due(committed, settings, worker=w), ["a", "b"])
        )

    assert sum(runs) == 40
    assert recorder.calls == Counter(dict.fromkeys(range(40), 1))


def test_a_failure_is_retried_after_its_backoff_not_before(
    committed: sessionmaker[Session],
    settings: Settings,
    recorder: Recorder,
    time_machine: TimeMachineFixture,
):
    time_machine.move_to("2027-03-01T08:00Z", tick=False)
    _enqueue(committed, 1)
    recorder.failing = True
    assert outbox.deliver_due(committed, settings, worker="a") == 0
    assert _states(committed) == [(MessageState.PENDING, 1, "receiver answered 503")]

    time_machine.move_to("2027-03-01T08:00:29Z", tick=False)
    outbox.deliver_due(committed, settings, worker="a")
    assert recorder.calls[1] == 1  # 30 s have not passed

    recorder.failing = False
    time_machine.move_to("2027-03-01T08:00:31Z", tick=False)
    assert outbox.deliver_due(committed, settings, worker="a") == 1
    assert recorder.calls[1] == 2
    assert _states(committed)[0][:2] == (MessageState.DELIVERED, 2)


def test_the_backoff_doubles_up_to_four_hours():
    delays = [outbox.retry_delay(n) for n in (1, 2, 3, 10, 20)]
    assert delays == [
        timedelta(seconds=30), timedelta(minutes=1), timedelta(minutes=2),
        timedelta(hours=4), timedelta(hours=4),
    ]  # fmt: skip


def test_a_message_failing_for_24_hours_is_parked_with_its_error(
    committed: sessionmaker[Session],
    settings: Settings,
    recorder: Recorder,
    time_machine: TimeMachineFixture,
):
    time_machine.move_to("2027-03-01T08:00Z", tick=False)
    _enqueue(committed, 7)
    recorder.failing = True
    for hours in range(0, 26):  # a worker running every hour for a day and more
        time_machine.move_to(f"2027-03-0{1 + (8 + hours) // 24}T{(8 + hours) % 24:02}:00Z")
        outbox.deliver_due(committed, settings, worker="a")

    [(state, attempts, error)] = _states(committed)
    assert state is MessageState.PARKED
    assert error == "receiver answered 503"
    assert recorder.parked == [(7, "receiver answered 503")]
    assert attempts == recorder.calls[7]
    time_machine.move_to("2027-03-04T08:00Z")
    outbox.deliver_due(committed, settings, worker="a")
    assert recorder.calls[7] == attempts  # parked: no more tries


def test_a_message_a_dead_worker_claimed_is_taken_over_when_its_lease_ends(
    committed: sessionmaker[Session],
    settings: Settings,
    recorder: Recorder,
    time_machine: TimeMachineFixture,
):
    time_machine.move_to("2027-03-01T08:00Z", tick=False)
    _enqueue(committed, 3)
    with committed() as session:
        message_id = session.scalars(select(OutboxMessage.id)).one()
    assert outbox._claim(committed, message_id, "dead") is not None  # and then it died

    assert outbox.deliver_due(committed, settings, worker="b") == 0
    time_machine.move_to("2027-03-01T08:05:01Z", tick=False)
    assert outbox.deliver_due(committed, settings, worker="b") == 1
    assert recorder.calls == Counter({3: 1})


def test_an_operator_lists_a_parked_message_and_sends_it_again_through_the_worker(
    db: Session,
    recorder: Recorder,
    capsys: pytest.CaptureFixture[str],
    time_machine: TimeMachineFixture,
):
    time_machine.move_to("2027-03-02T08:00Z", tick=False)
    message = outbox.enqueue(db, KIND, {"n": 9})
    message.state, message.attempts = MessageState.PARKED, 13
    message.finished_at, message.last_error = utcnow(), "receiver answered 503"
    db.commit()

    assert cli.main(["outbox", "parked"]) == 0
    assert f"{message.id}\t{KIND}\t" in capsys.readouterr().out
    assert cli.main(["outbox", "retry", str(message.id)]) == 0
    assert cli.main(["worker"]) == 0

    assert recorder.calls == Counter({9: 1})
    assert "outbox messages delivered: 1" in capsys.readouterr().out
    db.refresh(message)
    assert message.state is MessageState.DELIVERED
    assert cli.main(["outbox", "retry", str(message.id)]) != 0  # no longer parked
