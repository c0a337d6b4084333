"""The privacy lists issue the same statements whatever their length: the officer's erasure
requests over the API and on the privacy page (2 waiting and 2 done, or 30 and 30); and a
person's export does not grow with their posts (a statement per table, not per row)."""

from collections.abc import Callable
from datetime import UTC, datetime

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from app.core.config import Settings
from app.core.db import utcnow
from app.privacy.models import ErasureRequest
from tests.accounts.factories import make_user
from tests.budgets import at_two_sizes, statements
from tests.conftest import QueryCounter
from tests.forums.factories import ForumWorld, forum_module, reply, thread
from tests.privacy.privacy_world import PrivacyWorld, browser_of, headers_for, people

pytestmark = pytest.mark.time_machine(datetime(2026, 12, 7, 9, tzinfo=UTC), tick=False)


def _requests(w: PrivacyWorld) -> Callable[[int], None]:
    made: list[int] = []

    def grow(size: int) -> None:
        while len(made) < (2, 30)[size]:
            for done in (False, True):
                person = make_user(w.db, institution=w.home)
                w.db.add(
                    ErasureRequest(
                        person_id=person.id,
                        asked_by_id=person.id,
                        carried_out_at=utcnow() if done else None,
                        carried_out_by_id=w.officer.id if done else None,
                    )
                )
            made.append(person.id)
        w.db.flush()

    return grow


def test_the_requests_list_and_page_do_not_grow_with_the_requests(
    client: TestClient, db: Session, settings: Settings, queries: QueryCounter
):
    w = people(db, settings)
    headers = headers_for(client, w.officer)
    browser_of(client, w.officer)
    counts = at_two_sizes(
        _requests(w),
        lambda: (
            statements(client, queries, "/admin/privacy"),
            statements(client, queries, "/api/v1/erasure-requests", headers),
        ),
    )

    assert counts[0] == counts[1], queries.statements
    assert (
        len(client.get("/api/v1/erasure-requests?waiting=true", headers=headers).json()["items"])
        == 30
    )


def test_an_export_does_not_grow_with_the_persons_posts(
    client: TestClient, db: Session, settings: Settings, queries: QueryCounter
):
    w = people(db, settings)
    _module, forum_id = forum_module(db, settings, w.course)
    forum = ForumWorld(db, settings, w.course, forum_id, 0, w.teacher, w.person, w.classmate)
    started = thread(forum, w.person)
    headers = headers_for(client, w.person)
    posts: list[int] = []

    def grow(size: int) -> None:
        while len(posts) < (1, 40)[size]:
            posts.append(reply(forum, w.person, started, f"Post {len(posts)}"))

    counts = at_two_sizes(
        grow, lambda: statements(client, queries, "/api/v1/me/personal-data", headers)
    )

    assert counts[0] == counts[1]
