"""The LTI lists issue the same statements whatever their length: the members a tool reads
through NRPS, its line items and their results through AGS, and the registrations listed over
the API and on the managers' page."""

import itertools
from decimal import Decimal

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from app.core.actors import PlatformRole
from app.courses.models import Course
from app.grades.service.record import record_grade
from app.lti.platform_models import LtiLineItem
from app.lti.platform_service import links
from app.lti.tool_models import LtiPlatform
from app.membership.models import CourseRole
from tests.accounts.factories import (
    PASSWORD,
    api_token,
    bearer,
    make_institution,
    make_user,
    sign_in,
)
from tests.conftest import QueryCounter
from tests.courses.factories import enrol_as, import_hs101
from tests.lti.test_platform_services import MEMBERS, _ask, _assertion, _bearer, _place, _tool

LINEITEM = "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem"
RESULTS = "https://purl.imsglobal.org/spec/lti-ags/scope/result.readonly"


def _counts(
    client: TestClient, queries: QueryCounter, url: str, headers: dict[str, str], grow
) -> list[int]:
    counts = []
    for size in (2, 12):
        grow(size - (2 if counts else 0))
        with queries:
            response = client.get(url, headers=headers)
        assert response.status_code == 200, response.text
        counts.append(queries.count)
    return counts


@pytest.fixture
def course(db: Session, settings) -> Course:
    return import_hs101(db, settings)


def test_nrps_ags_line_items_and_results_do_not_grow(
    client: TestClient, db: Session, settings, course: Course, queries: QueryCounter
):
    tool = _tool(db, settings, "budget-tool")
    first = _place(db, settings, course, tool)
    db.commit()
    scopes = f"{MEMBERS} {LINEITEM} {RESULTS}"
    token = _bearer(_ask(client, _assertion(settings, tool.client_id), scope=scopes))
    base = f"/lti/ags/courses/{course.id}/lineitems"

    def more_members(n: int) -> None:
        for _ in range(n):
            learner = make_user(db)
            enrol_as(db, course, learner, CourseRole.STUDENT)
            column = links.grade_item(db, db.get_one(LtiLineItem, first.id))
            record_grade(db, column, learner.id, Decimal(5), by_user_id=None, release=True)
        db.commit()

    def more_items(n: int) -> None:
        for _ in range(n):
            _place(db, settings, course, tool)
        db.commit()

    members = _counts(client, queries, f"/lti/nrps/courses/{course.id}/memberships", token,
                      more_members)  # fmt: skip
    results = _counts(client, queries, f"{base}/{first.id}/results", token, more_members)
    items = _counts(client, queries, base, token, more_items)

    assert members[0] == members[1], queries.statements
    assert results[0] == results[1], queries.statements
    assert items[0] == items[1], queries.statements


def test_registration_lists_do_not_grow(
    client: TestClient, db: Session, settings, queries: QueryCounter
):
    make_user(db, email="boss@lti.example", password=PASSWORD, role=PlatformRole.MANAGER)
    home = make_institution(db, "P-LTI")
    db.commit()
    made = itertools.count()
    headers = bearer(api_token(client, "boss@lti.example"))

    def more(n: int) -> None:
        for _ in range(n):
            tool = _tool(db, settings, f"listed-{next(made)}")
            db.add(
                LtiPlatform(
                    institution_id=home.id, name="LMS", issuer="https://lms.example.org",
                    client_id=tool.client_id, deployment_ids=["1"],
                    auth_login_url="https://lms.example.org/auth",
                    auth_token_url="https://lms.example.org/token",
                    jwks_url="https://lms.example.org/jwks",
                )
            )  # fmt: skip
        db.commit()

    tools = _counts(client, queries, "/api/v1/lti/tools", headers, more)
    platforms = _counts(client, queries, "/api/v1/lti/platforms", headers, more)
    sign_in(client, "boss@lti.example")
    page = _counts(client, queries, "/admin/lti", {}, more)

    assert tools[0] == tools[1], queries.statements
    assert platforms[0] == platforms[1], queries.statements
    assert page[0] == page[1], queries.statements
