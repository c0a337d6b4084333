"""The assignment a module of kind `assignment` stands for: read (created with its defaults
the first time anyone reads it, so reading never fails) and configured by those who may."""

from dataclasses import dataclass
from itertools import pairwise

from sqlalchemy import exists, select
from sqlalchemy.orm import Session

from app.assignments import policy
from app.assignments.models import Assignment, Submission
from app.assignments.schemas import AssignmentSettings
from app.assignments.service.release import grade_item
from app.core.actors import Actor, require
from app.core.db import utcnow
from app.core.errors import Conflict, Invalid, NotFound
from app.core.i18n import N_
from app.courses.models import Course, Module, ModuleKind
from app.courses.service.content import read_module
from app.enrolment.models import Grouping
from app.grades.models import Scale
from app.membership.models import CourseRole
from app.membership.service import course_roles

NO_ASSIGNMENT = N_("No such assignment.")


class SubmissionsExist(Conflict):
    code = "submissions_exist"
    title = N_("Learners have already submitted: group submission can no longer be changed.")


@dataclass(frozen=True)
class AssignmentAccess:
    """An assignment, its module and the reader's roles in its course."""

    assignment: Assignment
    module: Module
    roles: frozenset[CourseRole]


def assignment_of(session: Session, module: Module) -> Assignment:
    """The module's assignment, created with the defaults the first time it is asked for."""
    found = session.scalar(select(Assignment).where(Assignment.module_id == module.id))
    if found is None:
        found = Assignment(course_id=module.course_id, module_id=module.id)
        session.add(found)
        session.flush()
    return found


def _reach(session: Session, actor: Actor, module: Module) -> AssignmentAccess:
    """Staff and managers reach every assignment of their course; a learner only one whose
    module they may open (a hidden or locked module hides or locks its assignment)."""
    roles = course_roles(session, actor, module.course_id)
    if not policy.can_read_settings(actor, roles):
        require(policy.can_submit(actor, roles), NotFound, NO_ASSIGNMENT)
        read_module(session, actor, module.id)
    return AssignmentAccess(assignment_of(session, module), module, roles)


def assignment_for(session: Session, actor: Actor, module_id: int) -> AssignmentAccess:
    """The assignment of a module, for its staff, managers and the learners who may open it."""
    module = session.scalar(
        select(Module).where(Module.id == module_id, Module.kind == ModuleKind.ASSIGNMENT)
    )
    if module is None:
        raise NotFound(NO_ASSIGNMENT)
    return _reach(session, actor, module)


def assignment_by_id(session: Session, actor: Actor, assignment_id: int) -> AssignmentAccess:
    row = session.execute(
        select(Assignment, Module)
        .join(Module, Module.id == Assignment.module_id)
        .where(Assignment.id == assignment_id)
    ).first()
    if row is None:
        raise NotFound(NO_ASSIGNMENT)
    return _reach(session, actor, row[1])


def settings_of(session: Session, actor: Actor, module_id: int) -> AssignmentAccess:
    """The settings are read by the course's staff and managers; learners see their dates
    on their submission page."""
    access = assignment_for(session, actor, module_id)
    require(policy.can_read_settings(actor, access.roles))
    return access


def _check_rules(data: AssignmentSettings) -> None:
    if not data.online_text and not data.file_submissions:
        raise Invalid(N_("Allow online text, files, or both."), field="online_text")
    if data.pass_points is not None and data.pass_points > data.max_points:
        raise Invalid(N_("The pass mark cannot exceed the maximum."), field="pass_points")
    _check_dates(data)


def _check_dates(data: AssignmentSettings) -> None:
    order = [("opens_at", data.opens_at), ("due_at", data.due_at), ("cutoff_at", data.cutoff_at)]
    known = [(name, moment) for name, moment in order if moment is not None]
    for (_, earlier), (name, later) in pairwise(known):
        if later < earlier:
            raise Invalid(N_("The dates must follow each other: opens, due, cut-off."), field=name)
    start = data.due_at or data.opens_at
    if data.grading_due_at is not None and start is not None and data.grading_due_at < start:
        raise Invalid(N_("Grading is due after the submissions."), field="grading_due_at")


def _check_references(session: Session, course: Course, data: AssignmentSettings) -> None:
    if data.grouping_id is not None:
        grouping = session.get(Grouping, data.grouping_id)
        if grouping is None or grouping.course_id != course.id:
            raise Invalid(N_("No such grouping in this course."), field="grouping_id")
    if data.scale_id is not None:
        scale = session.get(Scale, data.scale_id)
        if scale is None or scale.institution_id not in (None, course.institution_id):
            raise Invalid(N_("No such scale."), field="scale_id")


def update_settings(
    session: Session, actor: Actor, module_id: int, data: AssignmentSettings
) -> Assignment:
    """Teachers and managers set every rule at once; the gradebook item follows the maximum,
    pass mark and scale. Group submission is fixed once someone has submitted."""
    access = assignment_for(session, actor, module_id)
    require(policy.can_configure(actor, access.roles))
    assignment = access.assignment
    _check_rules(data)
    _check_references(session, session.get_one(Course, assignment.course_id), data)
    if data.group_submission != assignment.group_submission and session.scalar(
        select(exists().where(Submission.assignment_id == assignment.id))
    ):
        raise SubmissionsExist(field="group_submission")
    for name, value in data.model_dump().items():
        setattr(assignment, name, value)
    assignment.updated_at = utcnow()
    session.flush()
    grade_item(session, assignment)
    return assignment
