"""The seed's credit rules: the LMQS Licence lasts six semesters with a compensation unit per
semester at 10/20, the Master four with a "quality or safety" elective track; the transversal
courses stay mandatory, and loading twice changes nothing."""

from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app import seed
from app.core.actors import SYSTEM
from app.core.config import Settings
from app.courses.models import Programme
from app.credits.rules_models import CompensationUnit, ElectiveGroup
from app.credits.service import rules
from app.credits.service.progress import compute
from app.credits_seed import rules as rules_seed
from tests.accounts.factories import make_institution
from tests.credits.progress_world import ProgressWorld


def _load(db: Session, settings: Settings) -> None:
    settings.max_upload_bytes = 10 * 1024 * 1024
    seed.load_institutions(db)
    seed.load_scales(db, seed.SEED_DIR)
    seed.load_courses(db, settings)
    seed.load_programmes(db)
    rules_seed.seed(db, settings, seed.SEED_DIR, demo=False)


def test_the_lmqs_programmes_get_their_rules_once(db: Session, settings: Settings):
    _load(db, settings)
    rules_seed.seed(db, settings, seed.SEED_DIR, demo=False)

    licence = rules.get_rules(db, SYSTEM, "LMQS-LIC")
    master = rules.get_rules(db, SYSTEM, "LMQS-MAS")

    assert licence.semesters == 6
    assert [(u.code, u.semester, u.threshold_percent) for u in licence.units] == [
        ("LIC-S1", 1, Decimal(50)), ("LIC-S2", 2, Decimal(50)), ("LIC-S3", 3, Decimal(50)),
    ]  # fmt: skip
    assert master.semesters == 4
    assert [(g.code, g.min_credits) for g in master.groups] == [("MAS-TRACK", Decimal(5))]
    mandatory = {link.course.code for link in master.courses if master.is_mandatory(link)}
    assert mandatory == {"LMQS-ENT", "LMQS-SD"}
    assert db.scalar(select(func.count()).select_from(ElectiveGroup)) == 1
    assert db.scalar(select(func.count()).select_from(CompensationUnit)) == 3


def test_a_master_learner_with_one_track_course_meets_the_elective_rule(
    db: Session, settings: Settings
):
    _load(db, settings)
    master = db.scalars(select(Programme).where(Programme.code == "LMQS-MAS")).one()
    world = ProgressWorld(db, make_institution(db), master)
    world.courses = {link.course.code: link.course for link in rules.load(db, master).courses}
    learner = world.learner()
    world.award(learner, "LMQS-HS")

    progress = compute(db, learner.id, master)

    assert [(e.code, e.earned) for e in progress.electives] == [("MAS-TRACK", Decimal(5))]
    assert not any("Elective" in reason for reason in progress.reasons(str))
    assert [s.code for s in progress.to_take()[2]] == ["LMQS-ENT", "LMQS-SD"]
    assert progress.to_take().get(1) is None  # the other track course is not required
