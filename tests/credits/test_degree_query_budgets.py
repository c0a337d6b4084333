"""The double-degree reads that the list budget (tests/credits/test_degrees_api.py) does not
cover send as many SQL statements for 2 agreements as for 12: the registrars' list and
agreement pages, one agreement over the API (its shared courses grow) and a learner's standing
toward each, over the API and on "My credits". Each is read at both sizes and must keep its
named budget."""

from dataclasses import dataclass

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from app.accounts.models import User
from app.core.actors import SYSTEM, PlatformRole
from app.core.config import Settings
from app.credits.degree_schemas import DoubleDegreeCreate
from app.credits.service import degrees
from app.enrolment.models import ProgrammeEnrolment
from tests.accounts.factories import PASSWORD, api_token, bearer, make_user, sign_in
from tests.conftest import QueryCounter
from tests.credits.progress_world import ProgressWorld
from tests.credits.test_degrees_service import degree_world

BUDGETS = {
    "/admin/credits/double-degrees": 7,
    "/admin/credits/double-degrees/{agreement}": 7,
    "/api/v1/double-degrees/{agreement}": 7,
    # Each programme's progress is computed once for all the agreements joining it (it was
    # computed for each party of each agreement: 29 statements for 2 agreements, 129 for 12).
    "/api/v1/users/{learner}/double-degrees": 14,
    # The learner's own page shows the same standings.
    "/me/credits": 28,
}


@dataclass
class Growing:
    w: ProgressWorld
    learner: User
    agreement: int = 0
    grown: int = 0

    def to(self, size: int) -> None:
        """Agreements up to `size`, the last one sharing `size` courses."""
        w = self.w
        for n in range(self.grown, size):
            w.add_course(f"S-{n}", "5", 1 + n % 2)
            w.award(self.learner, f"S-{n}")
            self.agreement = degrees.create_agreement(
                w.db, SYSTEM, DoubleDegreeCreate.model_validate({
                    "code": f"DD-{n}", "title": f"Double master {n}",
                    "parties": [
                        {"institution_code": w.home.code, "programme_code": w.programme.code,
                         "degree_title": "Licence"},
                        {"institution_code": "PARTNER-DD", "programme_code": "PARTNER-MAS",
                         "degree_title": "Master in quality management"},
                    ],
                    "shared_courses": [{"course_code": f"S-{k}"} for k in range(n + 1)],
                }),
            ).id  # fmt: skip
        self.grown = size
        w.db.flush()


@pytest.fixture
def growing(db: Session) -> Growing:
    w = degree_world(db)
    learner = make_user(db, password=PASSWORD, institution=w.home)
    db.add(ProgrammeEnrolment(programme_id=w.programme.id, user_id=learner.id))
    db.flush()
    return Growing(w, learner)


@pytest.mark.parametrize("path", sorted(BUDGETS))
def test_double_degree_reads_do_not_grow_with_the_data(
    client: TestClient, db: Session, settings: Settings, growing: Growing,
    queries: QueryCounter, path: str,
) -> None:  # fmt: skip
    registrar = make_user(db, password=PASSWORD, role=PlatformRole.MANAGER)
    page = not path.startswith("/api/")
    if page:
        sign_in(client, (growing.learner if path.startswith("/me/") else registrar).email)
    headers = {} if page else bearer(api_token(client, registrar.email))
    counts, rows = [], []
    for size in (2, 12):
        growing.to(size)
        url = path.format(agreement=growing.agreement, learner=growing.learner.id)
        client.get(url, headers=headers)  # warm what is cached per process
        with queries:
            answer = client.get(url, headers=headers)
        assert answer.status_code == 200, answer.text
        counts.append(queries.count)
        body = None if page else answer.json()
        listed = body["shared_courses"] if isinstance(body, dict) else body
        rows.append(len(answer.content) if listed is None else len(listed))

    assert counts == [BUDGETS[path]] * 2, counts
    assert rows[0] < rows[1], rows  # the read list (or the page) did grow
