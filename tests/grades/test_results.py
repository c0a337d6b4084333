"""Course results from released grades, the result event, "passed" completion, and the
results list's query budget."""

from datetime import UTC, datetime
from decimal import Decimal

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.core.actors import SYSTEM
from app.core.config import Settings
from app.courses.models import CompletionRule, ModuleCompletion
from app.grades.events import CourseResultComputed
from app.grades.models import CourseResult
from app.grades.service import setup
from app.grades.setup_schemas import CourseSettingsUpdate
from tests.conftest import QueryCounter
from tests.courses.factories import module
from tests.events import recorded
from tests.grades.core_setup import api_headers, book

pytestmark = pytest.mark.time_machine(datetime(2026, 12, 1, 9, 0, tzinfo=UTC))


def _result(db: Session, course_id: int, user_id: int) -> CourseResult | None:
    return db.scalar(
        select(CourseResult).where(
            CourseResult.course_id == course_id, CourseResult.user_id == user_id
        )
    )


def test_only_released_grades_count_towards_the_result(db: Session, settings: Settings) -> None:
    b = book(db, settings)
    learner = b.learner()
    quiz, exam = b.item("Quiz", 10, 1), b.item("Exam", 20, 2)
    setup.update_course_settings(db, SYSTEM, b.course.id, CourseSettingsUpdate(pass_percent=50))
    b.grade(quiz, learner, "8")
    b.grade(exam, learner, "4", release=False)
    result = _result(db, b.course.id, learner.id)
    assert result is not None
    assert (result.percent, result.passed) == (Decimal("80.000"), True)
    b.grade(exam, learner, "4", release=True)  # (0.8 + 0.2) / 2 = 50 %
    db.refresh(result)
    assert (result.percent, result.passed) == (Decimal("50.000"), True)


def test_a_changed_result_publishes_the_event_once(db: Session, settings: Settings) -> None:
    b = book(db, settings)
    learner = b.learner()
    quiz = b.item("Quiz", 10, 1)
    setup.update_course_settings(db, SYSTEM, b.course.id, CourseSettingsUpdate(pass_percent=60))
    with recorded(CourseResultComputed) as events:
        b.grade(quiz, learner, "5")
        b.grade(quiz, learner, "5")  # the same again: no change, no event
    assert events == [
        CourseResultComputed(
            course_id=b.course.id, user_id=learner.id, percent=Decimal("50.000"), passed=False
        )
    ]


def test_a_released_pass_records_the_passed_completion(db: Session, settings: Settings) -> None:
    b = book(db, settings)
    learner = b.learner()
    target = module(db, b.course, next(iter(_module_keys(db, b.course.id))))
    target.completion_rule = CompletionRule.PASSED
    quiz = b.item("Quiz", 10, 1, module_id=target.id, pass_points=Decimal(6))
    b.grade(quiz, learner, "7", release=False)
    assert not _completed(db, learner.id, target.id)
    b.grade(quiz, learner, "5")
    assert not _completed(db, learner.id, target.id)
    b.grade(quiz, learner, "7")
    assert _completed(db, learner.id, target.id)


def test_an_item_without_a_pass_mark_never_records_passed(db: Session, settings: Settings) -> None:
    b = book(db, settings)
    learner = b.learner()
    target = module(db, b.course, next(iter(_module_keys(db, b.course.id))))
    target.completion_rule = CompletionRule.PASSED
    quiz = b.item("Quiz", 10, 1, module_id=target.id)
    b.grade(quiz, learner, "10")
    assert not _completed(db, learner.id, target.id)


def _module_keys(db: Session, course_id: int) -> list[str]:
    from app.courses.models import Module

    return list(db.scalars(select(Module.key).where(Module.course_id == course_id)))


def _completed(db: Session, user_id: int, module_id: int) -> bool:
    return (
        db.scalar(
            select(ModuleCompletion.id).where(
                ModuleCompletion.user_id == user_id, ModuleCompletion.module_id == module_id
            )
        )
        is not None
    )


def _results_queries(
    client: TestClient, db: Session, settings: Settings, queries: QueryCounter, size: int
) -> int:
    b = book(db, settings)
    quiz = b.item("Quiz", 10, 1)
    for _ in range(size):
        b.grade(quiz, b.learner(), "7")
    headers = api_headers(b, b.teacher)
    with queries:
        response = client.get(f"/api/v1/courses/{b.course.id}/results", headers=headers)
    assert response.status_code == 200
    assert len(response.json()) == size
    assert response.json()[0]["percent"] == "70.000"
    return queries.count


def test_results_list_keeps_its_queries_as_the_class_grows(
    client: TestClient, db: Session, settings: Settings, queries: QueryCounter
) -> None:
    small = _results_queries(client, db, settings, queries, 3)
    db.rollback()
    large = _results_queries(client, db, settings, queries, 15)
    assert large == small


def test_a_new_maximum_of_an_activity_moves_every_result(db: Session, settings: Settings) -> None:
    b = book(db, settings)
    learners = [b.learner(), b.learner()]
    quiz = b.item("Quiz", 10, 1)
    for learner in learners:
        b.grade(quiz, learner, "5")
    b.item("Quiz", 20, 1)  # the quiz now counts out of 20
    percents = [_result(db, b.course.id, learner.id) for learner in learners]
    assert [r.percent for r in percents if r is not None] == [Decimal("25.000")] * 2
