"""The demo transfer of the credits seed: loaded once, recognised by the tables when they are
seeded, waiting for a decision when they are not — never failing."""

from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.core.config import Settings
from app.courses.models import Course, Programme, ProgrammeCourse
from app.credits.models import EntrySource
from app.credits.service import ledger
from app.credits.transfer_models import LearningAgreement, TransferResult
from app.credits_seed import transfer as transfer_seed
from tests.accounts.factories import make_institution, make_user
from tests.credits.transfer_world import HOME_ROWS, HOST_ROWS, Mobility, mobility

SEED_DIR = Path("courses_seed")


def _demo_world(db: Session, settings: Settings) -> Mobility:
    w = mobility(db, settings)
    w.home.code, w.host.code = "P12", "P5"
    w.learner.email = "student3@demo.agora"
    course = Course(code="LMQS-ENT", title="Entrepreneurship", ects=3,
                    isced_code="0413", eqf_level=7)  # fmt: skip
    db.add(course)
    db.flush()
    programme = Programme(code="LMQS-MAS", kind="master", title="LMQS Master")
    programme.courses = [ProgrammeCourse(course_id=course.id, semester=2, position=1)]
    db.add(programme)
    db.flush()
    return w


def test_the_demo_transfer_is_recognised_by_the_seeded_tables_once(
    db: Session, settings: Settings
) -> None:
    w = _demo_world(db, settings)
    w.table(w.host, HOST_ROWS)
    w.table(w.home, HOME_ROWS)
    for _ in range(2):
        transfer_seed.seed(db, settings, SEED_DIR, demo=True)
    agreement = db.scalars(select(LearningAgreement)).one()
    assert agreement.status == "approved"
    result = db.scalars(select(TransferResult)).one()
    assert result.status == "recognised"
    assert result.rule == "ects-grading-table-midpoint"
    [entry] = ledger.in_force(db, [w.learner.id])[w.learner.id]
    assert entry.source is EntrySource.TRANSFER


def test_without_tables_the_demo_result_waits(db: Session, settings: Settings) -> None:
    w = _demo_world(db, settings)
    transfer_seed.seed(db, settings, SEED_DIR, demo=True)
    result = db.scalars(select(TransferResult)).one()
    assert (result.status, result.waiting_reason) == ("pending", "no_grading_table")
    assert ledger.in_force(db, [w.learner.id])[w.learner.id] == []


def test_nothing_is_seeded_without_demo_or_its_learner(db: Session, settings: Settings) -> None:
    transfer_seed.seed(db, settings, SEED_DIR, demo=True)  # no learner, no courses: nothing
    make_institution(db, "P5")
    make_user(db, email="student3@demo.agora")
    transfer_seed.seed(db, settings, SEED_DIR, demo=False)
    assert db.scalar(select(func.count(LearningAgreement.id))) == 0
