"""Arrange the credits journey in the live server's database (run as a separate process, like
`prepare.py`): a learner of the LMQS Master (enrolled in its courses through the programme),
the demo teacher teaching LMQS-HS, a pass mark on the course total, and an examination
assignment of LMQS-HS the learner has handed in, not yet marked; prints the submission's id."""

import sys
from decimal import Decimal

from sqlalchemy import select

import app.models  # noqa: F401  (every table's mapping, for the foreign keys)
from app.accounts.schemas import UserCreate
from app.accounts.service import create_user, find_user_by_email
from app.assignments.models import Assignment, Submission, SubmissionStatus
from app.core.actors import SYSTEM
from app.core.db import session_factory, utcnow
from app.courses.models import Course, Module, ModuleKind, Section, Status
from app.enrolment.programmes import enrol_in_programme
from app.enrolment.service import enrol
from app.grades.service import setup
from app.grades.service.results import root_category
from app.grades.setup_schemas import CourseSettingsUpdate
from app.membership.models import CourseRole, Enrolment

LEARNER = "credits-journey@example.org"
LEARNER_NAME = "Credits Journey"
PROGRAMME = "LMQS-MAS"
COURSE = "LMQS-HS"
EXAM = "Credits journey exam"


def main(password: str) -> None:
    with session_factory() as session, session.begin():
        learner = find_user_by_email(session, LEARNER) or create_user(
            session, SYSTEM,
            UserCreate(email=LEARNER, display_name=LEARNER_NAME, password=password,
                       preferred_language="en", time_zone="Europe/Moscow", institution_code="P12"),
        )  # fmt: skip
        enrol_in_programme(session, SYSTEM, PROGRAMME, learner.id)
        course = session.scalars(select(Course).where(Course.code == COURSE)).one()
        teacher = find_user_by_email(session, "teacher@demo.agora")
        assert teacher is not None
        teaches = session.scalar(
            select(Enrolment.id).where(
                Enrolment.course_id == course.id, Enrolment.user_id == teacher.id
            )
        )
        if teaches is None:
            enrol(session, SYSTEM, course.id, teacher.id, CourseRole.TEACHER)
        if root_category(session, course.id).pass_percent is None:
            setup.update_course_settings(
                session, SYSTEM, course.id, CourseSettingsUpdate(pass_percent=Decimal(50))
            )
        section_id = session.scalars(
            select(Section.id).where(Section.course_id == course.id).order_by(Section.position)
        ).first()
        module = Module(
            course_id=course.id, section_id=section_id, key="credits-journey-exam",
            kind=ModuleKind.ASSIGNMENT, title=EXAM, position=96, status=Status.PUBLISHED,
        )  # fmt: skip
        session.add(module)
        session.flush()
        exam = Assignment(course_id=course.id, module_id=module.id, max_points=Decimal(20))
        session.add(exam)
        session.flush()
        module.external_ref = str(exam.id)
        handed_in = Submission(
            assignment_id=exam.id, user_id=learner.id, status=SubmissionStatus.SUBMITTED,
            text_markdown="My safety plan.", text_html="<p>My safety plan.</p>",
            submitted_at=utcnow(), submitted_by_id=learner.id,
        )  # fmt: skip
        session.add(handed_in)
        session.flush()
        sys.stdout.write(f"{handed_in.id}\n")


if __name__ == "__main__":
    main(sys.argv[1])
