"""Attempts over the API: start (or resume), read as the learner sees it, save a page's
answers, submit, review. The clock is the server's: an answer after the deadline is 409
`attempt_time_up`, and what was saved before stays."""

from fastapi import APIRouter, Response, status

from app.accounts.deps import SignedInApiActor
from app.core.db import SessionDep
from app.core.inputs import Id
from app.core.routes import DeferredRoute
from app.quizzes.quiz_schemas import AnswersSave, AttemptRead, AttemptSlotRead, ManualGrade
from app.quizzes.service import answering, marking, showing
from app.quizzes.service.attempts import start
from app.quizzes.service.showing import Shown

router = APIRouter(tags=["quizzes"], route_class=DeferredRoute)


def attempt_read(shown: Shown) -> AttemptRead:
    """Only what `showing` let through: prompts and responses, and in review what is allowed."""
    attempt = shown.view.attempt
    slots = []
    for item in shown.slots:
        review = item.review
        graded = review.graded if review else None
        slots.append(
            AttemptSlotRead(
                slot=item.slot.position,
                page=item.slot.page,
                prompt=item.slot.prompt,
                response=item.response,
                answered=bool(item.response),
                correct=review.correct if review else None,
                mark=review.mark if review else None,
                max_mark=item.slot.max_mark if review and review.mark is not None else None,
                feedback_html=(graded.feedback_html or None) if graded else None,
                general_feedback_html=review.general_feedback_html if review else None,
                right_answer=review.right_answer if review else None,
            )
        )
    return AttemptRead(
        id=attempt.id, quiz_id=attempt.quiz_id, number=attempt.number, state=attempt.state,
        started_at=attempt.started_at, deadline_at=attempt.deadline_at,
        finished_at=attempt.finished_at, current_page=attempt.current_page,
        pages=shown.view.pages, slots=slots, grade=shown.grade,
        max_grade=shown.view.access.quiz.max_grade if shown.grade is not None else None,
        overall_feedback_html=shown.overall_feedback_html,
    )  # fmt: skip


@router.post("/quizzes/{quiz_id}/attempts", response_model=AttemptRead, status_code=201)
def start_attempt(
    quiz_id: Id, response: Response, session: SessionDep, actor: SignedInApiActor
) -> AttemptRead:
    """Start an attempt (201), or get back the open one (200). 409 with `quiz_not_open`,
    `quiz_closed`, `attempts_exhausted` or `attempt_delay` when it may not start now."""
    attempt, created = start(session, actor, quiz_id)
    if not created:
        response.status_code = status.HTTP_200_OK
    return attempt_read(showing.answering(session, actor, attempt.id))


@router.get("/attempts/{attempt_id}", response_model=AttemptRead)
def read_attempt(attempt_id: Id, session: SessionDep, actor: SignedInApiActor) -> AttemptRead:
    """The learner's open attempt as they see it: each slot's prompt and saved response, no
    right answer, mark or feedback."""
    return attempt_read(showing.answering(session, actor, attempt_id))


@router.put("/attempts/{attempt_id}/answers", response_model=AttemptRead)
def save_answers(
    attempt_id: Id, body: AnswersSave, session: SessionDep, actor: SignedInApiActor
) -> AttemptRead:
    """Save a page's answers: for each slot of `page`, the form fields its question type
    reads. 409 `sequential_navigation` for an earlier page of a forward-only quiz, 409
    `attempt_time_up` after the deadline."""
    forms = {
        answer.slot: {
            name: value if isinstance(value, list) else [value]
            for name, value in answer.fields.items()
        }
        for answer in body.answers
    }
    answering.save_page(session, actor, attempt_id, body.page, forms, next_page=body.next_page)
    return attempt_read(showing.answering(session, actor, attempt_id))


@router.post("/attempts/{attempt_id}/submit", response_model=AttemptRead)
def submit_attempt(attempt_id: Id, session: SessionDep, actor: SignedInApiActor) -> AttemptRead:
    """Finish the attempt with its saved answers and grade it; the body is its review as the
    quiz's review options allow now."""
    answering.submit(session, actor, attempt_id)
    return attempt_read(showing.reviewing(session, actor, attempt_id))


@router.get("/attempts/{attempt_id}/review", response_model=AttemptRead)
def review_attempt(attempt_id: Id, session: SessionDep, actor: SignedInApiActor) -> AttemptRead:
    """A finished attempt with exactly what the review options allow at this moment (during,
    immediately after, later while open, after close); graders see all of it."""
    return attempt_read(showing.reviewing(session, actor, attempt_id))


@router.put("/attempts/{attempt_id}/slots/{slot}/grade", response_model=AttemptRead)
def grade_slot(
    attempt_id: Id, slot: Id, body: ManualGrade, session: SessionDep, actor: SignedInApiActor
) -> AttemptRead:
    """A grader's mark and comment for one question of a finished attempt (essays wait for
    one); the learner's quiz grade follows."""
    marking.grade_by_hand(session, actor, attempt_id, slot, body)
    return attempt_read(showing.reviewing(session, actor, attempt_id))
