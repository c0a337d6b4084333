"""Credits seed: documents. Nothing is seeded: documents are signed on demand, and a seed
that signed one would make a signing key on every machine that loads it."""

from pathlib import Path

from sqlalchemy.orm import Session

from app.core.config import Settings


def seed(session: Session, settings: Settings, seed_dir: Path, *, demo: bool) -> None:
    """Nothing to load: learners issue their documents from /me/credits/documents."""
