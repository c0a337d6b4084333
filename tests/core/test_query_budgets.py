"""Pages and list endpoints keep a constant number of SQL statements as data grows.
Budgets are named here; a test fails when a count grows with the data (an N+1)."""

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from app.accounts.auth import actor_for_user
from app.core.actors import PlatformRole
from app.core.config import Settings
from app.core.db import session_factory
from app.courses.service import completion, content
from app.courses.service.courses import find_course
from app.courses.service.neighbours import neighbours
from app.membership.models import CourseRole
from tests.accounts.factories import PASSWORD, api_token, bearer, make_institution, make_user
from tests.conftest import QueryCounter
from tests.courses.factories import enrol_as, import_hs101, module

USERS_LIST_BUDGET = 2  # the caller, the page
INSTITUTIONS_LIST_BUDGET = 2  # the caller, the list
NEIGHBOURS_BUDGET = 0  # previous / next of a module page: the cached outline only


def _count_at_two_sizes(client, db, queries, path, headers, grow) -> tuple[int, int]:
    grow(db, 3)
    with queries:
        assert client.get(path, headers=headers).status_code == 200
    small = queries.count
    grow(db, 30)
    with queries:
        assert client.get(path, headers=headers).status_code == 200
    return small, queries.count


def test_user_list_does_not_grow_with_users(client: TestClient, db: Session, queries: QueryCounter):
    make_user(db, email="boss@example.org", password=PASSWORD, role=PlatformRole.MANAGER)
    headers = bearer(api_token(client, "boss@example.org"))
    institution = make_institution(db)

    def grow(db: Session, n: int) -> None:
        for _ in range(n):
            make_user(db, institution=institution)

    small, large = _count_at_two_sizes(client, db, queries, "/api/v1/users?limit=50", headers, grow)

    assert small == large <= USERS_LIST_BUDGET


def test_institution_list_does_not_grow(client: TestClient, db: Session, queries: QueryCounter):
    make_user(db, email="boss@example.org", password=PASSWORD, role=PlatformRole.MANAGER)
    headers = bearer(api_token(client, "boss@example.org"))

    def grow(db: Session, n: int) -> None:
        for _ in range(n):
            make_institution(db)

    small, large = _count_at_two_sizes(client, db, queries, "/api/v1/institutions", headers, grow)

    assert small == large <= INSTITUTIONS_LIST_BUDGET


def test_previous_and_next_modules_cost_no_query_once_the_course_is_cached(
    db: Session, settings: Settings, queries: QueryCounter
):
    course = import_hs101(db, settings)
    student = make_user(db)
    enrol_as(db, course, student, CourseRole.STUDENT)
    blocks = module(db, course, "blocks")
    with session_factory() as reader:
        actor = actor_for_user(student)
        within = find_course(reader, actor, course.code)
        completion.mark_done(reader, actor, module(db, course, "intro").id)
        access = content.read_module(reader, actor, blocks.id, within=within)

        with queries:
            around = neighbours(reader, actor, access)

    assert queries.count == NEIGHBOURS_BUDGET
    assert around.previous is not None
    assert around.previous.title == "Introduction"
    assert around.next is not None
    assert around.next.title == "Glossary"
