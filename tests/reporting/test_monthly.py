"""The monthly report: queued once per project and month, mailed to the readers who asked,
each as they may read the dashboard (a funder: aggregates only), in their language."""

from datetime import UTC, datetime
from email.header import decode_header, make_header

import time_machine
from sqlalchemy import delete
from sqlalchemy.orm import Session

from app.core import outbox
from app.core.config import Settings
from app.core.db import session_factory
from app.reporting.mailing import queue_monthly_reports
from tests.reporting.factories import World
from tests.smtp import Inbox

APRIL = datetime(2027, 4, 1, 0, 30, tzinfo=UTC)


def test_a_funder_is_mailed_the_months_aggregates_once(
    db: Session, w: World, settings: Settings, inbox: Inbox
):
    db.execute(delete(outbox.OutboxMessage))
    w.funder.preferred_language = "fr"
    db.commit()

    with time_machine.travel(APRIL, tick=False):
        assert queue_monthly_reports(session_factory) == 1
        assert queue_monthly_reports(session_factory) == 0  # the month's report is queued once
        outbox.deliver_due(session_factory, settings, worker="test")

    [mail] = inbox.messages  # the programme manager did not ask for it
    assert mail["To"] == w.funder.email
    assert str(make_header(decode_header(mail["Subject"]))) == "Rapport mensuel\u202f: LMQS"
    body = mail.get_payload(decode=True).decode()
    assert "21" in body
    assert f"/reports/{w.project.code}" in body
    for learner in w.learners:
        assert learner.display_name not in body
    assert w.courses[0].code not in body  # no course figures for a funder


def test_nothing_is_queued_before_a_project_has_run_a_month(db: Session, w: World):
    db.execute(delete(outbox.OutboxMessage))
    db.commit()

    with time_machine.travel(datetime(2026, 9, 1, 1, tzinfo=UTC), tick=False):
        assert queue_monthly_reports(session_factory) == 0
