"""Credits seed, ledger part (demo only): the demo learner of the LMQS Master earns LMQS-HS the
way any learner does. She is enrolled in the programme, the course's final examination is
graded and released, and the gradebook's course result, through the credits subscription,
writes her award. Loaded once: a learner already credited for the course is left as she is."""

from decimal import Decimal
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.accounts.models import User
from app.core.actors import SYSTEM
from app.core.config import Settings
from app.courses.models import Course, Programme
from app.credits.service.awards import has_entry_in_force
from app.enrolment.models import ProgrammeEnrolment
from app.enrolment.programmes import enrol_in_programme
from app.grades.models import GradeItem, ItemSource
from app.grades.service import items, setup
from app.grades.service.record import record_grade
from app.grades.service.results import root_category
from app.grades.service.scales import scale_by_code
from app.grades.setup_schemas import CourseSettingsUpdate, ItemCreate

LEARNER = "student3@demo.agora"
PROGRAMME = "LMQS-MAS"
COURSE = "LMQS-HS"
EXAM = "Final examination"
EXAM_POINTS = Decimal(15)  # out of 20: 75 %, a pass
PASS_PERCENT = Decimal(50)
COURSE_SCALE = "ru-5"


def seed(session: Session, _settings: Settings, _seed_dir: Path, *, demo: bool) -> None:
    """With `--demo`, the LMQS Master learner's first credits, from a released passing grade."""
    if not demo:
        return
    learner = session.scalar(select(User).where(User.email == LEARNER))
    course = session.scalar(select(Course).where(Course.code == COURSE))
    programme_id = session.scalar(select(Programme.id).where(Programme.code == PROGRAMME))
    if learner is None or course is None or programme_id is None:
        return
    if has_entry_in_force(session, learner.id, course.id):
        return
    _enrol(session, learner, programme_id)
    exam = _exam(session, course)
    record_grade(session, exam, learner.id, EXAM_POINTS, by_user_id=None, release=True)
    session.flush()


def _enrol(session: Session, learner: User, programme_id: int) -> None:
    enrolled = session.scalar(
        select(ProgrammeEnrolment.id).where(
            ProgrammeEnrolment.programme_id == programme_id,
            ProgrammeEnrolment.user_id == learner.id,
        )
    )
    if enrolled is None:
        enrol_in_programme(session, SYSTEM, PROGRAMME, learner.id)


def _exam(session: Session, course: Course) -> GradeItem:
    """The course's final examination, out of 20, and a pass mark on the course total, which
    reads on the Russian five-point scale of the learner's university."""
    if root_category(session, course.id).pass_percent is None:
        scale = scale_by_code(session, COURSE_SCALE)
        settings = CourseSettingsUpdate(
            pass_percent=PASS_PERCENT, scale_id=None if scale is None else scale.id
        )
        setup.update_course_settings(session, SYSTEM, course.id, settings)
    exam = session.scalar(
        select(GradeItem).where(
            GradeItem.course_id == course.id,
            GradeItem.source == ItemSource.MANUAL,
            GradeItem.title == EXAM,
        )
    )
    if exam is None:
        exam = items.create_item(
            session, SYSTEM, course.id, ItemCreate(title=EXAM, max_points=Decimal(20))
        )
    return exam
