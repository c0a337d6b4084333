"""Credits seed: documents (filled in by its slice)."""

from pathlib import Path

from sqlalchemy.orm import Session

from app.core.config import Settings


def seed(session: Session, settings: Settings, seed_dir: Path, *, demo: bool) -> None:
    """Nothing yet."""
