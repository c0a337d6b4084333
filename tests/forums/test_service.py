"""The forums service: unread counts and marking read, questions and answers (others' answers
once one has answered), announcements, separate groups, the edit window, list order and
cursors, a "posted" module's completion and sanitised posts."""

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy.orm import Session

from app.core.actors import SYSTEM
from app.core.config import Settings
from app.core.errors import Forbidden
from app.courses.service.completion import completed_module_ids
from app.forums.models import ForumKind, ForumPost, ForumThread
from app.forums.schemas import PostCreate, PostUpdate, ThreadCreate, ThreadUpdate
from app.forums.service import access, course_forums, posts, reading, threads
from app.forums.service.threads import NoSuchThread
from app.membership.models import CourseRole
from tests.accounts.factories import make_user
from tests.courses.factories import enrol_as
from tests.forums.factories import (
    ForumWorld,
    count,
    forum_world,
    make_group,
    reply,
    thread,
)

NOON = datetime(2026, 12, 1, 12, tzinfo=UTC)
frozen = pytest.mark.time_machine(NOON, tick=False)


def unread_of(w: ForumWorld, user, thread_id: int) -> tuple[int, int]:
    """(replies, unread) of one thread in the user's list."""
    rows = threads.list_threads(w.db, w.actor(user), w.forum_id).rows
    return next((row.replies, row.unread) for row in rows if row.thread.id == thread_id)


def forum_unread(w: ForumWorld, user) -> int:
    entries = course_forums.course_forums(w.db, w.actor(user), w.course.id)
    return next(entry.unread for entry in entries if entry.access.forum.id == w.forum_id)


def shown_bodies(w: ForumWorld, user, thread_id: int) -> list[str]:
    view = posts.read_thread(w.db, w.actor(user), thread_id, mark_read=False)
    return [row.post.body_markdown for row in view.posts]


@frozen
def test_unread_counts_go_down_as_posts_are_read_and_with_mark_all_read(
    db: Session, settings: Settings
) -> None:
    w = forum_world(db, settings)
    started = thread(w, w.student, body="Where do we meet?")
    reply(w, w.other_student, started, "In room 4")

    assert unread_of(w, w.student, started) == (1, 1)  # their own post is not news to them
    assert unread_of(w, w.teacher, started) == (1, 2)
    assert forum_unread(w, w.teacher) == 2

    posts.read_thread(db, w.actor(w.student), started)
    assert unread_of(w, w.student, started) == (1, 0)
    assert forum_unread(w, w.student) == 0

    second = thread(w, w.other_student, "Books", "Which edition?")
    reading.mark_forum_read(db, access.get_forum(db, w.actor(w.teacher), w.forum_id))
    assert unread_of(w, w.teacher, started) == (1, 0)
    assert unread_of(w, w.teacher, second) == (0, 0)
    assert forum_unread(w, w.teacher) == 0

    reply(w, w.student, second, "The third")  # after "mark all read": news again
    assert unread_of(w, w.teacher, second) == (1, 1)
    assert forum_unread(w, w.teacher) == 1


@frozen
def test_questions_hide_the_others_answers_until_the_learner_answers(
    db: Session, settings: Settings
) -> None:
    w = forum_world(db, settings, ForumKind.QANDA)
    with pytest.raises(Forbidden):
        thread(w, w.student, "My question")
    question = thread(w, w.teacher, "Why wash hands?", "Tell us why.")
    reply(w, w.other_student, question, "Germs travel on hands")

    assert shown_bodies(w, w.student, question) == ["Tell us why."]
    assert unread_of(w, w.student, question) == (1, 1)  # the unseen answer is not counted
    assert course_forums.search(db, w.actor(w.student), w.course.id, "germs") == []
    assert shown_bodies(w, w.teacher, question) == ["Tell us why.", "Germs travel on hands"]

    reply(w, w.student, question, "Soap removes germs")

    assert shown_bodies(w, w.student, question) == [
        "Tell us why.",
        "Germs travel on hands",
        "Soap removes germs",
    ]
    hits = course_forums.search(db, w.actor(w.student), w.course.id, "germs")
    assert [hit.excerpt for hit in hits] == ["Soap removes germs", "Germs travel on hands"]


@frozen
def test_announcements_are_the_staffs_and_take_no_replies(db: Session, settings: Settings) -> None:
    w = forum_world(db, settings, ForumKind.ANNOUNCEMENTS)
    news = thread(w, w.teacher, "Exam date", "The exam is on Friday.")

    with pytest.raises(Forbidden):
        thread(w, w.student, "Can we move it?")
    with pytest.raises(Forbidden):
        reply(w, w.student, news, "Can we move it?")
    assert shown_bodies(w, w.student, news) == ["The exam is on Friday."]
    assert count(db, ForumThread) == 1
    assert count(db, ForumPost) == 1


