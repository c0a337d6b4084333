"""Opening a survey to its audience, closing it, and reminding those who have not answered.
Opening invites the whole audience in one statement and tells each person through the
notifications; a public survey gets a link whose secret is shown once and kept as a digest."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import exists, insert, literal, select, update
from sqlalchemy.orm import Session

from app.accounts.models import User
from app.core.actors import Actor
from app.core.db import utcnow
from app.core.errors import Conflict
from app.core.i18n import N_
from app.core.security import new_token, token_digest
from app.notifications.models import NotificationKind
from app.notifications.service import Notice, notify
from app.surveys.models import AudienceKind, Survey, SurveyInvitation, SurveyStatus
from app.surveys.service.access import survey_to_manage
from app.surveys.service.audience import audience
from app.surveys.service.building import outline_of

REMINDER_GAP = timedelta(hours=24)


class SurveyEmpty(Conflict):
    code = "survey_empty"
    title = N_("Add at least one question before opening the survey.")


class SurveyAlreadyOpen(Conflict):
    code = "survey_already_open"
    title = N_("This survey is already open.")


class SurveyNotOpened(Conflict):
    code = "survey_not_open"
    title = N_("Open the survey first.")


def _notice(survey: Survey, subject: str, body: str) -> Notice:
    times = {"closes": survey.closes_at} if survey.closes_at else {}
    return Notice(
        kind=NotificationKind.SURVEY_OPEN, subject=subject, body=body,
        link=f"/surveys/{survey.id}", values={"title": survey.title}, times=times,
    )  # fmt: skip


OPEN_BODY = N_("You are invited to answer the survey “%(title)s”.")
OPEN_BODY_CLOSING = N_(
    "You are invited to answer the survey “%(title)s”. It takes answers until %(closes)s."
)


def _invite_audience(session: Session, survey: Survey) -> list[int]:
    """Invitations for the audience who have none yet, in one INSERT … SELECT; their ids."""
    already = exists().where(
        SurveyInvitation.survey_id == survey.id, SurveyInvitation.user_id == User.id
    )
    members = audience(survey).where(~already)
    invited = list(session.scalars(members))
    if invited:
        session.execute(
            insert(SurveyInvitation).from_select(
                ["survey_id", "user_id", "responded"],
                select(literal(survey.id), User.id, literal(False)).where(User.id.in_(invited)),
            )
        )
    return invited


@dataclass(frozen=True)
class Opened:
    survey: Survey
    public_secret: str | None  # shown once, the first time a public survey opens

    @property
    def public_link(self) -> str | None:
        return f"/s/{self.public_secret}" if self.public_secret else None


def open_survey(session: Session, actor: Actor, survey_id: int) -> Opened:
    """A draft (or closed) survey opens: everyone of its audience is invited and told; later
    members are invited when they first open it."""
    survey = survey_to_manage(session, actor, survey_id)
    if survey.status is SurveyStatus.OPEN:
        raise SurveyAlreadyOpen()
    if not outline_of(session, survey).questions:
        raise SurveyEmpty()
    secret = None
    if survey.audience_kind is AudienceKind.PUBLIC and survey.public_token_digest is None:
        secret = new_token()
        survey.public_token_digest = token_digest(secret)
    survey.status = SurveyStatus.OPEN
    survey.opened_at = survey.opened_at or utcnow()
    session.flush()
    invited = _invite_audience(session, survey)
    body = OPEN_BODY_CLOSING if survey.closes_at else OPEN_BODY
    notify(session, invited, _notice(survey, N_("Survey open: %(title)s"), body))
    return Opened(survey, secret)


def close_survey(session: Session, actor: Actor, survey_id: int) -> Survey:
    """It takes no more answers; its results stay."""
    survey = survey_to_manage(session, actor, survey_id)
    if survey.status is not SurveyStatus.OPEN:
        raise SurveyNotOpened()
    survey.status = SurveyStatus.CLOSED
    session.flush()
    return survey


REMIND_BODY = N_("You have not answered the survey “%(title)s” yet. Your answer counts.")
REMIND_BODY_CLOSING = N_(
    "You have not answered the survey “%(title)s” yet. It takes answers until %(closes)s."
)


def remind(session: Session, actor: Actor, survey_id: int, now: datetime | None = None) -> int:
    """Tell again the invited who have not answered and were not reminded in the last 24
    hours; how many were told."""
    survey = survey_to_manage(session, actor, survey_id)
    if survey.status is not SurveyStatus.OPEN:
        raise SurveyNotOpened()
    now = now or utcnow()
    due = (
        (SurveyInvitation.survey_id == survey.id)
        & SurveyInvitation.responded.is_(False)
        & (
            SurveyInvitation.reminded_at.is_(None)
            | (SurveyInvitation.reminded_at <= now - REMINDER_GAP)
        )
    )
    people = list(session.scalars(select(SurveyInvitation.user_id).where(due)))
    if not people:
        return 0
    session.execute(
        update(SurveyInvitation)
        .where(due, SurveyInvitation.user_id.in_(people))
        .values(reminded_at=now)
        .execution_options(synchronize_session=False)
    )
    body = REMIND_BODY_CLOSING if survey.closes_at else REMIND_BODY
    return len(notify(session, people, _notice(survey, N_("Reminder: %(title)s"), body)))
