"""Notifications: written in each reader's language and zone, mailed through the outbox as
each chose (at once, in a daily digest, or not at all), by workers that never send a mail
twice, through a real local SMTP server; a refused address is tried again, then parked."""

import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Engine, delete, select
from sqlalchemy.orm import Session, sessionmaker
from time_machine import TimeMachineFixture

from app.accounts.auth import actor_for_user
from app.accounts.models import User
from app.core import outbox
from app.core.config import Settings
from app.core.db import session_factory
from app.core.i18n import N_
from app.notifications import service
from app.notifications.digests import digest_cutoff, gather_digests
from app.notifications.models import (
    MailDelivery,
    MailState,
    Notification,
    NotificationKind,
    NotificationPreference,
)
from app.notifications.service import Notice, notify
from tests.accounts.factories import make_user
from tests.smtp import Inbox

NOTICE = Notice(
    kind=NotificationKind.WEBINAR_CHANGED,
    subject=N_("Webinar changed: %(title)s"),
    body=N_("%(title)s now starts %(when)s."),
    link="/sessions/1",
    values={"title": "Financing PHC"},
    times={"when": datetime(2027, 1, 12, 12, 0, tzinfo=UTC)},
)


@pytest.fixture
def empty_outbox(db: Session) -> None:
    """Each test counts the mail it causes: it starts from an empty outbox (rolled back with
    the test), whatever committed tests elsewhere left."""
    db.execute(delete(outbox.OutboxMessage))


def _reader(db: Session, language: str = "en", zone: str = "UTC", email: str | None = None) -> User:
    return make_user(db, language=language, time_zone=zone, email=email)


def _deliver(db: Session, settings: Settings) -> int:
    """A worker's delivery, once what the test wrote is committed (as a request's would be)."""
    db.commit()
    return outbox.deliver_due(session_factory, settings, worker="test")


def test_each_reader_is_told_in_their_language_and_zone(db: Session):
    french = _reader(db, "fr", "Africa/Casablanca")
    laotian = _reader(db, "en", "Asia/Vientiane")

    made = notify(db, [french.id, laotian.id, french.id], NOTICE)

    by_reader = {n.user_id: n for n in made}
    assert len(made) == 2  # a reader named twice is told once
    assert by_reader[french.id].subject == "Webinaire modifié\u202f: Financing PHC"
    assert "12 janv. 2027 13:00 (Casablanca, UTC+1)" in by_reader[french.id].body
    assert "Jan 12, 2027 7:00\u202fPM (Vientiane, UTC+7)" in by_reader[laotian.id].body


def test_an_inactive_person_is_not_told(db: Session):
    gone = _reader(db)
    gone.is_active = False

    assert notify(db, [gone.id], NOTICE) == []


@pytest.mark.parametrize(
    ("choice", "state", "queued"),
    [
        (None, MailState.QUEUED, 1),  # webinar changes come at once by default
        (MailDelivery.IMMEDIATELY, MailState.QUEUED, 1),
        (MailDelivery.DIGEST, MailState.AWAITING_DIGEST, 0),
        (MailDelivery.OFF, MailState.NONE, 0),
    ],
)
def test_the_mail_follows_the_readers_choice(
    db: Session, empty_outbox: None, choice: MailDelivery | None, state: MailState, queued: int
):
    reader = _reader(db)
    if choice is not None:
        service.choose(db, reader.id, NotificationKind.WEBINAR_CHANGED, choice)

    [made] = notify(db, [reader.id], NOTICE)

    assert made.mail_state is state
    mails = db.scalars(select(outbox.OutboxMessage).where(
        outbox.OutboxMessage.kind == service.MAIL_KIND
    )).all()  # fmt: skip
    mine = [m for m in mails if m.payload["notification_id"] == made.id]
    assert len(mine) == queued


