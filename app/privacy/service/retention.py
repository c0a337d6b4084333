"""What Agora keeps, and for how long: each round, `agora worker` deletes what has outlived its
setting (docs/privacy.md). One statement per rule, whatever the number of rows, in one
transaction; several workers may run it at once (deleting twice deletes nothing more)."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, cast

from sqlalchemy import CursorResult, Delete, Update, and_, delete, func, or_, select, update
from sqlalchemy.orm import Session

from app.accounts.models import (
    AuditEntry,
    PasswordResetToken,
    RefreshToken,
    ThrottleEvent,
    UserSession,
)
from app.core.config import Settings
from app.core.db import utcnow
from app.credits.document_models import IssuedDocument
from app.notifications.models import MailState, Notification
from app.privacy.models import ErasureRequest
from app.surveys.models import Survey, SurveyInvitation, SurveyStatus

NewSession = Callable[[], Session]
YEAR = timedelta(days=365)


@dataclass(frozen=True)
class Sweep:
    name: str
    statement: Delete | Update


def sweeps(settings: Settings, now: datetime) -> list[Sweep]:
    """Every rule, as the statement that applies it at `now`."""
    days = timedelta(days=1)
    expired = now - settings.retention_expired_token_days * days
    ended = _ended_surveys(now - settings.retention_survey_invitation_days * days)
    return [
        Sweep("throttle_events", delete(ThrottleEvent).where(
            ThrottleEvent.at < now - settings.retention_throttle_event_days * days)),
        Sweep("user_sessions", delete(UserSession).where(UserSession.expires_at < expired)),
        Sweep("refresh_tokens", delete(RefreshToken).where(RefreshToken.expires_at < expired)),
        Sweep("password_reset_tokens", delete(PasswordResetToken).where(
            PasswordResetToken.expires_at < expired)),
        Sweep("audit_log", delete(AuditEntry).where(
            AuditEntry.at < now - settings.retention_audit_days * days)),
        Sweep("notifications", delete(Notification).where(
            Notification.read_at < now - settings.retention_read_notification_days * days,
            Notification.mail_state != MailState.AWAITING_DIGEST,
        )),
        Sweep("survey_invitations", delete(SurveyInvitation).where(
            SurveyInvitation.survey_id.in_(ended))),
        Sweep("survey_public_links", update(Survey).where(
            Survey.id.in_(ended), Survey.public_token_digest.is_not(None),
        ).values(public_token_digest=None)),
        Sweep("issued_documents", delete(IssuedDocument).where(
            IssuedDocument.user_id.in_(_erased_people()),
            IssuedDocument.issued_at < now - settings.retention_legal_record_years * YEAR,
        )),
    ]  # fmt: skip


def _ended_surveys(before: datetime) -> Any:
    """Surveys that take no more answers since before `before`: their closing date is past
    it, or their owner closed them and they had opened before it."""
    opened = func.coalesce(Survey.opened_at, Survey.created_at)
    return select(Survey.id).where(
        or_(
            Survey.closes_at < before,
            and_(Survey.status == SurveyStatus.CLOSED, opened < before),
        )
    )


def _erased_people() -> Any:
    return select(ErasureRequest.person_id).where(ErasureRequest.carried_out_at.is_not(None))


def apply_retention(
    new_session: NewSession, settings: Settings, now: datetime | None = None
) -> dict[str, int]:
    """Delete what has outlived its setting; how many rows each rule removed."""
    at = now or utcnow()
    removed: dict[str, int] = {}
    with new_session() as session:
        for sweep in sweeps(settings, at):
            options = {"synchronize_session": False}  # nothing of these is loaded
            result = cast(
                CursorResult[Any], session.execute(sweep.statement, execution_options=options)
            )
            removed[sweep.name] = max(result.rowcount, 0)
        session.commit()
    return removed
