"""What the settings page of an assignment shows besides the settings: the choices its forms
offer (groupings, scales, the course's groups and learners) and the dates already changed."""

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from app.accounts.models import User
from app.assignments import policy
from app.assignments.service.dates import DateChanges, date_changes
from app.assignments.service.settings import AssignmentAccess, settings_of
from app.core.actors import Actor
from app.courses.models import Course
from app.enrolment.models import Group, Grouping
from app.grades.models import Scale
from app.membership.models import CourseRole, Enrolment, EnrolmentStatus


@dataclass(frozen=True)
class SettingsScreen:
    access: AssignmentAccess
    course: Course
    can_configure: bool
    groupings: Sequence[Grouping]
    scales: Sequence[Scale]
    groups: Sequence[Group]
    learners: Sequence[User]
    changes: DateChanges


def settings_screen(session: Session, actor: Actor, module_id: int) -> SettingsScreen:
    """The settings with their choices, for the course's staff and managers (a fixed number
    of queries whatever the number of learners and groups)."""
    access = settings_of(session, actor, module_id)
    course = session.get_one(Course, access.module.course_id)
    groupings = session.scalars(
        select(Grouping).where(Grouping.course_id == course.id).order_by(Grouping.name)
    ).all()
    scales = session.scalars(
        select(Scale)
        .where(or_(Scale.institution_id.is_(None), Scale.institution_id == course.institution_id))
        .order_by(Scale.name)
    ).all()
    groups = session.scalars(
        select(Group).where(Group.course_id == course.id).order_by(Group.name)
    ).all()
    learners = session.scalars(
        select(User)
        .join(Enrolment, Enrolment.user_id == User.id)
        .where(
            Enrolment.course_id == course.id,
            Enrolment.role == CourseRole.STUDENT,
            Enrolment.status == EnrolmentStatus.ACTIVE,
        )
        .order_by(User.display_name, User.id)
    ).all()
    return SettingsScreen(
        access, course, policy.can_configure(actor, access.roles), groupings, scales, groups,
        learners, date_changes(session, actor, access.assignment.id),
    )  # fmt: skip
