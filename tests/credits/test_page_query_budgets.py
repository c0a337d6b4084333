"""A programme's lists that the other credit budgets do not read (one programme's progress, the
plan and its changes, the advisors, the rules over the API and on their page) send as many SQL
statements for 2 courses as for 12: each is read at both sizes and must keep its named
budget."""

from dataclasses import dataclass

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from app.accounts import auth
from app.accounts.models import User
from app.core.actors import SYSTEM, PlatformRole
from app.core.config import Settings
from app.core.security import encode_access_token
from app.credits.service import plans
from app.enrolment.models import ProgrammeEnrolment
from tests.accounts.factories import PASSWORD, bearer, make_user, sign_in
from tests.conftest import QueryCounter
from tests.credits.progress_world import ProgressWorld, progress_world

U, P = "/api/v1/users/{user}/programmes/{code}", "/api/v1/programmes/{code}"
BUDGETS = {
    U + "/progress": 12,
    U + "/plan": 22,
    U + "/plan/changes": 23,
    U + "/advisors": 5,
    P + "/rules": 11,
    "/admin/programmes/{code}/rules": 11,
}


def _headers(settings: Settings, user: User) -> dict[str, str]:
    scopes = sorted(auth.user_scopes_allowed(user))
    return bearer(encode_access_token(settings, f"user:{user.id}", scopes)[0])


@dataclass
class Growing:
    client: TestClient
    settings: Settings
    w: ProgressWorld
    learner: User
    registrar: User
    grown: int = 0

    def to(self, size: int) -> None:
        w, db = self.w, self.w.db
        for n in range(self.grown, size):
            w.add_course(f"C-{n}", "5", 1 + n % 2)
            w.add_course(f"E-{n}", "5", 2, mandatory=False)
            if n % 2:
                w.award(self.learner, f"C-{n}", percent="70")
            else:
                w.result(self.learner, f"C-{n}", "40")
            advisor = make_user(db, institution=w.home)
            plans.name_advisor(db, SYSTEM, self.learner.id, w.programme.code, advisor.id)
        self.grown = size
        # Compensation among the earned courses only: the failed ones stay to take.
        codes = [f"C-{n}" for n in range(1, size, 2)]
        electives = [f"E-{n}" for n in range(size)]
        w.set_rules(
            semesters=2,
            elective_groups=[{"code": "T", "title": "Track", "min_credits": "5",
                              "courses": electives}],
            compensation_units=[{"code": "U", "title": "Unit", "threshold_percent": "50",
                                 "courses": codes}],
        )  # fmt: skip
        # Every course not earned yet (the odd ones are), each in the other semester at the
        # second size: one change each.
        flip = 1 if size > 2 else 0
        planned = [
            {"course_code": f"{kind}-{n}", "semester": 1 + (n + flip) % 2}
            for n in range(size)
            for kind in ("C", "E")
            if kind == "E" or n % 2 == 0
        ]
        changed = self.client.put(
            U.format(user=self.learner.id, code=w.programme.code) + "/plan",
            headers=_headers(self.settings, self.learner), json={"courses": planned},
        )  # fmt: skip
        assert changed.status_code == 200, changed.text


@pytest.fixture
def growing(client: TestClient, db: Session, settings: Settings) -> Growing:
    w = progress_world(db)
    learner = make_user(db, password=PASSWORD, institution=w.home)
    db.add(ProgrammeEnrolment(programme_id=w.programme.id, user_id=learner.id))
    registrar = make_user(db, password=PASSWORD, role=PlatformRole.MANAGER)
    db.flush()
    return Growing(client, settings, w, learner, registrar)


def _rows(body: object) -> int:
    if isinstance(body, list):
        return len(body)
    assert isinstance(body, dict)
    return len(body.get("items") or body.get("courses") or ())


@pytest.mark.parametrize("path", sorted(BUDGETS))
def test_programme_lists_do_not_grow_with_the_data(
    client: TestClient, growing: Growing, queries: QueryCounter, path: str
) -> None:
    url = path.format(user=growing.learner.id, code=growing.w.programme.code)
    page = not url.startswith("/api/")
    reader = growing.registrar if "rules" in path else growing.learner
    counts, rows = [], []
    for size in (2, 12):
        growing.to(size)
        headers = {} if page else _headers(growing.settings, reader)
        if page:
            client.cookies.clear()
            sign_in(client, reader.email)
        client.get(url, headers=headers)  # warm what is cached per process
        with queries:
            answer = client.get(url, headers=headers)
        assert answer.status_code == 200, answer.text
        counts.append(queries.count)
        rows.append(len(answer.content) if page else _rows(answer.json()))

    assert counts == [BUDGETS[path]] * 2, counts
    assert rows[0] < rows[1], rows  # the read list (or the page) did grow
