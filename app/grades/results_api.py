"""Course results and released grades over the API, for staff and partner systems."""

from typing import Annotated

from fastapi import APIRouter, Query

from app.accounts.deps import SignedInApiActor
from app.core.db import SessionDep
from app.core.inputs import Id
from app.core.pagination import Page
from app.core.routes import DeferredRoute
from app.grades.service import reading
from app.grades.setup_schemas import GradeRead, ResultRead

router = APIRouter(tags=["gradebook"], route_class=DeferredRoute)


@router.get("/courses/{course_id}/results", response_model=list[ResultRead])
def list_results(course_id: Id, session: SessionDep, actor: SignedInApiActor) -> list[ResultRead]:
    """Each learner's course result from released grades: points out of the total's maximum,
    percentage and whether it passes the course's pass mark (`null` without one). A partner
    system sees its institution's learners only."""
    return [ResultRead.model_validate(r) for r in reading.course_results(session, actor, course_id)]


@router.get("/courses/{course_id}/grades", response_model=Page[GradeRead])
def list_grades(
    course_id: Id,
    session: SessionDep,
    actor: SignedInApiActor,
    cursor: str | None = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 50,
) -> Page[GradeRead]:
    """Released grades the learners can see (hidden-until passed), 50 a page in a stable
    order; follow `next_cursor`. A partner system (`grades:read`) reads its institution's
    learners only; a course outside its reach answers 404."""
    found, next_cursor = reading.released_grades(session, actor, course_id, cursor, limit)
    return Page[GradeRead](
        items=[
            GradeRead(
                id=g.id,
                item_id=g.item_id,
                user_id=g.user_id,
                points=g.final_points,
                feedback_html=g.feedback_html,
                released_at=g.released_at,
            )
            for g in found
        ],
        next_cursor=next_cursor,
    )
