"""The forums through their pages, without JavaScript: the way in from the module page, a
course's forums and search, starting a discussion, replying, editing within the window,
deleting, reporting, moderating, marking read, separate groups; refused forms write nothing."""

import re
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from httpx import Response
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from time_machine import TimeMachineFixture

from app.core.config import Settings
from app.forums.models import ForumPost, ForumThread, PostReport
from tests.accounts.factories import page_csrf
from tests.forums.factories import (
    ForumWorld,
    forum_world,
    make_group,
    reply,
    sign_in_as,
    thread,
)

NOON = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
pytestmark = pytest.mark.time_machine(NOON, tick=False)


def _post(client: TestClient, path: str, data: dict[str, str]) -> Response:
    token = page_csrf(client, "/")
    response: Response = client.post(
        path, data={**data, "csrf_token": token}, follow_redirects=False
    )
    return response


def _count(db: Session, model: type) -> int:
    return db.scalar(select(func.count()).select_from(model)) or 0


def _unread_cells(html: str) -> list[str]:
    return re.findall(r'<td data-label="Unread">(.*?)</td>', html)


def _world(db: Session, settings: Settings, **options: Any) -> ForumWorld:
    return forum_world(db, settings, **options)


def test_the_module_page_opens_the_forum_and_counts_what_is_unread(
    client: TestClient, db: Session, settings: Settings
) -> None:
    w = _world(db, settings)
    module_path = f"/courses/{w.course.code}/modules/{w.module_id}"
    sign_in_as(client, w, w.student)

    page = client.get(module_path)
    assert page.status_code == 200
    assert f'<a href="/forums/{w.forum_id}">Open the forum</a>' in page.text
    assert "unread post" not in page.text

    thread(w, w.teacher, "Week one", "Read chapter one")
    page = client.get(module_path)
    assert "1 unread post" in page.text


def test_the_course_forums_page_lists_the_forum_and_searches_its_posts(
    client: TestClient, db: Session, settings: Settings
) -> None:
    w = _world(db, settings)
    first = thread(w, w.teacher, "Week one", "Read the chapter on malaria vectors")
    thread(w, w.teacher, "Week two", "Nothing to see")
    path = f"/courses/{w.course.code}/forums"
    sign_in_as(client, w, w.student)

    page = client.get(path)
    assert page.status_code == 200
    assert f'<a href="/forums/{w.forum_id}">Discussion</a>' in page.text
    assert "2 unread posts" in page.text

    found = client.get(path, params={"q": "MALARIA"})
    assert found.status_code == 200
    post_id = db.scalar(select(ForumPost.id).where(ForumPost.thread_id == first))
    assert f'href="/forums/threads/{first}#post-{post_id}">Week one</a>' in found.text
    assert "Week two" not in found.text.split("Search the forums")[1]

    nothing = client.get(path, params={"q": "cholera"})
    assert "No post holds these words." in nothing.text

    short = client.get(path, params={"q": "m"})
    assert short.status_code == 400
    assert "Search for at least two characters." in short.text
    assert 'value="m"' in short.text
    assert f'<a href="/forums/{w.forum_id}">Discussion</a>' in short.text


def test_a_student_starts_a_discussion_and_a_refused_one_writes_nothing(
    client: TestClient, db: Session, settings: Settings
) -> None:
    w = _world(db, settings)
    sign_in_as(client, w, w.student)
    forum_path = f"/forums/{w.forum_id}"
    assert "Start a discussion" in client.get(forum_path).text

    typed = {"title": "Study group", "body_markdown": "Who meets on **Friday**?"}
    started = _post(client, f"{forum_path}/threads", typed)
    assert started.status_code == 303
    location = started.headers["location"]
    assert re.fullmatch(r"/forums/threads/\d+", location)
    page = client.get(location)
    assert page.status_code == 200
    assert "<h1>Study group</h1>" in page.text
    assert "<strong>Friday</strong>" in page.text
    assert "Sisouk" in page.text
    assert "Study group" in client.get(forum_path).text

    threads_before, posts_before = _count(db, ForumThread), _count(db, ForumPost)
    refused = _post(client, f"{forum_path}/threads",
                    {"title": "Kept title", "body_markdown": ""})  # fmt: skip
    assert refused.status_code == 400
    assert 'value="Kept title"' in refused.text
    assert 'aria-invalid="true"' in refused.text
    assert (_count(db, ForumThread), _count(db, ForumPost)) == (threads_before, posts_before)