@frozen
def test_separate_groups_keep_a_groups_threads_to_it(db: Session, settings: Settings) -> None:
    w = forum_world(db, settings, separate_groups=True)
    loner = make_user(db)
    enrol_as(db, w.course, loner, CourseRole.STUDENT)
    group_a = make_group(db, w.course, "Team A", w.student)
    group_b = make_group(db, w.course, "Team B", w.other_student)

    ours = thread(w, w.student, "Team A plans", "Our secret plan")
    theirs = thread(w, w.other_student, "Team B plans", "Another plan")

    listed = {row.thread.id: row.thread.group_id for row in
              threads.list_threads(db, w.actor(w.teacher), w.forum_id).rows}  # fmt: skip
    assert listed == {ours: group_a, theirs: group_b}
    b_sees = [row.thread.id for row in threads.list_threads(db, w.actor(w.other_student),
                                                            w.forum_id).rows]  # fmt: skip
    assert b_sees == [theirs]
    with pytest.raises(NoSuchThread):
        threads.visible_thread(db, w.actor(w.other_student), ours)
    with pytest.raises(NoSuchThread):
        reply(w, w.other_student, ours, "Let me in")
    assert course_forums.search(db, w.actor(w.other_student), w.course.id, "secret") == []
    assert forum_unread(w, w.other_student) == 0
    assert forum_unread(w, w.teacher) == 2
    with pytest.raises(Forbidden):
        thread(w, loner, "Anyone?")

    for_all = threads.start_thread(
        db, w.actor(w.teacher), w.forum_id, ThreadCreate(title="Everyone", body_markdown="Hi")
    ).id
    assert {row.thread.id for row in
            threads.list_threads(db, w.actor(loner), w.forum_id).rows} == {for_all}  # fmt: skip


def test_the_author_edits_within_thirty_minutes_only(
    db: Session, settings: Settings, time_machine
) -> None:
    time_machine.move_to(NOON, tick=False)
    w = forum_world(db, settings)
    started = thread(w, w.student, body="Frist")
    opening = posts.read_thread(db, w.actor(w.student), started).posts[0].post.id

    time_machine.move_to(NOON + timedelta(minutes=30), tick=False)
    edited = posts.edit_post(db, w.actor(w.student), opening, PostUpdate(body_markdown="First"))
    assert edited.edited_at == NOON + timedelta(minutes=30)
    with pytest.raises(Forbidden):
        posts.edit_post(db, w.actor(w.other_student), opening, PostUpdate(body_markdown="Mine"))

    time_machine.move_to(NOON + timedelta(minutes=31), tick=False)
    with pytest.raises(Forbidden):
        posts.edit_post(db, w.actor(w.student), opening, PostUpdate(body_markdown="Later"))
    assert shown_bodies(w, w.student, started) == ["First"]


@frozen
def test_pinned_threads_come_first_and_the_cursor_walks_past_them(
    db: Session, settings: Settings, time_machine
) -> None:
    w = forum_world(db, settings)
    started = []
    for minute in range(5):
        time_machine.move_to(NOON + timedelta(minutes=minute), tick=False)
        started.append(thread(w, w.student, f"Thread {minute}"))
    for pinned in (started[0], started[2]):
        threads.moderate_thread(db, w.actor(w.teacher), pinned, ThreadUpdate(pinned=True))

    seen: list[int] = []
    cursor = None
    while True:
        page = threads.list_threads(db, w.actor(w.student), w.forum_id, cursor, limit=2)
        seen.extend(row.thread.id for row in page.rows)
        if page.next_cursor is None:
            break
        cursor = page.next_cursor

    assert seen == [started[2], started[0], started[4], started[3], started[1]]


@frozen
def test_a_posted_module_is_complete_with_the_learners_first_post(
    db: Session, settings: Settings
) -> None:
    w = forum_world(db, settings, completion="posted")
    question = thread(w, w.teacher)
    assert w.module_id not in completed_module_ids(db, w.student.id, w.course.id)

    reply(w, w.student, question)

    assert w.module_id in completed_module_ids(db, w.student.id, w.course.id)
    assert w.module_id not in completed_module_ids(db, w.other_student.id, w.course.id)


@frozen
def test_a_post_is_stored_without_script_or_javascript_links(
    db: Session, settings: Settings
) -> None:
    w = forum_world(db, settings)
    started = thread(w, w.student, body="<script>alert(1)</script>\n\n[x](javascript:alert(1))")

    html = posts.read_thread(db, w.actor(w.other_student), started).posts[0].post.body_html

    assert "<script" not in html.lower()
    assert "<a " not in html  # markdown-it refuses the link: what is left is harmless text
    assert 'href="javascript:' not in html.lower()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html  # shown as typed, escaped


@frozen
def test_the_platform_itself_reads_but_does_not_post(db: Session, settings: Settings) -> None:
    w = forum_world(db, settings)
    started = thread(w, w.student)

    assert [row.thread.id for row in threads.list_threads(db, SYSTEM, w.forum_id).rows] == [started]
    with pytest.raises(Forbidden):
        posts.reply(db, SYSTEM, started, PostCreate(body_markdown="Beep"))
