"""Reminders by e-mail through a real local SMTP server: 24 hours and 1 hour before, in each
recipient's language and zone, and never twice — not with two workers at once, not on a rerun.
A run queues the due reminders in the outbox and delivers it, as `agora reminders` does."""

import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta
from email.header import decode_header, make_header
from email.message import Message

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import Engine, delete, update
from sqlalchemy.orm import Session, sessionmaker
from time_machine import TimeMachineFixture

from app.accounts.auth import actor_for_user
from app.accounts.models import Institution, User
from app.core import outbox
from app.core.actors import SYSTEM
from app.core.config import Settings
from app.core.db import utcnow
from app.courses.models import Course
from app.courses.service import courses, packages
from app.enrolment.service import enrol
from app.membership.models import CourseRole
from app.seed import load_institutions
from app.webinars.reminders import queue_due_reminders
from app.webinars.schemas import SessionCreate
from app.webinars.service import (
    registration,
    scheduling,
)
from tests.accounts.factories import make_user
from tests.courses.factories import COURSE_DIR, SEED
from tests.smtp import Inbox, free_port


@pytest.fixture
def committed(engine: Engine) -> Iterator[sessionmaker[Session]]:
    maker = sessionmaker(bind=engine, expire_on_commit=False)
    yield maker
    with maker.begin() as session:
        for model in (Course, User, Institution, outbox.OutboxMessage):
            session.execute(delete(model))


def send_due_reminders(
    maker: sessionmaker[Session], settings: Settings, now: datetime | None = None
) -> int:
    """A run: queue what is due, deliver the outbox; how many reminders it queued."""
    queued = queue_due_reminders(maker, now)
    outbox.deliver_due(maker, settings, worker=f"test-{threading.get_ident()}")
    return queued


def _arrange(maker: sessionmaker[Session], settings: Settings, starts_in: timedelta) -> None:
    """A webinar starting after `starts_in`, with an English reader in Vientiane and a French
    reader in Casablanca registered."""
    with maker.begin() as session:
        load_institutions(session, SEED)
        course = packages.import_course(
            session, SYSTEM, settings, packages.DirectorySource(COURSE_DIR)
        )
        courses.publish_course(session, SYSTEM, course.id)
        teacher = make_user(session, email="host@example.org")
        enrol(session, SYSTEM, course.id, teacher.id, CourseRole.TEACHER)
        starts = utcnow().replace(second=0, microsecond=0) + starts_in
        webinar = scheduling.schedule(
            session, actor_for_user(teacher), settings, course.id,
            SessionCreate(title="Financing PHC", time_zone="Europe/Paris", starts_at=starts,
                          ends_at=starts + timedelta(hours=1)),
        )  # fmt: skip
        for email, language, zone in (
            ("thu@example.org", "en", "Asia/Vientiane"),
            ("amina@example.org", "fr", "Africa/Casablanca"),
        ):
            person = make_user(session, email=email, language=language, time_zone=zone)
            enrol(session, SYSTEM, course.id, person.id, CourseRole.STUDENT)
            registration.register(session, actor_for_user(person), webinar.id)
        # What the arrangement itself sends (the enrolment notices) is not under test here.
        session.execute(delete(outbox.OutboxMessage))


def test_two_workers_at_once_send_each_reminder_exactly_once(
    committed: sessionmaker[Session], settings: Settings, inbox: Inbox
):
    _arrange(committed, settings, timedelta(hours=20))

    with ThreadPoolExecutor(max_workers=2) as pool:
        runs = list(pool.map(lambda _: send_due_reminders(committed, settings), range(2)))
    rerun = send_due_reminders(committed, settings)

    assert sorted(runs) in ([0, 2], [1, 1])
    assert rerun == 0
    assert sorted(m["To"] for m in inbox.messages) == ["amina@example.org", "thu@example.org"]


def _subject(mail: Message) -> str:
    """As mail programs show it: a long subject is folded onto a second line."""
    return str(make_header(decode_header(str(mail["Subject"])))).replace("\r\n", "").strip()


