"""The clock of an attempt, kept by the server: a learner's dates, time limit and attempts
(their own override beats their group's, which beats the quiz's), the deadline fixed at start,
and what happens once it passes (settled lazily on the next read, or by `settle_overdue`)."""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TypeVar

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.enrolment.models import GroupMember
from app.quizzes.attempt_models import Attempt, AttemptState, ExpiryAction, Quiz, QuizOverride

T = TypeVar("T")
OPEN_STATES = (AttemptState.IN_PROGRESS, AttemptState.OVERDUE)


@dataclass(frozen=True)
class Terms:
    """A quiz's dates, time limit and attempts as they apply to one learner."""

    opens_at: datetime | None
    closes_at: datetime | None
    time_limit_minutes: int | None
    max_attempts: int | None


def _first_set(values: Iterable[T | None], default: T | None) -> T | None:
    return next((value for value in values if value is not None), default)


def _merge(quiz: Quiz, overrides: list[QuizOverride]) -> Terms:
    """Each field from the first override that sets it (the learner's, then their groups'),
    else from the quiz. Several group overrides: the most generous one."""
    return Terms(
        opens_at=_first_set((o.opens_at for o in overrides), quiz.opens_at),
        closes_at=_first_set((o.closes_at for o in overrides), quiz.closes_at),
        time_limit_minutes=_first_set(
            (o.time_limit_minutes for o in overrides), quiz.time_limit_minutes
        ),
        max_attempts=_first_set((o.max_attempts for o in overrides), quiz.max_attempts),
    )


def terms_for(session: Session, quiz: Quiz, user_id: int | None) -> Terms:
    """The learner's terms: their own override first, then their groups' (latest closing
    first), then the quiz's settings."""
    if user_id is None:
        return _merge(quiz, [])
    group_ids = select(GroupMember.group_id).where(GroupMember.user_id == user_id)
    rows = session.scalars(
        select(QuizOverride).where(
            QuizOverride.quiz_id == quiz.id,
            (QuizOverride.user_id == user_id) | QuizOverride.group_id.in_(group_ids),
        )
    ).all()
    mine = [row for row in rows if row.user_id is not None]
    groups = sorted(
        (row for row in rows if row.group_id is not None),
        key=lambda row: (row.closes_at is None, row.closes_at.timestamp() if row.closes_at else 0),
        reverse=True,
    )
    return _merge(quiz, mine + groups)


def deadline(terms: Terms, started_at: datetime) -> datetime | None:
    """min(start + time limit, close); None when neither applies."""
    candidates = [terms.closes_at] if terms.closes_at is not None else []
    if terms.time_limit_minutes:
        candidates.append(started_at + timedelta(minutes=terms.time_limit_minutes))
    return min(candidates) if candidates else None


def grace_until(quiz: Quiz, deadline_at: datetime | None) -> datetime | None:
    if deadline_at is None or quiz.on_expiry is not ExpiryAction.GRACE:
        return None
    return deadline_at + timedelta(minutes=quiz.grace_minutes)


def time_up(attempt: Attempt, now: datetime) -> bool:
    """No answer is accepted after the deadline."""
    return attempt.deadline_at is not None and now > attempt.deadline_at


def may_still_submit(attempt: Attempt, now: datetime) -> bool:
    if attempt.state not in OPEN_STATES:
        return False
    if not time_up(attempt, now):
        return True
    return attempt.grace_until is not None and now <= attempt.grace_until


def seconds_left(attempt: Attempt, now: datetime) -> int | None:
    if attempt.deadline_at is None:
        return None
    return max(0, int((attempt.deadline_at - now).total_seconds()))


def settle(session: Session, quiz: Quiz, attempt: Attempt, now: datetime) -> bool:
    """Apply the quiz's expiry rule to an open attempt whose deadline has passed: finish it with
    what was saved, let it wait for a submit during the grace period, or abandon it. True when
    the attempt was finished (its grade must then be written)."""
    if attempt.state not in OPEN_STATES or not time_up(attempt, now):
        return False
    assert attempt.deadline_at is not None
    if quiz.on_expiry is ExpiryAction.AUTO_SUBMIT:
        from app.quizzes.service.grading import finish

        finish(session, quiz, attempt, attempt.deadline_at)
        return True
    if quiz.on_expiry is ExpiryAction.GRACE and attempt.grace_until and now <= attempt.grace_until:
        attempt.state = AttemptState.OVERDUE
    else:
        attempt.state = AttemptState.ABANDONED
        attempt.finished_at = attempt.deadline_at
    attempt.version += 1
    session.flush()
    return False


def settle_overdue(session: Session, now: datetime) -> int:
    """For the CLI or a scheduled job: settle every open attempt past its deadline; the number
    settled. Reads do this lazily too, so no job is needed for correctness."""
    rows = session.execute(
        select(Attempt, Quiz)
        .join(Quiz, Quiz.id == Attempt.quiz_id)
        .where(Attempt.state.in_(OPEN_STATES), Attempt.deadline_at < now)
    )
    count = 0
    for attempt, quiz in rows:
        before = attempt.state
        settle(session, quiz, attempt, now)
        count += attempt.state is not before
    return count
