"""The messages' lists issue the same SQL statements whatever their length: one's
conversations (2, or 30 with as many people, each with unread messages) on the page and over
the API, and a conversation's page (3 messages, or 90: more than a page)."""

from collections.abc import Callable
from datetime import UTC, datetime

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from app.accounts.models import User
from app.core.config import Settings
from app.membership.models import CourseRole
from tests.budgets import at_two_sizes, statements
from tests.conftest import QueryCounter
from tests.courses.factories import enrol_as
from tests.forums.factories import headers_for
from tests.messaging.factories import MessagingWorld, messaging_world, person, sign_in_as, write

pytestmark = pytest.mark.time_machine(datetime(2026, 12, 1, 12, tzinfo=UTC), tick=False)


def _students_writing(w: MessagingWorld, learners: list[User]) -> Callable[[int], None]:
    """Grows the teacher's conversations to 2 or 30: new students of the course each write
    twice and are answered once."""

    def grow(size: int) -> None:
        while len(learners) < (2, 30)[size]:
            learner = person(w.db, f"Learner {len(learners)}", institution=w.home)
            enrol_as(w.db, w.course, learner, CourseRole.STUDENT)
            write(w, learner, w.teacher, "A question")
            write(w, w.teacher, learner, "An answer")
            write(w, learner, w.teacher, "Another question")
            learners.append(learner)

    return grow


def test_the_conversations_page_and_list_do_not_grow_with_the_conversations(
    client: TestClient, db: Session, settings: Settings, queries: QueryCounter
) -> None:
    w = messaging_world(db, settings)
    learners: list[User] = []
    headers = headers_for(client, w.teacher)
    sign_in_as(client, w.teacher)
    counts = at_two_sizes(_students_writing(w, learners), lambda: (
        statements(client, queries, "/messages"),
        statements(client, queries, "/api/v1/messages", headers),
    ))  # fmt: skip

    assert counts[0] == counts[1], queries.statements
    listed = client.get("/api/v1/messages", headers=headers).json()
    assert len(listed) == 30
    assert {row["unread"] for row in listed} == {1}
    assert client.get("/messages").text.count("1 unread message") == 30


def test_a_conversations_page_does_not_grow_with_its_messages(
    client: TestClient, db: Session, settings: Settings, queries: QueryCounter
) -> None:
    w = messaging_world(db, settings)
    sent: list[int] = []

    def grow(size: int) -> None:
        while len(sent) < (3, 90)[size]:
            sender, recipient = (w.student, w.teacher) if len(sent) % 3 else (w.teacher, w.student)
            sent.append(write(w, sender, recipient, f"Message {len(sent)}").id)

    headers = headers_for(client, w.student)
    sign_in_as(client, w.student)
    page = f"/messages/{w.teacher.id}"
    api = f"/api/v1/messages/with/{w.teacher.id}"
    counts = at_two_sizes(grow, lambda: (
        statements(client, queries, page),
        statements(client, queries, api, headers),
    ))  # fmt: skip

    assert counts[0] == counts[1], queries.statements
    assert "Later messages" in client.get(page).text  # the second size is more than a page
    assert len(client.get(api, headers=headers).json()["items"]) == 50
