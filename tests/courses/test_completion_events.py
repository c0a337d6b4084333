"""Completion tells other domains (assessment, credits) what happened: `ModuleCompleted` for
each module completed, `CourseCompleted` once when the last required one is, and nothing when
a completion is recorded again."""

from sqlalchemy.orm import Session

from app.accounts.auth import actor_for_user
from app.core.config import Settings
from app.courses.events import CourseCompleted, ModuleCompleted
from app.courses.service.completion import mark_done
from app.membership.models import CourseRole
from tests.accounts.factories import make_user
from tests.courses.factories import enrol_as, import_hs101, module
from tests.events import recorded

REQUIRED_IN_ORDER = ("intro", "blocks", "who-link")


def test_completing_the_last_module_publishes_course_completed_once(
    db: Session, settings: Settings
):
    course = import_hs101(db, settings)
    student = make_user(db)
    enrol_as(db, course, student, CourseRole.STUDENT)
    actor = actor_for_user(student)
    ids = [module(db, course, key).id for key in REQUIRED_IN_ORDER]

    with recorded(ModuleCompleted, CourseCompleted) as published:
        for module_id in ids:
            mark_done(db, actor, module_id)

    assert published == [
        ModuleCompleted(student.id, course.id, ids[0], how="marked_done"),
        ModuleCompleted(student.id, course.id, ids[1], how="marked_done"),
        ModuleCompleted(student.id, course.id, ids[2], how="marked_done"),
        CourseCompleted(student.id, course.id),
    ]


def test_completing_a_module_again_publishes_nothing(db: Session, settings: Settings):
    course = import_hs101(db, settings)
    student = make_user(db)
    enrol_as(db, course, student, CourseRole.STUDENT)
    actor = actor_for_user(student)
    ids = [module(db, course, key).id for key in REQUIRED_IN_ORDER]
    for module_id in ids:
        mark_done(db, actor, module_id)

    with recorded(ModuleCompleted, CourseCompleted) as published:
        mark_done(db, actor, ids[-1])
        mark_done(db, actor, ids[0])

    assert published == []
