"""Reminders by e-mail through a real local SMTP server: 24 hours and 1 hour before, in each
recipient's language and zone, and never twice — not with two workers at once, not on a rerun."""

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
from sqlalchemy import Engine, delete
from sqlalchemy.orm import Session, sessionmaker

from app.accounts.auth import actor_for_user
from app.accounts.models import Institution, User
from app.core.actors import SYSTEM
from app.core.config import Settings
from app.core.db import utcnow
from app.courses.models import Course
from app.courses.service import courses, packages
from app.enrolment.models import CourseRole
from app.enrolment.service import enrol
from app.seed import load_institutions
from app.webinars import service
from app.webinars.reminders import send_due_reminders
from app.webinars.schemas import SessionCreate
from tests.accounts.factories import make_user
from tests.courses.factories import COURSE_DIR, SEED
from tests.smtp import Inbox


@pytest.fixture
def committed(engine: Engine) -> Iterator[sessionmaker[Session]]:
    maker = sessionmaker(bind=engine, expire_on_commit=False)
    yield maker
    with maker.begin() as session:
        for model in (Course, User, Institution):
            session.execute(delete(model))


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
        webinar = service.schedule(
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
            service.register(session, actor_for_user(person), webinar.id)


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


def test_each_reader_gets_their_language_and_their_zone(
    committed: sessionmaker[Session], settings: Settings, inbox: Inbox
):
    _arrange(committed, settings, timedelta(minutes=50))

    send_due_reminders(committed, settings)

    mails = {m["To"]: m for m in inbox.messages}
    french = mails["amina@example.org"]
    english = mails["thu@example.org"]
    assert french["Subject"].startswith("Rappel")
    assert "Maroc" in french.get_payload(decode=True).decode()  # the zone, named in French
    assert english["Subject"].startswith("Reminder")
    assert "Laos" in english.get_payload(decode=True).decode()


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


def test_a_mail_server_that_is_down_leaves_the_reminder_for_the_next_run(
    committed: sessionmaker[Session], settings: Settings, inbox: Inbox
):
    _arrange(committed, settings, timedelta(hours=20))
    working_port = settings.smtp_port
    settings.smtp_port = 1  # nothing listens there

    failed = send_due_reminders(committed, settings)
    settings.smtp_port = working_port
    retried = send_due_reminders(committed, settings)

    assert (failed, retried) == (0, 2)