def test_a_reply_appears_and_an_empty_one_writes_nothing(
    client: TestClient, db: Session, settings: Settings
) -> None:
    w = _world(db, settings)
    thread_id = thread(w, w.teacher, "Week one", "Read chapter one")
    sign_in_as(client, w, w.student)
    path = f"/forums/threads/{thread_id}"

    answered = _post(client, f"{path}/replies", {"body_markdown": "Done, *thank you*"})
    assert answered.status_code == 303
    post_id = db.scalar(select(func.max(ForumPost.id)).where(ForumPost.thread_id == thread_id))
    assert answered.headers["location"] == f"{path}#post-{post_id}"
    page = client.get(path)
    assert f'id="post-{post_id}"' in page.text
    assert "Done, <em>thank you</em>" in page.text

    before = _count(db, ForumPost)
    empty = _post(client, f"{path}/replies", {"body_markdown": ""})
    assert empty.status_code == 400
    assert "Post the reply" in empty.text
    assert 'aria-invalid="true"' in empty.text
    assert _count(db, ForumPost) == before


def test_a_post_is_edited_within_the_window_and_read_only_after_it(
    client: TestClient, db: Session, settings: Settings, time_machine: TimeMachineFixture
) -> None:
    w = _world(db, settings)
    thread_id = thread(w, w.teacher, "Week one", "Read chapter one")
    post_id = reply(w, w.student, thread_id, "Frist reply")
    sign_in_as(client, w, w.student)
    edit_path = f"/forums/posts/{post_id}/edit"
    thread_path = f"/forums/threads/{thread_id}"
    assert f'href="{edit_path}"' in client.get(thread_path).text

    form = client.get(edit_path)
    assert form.status_code == 200
    assert "Frist reply</textarea>" in form.text
    saved = _post(client, edit_path, {"body_markdown": "First reply"})
    assert saved.status_code == 303
    page = client.get(thread_path)
    assert "First reply" in page.text
    assert "Frist" not in page.text
    assert "edited" in page.text

    time_machine.move_to(NOON + timedelta(minutes=31), tick=False)
    page = client.get(thread_path)
    assert f'href="{edit_path}"' not in page.text
    late = _post(client, edit_path, {"body_markdown": "Changed much later"})
    assert late.status_code == 403
    assert "This post can no longer be edited." in late.text
    assert "Changed much later" not in client.get(thread_path).text
    db.expire_all()
    assert db.get_one(ForumPost, post_id).body_markdown == "First reply"


def test_a_deleted_post_leaves_a_tombstone(
    client: TestClient, db: Session, settings: Settings
) -> None:
    w = _world(db, settings)
    thread_id = thread(w, w.teacher, "Week one", "Read chapter one")
    post_id = reply(w, w.student, thread_id, "Posted by mistake")
    sign_in_as(client, w, w.student)

    deleted = _post(client, f"/forums/posts/{post_id}/delete", {})
    assert deleted.status_code == 303
    page = client.get(f"/forums/threads/{thread_id}")
    assert "This post was deleted." in page.text
    assert "Posted by mistake" not in page.text
    assert "Read chapter one" in page.text


