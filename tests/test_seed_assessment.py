"""The seed's assessment: the induction's quizzes are real (ten questions or more, each with
an explanation), the short assignment has its rubric, the MBA's collective project is a group
assignment with a jury and its chair, the demo student takes the week-1 quiz end to end, and
loading the seed twice adds nothing."""

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

import app.models  # noqa: F401  (every table, for the counts)
from app import seed
from app.accounts.models import User
from app.assessment_seed import seat_juries
from app.assignments.jury_models import JuryMember
from app.assignments.models import Assignment
from app.assignments.service.rubrics import Choice, grade_from_choices, rubric_of
from app.core.config import Settings
from app.core.db import Base
from app.core.security import hash_password
from app.courses.models import CompletionRule, Course, Module
from app.courses.service.completion import completed_module_ids
from app.enrolment.models import Group
from app.grades.models import Scale
from app.quizzes.attempt_models import AttemptSlot, Quiz, QuizSlot
from app.quizzes.models import Question, QuestionCategory, QuestionType, QuestionVersion
from app.quizzes.questions.matching import answer_id
from tests.accounts.factories import PASSWORD, api_token, bearer, sign_in

LOADED_AT = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)  # a Tuesday: the course starts on 7 Dec


def _load(db: Session, settings: Settings) -> None:
    settings.max_upload_bytes = 10 * 1024 * 1024
    seed.load_seed(db, settings)
    seed.create_demo_accounts(db)
    seed.enrol_demo_accounts(db)
    seat_juries(db, settings, seed.SEED_DIR)


def _module(db: Session, code: str, key: str) -> Module:
    found = db.scalar(
        select(Module).join(Course, Course.id == Module.course_id)
        .where(Course.code == code, Module.key == key)
    )  # fmt: skip
    assert found is not None
    return found


def _assignment(db: Session, code: str, key: str) -> Assignment:
    module = _module(db, code, key)
    found = db.scalar(select(Assignment).where(Assignment.module_id == module.id))
    assert found is not None
    return found


def _quiz(db: Session, code: str, key: str) -> Quiz:
    module = _module(db, code, key)
    found = db.scalar(select(Quiz).where(Quiz.module_id == module.id))
    assert found is not None
    return found


@pytest.mark.time_machine(LOADED_AT)
def test_the_short_assignment_is_marked_with_a_three_criterion_rubric(
    db: Session, settings: Settings
):
    _load(db, settings)
    assignment = _assignment(db, "MPHM-IND", "w2-assignment")
    rubric = rubric_of(db, assignment.id)
    assert rubric is not None
    levels = [[level.points for level in c.levels] for c in rubric.criteria]
    chosen = {
        c.id: Choice(level_id=c.levels[n].id)
        for c, n in zip(rubric.criteria, (4, 2, 3), strict=True)
    }

    assert [c.description for c in rubric.criteria] == [
        "The problem is described with data",
        "The causes are linked to the principles of primary health care",
        "A feasible first step",
    ]
    assert levels == [[Decimal(n) for n in range(5)]] * 3
    assert grade_from_choices(assignment, rubric, chosen) == Decimal(15)  # 9/12 of 20
    assert assignment.online_text
    assert not assignment.file_submissions
    assert assignment.word_limit == 800
    assert assignment.marking_workflow
    # Due at the end of week 2: Sunday 20 December, 23:59 in Bangkok.
    assert assignment.due_at is not None
    assert assignment.due_at.astimezone(UTC).isoformat() == "2026-12-20T16:59:00+00:00"
    assert _module(db, "MPHM-IND", "w2-assignment").completion_rule is CompletionRule.SUBMITTED


@pytest.mark.time_machine(LOADED_AT)
def test_the_mba_project_is_a_group_assignment_with_a_jury_and_its_chair(
    db: Session, settings: Settings
):
    _load(db, settings)
    assignment = _assignment(db, "MBA-TSM", "projet-rendu")
    jury = db.execute(
        select(JuryMember.is_chair, JuryMember.external, User.email)
        .join(User, User.id == JuryMember.user_id)
        .where(JuryMember.assignment_id == assignment.id)
        .order_by(JuryMember.is_chair.desc(), User.email)
    ).all()
    groups = db.scalars(
        select(Group.name).where(Group.course_id == assignment.course_id).order_by(Group.name)
    ).all()
    scale = db.get(Scale, assignment.scale_id) if assignment.scale_id else None

    assert assignment.group_submission
    assert assignment.every_member_confirms
    assert assignment.jury
    assert assignment.final_grade_rule.value == "agreed"
    assert assignment.accepted_types == ["application/pdf"]
    assert not assignment.online_text
    assert scale is not None
    assert scale.code == "fr-20"
    assert (assignment.max_points, assignment.pass_points) == (Decimal(20), Decimal(10))
    assert [tuple(row) for row in jury] == [
        (True, True, "teacher@demo.agora"),
        (False, True, "ensp-manager@demo.agora"),
        (False, True, "manager@demo.agora"),
    ]
    assert groups == ["Projet A — Souss-Massa", "Projet B — Oriental", "Projet C — Drâa-Tafilalet"]


def _counts(db: Session) -> dict[str, int]:
    return {
        table.name: db.scalar(select(func.count()).select_from(table)) or 0
        for table in Base.metadata.sorted_tables
    }


@pytest.mark.time_machine(LOADED_AT)
def test_loading_the_seed_twice_creates_nothing_new(db: Session, settings: Settings):
    _load(db, settings)
    before = _counts(db)

    _load(db, settings)

    assert _counts(db) == before


