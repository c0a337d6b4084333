"""Notifications cost the same SQL statements whatever their number: the list of 2 or of 12
on the page and over the API, and finding and telling the 2 or 12 followers of a forum when
someone replies (some of them mailed at once, the others in the digest)."""

import re
from collections.abc import Callable

from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.accounts.models import User
from app.core.config import Settings
from app.core.i18n import N_
from app.forums.models import ForumPost, ForumThread
from app.forums.service import access, following
from app.membership.models import CourseRole
from app.notifications import service
from app.notifications.models import MailDelivery, Notification, NotificationKind
from app.notifications.service import Notice, notify
from tests.accounts.factories import PASSWORD, make_user, sign_in
from tests.budgets import at_two_sizes, statements
from tests.conftest import QueryCounter
from tests.courses.factories import enrol_as
from tests.forums.factories import ForumWorld, forum_world, headers_for, reply, thread
from tests.notifications.test_pages import headers_of

SIZES = (2, 12)


def _told_until(db: Session, reader: User) -> Callable[[int], None]:
    """Grows the reader's notifications to 2, then 12 (some read, of several kinds)."""
    kinds = (NotificationKind.FORUM_POST, NotificationKind.GRADE_RELEASED)

    def grow(size: int) -> None:
        have = db.scalar(select(func.count()).where(Notification.user_id == reader.id)) or 0
        for n in range(have, SIZES[size]):
            notice = Notice(
                kind=kinds[n % 2], subject=N_("Notice %(n)s"), body=N_("Body %(n)s"),
                link=f"/courses/{n}", values={"n": n},
            )  # fmt: skip
            [made] = notify(db, [reader.id], notice)
            if n % 3 == 0:
                made.read_at = made.created_at
        db.flush()

    return grow


def test_the_notifications_page_and_api_list_do_not_grow(
    db: Session, client: TestClient, settings: Settings, queries: QueryCounter
):
    reader = make_user(db, password=PASSWORD)
    sign_in(client, reader.email)
    headers = headers_of(settings, reader)

    counts = at_two_sizes(_told_until(db, reader), lambda: (
        statements(client, queries, "/notifications"),
        statements(client, queries, "/api/v1/notifications", headers),
    ))  # fmt: skip

    assert counts[0] == counts[1], queries.statements
    assert len(re.findall(r'<a href="/notifications/\d+"', client.get("/notifications").text)) == 12
    assert len(client.get("/api/v1/notifications", headers=headers).json()["items"]) == 12


def _followers_until(w: ForumWorld) -> Callable[[int], None]:
    """Grows the forum's followers (students of the course) to 2, then 12; every other one
    wants forum posts by e-mail at once, the rest in the digest."""
    followers: list[User] = []

    def grow(size: int) -> None:
        while len(followers) < SIZES[size]:
            person = make_user(w.db)
            enrol_as(w.db, w.course, person, CourseRole.STUDENT)
            following.set_following(w.db, w.actor(person), w.forum_id, follow=True)
            if len(followers) % 2:
                service.choose(
                    w.db, person.id, NotificationKind.FORUM_POST, MailDelivery.IMMEDIATELY
                )
            followers.append(person)
        w.db.flush()

    return grow


def test_finding_and_telling_a_forums_followers_does_not_grow(
    db: Session, settings: Settings, queries: QueryCounter
):
    w = forum_world(db, settings)
    opened = thread(w, w.other_student, "Referrals", "How do you refer?")
    forum = access.get_forum(db, w.actor(w.other_student), w.forum_id)
    topic = db.get_one(ForumThread, opened)

    def measure() -> tuple[int, int, int]:
        # A reply first: the author follows and has read the thread before the one counted.
        post = db.get_one(ForumPost, reply(w, w.other_student, opened, "Warming up"))
        with queries:
            readers = following.readers_to_tell(db, forum, topic, post, opening=False)
        found = queries.count
        with queries:
            reply(w, w.other_student, opened, "Through the district hospital.")
        return found, queries.count, len(readers)

    counts = at_two_sizes(_followers_until(w), measure)

    assert [c[:2] for c in counts] == [counts[0][:2]] * 2, queries.statements
    assert [c[2] for c in counts] == list(SIZES)


def test_replying_over_the_api_does_not_grow_with_the_followers(
    db: Session, client: TestClient, settings: Settings, queries: QueryCounter
):
    w = forum_world(db, settings)
    opened = thread(w, w.other_student, "Referrals", "How do you refer?")
    headers = headers_for(client, w.other_student)
    url = f"/api/v1/forum-threads/{opened}/posts"

    def measure() -> int:
        warm = client.post(url, json={"body_markdown": "Warming up"}, headers=headers)
        assert warm.status_code == 201, warm.text
        with queries:
            response = client.post(url, json={"body_markdown": "Through the district."},
                                   headers=headers)  # fmt: skip
        assert response.status_code == 201, response.text
        return queries.count

    counts = at_two_sizes(_followers_until(w), measure)

    assert counts[0] == counts[1], queries.statements
    told = db.scalar(
        select(func.count()).where(
            Notification.kind == NotificationKind.FORUM_POST,
            Notification.body == "Bounmy wrote:\n\nThrough the district.",
        )
    )
    assert told == sum(SIZES)
