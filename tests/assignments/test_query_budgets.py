"""The assignment lists that the marking, settings and jury budgets do not read send as many SQL
statements for 2 rows as for 12: the rubric and the marking form (criteria), a learner's
submission (files) and the jury's members. Each is read at both sizes and must keep its named
budget."""

import io
from dataclasses import dataclass
from decimal import Decimal

import pytest
from fastapi.testclient import TestClient

from app.accounts.auth import actor_for_user
from app.accounts.models import User
from app.assignments.jury_schemas import JuryMemberCreate
from app.assignments.models import (
    Assignment,
    GradingMethod,
    Submission,
    SubmissionFile,
)
from app.assignments.service import examiners
from app.courses.service.content import store_upload
from app.membership.models import CourseRole
from tests.accounts.factories import make_user
from tests.assignments.factories import make_submission
from tests.assignments.marking_setup import Class, klass_fixture  # noqa: F401
from tests.conftest import QueryCounter
from tests.courses.factories import enrol_as

A = "/api/v1/assignments/{rubric}"
BUDGETS = {
    # The rubric's criteria, on its page, over the API and on the marking form of an attempt
    # (the API's marking of an attempt lists the levels chosen: none before it is marked).
    "/assignments/{rubric}/rubric": 13,
    A + "/rubric": 8,
    "/submissions/{submission}/mark": 15,
    # The learner's own attempt, with its files.
    "/assignments/{rubric}/submission": 17,
    A + "/submission": 16,
    # The jury's members.
    "/api/v1/assignments/{jury}/jury-members": 6,
}


@dataclass
class Growing:
    client: TestClient
    klass: Class
    rubric: Assignment
    jury: Assignment
    submission: Submission
    grown: int = 0

    def to(self, size: int) -> None:
        k, db = self.klass, self.klass.db
        for n in range(self.grown, size):
            content, name = store_upload(db, k.settings, io.BytesIO(b"p%d" % n), f"p{n}.txt")
            db.add(SubmissionFile(submission_id=self.submission.id, content_file_id=content.id,
                                  name=name, position=n))  # fmt: skip
            tutor = make_user(db)
            enrol_as(db, k.course, tutor, CourseRole.TUTOR)
            examiners.add_member(
                db, actor_for_user(k.teacher), k.settings, self.jury.id,
                JuryMemberCreate(user_id=tutor.id),
            )  # fmt: skip
        self.grown = size
        db.flush()
        levels = [{"points": str(p), "definition": f"{p} points"} for p in range(5)]
        criteria = [{"description": f"Part {n}", "levels": levels} for n in range(size)]
        defined = self.client.put(
            f"/api/v1/assignments/{self.rubric.id}/rubric", headers=k.headers(k.teacher),
            json={"lock_zero_points": True, "criteria": criteria},
        )  # fmt: skip
        assert defined.status_code == 200, defined.text


@pytest.fixture
def growing(client: TestClient, klass: Class) -> Growing:
    rubric = klass.assignment(grading_method=GradingMethod.RUBRIC, max_points=Decimal(20))
    submission = make_submission(klass.db, rubric, user=klass.students[0])
    return Growing(
        client, klass, rubric,
        jury=klass.assignment(jury=True),
        submission=submission,
    )  # fmt: skip


def _rows(body: object) -> int:
    if isinstance(body, list):
        return len(body)
    assert isinstance(body, dict)
    return len(body.get("criteria") or body.get("files") or ())


@pytest.mark.parametrize("path", sorted(BUDGETS))
def test_assignment_lists_do_not_grow_with_the_data(
    client: TestClient, growing: Growing, queries: QueryCounter, path: str
) -> None:
    k = growing.klass
    reader: User = k.students[0] if path.endswith("/submission") else k.teacher
    url = path.format(
        rubric=growing.rubric.id, jury=growing.jury.id,
        submission=growing.submission.id,
    )  # fmt: skip
    page = not url.startswith("/api/")
    counts, rows = [], []
    for size in (2, 12):
        growing.to(size)
        headers = {} if page else k.headers(reader)
        if page:
            k.sign_in(client, reader)
        client.get(url, headers=headers)  # warm what is cached per process
        with queries:
            answer = client.get(url, headers=headers)
        assert answer.status_code == 200, answer.text
        counts.append(queries.count)
        rows.append(len(answer.content) if page else _rows(answer.json()))

    assert counts == [BUDGETS[path]] * 2, counts
    assert rows[0] < rows[1], rows  # the read list (or the page) did grow
