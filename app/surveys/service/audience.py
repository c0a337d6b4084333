"""Who a survey is for, as one SQL statement per kind of audience: the invitations are made
from it in bulk when the survey opens, and a person who joined later is checked against the
same statement when they open the survey."""

from typing import Any

from sqlalchemy import ColumnElement, Select, exists, or_, select, union
from sqlalchemy.orm import Session

from app.accounts.models import User
from app.core.actors import PlatformRole
from app.courses.models import ProgrammeCourse
from app.enrolment.models import CohortMember, ProgrammeEnrolment
from app.membership.models import CourseRole, Enrolment, EnrolmentStatus
from app.surveys.models import AudienceKind, Survey

STAFF = (CourseRole.TEACHER, CourseRole.TUTOR)


def _students(in_course: ColumnElement[bool]) -> Select[int]:
    """Active students of the courses `in_course` picks."""
    return select(Enrolment.user_id).where(
        in_course, Enrolment.role == CourseRole.STUDENT, Enrolment.status == EnrolmentStatus.ACTIVE
    )


def _programme(programme_id: int) -> Any:
    courses = select(ProgrammeCourse.course_id).where(ProgrammeCourse.programme_id == programme_id)
    learners = select(ProgrammeEnrolment.user_id).where(
        ProgrammeEnrolment.programme_id == programme_id
    )
    return union(learners, _students(Enrolment.course_id.in_(courses)))


def _institution_staff(institution_id: int) -> Select[int]:
    teaches = exists().where(
        Enrolment.user_id == User.id,
        Enrolment.role.in_(STAFF),
        Enrolment.status == EnrolmentStatus.ACTIVE,
    )
    return select(User.id).where(
        User.institution_id == institution_id,
        or_(teaches, User.platform_role == PlatformRole.INSTITUTION_MANAGER),
    )


def _member_ids(survey: Survey) -> Any:
    """The ids of the audience, before filtering out deactivated accounts."""
    match survey.audience_kind:
        case AudienceKind.COURSE:
            assert survey.course_id is not None
            return _students(Enrolment.course_id == survey.course_id)
        case AudienceKind.PROGRAMME:
            assert survey.programme_id is not None
            return _programme(survey.programme_id)
        case AudienceKind.COHORT:
            return select(CohortMember.user_id).where(CohortMember.cohort_id == survey.cohort_id)
        case AudienceKind.INSTITUTION_STAFF:
            assert survey.institution_id is not None
            return _institution_staff(survey.institution_id)
        case AudienceKind.PUBLIC:
            return select(User.id).where(User.id.is_(None))


def audience(survey: Survey) -> Select[int]:
    """The user ids of the survey's audience: active accounts only. A public survey's
    audience is whoever holds its link, so it has none to invite."""
    return select(User.id).where(User.is_active, User.id.in_(_member_ids(survey)))


def in_audience(session: Session, survey: Survey, user_id: int) -> bool:
    return session.scalar(select(audience(survey).where(User.id == user_id).exists())) is True
