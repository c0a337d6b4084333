"""The seed's double degree and plan: the LMQS Master agreement (P12 and P18 each award a
Master; every course shared) and the demo learner's plan, each loaded once however often the
seed runs; the learner's standing toward both degrees counts her LMQS-HS credits."""

from datetime import UTC, datetime
from decimal import Decimal

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from app import seed
from app.accounts.models import User
from app.core.config import Settings
from app.credits.degree_models import DoubleDegree
from app.credits.plan_models import PlanChange
from app.credits.service import degrees
from app.credits_seed import degrees as degrees_seed
from app.credits_seed import ledger as ledger_seed
from app.credits_seed import plans as plans_seed
from app.credits_seed import rules as rules_seed

LOADED_AT = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


@pytest.mark.time_machine(LOADED_AT, tick=False)
def test_the_double_degree_and_the_demo_plan_are_seeded_once(db: Session, settings: Settings):
    settings.max_upload_bytes = 10 * 1024 * 1024
    seed.load_seed(db, settings)
    seed.create_demo_accounts(db)
    for _ in range(2):
        for part in (rules_seed, degrees_seed, ledger_seed, plans_seed):
            part.seed(db, settings, seed.SEED_DIR, demo=True)

    (agreement,) = db.scalars(select(DoubleDegree)).all()
    assert agreement.code == "LMQS-DD"
    learner = db.scalar(select(User).where(User.email == plans_seed.LEARNER))
    assert learner is not None
    changes = db.scalars(select(PlanChange).order_by(PlanChange.id)).all()
    assert [(c.course_code, c.from_semester, c.to_semester) for c in changes] == [("LMQS-SD", 2, 3)]
    (standing,) = degrees.standings_of(db, learner.id)
    assert [(d.party.institution.code, d.earned) for d in standing.degrees] == [
        ("P12", Decimal(5)),
        ("P18", Decimal(5)),
    ]
    assert [d.party.degree_title for d in standing.degrees][1] == "Master in quality management"
