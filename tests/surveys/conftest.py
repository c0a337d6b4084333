"""The survey tests' world: a course with its teacher, students and managers."""

import pytest
from sqlalchemy.orm import Session

from app.core.config import Settings
from tests.surveys.factories import World, world


@pytest.fixture
def w(db: Session, settings: Settings) -> World:
    return world(db, settings)
