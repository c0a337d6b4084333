from collections.abc import Iterator

import pytest
import time_machine
from sqlalchemy.orm import Session

from tests.reporting.factories import TODAY, World, lmqs_world


@pytest.fixture
def w(db: Session) -> Iterator[World]:
    with time_machine.travel(TODAY, tick=False):
        yield lmqs_world(db)
