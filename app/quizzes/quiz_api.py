"""Quizzes over the API, for teachers and partner developers: a quiz module's settings, its
questions (fixed or drawn at random), overrides per learner or group, regrading and results."""

from fastapi import APIRouter, Response, status

from app.accounts.deps import SignedInApiActor
from app.core.db import SessionDep
from app.core.inputs import Id
from app.core.routes import DeferredRoute
from app.quizzes.attempt_models import QuizOverride
from app.quizzes.quiz_schemas import (
    AttemptSummary,
    OverrideCreate,
    OverrideRead,
    QuizRead,
    QuizSettings,
    RegradeRead,
    RegradeRequest,
    SlotAdd,
    SlotRead,
    SlotUpdate,
)
from app.quizzes.service import marking, overrides, quizzes, regrade, slots

router = APIRouter(tags=["quizzes"], route_class=DeferredRoute)


@router.get("/modules/{module_id}/quiz", response_model=QuizRead)
def read_quiz(module_id: Id, session: SessionDep, actor: SignedInApiActor) -> QuizRead:
    """The settings of a quiz module (its teachers and managers), created with defaults the
    first time they are read: dates, time limit and expiry rule, attempts, grading method,
    navigation, shuffling, grades, the review options and the overall feedback bands."""
    return QuizRead.model_validate(quizzes.quiz_of_module(session, actor, module_id).quiz)


@router.put("/modules/{module_id}/quiz", response_model=QuizRead)
def update_quiz(
    module_id: Id, body: QuizSettings, session: SessionDep, actor: SignedInApiActor
) -> QuizRead:
    """Replace a quiz's settings. `review` maps `during`, `immediately`, `open`, `closed` to
    the items then shown: `response`, `correctness`, `marks`, `specific_feedback`,
    `general_feedback`, `right_answer`, `overall_feedback`; a moment left out keeps the default."""
    return QuizRead.model_validate(quizzes.update_quiz(session, actor, module_id, body).quiz)


@router.get("/quizzes/{quiz_id}/slots", response_model=list[SlotRead])
def list_slots(quiz_id: Id, session: SessionDep, actor: SignedInApiActor) -> list[SlotRead]:
    """The quiz's slots in order, with their page and mark (teachers and managers)."""
    _, found = slots.list_slots(session, actor, quiz_id)
    return [SlotRead.model_validate(slot) for slot in found]


@router.post("/quizzes/{quiz_id}/slots", response_model=list[SlotRead], status_code=201)
def add_slots(
    quiz_id: Id, body: SlotAdd, session: SessionDep, actor: SignedInApiActor
) -> list[SlotRead]:
    """Add a question of the course's bank (`question_id`), or `count` places each drawing a
    different question at random from `category_id` (with its subcategories if asked)."""
    return [
        SlotRead.model_validate(slot) for slot in slots.add_slots(session, actor, quiz_id, body)
    ]


@router.patch("/quiz-slots/{slot_id}", response_model=SlotRead)
def update_slot(
    slot_id: Id, body: SlotUpdate, session: SessionDep, actor: SignedInApiActor
) -> SlotRead:
    """Change a slot's mark, page or position."""
    return SlotRead.model_validate(slots.update_slot(session, actor, slot_id, body))


@router.delete("/quiz-slots/{slot_id}", status_code=204)
def remove_slot(slot_id: Id, session: SessionDep, actor: SignedInApiActor) -> Response:
    """Take a slot out of the quiz; attempts already started keep their questions."""
    slots.remove_slot(session, actor, slot_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


def _override(override: QuizOverride) -> OverrideRead:
    return OverrideRead.model_validate(override)


@router.get("/quizzes/{quiz_id}/overrides", response_model=list[OverrideRead])
def list_overrides(quiz_id: Id, session: SessionDep, actor: SignedInApiActor) -> list[OverrideRead]:
    """The quiz's overrides per learner and per group."""
    return [_override(o) for o in overrides.list_overrides(session, actor, quiz_id)]


@router.post("/quizzes/{quiz_id}/overrides", response_model=OverrideRead, status_code=201)
def add_override(
    quiz_id: Id, body: OverrideCreate, session: SessionDep, actor: SignedInApiActor
) -> OverrideRead:
    """Other dates, time limit or attempts for one student (`user_id`) or one group
    (`group_id`) of the course; a learner's override beats their group's. 409
    `override_exists` when they already have one."""
    return _override(overrides.add_override(session, actor, quiz_id, body))


@router.delete("/quiz-overrides/{override_id}", status_code=204)
def delete_override(override_id: Id, session: SessionDep, actor: SignedInApiActor) -> Response:
    """Remove an override; attempts already started keep their deadline."""
    overrides.delete_override(session, actor, override_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post("/quizzes/{quiz_id}/regrade", response_model=RegradeRead)
def regrade_quiz(
    quiz_id: Id, body: RegradeRequest, session: SessionDep, actor: SignedInApiActor
) -> RegradeRead:
    """Grade every finished attempt again after a question was fixed, with the version each
    used or (`to_latest`) each question's latest version; the gradebook follows."""
    done = regrade.regrade(session, actor, quiz_id, to_latest=body.to_latest)
    return RegradeRead(attempts=done.attempts, changed=done.changed)


@router.get("/quizzes/{quiz_id}/results", response_model=list[AttemptSummary])
def quiz_results(quiz_id: Id, session: SessionDep, actor: SignedInApiActor) -> list[AttemptSummary]:
    """Every attempt at the quiz with its grade out of the quiz's maximum (teachers, tutors,
    managers)."""
    _, rows = marking.results(session, actor, quiz_id)
    return [
        AttemptSummary(
            id=row.attempt.id,
            user_id=row.attempt.user_id,
            number=row.attempt.number,
            state=row.attempt.state,
            started_at=row.attempt.started_at,
            finished_at=row.attempt.finished_at,
            grade=row.grade,
        )
        for row in rows
    ]