@pytest.mark.parametrize(
    ("today", "in_casablanca", "in_vientiane"),
    [
        ("2027-01-12T12:00Z", "12 janv. 2027 13:50 (Casablanca, UTC+1)",
         "Jan 12, 2027 7:50\u202fPM (Vientiane, UTC+7)"),
        # Morocco sets its clocks back an hour for Ramadan.
        ("2027-02-20T12:00Z", "20 févr. 2027 12:50 (Casablanca, UTC+0)",
         "Feb 20, 2027 7:50\u202fPM (Vientiane, UTC+7)"),
        ("2027-07-06T12:00Z", "6 juil. 2027 13:50 (Casablanca, UTC+1)",
         "Jul 6, 2027 7:50\u202fPM (Vientiane, UTC+7)"),
    ],
)  # fmt: skip
def test_each_reader_gets_their_language_and_their_zone(
    committed: sessionmaker[Session],
    settings: Settings,
    inbox: Inbox,
    time_machine: TimeMachineFixture,
    today: str,
    in_casablanca: str,
    in_vientiane: str,
):
    time_machine.move_to(today)
    _arrange(committed, settings, timedelta(minutes=50))

    send_due_reminders(committed, settings)

    mails = {m["To"]: m for m in inbox.messages}
    french = mails["amina@example.org"]
    english = mails["thu@example.org"]
    assert _subject(french).startswith("Rappel")
    assert in_casablanca in french.get_payload(decode=True).decode()  # the zone, in French
    assert _subject(english).startswith("Reminder")
    assert in_vientiane in english.get_payload(decode=True).decode()


def test_an_hour_before_only_the_hour_reminder_goes_and_then_nothing_more(
    committed: sessionmaker[Session], settings: Settings, inbox: Inbox
):
    _arrange(committed, settings, timedelta(minutes=50))

    first = send_due_reminders(committed, settings)
    later = send_due_reminders(committed, settings, utcnow() + timedelta(minutes=10))

    assert (first, later) == (2, 0)


def test_a_day_ahead_the_day_reminder_goes_then_the_hour_one(
    committed: sessionmaker[Session], settings: Settings, inbox: Inbox
):
    _arrange(committed, settings, timedelta(hours=23))

    day_before = send_due_reminders(committed, settings)
    hour_before = send_due_reminders(
        committed, settings, utcnow() + timedelta(hours=22, minutes=30)
    )

    assert (day_before, hour_before) == (2, 2)
    assert len(inbox.messages) == 4


def test_a_mail_server_that_is_down_is_tried_again_by_the_outbox(
    committed: sessionmaker[Session], settings: Settings, inbox: Inbox,
    time_machine: TimeMachineFixture,
):  # fmt: skip
    time_machine.move_to("2027-01-12T12:00Z", tick=False)
    _arrange(committed, settings, timedelta(hours=20))
    working_port = settings.smtp_port
    settings.smtp_port = 1  # nothing listens there

    queued = send_due_reminders(committed, settings)
    time_machine.shift(timedelta(seconds=31))
    settings.smtp_port = working_port
    retried = send_due_reminders(committed, settings)

    assert (queued, retried) == (2, 0)  # queued once; the retry delivered them
    assert sorted(m["To"] for m in inbox.messages) == ["amina@example.org", "thu@example.org"]


def test_a_reminder_still_refused_after_an_hour_is_parked(
    committed: sessionmaker[Session], settings: Settings, time_machine: TimeMachineFixture
):
    time_machine.move_to("2027-01-12T12:00Z", tick=False)
    _arrange(committed, settings, timedelta(hours=20))
    settings.smtp_host, settings.smtp_port = "127.0.0.1", 1  # nothing listens there

    send_due_reminders(committed, settings)
    for _ in range(9):  # 30 s, 1 min, 2, 4 … past the hour a reminder is worth trying for
        time_machine.shift(timedelta(minutes=16))
        send_due_reminders(committed, settings)

    with committed() as session:
        parked = outbox.parked(session)
    assert [m.kind for m in parked] == ["webinar_reminder", "webinar_reminder"]
    assert all("Connection refused" in (m.last_error or "") for m in parked)


class HeldInbox(Inbox):
    """A mail server slow to accept: each message waits until released (or 6 s)."""

    def __init__(self) -> None:
        super().__init__()
        self.arrived, self.released = threading.Event(), threading.Event()

    async def handle_DATA(self, server, session, envelope):
        self.arrived.set()
        self.released.wait(6)
        return await super().handle_DATA(server, session, envelope)


def test_another_writer_goes_on_while_the_mail_server_is_slow_to_accept(
    committed: sessionmaker[Session], settings: Settings
):
    _arrange(committed, settings, timedelta(minutes=50))
    held = HeldInbox()
    controller = Controller(held, hostname="127.0.0.1", port=free_port())
    controller.start()
    settings.smtp_host, settings.smtp_port = "127.0.0.1", controller.port
    runs: list[int] = []
    worker = threading.Thread(target=lambda: runs.append(send_due_reminders(committed, settings)))
    try:
        worker.start()
        assert held.arrived.wait(10), "no reminder reached the mail server"
        began = time.monotonic()
        with committed.begin() as other:
            other.execute(
                update(User).where(User.email == "thu@example.org").values(display_name="Thu")
            )
        waited = time.monotonic() - began
        held.released.set()
        worker.join(30)
    finally:
        held.released.set()
        controller.stop()

    assert waited < 2, f"the other writer waited {waited:.1f} s for the mail server"
    assert runs == [2]
    assert len(held.messages) == 2
