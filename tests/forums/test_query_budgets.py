"""The forum's lists issue the same SQL statements whatever their length: a discussion's page
(3 posts by 3 people, or 60 by 30), a forum's discussions (2 or 40, each replied to and read by
others) and a course's forums with their unread counts, on the pages and over the API; in a
general forum, a forum of questions and answers and one of separate groups."""

from dataclasses import dataclass, field
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from app.accounts.models import User
from app.core.actors import SYSTEM
from app.core.config import Settings
from app.enrolment.cohorts import set_group_member
from app.forums.models import Forum, ForumKind
from app.forums.service import access, reading
from app.membership.models import CourseRole
from tests.accounts.factories import make_user
from tests.budgets import at_two_sizes, statements
from tests.conftest import QueryCounter
from tests.courses.factories import enrol_as
from tests.forums.factories import (
    ForumWorld,
    forum_world,
    headers_for,
    make_group,
    reply,
    sign_in_as,
    thread,
)

FORUMS: dict[str, dict[str, Any]] = {
    "general": {},
    "qanda": {"kind": ForumKind.QANDA},
    "separate groups": {"separate_groups": True},
}


@dataclass
class Growing:
    """A forum whose people, discussions and posts grow; the student reads it."""

    w: ForumWorld
    forum: Forum
    group_id: int | None
    people: list[User] = field(default_factory=list)
    threads: list[int] = field(default_factory=list)
    posts: dict[int, int] = field(default_factory=dict)  # thread: posts in it

    @property
    def opener(self) -> User:
        """Who starts discussions: in questions and answers, the teacher asks."""
        if self.forum.kind is ForumKind.QANDA:
            return self.w.teacher
        return self.people[len(self.threads) % len(self.people)]

    def with_people(self, n: int) -> None:
        """The student, the other student, then new students: all writing and reading."""
        if not self.people:
            self.people = [self.w.student, self.w.other_student]
        while len(self.people) < n:
            person = make_user(self.w.db)
            person.display_name = f"Learner {len(self.people)}"
            enrol_as(self.w.db, self.w.course, person, CourseRole.STUDENT)
            if self.group_id is not None:
                set_group_member(self.w.db, SYSTEM, self.group_id, person.id, member=True)
            self.people.append(person)
        self.w.db.flush()

    def with_threads(self, n: int) -> None:
        """Discussions, each answered by someone else; half the people mark the forum read."""
        while len(self.threads) < n:
            opened = thread(self.w, self.opener, f"Topic {len(self.threads)}", "Opening")
            answerer = self.people[(len(self.threads) + 1) % len(self.people)]
            reply(self.w, answerer, opened, "An answer")
            self.threads.append(opened)
            self.posts[opened] = 2
        for person in self.people[1::2]:
            reading.mark_forum_read(
                self.w.db, access.get_forum(self.w.db, self.w.actor(person), self.w.forum_id)
            )
        self.w.db.flush()

    def with_posts(self, thread_id: int, n: int) -> None:
        """Replies by everyone in turn (the student among them) up to `n` posts."""
        while self.posts[thread_id] < n:
            author = self.people[self.posts[thread_id] % len(self.people)]
            reply(self.w, author, thread_id, f"Reply {self.posts[thread_id]}")
            self.posts[thread_id] += 1
        self.w.db.flush()


@pytest.fixture(params=sorted(FORUMS))
def growing(request: pytest.FixtureRequest, db: Session, settings: Settings) -> Growing:
    w = forum_world(db, settings, **FORUMS[request.param])
    forum = db.get_one(Forum, w.forum_id)
    group_id = None
    if forum.separate_groups:
        group_id = make_group(db, w.course, "Group A", w.student, w.other_student)
        make_group(db, w.course, "Group B", w.teacher)
    found = Growing(w, forum, group_id)
    found.with_people(3)
    found.with_threads(1)
    return found


def test_a_discussions_page_does_not_grow_with_its_posts_and_authors(
    client: TestClient, growing: Growing, queries: QueryCounter
) -> None:
    opened = growing.threads[0]

    def grow(size: int) -> None:
        growing.with_people((3, 30)[size])
        growing.with_posts(opened, (3, 60)[size])

    sign_in_as(client, growing.w, growing.w.student)
    url = f"/forums/threads/{opened}"
    counts = at_two_sizes(grow, lambda: statements(client, queries, url))

    assert counts[0] == counts[1], queries.statements
    assert "Later posts" in client.get(url).text  # the second size is more than a page


def test_a_forums_discussions_and_the_courses_forums_do_not_grow(
    client: TestClient, growing: Growing, queries: QueryCounter
) -> None:
    def grow(size: int) -> None:
        growing.with_people((3, 30)[size])
        growing.with_threads((2, 40)[size])

    sign_in_as(client, growing.w, growing.w.student)
    forum = f"/forums/{growing.w.forum_id}"
    course = f"/courses/{growing.w.course.code}/forums"
    counts = at_two_sizes(
        grow, lambda: (statements(client, queries, forum), statements(client, queries, course))
    )

    assert counts[0] == counts[1], queries.statements
    assert client.get(forum).text.count('<a href="/forums/threads/') == 40


def test_the_api_lists_of_discussions_and_posts_do_not_grow(
    client: TestClient, growing: Growing, queries: QueryCounter
) -> None:
    opened = growing.threads[0]

    def grow(size: int) -> None:
        growing.with_people((3, 30)[size])
        growing.with_threads((2, 40)[size])
        growing.with_posts(opened, (3, 60)[size])

    headers = headers_for(client, growing.w.student)
    threads_url = f"/api/v1/forums/{growing.w.forum_id}/threads"
    posts_url = f"/api/v1/forum-threads/{opened}/posts"
    forums_url = f"/api/v1/courses/{growing.w.course.id}/forums"
    counts = at_two_sizes(grow, lambda: (
        statements(client, queries, threads_url, headers),
        statements(client, queries, posts_url, headers),
        statements(client, queries, forums_url, headers),
    ))  # fmt: skip

    assert counts[0] == counts[1], queries.statements
    listed = client.get(threads_url, headers=headers).json()
    assert len(listed["items"]) == 40
    assert client.get(posts_url, headers=headers).json()["next_cursor"]
    assert client.get(forums_url, headers=headers).json()[0]["unread"] > 0
