"""Courses for tests: the HS-101 fixture package, imported through the real importer."""

from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.accounts.models import User
from app.core.actors import SYSTEM
from app.core.config import Settings
from app.courses.models import Course, Module
from app.courses.service import courses, packages
from app.enrolment.service import enrol
from app.membership.models import CourseRole
from app.seed import load_institutions

SEED = Path(__file__).parent / "fixtures" / "seed"
COURSE_DIR = SEED / "courses" / "HS-101"


def import_hs101(
    db: Session, settings: Settings, *, publish: bool = True, code: str | None = None
) -> Course:
    load_institutions(db, SEED)
    course = packages.import_course(
        db, SYSTEM, settings, packages.DirectorySource(COURSE_DIR), code
    )
    if publish:
        courses.publish_course(db, SYSTEM, course.id)
    db.flush()
    return course


def module(db: Session, course: Course, key: str) -> Module:
    found = db.scalar(select(Module).where(Module.course_id == course.id, Module.key == key))
    assert found is not None, key
    return found


def enrol_as(db: Session, course: Course, user: User, role: CourseRole) -> None:
    enrol(db, SYSTEM, course.id, user.id, role)
    db.flush()