def test_announcements_cannot_be_turned_off_and_a_refused_change_writes_nothing(db: Session):
    reader = _reader(db)
    actor = actor_for_user(reader)
    changes = {
        NotificationKind.FORUM_POST: MailDelivery.OFF,
        NotificationKind.ANNOUNCEMENT: MailDelivery.OFF,
    }

    with pytest.raises(service.AnnouncementsStayOn):
        service.set_preferences(db, actor, changes)

    assert db.scalars(select(NotificationPreference)).all() == []
    assert (
        service.preferences_of(db, actor)[NotificationKind.ANNOUNCEMENT] is MailDelivery.IMMEDIATELY
    )


def test_an_immediate_mail_is_in_the_readers_language_with_one_click_unsubscribe(
    db: Session, empty_outbox: None, settings: Settings, inbox: Inbox
):
    reader = _reader(db, "fr", "Europe/Paris", email="amina@example.org")
    notify(db, [reader.id], NOTICE)

    assert _deliver(db, settings) >= 1

    [mail] = [m for m in inbox.messages if m["To"] == "amina@example.org"]
    assert mail["To"] == "amina@example.org"
    assert mail["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    link = "".join(str(mail["List-Unsubscribe"]).split()).strip("<>")  # unfolded
    assert link.startswith("http://testserver/unsubscribe/")
    body = mail.get_payload(decode=True).decode()
    assert "Financing PHC" in body
    assert "http://testserver/sessions/1" in body
    assert link in body  # the same link, for those whose mail program shows no button
    assert "12 janv. 2027 13:00" in body


def test_a_reader_who_turned_the_kind_off_meanwhile_is_not_mailed(
    db: Session, empty_outbox: None, settings: Settings, inbox: Inbox
):
    reader = _reader(db)
    notify(db, [reader.id], NOTICE)
    service.choose(db, reader.id, NotificationKind.WEBINAR_CHANGED, MailDelivery.OFF)

    _deliver(db, settings)

    assert [m for m in inbox.messages if m["To"] == reader.email] == []


# --- The daily digest ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("now", "zone", "cutoff"),
    [
        # 06:00 in Vientiane (UTC+7) has come: the day before is over.
        ("2027-03-10T00:00Z", "Asia/Vientiane", "2027-03-09T17:00Z"),
        # 05:59 there: the digest of the 9th waits; the 8th's day is the one over.
        ("2027-03-09T22:59Z", "Asia/Vientiane", "2027-03-08T17:00Z"),
        ("2027-03-10T06:00Z", "UTC", "2027-03-10T00:00Z"),
    ],
)
def test_the_digest_gathers_the_readers_day_once_their_digest_hour_has_come(
    now: str, zone: str, cutoff: str
):
    moment = datetime.fromisoformat(now.replace("Z", "+00:00"))

    assert digest_cutoff(moment, zone, 6) == datetime.fromisoformat(cutoff.replace("Z", "+00:00"))


def _post_notice(title: str) -> Notice:
    return Notice(
        kind=NotificationKind.FORUM_POST, subject=N_("%(forum)s: %(title)s"),
        body=N_("%(author)s wrote:\n\n%(text)s"), link="/forums/threads/1",
        values={"forum": "Welcome space", "title": title, "author": "Thu", "text": "Hello"},
    )  # fmt: skip


