"""The privacy tests' world: a learner with data nearly everywhere, and the people around."""

from pathlib import Path

import pytest
from sqlalchemy.orm import Session

from app.core.config import Settings
from tests.privacy.privacy_world import PrivacyWorld, with_data


@pytest.fixture
def settings(settings: Settings, tmp_path: Path) -> Settings:
    """Uploads go to a folder of the test's own, so what erasure deletes can be seen."""
    settings.storage_dir = tmp_path / "storage"
    return settings


@pytest.fixture
def w(db: Session, settings: Settings) -> PrivacyWorld:
    return with_data(db, settings)
