"""Starting, resuming and answering an attempt, with the clock on the server. Starting again
gives back the open attempt (a dropped connection loses nothing); an answer after the deadline
is refused and what was saved before it is kept."""

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from random import Random

from sqlalchemy import insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.core.actors import Actor
from app.core.db import utcnow
from app.core.errors import Conflict, Forbidden, NotFound
from app.core.i18n import N_
from app.quizzes import policy
from app.quizzes.attempt_models import Attempt, AttemptSlot, Quiz, QuizSlot
from app.quizzes.questions.types import for_type
from app.quizzes.service import drawing, grading
from app.quizzes.service.paging import ordered_slots
from app.quizzes.service.quizzes import QuizAccess, get_quiz
from app.quizzes.service.timing import OPEN_STATES, Terms, deadline, grace_until, settle, terms_for


class QuizNotOpen(Conflict):
    code = "quiz_not_open"
    title = N_("This quiz is not open yet.")


class QuizClosed(Conflict):
    code = "quiz_closed"
    title = N_("This quiz is closed.")


class AttemptsExhausted(Conflict):
    code = "attempts_exhausted"
    title = N_("You have used all your attempts at this quiz.")


class AttemptDelay(Conflict):
    code = "attempt_delay"
    title = N_("Wait a little longer before your next attempt.")


def refuse_start(quiz: Quiz, terms: Terms, previous: list[Attempt], now: datetime) -> None:
    """Why a learner may not start an attempt now, if they may not."""
    if terms.opens_at is not None and now < terms.opens_at:
        raise QuizNotOpen()
    if terms.closes_at is not None and now >= terms.closes_at:
        raise QuizClosed()
    if (
        not quiz.self_check
        and terms.max_attempts is not None
        and len(previous) >= terms.max_attempts
    ):
        raise AttemptsExhausted()
    ended = [a.finished_at for a in previous if a.finished_at is not None]
    if quiz.delay_minutes and ended and now < max(ended) + timedelta(minutes=quiz.delay_minutes):
        raise AttemptDelay()


def _attempts_of(session: Session, quiz_id: int, user_id: int) -> list[Attempt]:
    return list(
        session.scalars(
            select(Attempt)
            .where(Attempt.quiz_id == quiz_id, Attempt.user_id == user_id)
            .order_by(Attempt.number)
        )
    )


def _lay_out(quiz: Quiz, slots: list[QuizSlot], rng: Random) -> list[tuple[QuizSlot, int]]:
    """Slots with their page (1…n); shuffled within each page when the quiz says so."""
    pages = sorted({slot.page for slot in slots})
    laid: list[tuple[QuizSlot, int]] = []
    for number, page in enumerate(pages, start=1):
        on_page = [slot for slot in slots if slot.page == page]
        if quiz.shuffle_questions:
            rng.shuffle(on_page)
        laid.extend((slot, number) for slot in on_page)
    return laid


def _create(session: Session, quiz: Quiz, user_id: int, number: int, terms: Terms) -> Attempt:
    now = utcnow()
    seed = secrets.randbelow(2**31)
    rng = Random(seed)
    slots = ordered_slots(session, quiz.id)
    questions = drawing.draw(session, quiz.course_id, slots, rng)
    versions = drawing.latest_versions(session, set(questions.values()))
    ends = deadline(terms, now)
    attempt = Attempt(
        quiz_id=quiz.id, user_id=user_id, number=number, seed=seed, started_at=now,
        deadline_at=ends, grace_until=grace_until(quiz, ends),
    )  # fmt: skip
    session.add(attempt)
    session.flush()
    rows = []
    for position, (slot, page) in enumerate(_lay_out(quiz, slots, rng), start=1):
        version = versions[questions[slot.id]]
        kind = for_type(version.qtype)
        rows.append({
            "attempt_id": attempt.id, "position": position, "page": page,
            "question_version_id": version.id, "max_mark": slot.mark,
            "prompt": kind.prompt(version, rng if quiz.shuffle_answers else None),
        })  # fmt: skip
    # One statement for all the slots, on SQLite too (added one by one, each is an INSERT
    # there, to return its id, which nothing here needs).
    session.execute(insert(AttemptSlot), rows)
    return attempt


def _require_taker(actor: Actor, access: QuizAccess) -> int:
    if not policy.can_take_quiz(actor, access.roles) or actor.user_id is None:
        raise Forbidden(N_("Only the course's students attempt its quizzes."))
    return actor.user_id


def start(session: Session, actor: Actor, quiz_id: int) -> tuple[Attempt, bool]:
    """Start an attempt, or give back the learner's open one (True when new), also when two
    starts of the same learner race. Refused before the quiz opens, after it closes, past the
    attempts allowed or within the delay."""
    access = get_quiz(session, actor, quiz_id)
    user_id = _require_taker(actor, access)
    quiz = access.quiz
    now = utcnow()
    previous = _attempts_of(session, quiz.id, user_id)
    for attempt in previous:
        settle(session, quiz, attempt, now)
        if attempt.state in OPEN_STATES:
            return attempt, False
    terms = terms_for(session, quiz, user_id)
    refuse_start(quiz, terms, previous, now)
    try:
        with session.begin_nested():
            return _create(session, quiz, user_id, len(previous) + 1, terms), True
    except IntegrityError:
        # The learner's other start at the same moment (a double click on Start, a retry of
        # a slow one) created this attempt number: give back the attempt it created.
        for attempt in _attempts_of(session, quiz.id, user_id):
            if attempt.state in OPEN_STATES:
                return attempt, False
        raise


@dataclass(frozen=True)
class AttemptView:
    """An attempt with its quiz, its slots (in order), the reader's relation to it and the
    learner's terms (for the review moment)."""

    access: QuizAccess
    attempt: Attempt
    slots: list[AttemptSlot]
    terms: Terms
    is_owner: bool
    now: datetime

    @property
    def pages(self) -> int:
        return max((slot.page for slot in self.slots), default=1)

    def on_page(self, page: int) -> list[AttemptSlot]:
        return [slot for slot in self.slots if slot.page == page]


def read_attempt(
    session: Session, actor: Actor, attempt_id: int, *, lock: bool = False
) -> AttemptView:
    """An attempt for its learner or the course's graders, settled first if its time is up;
    anyone else is told it does not exist."""
    query = select(Attempt).where(Attempt.id == attempt_id)
    attempt = session.scalar(query.with_for_update() if lock else query)
    if attempt is None:
        raise NotFound(N_("No such attempt."))
    access = get_quiz(session, actor, attempt.quiz_id)
    is_owner = actor.user_id == attempt.user_id and actor.api_client_id is None
    if not is_owner and not policy.can_grade_attempts(actor, access.roles):
        raise NotFound(N_("No such attempt."))
    now = utcnow()
    settle(session, access.quiz, attempt, now)
    terms = terms_for(session, access.quiz, attempt.user_id)
    return AttemptView(
        access, attempt, grading.attempt_slots(session, attempt.id), terms, is_owner, now
    )


def open_attempt(
    session: Session, actor: Actor, attempt_id: int, *, lock: bool = False
) -> AttemptView:
    """The learner's own attempt, for answering."""
    view = read_attempt(session, actor, attempt_id, lock=lock)
    if not view.is_owner:
        raise Forbidden(N_("Only the learner answers their attempt."))
    return view
