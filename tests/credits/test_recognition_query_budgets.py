"""The recognition lists that the registrar's budgets (tests/credits/test_recognition_api.py and
test_recognition_pages.py) do not read send as many SQL statements for 2 applications as for
12: the learner's and the jury's lists, over the API and on the pages, and one application
whose requested courses grow, over the API, on the learner's page and on the jury's review
page. Each is read at both sizes and must keep its named budget."""

from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from app.accounts.models import User
from app.core.config import Settings
from app.courses.models import Course, ProgrammeCourse
from tests.conftest import QueryCounter
from tests.credits.recognition_world import RplWorld, rpl_world

A = "/api/v1/credits/recognition/applications"
BUDGETS = {
    A + "?listing=mine": 5,
    A + "?listing=jury": 5,
    "/me/credits/recognition": 6,
    "/credits/recognition/jury": 5,
    # One application requesting every course added so far.
    A + "/{application}": 12,
    "/me/credits/recognition/{application}": 11,
    "/credits/recognition/{application}": 13,
}


@dataclass
class Growing:
    w: RplWorld
    application: int = 0
    applicant: User | None = None
    extra: list[Course] = field(default_factory=list)

    def to(self, size: int) -> None:
        """Up to `size` more courses in the programme, each applied for by the learner and put
        to the jury; then another learner applies for all of them at once."""
        w, db = self.w, self.w.db
        for n in range(len(self.extra), size):
            course = Course(code=f"RPL-X{n}", title=f"Extra course {n}", ects=Decimal(5),
                            institution_id=w.home.id)  # fmt: skip
            w.programme.courses.append(ProgrammeCourse(course=course, semester=1, position=10 + n))
            db.flush()
            w.reviewed(course)
            self.extra.append(course)
        self.applicant = w.another_learner()
        self.application = w.reviewed(*self.extra, learner=self.applicant).application.id
        db.flush()


@pytest.fixture
def growing(db: Session, settings: Settings, tmp_path: Path) -> Growing:
    return Growing(rpl_world(db, settings, tmp_path))


def _rows(body: dict[str, object]) -> int:
    found = body.get("items", body.get("requests"))
    assert isinstance(found, list)
    return len(found)


@pytest.mark.parametrize("path", sorted(BUDGETS))
def test_recognition_reads_do_not_grow_with_the_data(
    client: TestClient, growing: Growing, queries: QueryCounter, path: str
) -> None:
    w = growing.w
    page = not path.startswith("/api/")
    counts, rows = [], []
    for size in (2, 12):
        growing.to(size)
        assert growing.applicant is not None
        if "{application}" in path:
            reader = w.chair if path.startswith("/credits/") else growing.applicant
        else:
            reader = w.chair if "jury" in path else w.learner
        url = path.format(application=growing.application)
        headers = {} if page else w.headers(reader)
        if page:
            w.browser(client, reader)
        client.get(url, headers=headers)  # warm what is cached per process
        with queries:
            answer = client.get(url, headers=headers)
        assert answer.status_code == 200, answer.text
        counts.append(queries.count)
        rows.append(len(answer.content) if page else _rows(answer.json()))

    assert counts == [BUDGETS[path]] * 2, counts
    assert rows[0] < rows[1], rows  # the read list (or the page) did grow
