"""Starting, answering and submitting attempts with the server's clock: refusals at start,
resuming, the deadline, expiry rules, sequential navigation, random drawing."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.core.config import Settings
from app.quizzes.attempt_models import Attempt, AttemptSlot, AttemptState
from app.quizzes.quiz_schemas import QuizSettings, SlotAdd
from app.quizzes.service import answering, attempts, quizzes, slots
from app.quizzes.service.answering import AttemptTimeUp, SequentialNavigation
from app.quizzes.service.attempts import AttemptDelay, AttemptsExhausted, QuizClosed, QuizNotOpen
from tests.quizzes.quiz_factories import actor_of, add_question, quiz_world

NOON = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
TRUE = {"answer": ["true"]}


def _count(db: Session) -> int:
    return db.scalar(select(func.count(Attempt.id))) or 0


@pytest.mark.time_machine(NOON, tick=False)
def test_answers_saved_then_submitted_are_graded(db: Session, settings: Settings) -> None:
    world = quiz_world(db, settings)
    me = actor_of(world.student)
    assert world.quiz is not None
    attempt, created = attempts.start(db, me, world.quiz.id)
    assert created
    answering.save_page(db, me, attempt.id, 1, {1: TRUE}, next_page=2)
    answering.save_page(db, me, attempt.id, 2, {2: {"answer": ["false"]}}, next_page=3)
    view = answering.submit(db, me, attempt.id)
    assert view.attempt.state is AttemptState.FINISHED
    assert view.attempt.sum_marks == Decimal(1)


@pytest.mark.time_machine(NOON, tick=False)
def test_starting_again_gives_back_the_open_attempt(db: Session, settings: Settings) -> None:
    world = quiz_world(db, settings)
    assert world.quiz is not None
    me = actor_of(world.student)
    first, _ = attempts.start(db, me, world.quiz.id)
    again, created = attempts.start(db, me, world.quiz.id)
    assert again.id == first.id
    assert not created


@pytest.mark.parametrize(
    ("settings_in", "error"),
    [
        ({"opens_at": NOON + timedelta(hours=1)}, QuizNotOpen),
        (
            {"closes_at": NOON - timedelta(minutes=1), "opens_at": NOON - timedelta(days=1)},
            QuizClosed,
        ),
    ],
)
@pytest.mark.time_machine(NOON, tick=False)
def test_dates_refuse_a_start_and_write_nothing(
    db: Session, settings: Settings, settings_in: dict[str, object], error: type[Exception]
) -> None:
    world = quiz_world(db, settings, **settings_in)
    assert world.quiz is not None
    with pytest.raises(error):
        attempts.start(db, actor_of(world.student), world.quiz.id)
    assert _count(db) == 0


@pytest.mark.time_machine(NOON, tick=False)
def test_attempts_limit_and_delay(db: Session, settings: Settings, time_machine) -> None:
    world = quiz_world(db, settings, max_attempts=2, delay_minutes=30)
    assert world.quiz is not None
    me = actor_of(world.student)
    first, _ = attempts.start(db, me, world.quiz.id)
    answering.submit(db, me, first.id)
    with pytest.raises(AttemptDelay):
        attempts.start(db, me, world.quiz.id)
    time_machine.move_to(NOON + timedelta(minutes=31), tick=False)
    second, _ = attempts.start(db, me, world.quiz.id)
    answering.submit(db, me, second.id)
    time_machine.move_to(NOON + timedelta(hours=2), tick=False)
    with pytest.raises(AttemptsExhausted):
        attempts.start(db, me, world.quiz.id)


@pytest.mark.time_machine(NOON, tick=False)
def test_answer_after_the_deadline_is_refused_and_earlier_answers_kept(
    db: Session,
    settings: Settings,
    time_machine,
) -> None:
    world = quiz_world(db, settings, time_limit_minutes=10, on_expiry="grace", grace_minutes=5)
    assert world.quiz is not None
    me = actor_of(world.student)
    attempt, _ = attempts.start(db, me, world.quiz.id)
    assert attempt.deadline_at == NOON + timedelta(minutes=10)
    time_machine.move_to(NOON + timedelta(minutes=10) - timedelta(seconds=1), tick=False)
    answering.save_page(db, me, attempt.id, 1, {1: TRUE})
    time_machine.move_to(NOON + timedelta(minutes=10, seconds=1), tick=False)
    with pytest.raises(AttemptTimeUp):
        answering.save_page(db, me, attempt.id, 2, {2: TRUE})
    saved = db.scalars(
        select(AttemptSlot)
        .where(AttemptSlot.attempt_id == attempt.id)
        .order_by(AttemptSlot.position)
    ).all()
    assert saved[0].response == {"answer": True}
    assert saved[1].response == {}
    view = answering.submit(db, me, attempt.id)  # within the grace period
    assert view.attempt.state is AttemptState.FINISHED
    assert view.attempt.sum_marks == Decimal(1)


@pytest.mark.time_machine(NOON, tick=False)
def test_auto_submit_finishes_on_the_next_read(
    db: Session, settings: Settings, time_machine
) -> None:
    world = quiz_world(db, settings, time_limit_minutes=5)
    assert world.quiz is not None
    me = actor_of(world.student)
    attempt, _ = attempts.start(db, me, world.quiz.id)
    answering.save_page(db, me, attempt.id, 1, {1: TRUE})
    time_machine.move_to(NOON + timedelta(hours=1), tick=False)
    view = attempts.read_attempt(db, me, attempt.id)
    assert view.attempt.state is AttemptState.FINISHED
    assert view.attempt.finished_at == NOON + timedelta(minutes=5)
    assert view.attempt.sum_marks == Decimal(1)


@pytest.mark.time_machine(NOON, tick=False)
def test_abandon_at_expiry_is_never_graded(db: Session, settings: Settings, time_machine) -> None:
    world = quiz_world(db, settings, time_limit_minutes=5, on_expiry="abandon")
    assert world.quiz is not None
    me = actor_of(world.student)
    attempt, _ = attempts.start(db, me, world.quiz.id)
    time_machine.move_to(NOON + timedelta(minutes=6), tick=False)
    view = attempts.read_attempt(db, me, attempt.id)
    assert view.attempt.state is AttemptState.ABANDONED
    assert view.attempt.sum_marks is None


@pytest.mark.time_machine(NOON, tick=False)
def test_deadline_is_the_close_when_it_comes_first(db: Session, settings: Settings) -> None:
    world = quiz_world(db, settings, time_limit_minutes=60, closes_at=NOON + timedelta(minutes=20))
    assert world.quiz is not None
    attempt, _ = attempts.start(db, actor_of(world.student), world.quiz.id)
    assert attempt.deadline_at == NOON + timedelta(minutes=20)


@pytest.mark.time_machine(NOON, tick=False)
def test_sequential_navigation_refuses_going_back(db: Session, settings: Settings) -> None:
    world = quiz_world(db, settings, navigation="sequential")
    assert world.quiz is not None
    me = actor_of(world.student)
    attempt, _ = attempts.start(db, me, world.quiz.id)
    answering.save_page(db, me, attempt.id, 1, {1: TRUE}, next_page=2)
    with pytest.raises(SequentialNavigation):
        answering.save_page(db, me, attempt.id, 2, {}, next_page=1)
    with pytest.raises(SequentialNavigation):
        answering.save_page(db, me, attempt.id, 1, {1: TRUE})


@pytest.mark.time_machine(NOON, tick=False)
def test_random_questions_come_from_the_right_category_never_twice(
    db: Session, settings: Settings
) -> None:
    world = quiz_world(db, settings, fixed=0)
    assert world.quiz is not None
    teacher = actor_of(world.teacher)
    elsewhere = add_question(db, world.course, world.category, name="Elsewhere")
    inside = [add_question(db, world.course, world.subcategory, name=f"Sub{n}") for n in range(3)]
    slots.add_slots(db, teacher, world.quiz.id, SlotAdd(category_id=world.subcategory.id, count=3))
    for learner in (world.student, world.other_student):
        attempt, _ = attempts.start(db, actor_of(learner), world.quiz.id)
        drawn = attempts.read_attempt(db, actor_of(learner), attempt.id).slots
        names = sorted(slot.prompt["text_html"] for slot in drawn)
        assert names == sorted(f"<p>{q}</p>" for q in ("Sub0", "Sub1", "Sub2"))
    assert elsewhere.id not in {q.id for q in inside}


@pytest.mark.time_machine(NOON, tick=False)
def test_self_check_has_unlimited_attempts(db: Session, settings: Settings) -> None:
    world = quiz_world(db, settings)
    assert world.quiz is not None
    access = quizzes.update_quiz(
        db, actor_of(world.teacher), world.module.id, QuizSettings(self_check=True, max_attempts=1)
    )
    assert access.quiz.max_attempts is None


@pytest.mark.time_machine(NOON, tick=False)
def test_settle_overdue_finishes_every_attempt_past_its_deadline(
    db: Session,
    settings: Settings,
    time_machine,
) -> None:
    from app.quizzes.service.timing import settle_overdue

    world = quiz_world(db, settings, time_limit_minutes=5)
    assert world.quiz is not None
    for learner in (world.student, world.other_student):
        attempts.start(db, actor_of(learner), world.quiz.id)
    time_machine.move_to(NOON + timedelta(minutes=6), tick=False)
    assert settle_overdue(db, NOON + timedelta(minutes=6)) == 2
    states = db.scalars(select(Attempt.state)).all()
    assert states == [AttemptState.FINISHED, AttemptState.FINISHED]


@pytest.mark.time_machine(NOON, tick=False)
def test_agora_attempts_settle_finishes_overdue_attempts(
    db: Session, settings: Settings, time_machine, capsys
) -> None:
    from app import cli

    world = quiz_world(db, settings, time_limit_minutes=5)
    assert world.quiz is not None
    attempts.start(db, actor_of(world.student), world.quiz.id)
    db.commit()  # the command runs in its own transaction (a savepoint of the test's)
    time_machine.move_to(NOON + timedelta(minutes=6), tick=False)

    assert cli.main(["attempts", "settle"]) == 0

    assert "attempts settled: 1" in capsys.readouterr().out
    db.expire_all()
    assert db.scalars(select(Attempt.state)).all() == [AttemptState.FINISHED]
