"""The quiz through its pages, without JavaScript: the teacher's settings, a student's attempt
page by page, the summary, submit, review; the time left as text; refused forms write nothing."""

from datetime import UTC, datetime, timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.core.config import Settings
from app.grades.models import Grade
from app.quizzes.attempt_models import Attempt, AttemptState, Quiz, QuizSlot
from tests.accounts.factories import page_csrf, sign_in
from tests.quizzes.quiz_factories import quiz_world

NOON = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)


def _post(client: TestClient, path: str, data: dict[str, str], csrf_from: str = "/") -> object:
    token = page_csrf(client, csrf_from)
    return client.post(path, data={**data, "csrf_token": token}, follow_redirects=False)


@pytest.mark.time_machine(NOON, tick=False)
def test_student_takes_a_quiz_page_by_page_and_sees_the_review(
    client: TestClient, db: Session, settings: Settings
) -> None:
    world = quiz_world(db, settings, fixed=2, time_limit_minutes=30)
    assert world.quiz is not None
    sign_in(client, world.student.email)
    module_page = client.get(f"/courses/{world.course.code}/modules/{world.module.id}")
    assert "Start the quiz" in module_page.text
    started = _post(
        client,
        f"/quizzes/{world.quiz.id}/attempts",
        {},
        f"/courses/{world.course.code}/modules/{world.module.id}",
    )
    assert started.status_code == 303
    location = started.headers["location"]
    attempt_id = int(location.split("/")[2].split("?")[0])
    page1 = client.get(location)
    assert page1.status_code == 200
    assert "Time left: 30 min 0 s" in page1.text
    assert "FBT-" not in page1.text
    assert "EXPLAIN-" not in page1.text
    moved = _post(
        client,
        f"/attempts/{attempt_id}",
        {"page": "1", "s1-answer": "true", "go": "next"},
        location,
    )
    assert moved.headers["location"] == f"/attempts/{attempt_id}?page=2"
    summary = _post(
        client,
        f"/attempts/{attempt_id}",
        {"page": "2", "s2-answer": "false", "go": "next"},
        location,
    )
    assert summary.headers["location"] == f"/attempts/{attempt_id}?page=0"
    summary_page = client.get(f"/attempts/{attempt_id}?page=0")
    assert "Answer saved" in summary_page.text
    done = _post(client, f"/attempts/{attempt_id}/submit", {}, f"/attempts/{attempt_id}?page=0")
    assert done.headers["location"] == f"/attempts/{attempt_id}/review"
    review = client.get(f"/attempts/{attempt_id}/review")
    assert review.status_code == 200
    assert "5 out of 10" in review.text
    assert "EXPLAIN-Q0" in review.text
    grade = db.scalar(select(Grade).where(Grade.user_id == world.student.id))
    assert grade is not None
    assert grade.released_at is not None


@pytest.mark.time_machine(NOON, tick=False)
def test_sequential_quiz_page_refuses_going_back(
    client: TestClient, db: Session, settings: Settings
) -> None:
    world = quiz_world(db, settings, fixed=2, navigation="sequential")
    assert world.quiz is not None
    sign_in(client, world.student.email)
    started = _post(
        client,
        f"/quizzes/{world.quiz.id}/attempts",
        {},
        f"/courses/{world.course.code}/modules/{world.module.id}",
    )
    attempt_id = int(started.headers["location"].split("/")[2].split("?")[0])
    _post(
        client,
        f"/attempts/{attempt_id}",
        {"page": "1", "s1-answer": "true", "go": "next"},
        f"/attempts/{attempt_id}?page=1",
    )
    back = client.get(f"/attempts/{attempt_id}?page=1")
    assert back.status_code == 409
    assert "forward only" in back.text


@pytest.mark.time_machine(NOON, tick=False)
def test_teacher_saves_settings_and_a_refused_form_writes_nothing(
    client: TestClient, db: Session, settings: Settings
) -> None:
    world = quiz_world(db, settings, fixed=1)
    sign_in(client, world.teacher.email)
    path = f"/modules/{world.module.id}/quiz"
    assert client.get(path).status_code == 200
    ok = _post(
        client,
        path,
        {
            "time_limit_minutes": "20",
            "max_grade": "20",
            "questions_per_page": "1",
            "review-immediately": "marks",
        },
        path,
    )
    assert ok.status_code == 303
    db.expire_all()
    quiz = db.scalar(select(Quiz).where(Quiz.module_id == world.module.id))
    assert quiz is not None
    assert quiz.time_limit_minutes == 20
    assert quiz.review["immediately"] == ["marks"]
    before = (quiz.time_limit_minutes, quiz.max_grade, db.scalar(select(func.count(QuizSlot.id))))
    refused = _post(
        client, path, {"time_limit_minutes": "20", "max_grade": "5", "pass_grade": "9"}, path
    )
    assert refused.status_code == 400
    refused_slot = _post(client, f"/quizzes/{quiz.id}/questions", {"question_id": "999999"}, path)
    assert refused_slot.status_code == 400
    db.expire_all()
    quiz = db.get_one(Quiz, quiz.id)
    assert (
        quiz.time_limit_minutes,
        quiz.max_grade,
        db.scalar(select(func.count(QuizSlot.id))),
    ) == before


