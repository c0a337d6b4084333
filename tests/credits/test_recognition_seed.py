"""The demo recognition of the credits seed: student3's LMQS-QM granted in full by the demo
teacher (chair) and the demo manager, written to the ledger, loaded once."""

from decimal import Decimal
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.accounts.auth import actor_for_user
from app.core.actors import PlatformRole
from app.core.config import Settings
from app.courses.models import Course, Programme, ProgrammeCourse, ProgrammeKind, Status
from app.credits.models import EntrySource
from app.credits.recognition_models import ApplicationStatus, RecognitionApplication
from app.credits.service import ledger
from app.credits.service.recognition import application_view
from app.credits_seed import recognition as recognition_seed
from tests.accounts.factories import make_institution, make_user

SEED_DIR = Path("courses_seed")


def test_the_demo_decision_is_loaded_once_with_its_jury(
    db: Session, settings: Settings, tmp_path: Path
) -> None:
    settings.storage_dir = tmp_path
    p12 = make_institution(db, "P12")
    learner = make_user(db, email="student3@demo.agora", institution=p12)
    teacher = make_user(db, email="teacher@demo.agora")
    manager = make_user(db, email="manager@demo.agora", role=PlatformRole.MANAGER)
    course = Course(code="LMQS-QM", title="Quality management", ects=Decimal(6),
                    status=Status.PUBLISHED)  # fmt: skip
    db.add(course)
    programme = Programme(code="LMQS-MAS", kind=ProgrammeKind.MASTER, title="LMQS Master",
                          status=Status.PUBLISHED)  # fmt: skip
    programme.institutions = [p12]
    programme.courses = [ProgrammeCourse(course=course, semester=1, position=1)]
    db.add(programme)
    db.flush()

    for _ in range(2):
        recognition_seed.seed(db, settings, SEED_DIR, demo=True)

    application = db.scalars(select(RecognitionApplication)).one()
    assert application.status is ApplicationStatus.DECIDED
    [entry] = ledger.in_force(db, [learner.id])[learner.id]
    assert (entry.course_id, entry.credits, entry.source) == (
        course.id,
        Decimal(6),
        EntrySource.RECOGNITION,
    )
    assert entry.institution_id == p12.id
    view = application_view(db, actor_for_user(learner), application.id)
    assert view.application.decision is not None
    seats = {(m["user_id"], m["chair"]) for m in view.application.decision.jury_members}
    assert seats == {(teacher.id, True), (manager.id, False)}


def test_nothing_is_seeded_without_demo(db: Session, settings: Settings) -> None:
    recognition_seed.seed(db, settings, SEED_DIR, demo=True)  # nobody, no course: nothing
    make_user(db, email="student3@demo.agora")
    recognition_seed.seed(db, settings, SEED_DIR, demo=False)
    assert db.scalar(select(func.count(RecognitionApplication.id))) == 0
