"""The ledger's demo seed: the LMQS Master learner earns LMQS-HS through a released passing
grade (the real subscription writes the award), once however often the seed runs."""

from datetime import UTC, datetime
from decimal import Decimal

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from app import seed
from app.accounts.models import User
from app.core.config import Settings
from app.credits.models import CreditEntry, EntrySource
from app.credits_seed import ledger as ledger_seed

LOADED_AT = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


def _entries(db: Session) -> list[CreditEntry]:
    learner = db.scalar(select(User).where(User.email == ledger_seed.LEARNER))
    assert learner is not None
    return list(db.scalars(select(CreditEntry).where(CreditEntry.user_id == learner.id)))


@pytest.mark.time_machine(LOADED_AT, tick=False)
def test_the_demo_learner_earns_lmqs_hs_once(db: Session, settings: Settings):
    settings.max_upload_bytes = 10 * 1024 * 1024
    seed.load_seed(db, settings)
    seed.create_demo_accounts(db)
    ledger_seed.seed(db, settings, seed.SEED_DIR, demo=False)
    assert _entries(db) == []

    ledger_seed.seed(db, settings, seed.SEED_DIR, demo=True)
    ledger_seed.seed(db, settings, seed.SEED_DIR, demo=True)

    [entry] = _entries(db)
    assert (entry.unit_code, entry.credits, entry.source) == (
        "LMQS-HS",
        Decimal(5),
        EntrySource.COURSE_RESULT,
    )
    assert entry.percent == Decimal(75)
    assert entry.term == "2026-27"
