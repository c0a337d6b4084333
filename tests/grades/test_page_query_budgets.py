"""The gradebook's lists that the grader budgets do not read (scales, items, categories, a
grade's history, a learner's own grades over the API) send as many SQL statements for 2 rows as
for 12: each is read at both sizes and must keep its named budget."""

from dataclasses import dataclass
from decimal import Decimal

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.accounts.auth import actor_for_user
from app.core.actors import SYSTEM
from app.core.config import Settings
from app.grades.grader_schemas import GradeOverride
from app.grades.models import Grade, GradeItem
from app.grades.service import items, overrides, scales, setup
from app.grades.setup_schemas import CategoryCreate, ItemCreate, LevelIn, ScaleCreate
from app.membership.models import CourseRole
from tests.accounts.factories import make_user
from tests.conftest import QueryCounter
from tests.courses.factories import enrol_as
from tests.grades.core_setup import Book, api_headers, as_browser, book

CID = "/api/v1/courses/{course_id}"
BUDGETS = {
    "/api/v1/scales": 3,
    CID + "/grade-items": 6,
    CID + "/grade-categories": 6,
    # Each change by another teacher, whose name it shows.
    "/api/v1/grades/{grade}/history": 7,
    "/grades/{grade}/history": 7,
    # The learner's grades grow with the items.
    CID + "/my-grades": 6,
}


@dataclass
class Growing:
    b: Book
    item: GradeItem
    grown: int = 0

    def to(self, size: int) -> None:
        b, db = self.b, self.b.db
        learner = b.learners[0]
        for n in range(self.grown, size):
            scales.create_scale(
                db, SYSTEM,
                ScaleCreate(code=f"grow-{n}", name=f"Scale {n}", levels=[
                    LevelIn(label="Fail", value=Decimal(0), min_percent=Decimal(0)),
                    LevelIn(label="Pass", value=Decimal(1), min_percent=Decimal(50), passing=True),
                ]),
            )  # fmt: skip
            setup.create_category(db, SYSTEM, b.course.id, CategoryCreate(title=f"Part {n}"))
            more = items.create_item(db, SYSTEM, b.course.id, ItemCreate(title=f"Essay {n}"))
            b.grade(more, learner, str(n % 10))
            teacher = make_user(db)
            enrol_as(db, b.course, teacher, CourseRole.TEACHER)
            version = self.grade.version if self.grade else 0
            overrides.override_learner_grade(
                db, actor_for_user(teacher), self.item.id, learner.id,
                GradeOverride(version=version, points=Decimal(n % 50), reason=f"Check {n}",
                              release=True),
            )  # fmt: skip
            db.flush()
        self.grown = size
        db.flush()

    @property
    def grade(self) -> Grade | None:
        return self.b.db.scalar(
            select(Grade).where(
                Grade.item_id == self.item.id, Grade.user_id == self.b.learners[0].id
            )
        )


@pytest.fixture
def growing(db: Session, settings: Settings) -> Growing:
    b = book(db, settings)
    b.learner()
    item = items.create_item(db, SYSTEM, b.course.id, ItemCreate(title="Oral"))
    return Growing(b, item)


@pytest.mark.parametrize("path", sorted(BUDGETS))
def test_gradebook_lists_do_not_grow_with_the_data(
    client: TestClient, growing: Growing, queries: QueryCounter, path: str
) -> None:
    b = growing.b
    reader = b.learners[0] if "my-grades" in path else b.teacher
    counts, rows = [], []
    for size in (2, 12):
        growing.to(size)
        assert growing.grade is not None
        url = path.format(course_id=b.course.id, grade=growing.grade.id)
        page = not url.startswith("/api/")
        headers = {} if page else api_headers(b, reader)
        if page:
            as_browser(client, b, reader)
        client.get(url, headers=headers)  # warm what is cached per process
        with queries:
            answer = client.get(url, headers=headers)
        assert answer.status_code == 200, answer.text
        counts.append(queries.count)
        body = None if page else answer.json()
        listed = body["grades"] if isinstance(body, dict) else body
        rows.append(len(answer.content) if listed is None else len(listed))

    assert counts == [BUDGETS[path]] * 2, counts
    assert rows[0] < rows[1], rows  # the read list (or the page) did grow
