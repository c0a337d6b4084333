"""Who sees a course's content: hiding a module or section from students (staff still see
it), publishing a draft module. Each change raises the course's version (so every cached
outline follows) and is recorded in the course's history."""

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from app.accounts.models import Institution, User
from app.core.actors import Actor
from app.core.errors import NotFound
from app.core.i18n import N_
from app.courses import policy
from app.courses.models import Course, Module, Section, Status
from app.courses.schemas import VisibilityChange
from app.courses.service.content import editable_module, editable_section
from app.courses.service.courses import CourseAccess, get_course, touch
from app.courses.service.history import record_edit
from app.membership.models import CourseRole, Enrolment, EnrolmentStatus
from app.membership.service import course_roles


def set_module_hidden(
    session: Session, actor: Actor, module_id: int, change: VisibilityChange
) -> Module:
    """A hidden module is left out of students' outline, progress and reading (404); its
    teachers and managers still see it, marked as hidden. Asking for the state it is in
    changes nothing."""
    module, course = editable_module(session, actor, module_id)
    if module.hidden is not change.hidden:
        module.hidden = change.hidden
        touch(course)
        action = "module.hidden" if change.hidden else "module.shown"
        record_edit(session, actor, course, action, module.title)
    return module


def set_section_hidden(
    session: Session, actor: Actor, section_id: int, change: VisibilityChange
) -> Section:
    """A hidden section hides all its modules from students, whatever their own state."""
    section, course = editable_section(session, actor, section_id)
    if section.hidden is not change.hidden:
        section.hidden = change.hidden
        touch(course)
        action = "section.hidden" if change.hidden else "section.shown"
        record_edit(session, actor, course, action, section.title)
    return section


def publish_module(session: Session, actor: Actor, module_id: int) -> Module:
    """A draft module becomes visible to students (unless hidden). Publishing a published
    module changes nothing."""
    module, course = editable_module(session, actor, module_id)
    if module.status is not Status.PUBLISHED:
        module.status = Status.PUBLISHED
        touch(course)
        record_edit(session, actor, course, "module.published", module.title)
    return module


@dataclass(frozen=True)
class Landing:
    """What someone who may not read a course is shown of it: what it is and how to join."""

    course: Course
    institution: Institution | None
    teachers: list[str]


def landing(session: Session, actor: Actor, code: str) -> Landing | None:
    """The landing page of a published course the reader may not read (closed, and they hold
    no role in it): its summary, credits, dates, institution and teachers' names. None for
    a course they read, a draft, or one out of their reach (it does not exist for them)."""
    course = session.scalar(
        select(Course).where(Course.code == code).options(selectinload(Course.institution))
    )
    if course is None:
        return None
    roles = course_roles(session, actor, course.id)
    if not policy.sees_landing(actor, course, roles):
        return None
    teachers = session.scalars(
        select(User.display_name)
        .join(Enrolment, Enrolment.user_id == User.id)
        .where(
            Enrolment.course_id == course.id,
            Enrolment.role == CourseRole.TEACHER,
            Enrolment.status == EnrolmentStatus.ACTIVE,
        )
        .order_by(User.display_name)
    )
    return Landing(course, course.institution, list(teachers))


def listed_course(session: Session, actor: Actor, course_id: int) -> CourseAccess:
    """A course the reader reads, or whose landing page they see (and so may ask to enrol
    in, where it allows self-enrolment); otherwise NotFound, as `get_course`."""
    try:
        return get_course(session, actor, course_id)
    except NotFound:
        course = session.get(Course, course_id)
        if course is None or landing(session, actor, course.code) is None:
            raise
        return CourseAccess(course, frozenset())


def find_listed_course(session: Session, actor: Actor, code: str) -> CourseAccess:
    """`listed_course` by the course's code."""
    course_id = session.scalar(select(Course.id).where(Course.code == code))
    if course_id is None:
        raise NotFound(N_("No such course."))
    return listed_course(session, actor, course_id)
