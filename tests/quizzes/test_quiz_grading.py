"""Grading: marks per slot, the grading method over attempts, the gradebook (released only when
the review options show marks, and later when they do), manual marks, regrading after a fix,
self-check quizzes and overrides."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.core.config import Settings
from app.courses.models import CompletionEvent
from app.grades.models import Grade, GradeItem, ItemSource
from app.quizzes.attempt_models import AttemptSlot
from app.quizzes.models import QuestionType, QuestionVersion
from app.quizzes.quiz_schemas import ManualGrade, OverrideCreate, QuizSettings, SlotAdd
from app.quizzes.service import answering, attempts, marking, overrides, quizzes, regrade, slots
from app.quizzes.service.showing import answering as shown_answering
from tests.quizzes.quiz_factories import actor_of, add_question, quiz_world

NOON = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
TRUE = {"answer": ["true"]}
FALSE = {"answer": ["false"]}


def _take(db: Session, world, answers: dict[int, dict[str, list[str]]]) -> int:
    me = actor_of(world.student)
    attempt, _ = attempts.start(db, me, world.quiz.id)
    for position, fields in answers.items():
        answering.save_page(db, me, attempt.id, position, {position: fields})
    answering.submit(db, me, attempt.id)
    return attempt.id


def _grade(db: Session, world) -> Grade | None:
    item = db.scalar(select(GradeItem).where(GradeItem.source == ItemSource.QUIZ))
    if item is None:
        return None
    return db.scalar(
        select(Grade).where(Grade.item_id == item.id, Grade.user_id == world.student.id)
    )


@pytest.mark.parametrize(
    ("method", "expected"),
    [("highest", "10.00"), ("average", "7.50"), ("first", "5.00"), ("last", "10.00")],
)
@pytest.mark.time_machine(NOON, tick=False)
def test_grading_method_over_attempts(
    db: Session, settings: Settings, method: str, expected: str
) -> None:
    world = quiz_world(db, settings, fixed=2, grading_method=method)
    _take(db, world, {1: TRUE, 2: FALSE})
    _take(db, world, {1: TRUE, 2: TRUE})
    grade = _grade(db, world)
    assert grade is not None
    assert grade.points == Decimal(expected)
    item = db.get_one(GradeItem, grade.item_id)
    assert item.module_id == world.module.id


@pytest.mark.time_machine(NOON, tick=False)
def test_grade_held_back_until_marks_show_then_released(
    db: Session, settings: Settings, time_machine
) -> None:
    closes = NOON + timedelta(hours=2)
    review = {"immediately": [], "open": [], "closed": ["marks"]}
    world = quiz_world(db, settings, fixed=1, closes_at=closes, review=review)
    attempt_id = _take(db, world, {1: TRUE})
    grade = _grade(db, world)
    assert grade is not None
    assert grade.released_at is None
    time_machine.move_to(closes + timedelta(minutes=1), tick=False)
    from app.quizzes.service.showing import reviewing

    reviewing(db, actor_of(world.student), attempt_id)
    db.refresh(grade)
    assert grade.released_at is not None


@pytest.mark.time_machine(NOON, tick=False)
def test_first_finished_attempt_records_submitted(db: Session, settings: Settings) -> None:
    world = quiz_world(db, settings, fixed=1)
    _take(db, world, {1: TRUE})
    events = db.scalars(
        select(CompletionEvent).where(CompletionEvent.user_id == world.student.id)
    ).all()
    assert any(event.module_id == world.module.id for event in events)


@pytest.mark.time_machine(NOON, tick=False)
def test_essay_waits_for_a_manual_mark(db: Session, settings: Settings) -> None:
    world = quiz_world(db, settings, fixed=0)
    essay = add_question(
        db, world.course, world.category, qtype=QuestionType.ESSAY, name="Essay", definition={}
    )
    teacher = actor_of(world.teacher)
    slots.add_slots(db, teacher, world.quiz.id, SlotAdd(question_id=essay.id, mark=Decimal(4)))
    attempt_id = _take(db, world, {1: {"text": ["Primary care first."]}})
    assert _grade(db, world) is None  # nothing to write before the essay is marked
    marking.grade_by_hand(
        db, actor_of(world.tutor), attempt_id, 1, ManualGrade(mark=Decimal(3), comment="Good")
    )
    grade = _grade(db, world)
    assert grade is not None
    assert grade.points == Decimal("7.50")


@pytest.mark.time_machine(NOON, tick=False)
def test_regrade_after_fixing_a_wrong_right_answer(db: Session, settings: Settings) -> None:
    world = quiz_world(db, settings, fixed=1)
    attempt_id = _take(db, world, {1: FALSE})
    assert _grade(db, world).points == Decimal("0.00")
    version = db.scalar(
        select(QuestionVersion).where(QuestionVersion.question_id == world.questions[0].id)
    )
    assert version is not None
    version.definition = {**version.definition, "answer": False}  # the fix, in place
    db.flush()
    done = regrade.regrade(db, actor_of(world.teacher), world.quiz.id)
    assert (done.attempts, done.changed) == (1, 1)
    slot = db.scalar(select(AttemptSlot).where(AttemptSlot.attempt_id == attempt_id))
    assert slot is not None
    assert slot.mark == Decimal(1)
    assert _grade(db, world).points == Decimal("10.00")


@pytest.mark.time_machine(NOON, tick=False)
def test_regrade_to_the_latest_version(db: Session, settings: Settings) -> None:
    world = quiz_world(db, settings, fixed=1)
    attempt_id = _take(db, world, {1: FALSE})
    question = world.questions[0]
    fixed = {"answer": False}
    db.add(
        QuestionVersion(
            question_id=question.id, version=2, qtype=QuestionType.TRUEFALSE, name="Fixed",
            text_html="<p>Fixed</p>", definition=fixed,
        )
    )  # fmt: skip
    question.latest_version = 2
    db.flush()
    regrade.regrade(db, actor_of(world.teacher), world.quiz.id, to_latest=True)
    slot = db.scalar(select(AttemptSlot).where(AttemptSlot.attempt_id == attempt_id))
    assert slot is not None
    assert slot.mark == Decimal(1)
    assert slot.prompt["text_html"] == "<p>Fixed</p>"


@pytest.mark.time_machine(NOON, tick=False)
def test_self_check_shows_a_checked_question_feedback_at_once(
    db: Session, settings: Settings
) -> None:
    world = quiz_world(
        db,
        settings,
        fixed=2,
        self_check=True,
        review={"during": ["correctness", "specific_feedback", "general_feedback"]},
    )
    me = actor_of(world.student)
    attempt, _ = attempts.start(db, me, world.quiz.id)
    answering.save_page(db, me, attempt.id, 1, {1: FALSE}, check=1)
    shown = shown_answering(db, me, attempt.id)
    first, second = shown.slots
    assert first.review is not None
    assert first.review.graded is not None
    assert "FBF-Q0" in first.review.graded.feedback_html
    assert second.review is None
    answering.submit(db, me, attempt.id)
    item = db.scalar(select(GradeItem).where(GradeItem.source == ItemSource.QUIZ))
    assert item is not None
    assert item.weight == Decimal(0)


@pytest.mark.time_machine(NOON, tick=False)
def test_a_learner_override_beats_the_group_one(db: Session, settings: Settings) -> None:
    from app.core.actors import SYSTEM
    from app.enrolment.cohorts import create_group, set_group_member

    world = quiz_world(db, settings, fixed=1, time_limit_minutes=10)
    teacher = actor_of(world.teacher)
    group = create_group(db, SYSTEM, world.course.id, "Team")
    set_group_member(db, SYSTEM, group.id, world.student.id, member=True)
    overrides.add_override(
        db, teacher, world.quiz.id, OverrideCreate(group_id=group.id, time_limit_minutes=20)
    )
    overrides.add_override(
        db, teacher, world.quiz.id, OverrideCreate(user_id=world.student.id, time_limit_minutes=40)
    )
    attempt, _ = attempts.start(db, actor_of(world.student), world.quiz.id)
    assert attempt.deadline_at == NOON + timedelta(minutes=40)
    other, _ = attempts.start(db, actor_of(world.other_student), world.quiz.id)
    assert other.deadline_at == NOON + timedelta(minutes=10)
    quizzes.update_quiz(db, teacher, world.module.id, QuizSettings(time_limit_minutes=5))