def test_a_report_reaches_the_moderators_once_and_is_dealt_with(
    client: TestClient, db: Session, settings: Settings
) -> None:
    w = _world(db, settings)
    thread_id = thread(w, w.student, "Week one", "Hello all")
    post_id = reply(w, w.other_student, thread_id, "Buy cheap essays here")
    sign_in_as(client, w, w.student)
    report_path = f"/forums/posts/{post_id}/report"
    assert f'href="{report_path}"' in client.get(f"/forums/threads/{thread_id}").text

    assert "Buy cheap essays here" in client.get(report_path).text
    reported = _post(client, report_path, {"reason": "Advertising"})
    assert reported.status_code == 303
    thanks = client.get(reported.headers["location"])
    assert "Thank you: the forum's moderators will look at the post." in thanks.text

    before = _count(db, PostReport)
    again = _post(client, report_path, {"reason": "Still advertising"})
    assert again.status_code == 400
    assert "You have already reported this post." in again.text
    assert "Still advertising</textarea>" in again.text
    assert _count(db, PostReport) == before

    sign_in_as(client, w, w.teacher)
    reports_path = f"/forums/{w.forum_id}/reports"
    reports = client.get(reports_path)
    assert reports.status_code == 200
    assert "Advertising" in reports.text
    assert "Sisouk" in reports.text
    action = re.search(r'action="(/forums/reports/\d+/resolve)"', reports.text)
    assert action
    dealt = _post(client, action.group(1), {})
    assert dealt.status_code == 303
    assert dealt.headers["location"] == reports_path
    after = client.get(reports_path)
    assert "Advertising" not in after.text
    assert "No post is waiting for the moderators." in after.text


def test_the_reports_page_is_the_moderators(
    client: TestClient, db: Session, settings: Settings
) -> None:
    w = _world(db, settings)
    sign_in_as(client, w, w.student)
    assert client.get(f"/forums/{w.forum_id}/reports").status_code == 403


def test_a_teacher_pins_and_locks_and_the_student_can_no_longer_reply(
    client: TestClient, db: Session, settings: Settings
) -> None:
    w = _world(db, settings)
    thread_id = thread(w, w.student, "Week one", "Hello all")
    path = f"/forums/threads/{thread_id}"
    sign_in_as(client, w, w.student)
    page = client.get(path)
    assert "Post the reply" in page.text
    assert "Moderation" not in page.text
    refused = _post(client, f"{path}/moderation", {"locked": "1"})
    assert refused.status_code == 403

    sign_in_as(client, w, w.teacher)
    assert "Moderation" in client.get(path).text
    assert _post(client, f"{path}/moderation", {"pinned": "1"}).status_code == 303
    assert _post(client, f"{path}/moderation", {"locked": "1"}).status_code == 303
    page = client.get(path)
    assert "Unpin" in page.text
    assert "Unlock" in page.text
    assert "Post the reply" in page.text  # moderators still reply

    sign_in_as(client, w, w.student)
    page = client.get(path)
    assert "locked: no more replies" in page.text
    assert "Post the reply" not in page.text
    assert 'action="/forums/threads/' + str(thread_id) + '/replies"' not in page.text
    listing = client.get(f"/forums/{w.forum_id}").text
    assert '<span class="badge">pinned</span>' in listing
    assert '<span class="badge">locked</span>' in listing
    before = _count(db, ForumPost)
    assert _post(client, f"{path}/replies", {"body_markdown": "Anyway"}).status_code == 403
    assert _count(db, ForumPost) == before


def test_mark_all_read_zeroes_the_unread_counts(
    client: TestClient, db: Session, settings: Settings
) -> None:
    w = _world(db, settings)
    first = thread(w, w.teacher, "Week one", "Read chapter one")
    reply(w, w.other_student, first, "Done")
    thread(w, w.other_student, "Week two", "Anyone?")
    sign_in_as(client, w, w.student)
    forum_path = f"/forums/{w.forum_id}"
    assert sorted(_unread_cells(client.get(forum_path).text)) == [
        "<strong>1</strong>",
        "<strong>2</strong>",
    ]

    marked = _post(client, f"{forum_path}/read", {})
    assert marked.status_code == 303
    assert marked.headers["location"] == forum_path
    assert _unread_cells(client.get(forum_path).text) == ["0", "0"]
    assert "unread post" not in client.get(f"/courses/{w.course.code}/forums").text


