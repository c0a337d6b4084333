"""The credits part of the seed, loaded after the courses and the assessment seed, always through
the credits services: grading scales and tables, the LMQS programme rules, the double-degree
agreement; with `--demo`, a learner with earned credits, a recognition (VAE) decision and a
transfer from a Kazakh partner. Each part is loaded once (what exists is left as it is)."""

from pathlib import Path

from sqlalchemy.orm import Session

from app.core.config import Settings
from app.credits_seed import (
    degrees,
    documents,
    ledger,
    plans,
    recognition,
    rules,
    tables,
    transfer,
)


def load(session: Session, settings: Settings, seed_dir: Path, *, demo: bool) -> None:
    for part in (tables, rules, degrees, ledger, plans, recognition, transfer, documents):
        part.seed(session, settings, seed_dir, demo=demo)