def test_a_digest_gathers_a_days_posts_into_one_mail(
    db: Session,
    empty_outbox: None,
    settings: Settings,
    inbox: Inbox,
    time_machine: TimeMachineFixture,
):
    reader = _reader(db, "en", "Asia/Vientiane", email="thu@example.org")
    for at, title in (("2027-03-09T01:00Z", "Morning"), ("2027-03-09T09:00Z", "Noon"),
                      ("2027-03-09T16:30Z", "Evening")):  # fmt: skip
        time_machine.move_to(at, tick=False)
        notify(db, [reader.id], _post_notice(title))
    time_machine.move_to("2027-03-09T17:30Z", tick=False)  # 00:30 on the 10th there
    notify(db, [reader.id], _post_notice("Next day"))

    time_machine.move_to("2027-03-09T22:00Z", tick=False)  # 05:00 there: not yet
    assert gather_digests(session_factory, settings) == 0
    time_machine.move_to("2027-03-10T00:00Z", tick=False)  # 07:00 there
    assert gather_digests(session_factory, settings) == 1
    assert gather_digests(session_factory, settings) == 0  # gathered once
    _deliver(db, settings)

    [mail] = [m for m in inbox.messages if m["To"] == "thu@example.org"]
    assert mail["Subject"] == "Your Agora digest: 3 notifications"
    body = mail.get_payload(decode=True).decode()
    assert all(f"Welcome space: {t}" in body for t in ("Morning", "Noon", "Evening"))
    assert "Next day" not in body
    assert mail["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    waiting = db.scalars(select(Notification).where(
        Notification.mail_state == MailState.AWAITING_DIGEST
    )).all()  # fmt: skip
    assert [n.subject for n in waiting] == ["Welcome space: Next day"]


# --- Several workers, and an address that refuses -----------------------------------------


@pytest.fixture
def committed(engine: Engine) -> Iterator[sessionmaker[Session]]:
    maker = sessionmaker(bind=engine, expire_on_commit=False)
    with maker.begin() as session:
        session.execute(delete(outbox.OutboxMessage))
    yield maker
    with maker.begin() as session:
        session.execute(delete(outbox.OutboxMessage))
        session.execute(delete(User).where(User.email.like("%@workers.example")))


def test_two_workers_deliver_each_notification_exactly_once(
    committed: sessionmaker[Session], settings: Settings, inbox: Inbox
):
    with committed.begin() as session:
        readers = [_reader(session, email=f"r{i}@workers.example") for i in range(12)]
        notify(session, [r.id for r in readers], NOTICE)
    runs: list[int] = []

    def work(name: str) -> None:
        runs.append(outbox.deliver_due(committed, settings, worker=name))

    workers = [threading.Thread(target=work, args=(f"w{i}",)) for i in range(2)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(60)

    assert sum(runs) >= 12
    ours = [m["To"] for m in inbox.messages if m["To"].endswith("@workers.example")]
    assert sorted(ours) == sorted(r.email for r in readers)


class RefusingInbox(Inbox):
    """A mail server that refuses one address, as a full or closed mailbox does."""

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.startswith("full@"):
            return "550 5.2.2 Mailbox full"
        envelope.rcpt_tos.append(address)
        return "250 OK"


def test_a_refused_address_is_tried_again_then_parked(
    db: Session, empty_outbox: None, settings: Settings, time_machine: TimeMachineFixture
):
    from aiosmtpd.controller import Controller

    from tests.smtp import free_port

    refusing = RefusingInbox()
    controller = Controller(refusing, hostname="127.0.0.1", port=free_port())
    controller.start()
    settings.smtp_host, settings.smtp_port = "127.0.0.1", controller.port
    try:
        time_machine.move_to("2027-03-09T08:00Z", tick=False)
        full = _reader(db, email="full@example.org")
        fine = _reader(db, email="fine@example.org")
        notify(db, [full.id, fine.id], NOTICE)

        assert _deliver(db, settings) >= 1
        first = db.scalars(select(outbox.OutboxMessage).where(
            outbox.OutboxMessage.state == outbox.MessageState.PENDING
        )).all()  # fmt: skip
        assert len(first) == 1
        assert "Mailbox full" in (first[0].last_error or "")
        for _ in range(12):  # 30 s, 1, 2, 4 … 4 h: past the day's deadline
            time_machine.shift(timedelta(hours=4))
            _deliver(db, settings)
    finally:
        controller.stop()

    db.expire_all()
    [parked] = outbox.parked(db)
    assert parked.attempts > 3
    assert [m["To"] for m in refusing.messages if m["To"] in (full.email, fine.email)] == [
        "fine@example.org"
    ]