def test_a_thread_read_is_no_longer_unread(
    client: TestClient, db: Session, settings: Settings
) -> None:
    w = _world(db, settings)
    first = thread(w, w.teacher, "Week one", "Read chapter one")
    reply(w, w.other_student, first, "Done")
    sign_in_as(client, w, w.student)
    assert _unread_cells(client.get(f"/forums/{w.forum_id}").text) == ["<strong>2</strong>"]
    client.get(f"/forums/threads/{first}")
    assert _unread_cells(client.get(f"/forums/{w.forum_id}").text) == ["0"]


def test_in_separate_groups_another_groups_thread_does_not_exist(
    client: TestClient, db: Session, settings: Settings
) -> None:
    w = _world(db, settings, separate_groups=True)
    make_group(db, w.course, "Group A", w.student)
    make_group(db, w.course, "Group B", w.other_student)
    thread_id = thread(w, w.student, "Group A only", "Our plan")

    sign_in_as(client, w, w.student)
    assert client.get(f"/forums/threads/{thread_id}").status_code == 200
    assert "Group A only" in client.get(f"/forums/{w.forum_id}").text

    sign_in_as(client, w, w.other_student)
    hidden = client.get(f"/forums/threads/{thread_id}")
    assert hidden.status_code == 404
    assert "Our plan" not in hidden.text
    listing = client.get(f"/forums/{w.forum_id}")
    assert listing.status_code == 200
    assert "Group A only" not in listing.text
    assert "No discussion yet." in listing.text
    assert "unread post" not in client.get(f"/courses/{w.course.code}/forums").text
    before = _count(db, ForumPost)
    assert _post(client, f"/forums/threads/{thread_id}/replies",
                 {"body_markdown": "Hi"}).status_code == 404  # fmt: skip
    assert _count(db, ForumPost) == before

    sign_in_as(client, w, w.teacher)
    assert "Group A only" in client.get(f"/forums/{w.forum_id}").text


def test_a_script_in_a_post_is_not_run(client: TestClient, db: Session, settings: Settings) -> None:
    w = _world(db, settings)
    sign_in_as(client, w, w.student)
    started = _post(client, f"/forums/{w.forum_id}/threads", {
        "title": "<script>alert('title')</script>",
        "body_markdown": "Hello <script>alert('body')</script> <img src=x onerror=alert(1)>",
    })  # fmt: skip
    assert started.status_code == 303
    page = client.get(started.headers["location"])
    assert page.status_code == 200
    assert "Hello" in page.text
    assert "<script" not in page.text
    assert "<img" not in page.text  # shown as text, if at all, never as an element
    assert "&lt;script&gt;alert(&#39;title&#39;)&lt;/script&gt;" in page.text
    assert "<script" not in client.get(f"/forums/{w.forum_id}").text


def test_a_form_without_its_csrf_token_is_refused_and_writes_nothing(
    client: TestClient, db: Session, settings: Settings
) -> None:
    w = _world(db, settings)
    thread_id = thread(w, w.teacher, "Week one", "Read chapter one")
    sign_in_as(client, w, w.student)
    before = (_count(db, ForumThread), _count(db, ForumPost))

    started = client.post(f"/forums/{w.forum_id}/threads",
                          data={"title": "No token", "body_markdown": "Hello"})  # fmt: skip
    replied = client.post(f"/forums/threads/{thread_id}/replies", data={"body_markdown": "Hi"})

    assert started.status_code == 403
    assert replied.status_code == 403
    assert (_count(db, ForumThread), _count(db, ForumPost)) == before
