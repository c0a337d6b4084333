"""Learning plans over the API: a learner's plan in a programme (the semester of each course
still to take and the electives chosen), its history, and the advisors a registrar names."""

from typing import Annotated

from fastapi import APIRouter, Path, Query, Response, status

from app.accounts.deps import SignedInApiActor
from app.core.db import SessionDep
from app.core.inputs import Id
from app.core.pagination import Page
from app.core.routes import DeferredRoute
from app.credits.plan_schemas import (
    AdvisorRead,
    ElectiveGroupRead,
    PlanChangeRead,
    PlanCourseRead,
    PlanRead,
    PlanUpdate,
)
from app.credits.service import plans

router = APIRouter(tags=["credits"], route_class=DeferredRoute)
P = "/users/{user_id}/programmes/{code}"
ProgrammeCode = Annotated[str, Path(max_length=32)]
Cursor = Annotated[str | None, Query(max_length=64)]
Limit = Annotated[int, Query(ge=1, le=100)]


def plan_read(current: plans.LearnerPlan) -> PlanRead:
    """The wire form of a plan with the progress it gives."""
    standing = current.progress
    chosen = {course_id for group in standing.electives for course_id in group.chosen}
    codes = {s.course_id: s.code for s in standing.courses}
    return PlanRead(
        user_id=current.learner.id,
        programme_code=current.programme.code,
        semesters=current.ruleset.semesters,
        required=standing.required,
        earned=standing.earned,
        eligible=standing.eligible,
        courses=[
            PlanCourseRead(
                course_code=s.code,
                title=s.title,
                credits=s.credits,
                programme_semester=s.semester,
                planned_semester=s.planned_semester,
                mandatory=s.mandatory,
                elective_group=s.elective_group,
                status=s.status,
                chosen=s.course_id in chosen,
            )
            for s in standing.courses
        ],
        electives=[
            ElectiveGroupRead(
                code=g.code,
                title=g.title,
                min_credits=g.min_credits,
                earned=g.earned,
                chosen=[codes[c] for c in g.chosen],
            )
            for g in standing.electives
        ],
        to_take={n: [s.code for s in courses] for n, courses in standing.to_take().items()},
        updated_at=current.plan.updated_at if current.plan else None,
    )


@router.get(P + "/plan", response_model=PlanRead)
def read_plan(
    user_id: Id, code: ProgrammeCode, session: SessionDep, actor: SignedInApiActor
) -> PlanRead:
    """A learner's learning plan in a programme they are enrolled in: each course with its
    status (earned, compensated, missing), the semester planned, the electives chosen per
    group, and the courses still to take per semester (the learner, their advisors, registrars
    and partner systems within reach with `credits:read`)."""
    return plan_read(plans.read_plan(session, actor, user_id, code))


@router.put(P + "/plan", response_model=PlanRead)
def change_plan(
    user_id: Id, code: ProgrammeCode, body: PlanUpdate, session: SessionDep, actor: SignedInApiActor
) -> PlanRead:
    """Replace the courses still to take (the learner, their advisors, registrars within
    reach; `credits:write`). Refused with 422 `course_not_in_programme`,
    `semester_out_of_range`, `not_an_elective`, `mandatory_course_dropped`,
    `course_planned_twice`, or 409 `course_already_earned`. Every change is recorded."""
    return plan_read(plans.change_plan(session, actor, user_id, code, body))


@router.get(P + "/plan/changes", response_model=Page[PlanChangeRead])
def plan_changes(
    user_id: Id,
    code: ProgrammeCode,
    session: SessionDep,
    actor: SignedInApiActor,
    cursor: Cursor = None,
    limit: Limit = 50,
) -> Page[PlanChangeRead]:
    """Every change to the plan, oldest first: a course moved, an elective chosen or
    dropped, with who made it and when."""
    rows, next_cursor = plans.plan_changes(session, actor, user_id, code, cursor, limit)
    return Page(items=[PlanChangeRead.model_validate(r) for r in rows], next_cursor=next_cursor)


@router.get(P + "/advisors", response_model=list[AdvisorRead])
def list_advisors(
    user_id: Id, code: ProgrammeCode, session: SessionDep, actor: SignedInApiActor
) -> list[AdvisorRead]:
    """The people advising the learner in the programme."""
    advisors = plans.list_advisors(session, actor, user_id, code)
    return [AdvisorRead.model_validate(a) for a in advisors]


@router.put(P + "/advisors/{advisor_id}", response_model=AdvisorRead)
def name_advisor(
    user_id: Id, code: ProgrammeCode, advisor_id: Id, session: SessionDep, actor: SignedInApiActor
) -> AdvisorRead:
    """Name a person to advise the learner in the programme (registrars who reach the
    learner); an advisor may then read and change the learner's plan there."""
    advisor = plans.name_advisor(session, actor, user_id, code, advisor_id)
    return AdvisorRead.model_validate(advisor)


@router.delete(P + "/advisors/{advisor_id}", status_code=204)
def remove_advisor(
    user_id: Id, code: ProgrammeCode, advisor_id: Id, session: SessionDep, actor: SignedInApiActor
) -> Response:
    """Remove an advisor (registrars who reach the learner)."""
    plans.remove_advisor(session, actor, user_id, code, advisor_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
