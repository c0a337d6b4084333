"""Retention, applied by `agora worker` each round on a frozen clock: what has outlived its
setting goes, what has not stays; the statements do not grow with the rows removed."""

import itertools
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import inspect, select
from sqlalchemy.orm import Session

from app.accounts.models import (
    AuditEntry,
    PasswordResetToken,
    RefreshToken,
    ThrottledAttempt,
    ThrottleEvent,
    User,
    UserSession,
)
from app.cli import worker_round
from app.core.config import Settings
from app.core.db import session_factory
from app.credits.document_models import DocumentKind, IssuedDocument
from app.notifications.models import MailState, Notification, NotificationKind
from app.privacy.models import ErasureRequest
from app.privacy.service.retention import apply_retention
from app.surveys.models import AudienceKind, Survey, SurveyInvitation, SurveyStatus
from tests.accounts.factories import make_user
from tests.conftest import QueryCounter

NOW = datetime(2026, 12, 7, 9, tzinfo=UTC)
pytestmark = pytest.mark.time_machine(NOW, tick=False)
DAY = timedelta(days=1)
_n = itertools.count(1)


def _digest() -> str:
    return f"{next(_n):064x}"


def _sign_ins(db: Session, user: User) -> dict[str, list[object]]:
    """Throttled attempts and tokens: the `gone` ones past their time, the `kept` ones not."""
    made: dict[str, list[object]] = {"gone": [], "kept": []}
    for fate, at in (("gone", NOW - 2 * DAY), ("kept", NOW - timedelta(hours=1))):
        made[fate].append(ThrottleEvent(kind=ThrottledAttempt.FAILED_SIGN_IN, account="a@b.org",
                                        ip_address="203.0.113.1", at=at))  # fmt: skip
    for fate, expires in (("gone", NOW - 8 * DAY), ("kept", NOW - 6 * DAY), ("kept", NOW + DAY)):
        made[fate] += [
            UserSession(token_digest=_digest(), user_id=user.id, expires_at=expires),
            RefreshToken(token_digest=_digest(), family="f", user_id=user.id, expires_at=expires),
            PasswordResetToken(token_digest=_digest(), user_id=user.id, expires_at=expires),
        ]
    for fate, days in (("gone", 3651), ("kept", 3649)):
        made[fate].append(AuditEntry(action="user.update", subject="user:1", at=NOW - days * DAY))
    db.add_all(made["gone"] + made["kept"])
    return made


def _notification(user: User, read_days_ago: int | None, state: MailState) -> Notification:
    read_at = NOW - read_days_ago * DAY if read_days_ago is not None else None
    return Notification(user_id=user.id, kind=NotificationKind.FORUM_POST, subject="s", body="b",
                        link="/", read_at=read_at, mail_state=state)  # fmt: skip


def _notifications(db: Session, user: User) -> dict[str, list[object]]:
    made: dict[str, list[object]] = {
        "gone": [_notification(user, 91, MailState.NONE)],
        "kept": [
            _notification(user, 89, MailState.NONE),
            _notification(user, None, MailState.NONE),  # unread, however old
            _notification(user, 100, MailState.AWAITING_DIGEST),  # its mail not sent yet
        ],
    }
    db.add_all(made["gone"] + made["kept"])
    return made


def _survey(db: Session, **fields: object) -> Survey:
    survey = Survey(title="Evaluation", audience_kind=AudienceKind.PUBLIC,
                    public_token_digest=_digest(), **fields)  # fmt: skip
    db.add(survey)
    db.flush()
    return survey


def _surveys(db: Session, user: User) -> dict[str, list[Survey]]:
    made = {
        "gone": [
            _survey(db, status=SurveyStatus.OPEN, closes_at=NOW - 31 * DAY),
            _survey(db, status=SurveyStatus.CLOSED, opened_at=NOW - 40 * DAY),  # closed early
        ],
        "kept": [
            _survey(db, status=SurveyStatus.OPEN, closes_at=NOW - 29 * DAY),
            _survey(db, status=SurveyStatus.OPEN, opened_at=NOW - 400 * DAY),  # no end date
        ],
    }
    for survey in made["gone"] + made["kept"]:
        db.add(SurveyInvitation(survey_id=survey.id, user_id=user.id))
    return made


def _document(db: Session, user: User, years: int) -> IssuedDocument:
    document = IssuedDocument(public_id=f"{next(_n):036d}", kind=DocumentKind.TRANSCRIPT,
                              user_id=user.id, language="en", kid="k", jws="x",
                              issued_at=NOW - timedelta(days=365 * years + 1))  # fmt: skip
    db.add(document)
    return document


def _documents(db: Session) -> dict[str, list[object]]:
    erased, learner = make_user(db), make_user(db)
    db.add(ErasureRequest(person_id=erased.id, carried_out_at=NOW - 365 * DAY))
    return {
        "gone": [_document(db, erased, 11)],
        "kept": [_document(db, erased, 9), _document(db, learner, 11)],
    }


def _alive(db: Session, rows: list[object]) -> list[bool]:
    keys = [(type(row), inspect(row).identity) for row in rows]  # read without loading
    db.expunge_all()
    return [db.get(kind, key) is not None for kind, key in keys]


def test_each_rule_removes_what_outlived_its_setting_and_keeps_the_rest(
    db: Session, settings: Settings
):
    user = make_user(db)
    made = [_sign_ins(db, user), _notifications(db, user), _documents(db)]
    surveys = _surveys(db, user)
    db.commit()
    ids = [survey.id for survey in surveys["gone"] + surveys["kept"]]
    kept_surveys = {survey.id for survey in surveys["kept"]}

    removed = apply_retention(session_factory, settings)

    for rows in made:
        assert _alive(db, rows["gone"]) == [False] * len(rows["gone"])
        assert _alive(db, rows["kept"]) == [True] * len(rows["kept"])
    assert set(db.scalars(select(SurveyInvitation.survey_id))) == kept_surveys
    links = dict(db.execute(select(Survey.id, Survey.public_token_digest)).all())
    assert [links[i] is None for i in ids] == [True, True, False, False]
    assert removed["throttle_events"] == 1
    assert removed["user_sessions"] == removed["refresh_tokens"] == 1
    assert removed["survey_invitations"] == 2
    assert removed["issued_documents"] == 1


def test_the_settings_decide(db: Session, settings: Settings):
    user = make_user(db)
    made = _notifications(db, user)
    db.commit()
    settings.retention_read_notification_days = 200

    apply_retention(session_factory, settings)

    assert _alive(db, made["gone"]) == [True]


def test_the_worker_applies_retention_each_round(db: Session):
    user = make_user(db)
    made = _sign_ins(db, user)
    db.commit()

    worker_round("test-worker")

    assert _alive(db, made["gone"]) == [False] * len(made["gone"])
    assert all(_alive(db, made["kept"]))


def test_the_statements_do_not_grow_with_the_rows_removed(
    db: Session, settings: Settings, queries: QueryCounter
):
    user = make_user(db)
    counts = []
    for size in (1, 20):
        for _ in range(size):
            _sign_ins(db, user)
            _notifications(db, user)
        db.commit()
        with queries:
            apply_retention(session_factory, settings)
        counts.append(queries.count)

    assert counts[0] == counts[1]