@pytest.mark.time_machine(NOON, tick=False)
def test_answer_after_the_deadline_on_the_page_is_refused(
    client: TestClient,
    db: Session,
    settings: Settings,
    time_machine,
) -> None:
    world = quiz_world(
        db, settings, fixed=2, time_limit_minutes=10, on_expiry="grace", grace_minutes=5
    )
    assert world.quiz is not None
    sign_in(client, world.student.email)
    started = _post(
        client,
        f"/quizzes/{world.quiz.id}/attempts",
        {},
        f"/courses/{world.course.code}/modules/{world.module.id}",
    )
    attempt_id = int(started.headers["location"].split("/")[2].split("?")[0])
    token = page_csrf(client, f"/attempts/{attempt_id}?page=1")
    time_machine.move_to(NOON + timedelta(minutes=11), tick=False)
    late = client.post(
        f"/attempts/{attempt_id}",
        data={"page": "1", "s1-answer": "true", "csrf_token": token},
        follow_redirects=False,
    )
    assert late.status_code == 409
    assert "time for this attempt is up" in late.text
    db.expire_all()
    attempt = db.get_one(Attempt, attempt_id)
    assert attempt.state in (AttemptState.IN_PROGRESS, AttemptState.OVERDUE)


@pytest.mark.time_machine(NOON, tick=False)
def test_teacher_adds_an_override_listed_on_the_settings_page(
    client: TestClient, db: Session, settings: Settings
) -> None:
    world = quiz_world(db, settings, fixed=1)
    assert world.quiz is not None
    sign_in(client, world.teacher.email)
    path = f"/modules/{world.module.id}/quiz"
    data = {"who": f"user-{world.student.id}", "time_limit_minutes": "45", "max_attempts": "3"}
    added = _post(client, f"/quizzes/{world.quiz.id}/overrides", data, path)
    assert added.status_code == 303, added.text
    assert "45 minutes" in client.get(path).text


def _snapshot(db: Session) -> dict[str, list[str]]:
    from app.core.db import Base

    db.expire_all()
    return {
        table.name: sorted(repr(tuple(row)) for row in db.execute(select(table)))
        for table in Base.metadata.sorted_tables
        if table.name != "throttle_events"
    }


@pytest.mark.time_machine(NOON, tick=False)
def test_refused_override_and_manual_mark_forms_write_nothing(
    client: TestClient, db: Session, settings: Settings
) -> None:
    world = quiz_world(db, settings, fixed=1)
    assert world.quiz is not None
    from app.quizzes.service import answering, attempts
    from tests.quizzes.quiz_factories import actor_of

    me = actor_of(world.student)
    attempt, _ = attempts.start(db, me, world.quiz.id)
    answering.submit(db, me, attempt.id)
    db.flush()
    sign_in(client, world.teacher.email)
    path = f"/modules/{world.module.id}/quiz"
    before = _snapshot(db)
    stranger = _post(client, f"/quizzes/{world.quiz.id}/overrides", {"who": "user-999999"}, path)
    assert stranger.status_code == 400
    assert "No such student in this course." in stranger.text
    grade_path = f"/attempts/{attempt.id}/slots/1/grade"
    too_much = _post(client, grade_path, {"mark": "7"}, grade_path)
    assert too_much.status_code == 400
    assert "may not exceed" in too_much.text
    assert _snapshot(db) == before


@pytest.mark.time_machine(NOON, tick=False)
def test_self_check_button_shows_the_feedback_of_that_question(
    client: TestClient, db: Session, settings: Settings
) -> None:
    review = {"during": ["correctness", "specific_feedback", "general_feedback"]}
    world = quiz_world(db, settings, fixed=2, questions_per_page=0, self_check=True, review=review)
    assert world.quiz is not None
    sign_in(client, world.student.email)
    module_path = f"/courses/{world.course.code}/modules/{world.module.id}"
    started = _post(client, f"/quizzes/{world.quiz.id}/attempts", {}, module_path)
    location = started.headers["location"]
    attempt_id = int(location.split("/")[2].split("?")[0])
    data = {"page": "1", "s1-answer": "false", "s2-answer": "true", "go": "check-1"}
    checked = _post(client, f"/attempts/{attempt_id}", data, location)
    assert checked.headers["location"] == f"/attempts/{attempt_id}?page=1#q1"
    page = client.get(f"/attempts/{attempt_id}?page=1").text
    assert "FBF-Q0" in page
    assert "EXPLAIN-Q0" in page
    assert "FBT-Q1" not in page
    assert "EXPLAIN-Q1" not in page


@pytest.mark.time_machine(NOON, tick=False)
def test_module_panel_shows_attempts_and_continue_then_the_grade(
    client: TestClient, db: Session, settings: Settings
) -> None:
    world = quiz_world(db, settings, fixed=1, max_attempts=2, time_limit_minutes=15)
    assert world.quiz is not None
    from app.quizzes.service import answering, attempts
    from tests.quizzes.quiz_factories import actor_of

    me = actor_of(world.student)
    attempt, _ = attempts.start(db, me, world.quiz.id)
    db.flush()
    sign_in(client, world.student.email)
    module_path = f"/courses/{world.course.code}/modules/{world.module.id}"
    panel = client.get(module_path).text
    assert "1 of 2 used" in panel
    assert "15 minutes" in panel
    assert "Continue the attempt" in panel
    answering.save_page(db, me, attempt.id, 1, {1: {"answer": ["true"]}})
    answering.submit(db, me, attempt.id)
    db.flush()
    panel = client.get(module_path).text
    assert "10 out of 10" in panel
    assert "Start a new attempt" in panel
    assert "Quiz settings" not in panel
