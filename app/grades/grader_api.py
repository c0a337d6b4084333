"""The grader table over the API: the table, overriding a grade with the version read (a
stale version is answered 409 `grade_edited_meanwhile`), removing an override, a grade's
history, and a learner's own grades."""

from typing import Annotated

from fastapi import APIRouter, Query, Response

from app.accounts.deps import SignedInApiActor
from app.core.db import SessionDep, utcnow
from app.core.downloads import attachment_headers
from app.core.inputs import Id
from app.core.routes import DeferredRoute
from app.grades.grader_reads import grader_read, history_read, my_grades_read
from app.grades.grader_schemas import (
    GradeChangeRead,
    GradeOverride,
    GradeRead,
    GraderRead,
    MyGradesRead,
    OverrideRemoval,
)
from app.grades.service import grader, learner_view, overrides

router = APIRouter(tags=["grades"], route_class=DeferredRoute)
GroupQuery = Annotated[Id | None, Query(alias="group", description="only this group's learners")]
LANGUAGE = Annotated[str, Query(max_length=8, description="language of the CSV's header")]


def _grade(slot: overrides.GradeSlot) -> GradeRead:
    return GradeRead.model_validate(slot.grade)


@router.get("/courses/{course_id}/grader", response_model=GraderRead)
def read_grader_table(
    course_id: Id, session: SessionDep, actor: SignedInApiActor, group: GroupQuery = None
) -> GraderRead:
    """Every learner the caller may see against the course's grade items (in category order),
    released or not, with each grade's `version` and the course total. Staff of the course and
    managers; a teacher or tutor who belongs to groups of the course sees their groups only."""
    return grader_read(grader.grader_table_by_id(session, actor, course_id, group))


@router.get("/courses/{course_id}/grader.csv", response_class=Response)
def export_grader_table(
    course_id: Id,
    session: SessionDep,
    actor: SignedInApiActor,
    group: GroupQuery = None,
    language: LANGUAGE = "en",
) -> Response:
    """The grader table as CSV (UTF-8 with a byte-order mark); a cell a spreadsheet would run
    as a formula starts with an apostrophe."""
    table = grader.grader_table_by_id(session, actor, course_id, group)
    text, name = grader.table_csv(table, language)
    return Response(text, media_type="text/csv; charset=utf-8", headers=attachment_headers(name))


@router.put("/grades/{grade_id}", response_model=GradeRead)
def override_grade(
    grade_id: Id, body: GradeOverride, session: SessionDep, actor: SignedInApiActor
) -> GradeRead:
    """Override a computed grade (or set a manual item's grade) with a reason. Send the
    `version` you read: if the grade changed since, the answer is 409 `grade_edited_meanwhile`
    and nothing is written. A locked item answers 409 `grade_item_locked`."""
    return _grade(overrides.override_grade(session, actor, grade_id, body))


@router.put("/grade-items/{item_id}/grades/{user_id}", response_model=GradeRead)
def override_learner_grade(
    item_id: Id, user_id: Id, body: GradeOverride, session: SessionDep, actor: SignedInApiActor
) -> GradeRead:
    """A learner's grade for an item, created if there is none yet (send `version` 0), with
    the same rules as `PUT /grades/{grade_id}`."""
    return _grade(overrides.override_learner_grade(session, actor, item_id, user_id, body))


@router.post("/grades/{grade_id}/override-removal", response_model=GradeRead)
def remove_override(
    grade_id: Id, body: OverrideRemoval, session: SessionDep, actor: SignedInApiActor
) -> GradeRead:
    """Back to the computed grade, with a reason; 409 `no_override` when there is none and
    `grade_edited_meanwhile` when the version read is not the current one."""
    return _grade(overrides.remove_override(session, actor, grade_id, body))


@router.get("/grades/{grade_id}/history", response_model=list[GradeChangeRead])
def read_grade_history(
    grade_id: Id, session: SessionDep, actor: SignedInApiActor
) -> list[GradeChangeRead]:
    """Every change of a grade, oldest first: kind, from, to, reason, who and when."""
    return history_read(overrides.grade_history(session, actor, grade_id))


@router.get("/courses/{course_id}/my-grades", response_model=MyGradesRead)
def read_my_grades(course_id: Id, session: SessionDep, actor: SignedInApiActor) -> MyGradesRead:
    """The caller's own released grades in a course whose hidden-until date has passed, with
    feedback, and the course result once nothing of the course is hidden. Learners only."""
    return my_grades_read(learner_view.my_grades_by_id(session, actor, course_id, utcnow()))