def _bank_of(db: Session, quiz: Quiz) -> list[QuestionVersion]:
    """The versions of the questions the quiz's random slots draw from."""
    categories = db.scalars(select(QuizSlot.category_id).where(QuizSlot.quiz_id == quiz.id))
    return list(
        db.scalars(
            select(QuestionVersion)
            .join(Question, Question.id == QuestionVersion.question_id)
            .where(Question.category_id.in_(set(categories)))
        )
    )


SEED_QUIZZES = {
    ("MPHM-IND", "w1-quiz"): "Health systems",
    ("MPHM-IND", "w3-quiz"): "Coverage and social health protection",
    ("LMQS-HS", "hs-quiz"): "Patient safety",
}


@pytest.mark.time_machine(LOADED_AT)
def test_every_seed_quiz_draws_ten_or_more_explained_questions(db: Session, settings: Settings):
    _load(db, settings)
    w1, w3 = _quiz(db, "MPHM-IND", "w1-quiz"), _quiz(db, "MPHM-IND", "w3-quiz")

    for (code, key), category in SEED_QUIZZES.items():
        quiz = _quiz(db, code, key)
        slots = db.scalars(select(QuizSlot).where(QuizSlot.quiz_id == quiz.id)).all()
        drawn_from = {db.get_one(QuestionCategory, slot.category_id).name for slot in slots}
        versions = _bank_of(db, quiz)
        assert drawn_from == {category}
        assert len(slots) >= 10
        assert len(versions) > len(slots)  # each attempt draws a different set
        assert all(v.general_feedback_html.strip() for v in versions)
        assert len({v.qtype for v in versions}) >= 4
    assert (w1.max_attempts, w1.time_limit_minutes, w1.pass_grade) == (None, None, Decimal(7))
    assert (w3.max_attempts, w3.time_limit_minutes) == (2, 20)
    assert "right_answer" not in w3.review["immediately"]
    assert _module(db, "MPHM-IND", "w1-quiz").completion_rule is CompletionRule.PASSED


def _right_fields(version: QuestionVersion) -> dict[str, Any]:
    """The form fields of the right answer to one question."""
    definition = version.definition
    if version.qtype is QuestionType.MULTICHOICE:
        return {"choice": [c["id"] for c in definition["choices"] if Decimal(c["fraction"]) > 0]}
    if version.qtype is QuestionType.TRUEFALSE:
        return {"answer": "true" if definition["answer"] else "false"}
    if version.qtype is QuestionType.MATCHING:
        return {f"match-{p['id']}": answer_id(p["answer"]) for p in definition["pairs"]}
    best = next(a for a in definition["answers"] if Decimal(a["fraction"]) == 1)
    return {"answer": best.get("value", best.get("text"))}


def _demo_student(client: TestClient, db: Session) -> dict[str, str]:
    student = db.scalar(select(User).where(User.email == "student1@demo.agora"))
    assert student is not None
    student.password_hash = hash_password(PASSWORD)
    db.flush()
    sign_in(client, student.email)
    return bearer(api_token(client, student.email))


@pytest.mark.time_machine(LOADED_AT)
def test_the_demo_student_takes_the_week_1_quiz_and_week_2_opens_on_a_pass(
    client: TestClient, db: Session, settings: Settings
):
    _load(db, settings)
    headers = _demo_student(client, db)
    course = db.scalar(select(Course).where(Course.code == "MPHM-IND"))
    assert course is not None
    for key in ("welcome", "how-it-works", "w1-what-is", "w1-blocks"):
        page = client.get(f"/courses/MPHM-IND/modules/{_module(db, 'MPHM-IND', key).id}")
        assert page.status_code == 200
    quiz = _quiz(db, "MPHM-IND", "w1-quiz")
    panel = client.get(f"/courses/MPHM-IND/modules/{quiz.module_id}")
    assert "Start the quiz" in panel.text

    started = client.post(f"/api/v1/quizzes/{quiz.id}/attempts", headers=headers)
    assert started.status_code == 201, started.text
    attempt = started.json()
    assert len(attempt["slots"]) == 10
    assert all(slot["general_feedback_html"] is None for slot in attempt["slots"])
    slots = db.scalars(
        select(AttemptSlot).where(AttemptSlot.attempt_id == attempt["id"])
        .order_by(AttemptSlot.position)
    ).all()  # fmt: skip
    for page in sorted({slot.page for slot in slots}):
        answers = [
            {"slot": slot.position,
             "fields": _right_fields(db.get_one(QuestionVersion, slot.question_version_id))}
            for slot in slots if slot.page == page
        ]  # fmt: skip
        saved = client.put(
            f"/api/v1/attempts/{attempt['id']}/answers",
            json={"page": page, "answers": answers}, headers=headers,
        )  # fmt: skip
        assert saved.status_code == 200, saved.text
    review = client.post(f"/api/v1/attempts/{attempt['id']}/submit", headers=headers).json()

    assert Decimal(review["grade"]) == Decimal(10)
    assert all(slot["general_feedback_html"] for slot in review["slots"])
    assert all(slot["correct"] for slot in review["slots"])
    assert "passed the week-1 check" in review["overall_feedback_html"]
    page = client.get(f"/attempts/{attempt['id']}/review")
    explanation = review["slots"][0]["general_feedback_html"]
    assert page.status_code == 200
    assert explanation in page.text
    user_id = db.scalar(select(User.id).where(User.email == "student1@demo.agora"))
    assert _module(db, "MPHM-IND", "w1-quiz").id in completed_module_ids(db, user_id, course.id)
    week_2 = client.get(f"/courses/MPHM-IND/modules/{_module(db, 'MPHM-IND', 'w2-phc').id}")
    assert week_2.status_code == 200
