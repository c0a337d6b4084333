"""The forums API on the wire, with people's own tokens: discussions and unread counts, the
three kinds of forum, separate groups, the edit window, tombstones, lock and pin, reports,
pages and cursors, refused input that writes nothing, partner clients and strangers kept
out, and the programme's welcome space."""

import base64
import json
from datetime import UTC, datetime, timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from app.accounts.models import Institution, User
from app.core.actors import PlatformRole
from app.core.config import Settings
from app.courses.models import Status
from app.courses.service.completion import completed_module_ids
from app.forums.models import Forum, ForumKind, ForumPost, ForumThread, PostReport
from app.membership.models import CourseRole
from tests.accounts.factories import make_api_client, make_user
from tests.courses.factories import enrol_as, import_hs101
from tests.forums.factories import (
    ForumWorld,
    count,
    forum_world,
    headers_for,
    make_group,
    programme_of,
    reply,
    thread,
)

NOON = datetime(2026, 12, 1, 12, tzinfo=UTC)
frozen = pytest.mark.time_machine(NOON, tick=False)
PROBLEM = "application/problem+json"


class Api:
    """The forum's addresses, called as one person."""

    def __init__(self, client: TestClient, w: ForumWorld, user: User) -> None:
        self.client, self.w, self.user = client, w, user
        self.headers = headers_for(client, user)

    def refresh(self) -> None:
        """A new token: an access token lasts 15 minutes, the tests move the clock further."""
        self.headers = headers_for(self.client, self.user)

    def get(self, path: str, **params: object):
        return self.client.get(f"/api/v1{path}", headers=self.headers, params=params)

    def post(self, path: str, body: object = None):
        return self.client.post(f"/api/v1{path}", headers=self.headers, json=body)

    def patch(self, path: str, body: object):
        return self.client.patch(f"/api/v1{path}", headers=self.headers, json=body)

    def delete(self, path: str):
        return self.client.delete(f"/api/v1{path}", headers=self.headers)

    def start(self, title: str = "Introductions", body: str = "Hello", **extra: object):
        return self.post(f"/forums/{self.w.forum_id}/threads",
                         {"title": title, "body_markdown": body, **extra})  # fmt: skip

    def reply(self, thread_id: int, body: str = "Welcome"):
        return self.post(f"/forum-threads/{thread_id}/posts", {"body_markdown": body})

    def threads(self, **params: object) -> dict[int, dict]:
        listed = self.get(f"/forums/{self.w.forum_id}/threads", **params)
        assert listed.status_code == 200, listed.text
        return {item["id"]: item for item in listed.json()["items"]}

    def posts(self, thread_id: int) -> list[dict]:
        listed = self.get(f"/forum-threads/{thread_id}/posts")
        assert listed.status_code == 200, listed.text
        return listed.json()["items"]

    def forum_unread(self) -> int | None:
        listed = self.get(f"/courses/{self.w.course.id}/forums")
        assert listed.status_code == 200, listed.text
        return next((f["unread"] for f in listed.json() if f["id"] == self.w.forum_id), None)

    def search(self, words: str) -> list[dict]:
        found = self.get(f"/courses/{self.w.course.id}/forum-search", q=words)
        assert found.status_code == 200, found.text
        return found.json()


def people(client: TestClient, w: ForumWorld) -> tuple[Api, Api, Api]:
    return Api(client, w, w.teacher), Api(client, w, w.student), Api(client, w, w.other_student)


@frozen
def test_a_discussion_with_its_replies_and_unread_counts(
    client: TestClient, db: Session, settings: Settings
) -> None:
    w = forum_world(db, settings)
    teacher, student, other = people(client, w)

    started = student.start("Where do we meet?", "Room 4 or 5?")
    assert started.status_code == 201
    thread_id = started.json()["id"]
    answered = other.reply(thread_id, "Room 4")
    assert answered.status_code == 201
    assert answered.json()["author_id"] == w.other_student.id

    mine = student.threads()[thread_id]
    assert (mine["title"], mine["author_name"], mine["replies"], mine["unread"]) == (
        "Where do we meet?", "Sisouk", 1, 1,
    )  # fmt: skip
    assert teacher.threads()[thread_id]["unread"] == 2
    assert teacher.forum_unread() == 2
    assert student.forum_unread() == 1

    assert [p["body_html"] for p in student.posts(thread_id)] == [
        "<p>Room 4 or 5?</p>\n", "<p>Room 4</p>\n",
    ]  # fmt: skip
    assert student.threads()[thread_id]["unread"] == 0
    assert student.forum_unread() == 0
    assert teacher.threads()[thread_id]["unread"] == 2  # one reader's reading is theirs

    marked = teacher.post(f"/forums/{w.forum_id}/read")
    assert marked.status_code == 204
    assert teacher.threads()[thread_id]["unread"] == 0
    assert teacher.forum_unread() == 0

    student.reply(thread_id, "Room 4 it is")
    assert teacher.threads()[thread_id]["unread"] == 1
    assert teacher.forum_unread() == 1


@frozen
def test_questions_show_the_others_answers_once_the_learner_answered(
    client: TestClient, db: Session, settings: Settings
) -> None:
    w = forum_world(db, settings, ForumKind.QANDA)
    teacher, student, other = people(client, w)

    refused = student.start("My own question")
    assert refused.status_code == 403
    question = teacher.start("Why wash hands?", "Tell us why.").json()["id"]
    answer = other.reply(question, "Germs travel on hands").json()["id"]

    assert [p["body_html"] for p in student.posts(question)] == ["<p>Tell us why.</p>\n"]
    assert student.search("germs") == []
    hidden_report = student.post(f"/forum-posts/{answer}/reports", {"reason": "Wrong"})
    assert hidden_report.status_code == 404

    mine = student.reply(question, "Soap removes germs")
    assert mine.status_code == 201

    assert [p["body_html"] for p in student.posts(question)] == [
        "<p>Tell us why.</p>\n", "<p>Germs travel on hands</p>\n", "<p>Soap removes germs</p>\n",
    ]  # fmt: skip
    assert [hit["post_id"] for hit in student.search("germs")] == [mine.json()["id"], answer]
    assert count(db, ForumThread) == 1


@frozen
def test_announcements_are_posted_by_staff_and_take_no_replies_from_students(
    client: TestClient, db: Session, settings: Settings
) -> None:
    w = forum_world(db, settings, ForumKind.ANNOUNCEMENTS)
    teacher, student, _ = people(client, w)

    news = teacher.start("Exam date", "The exam is on Friday.")
    assert news.status_code == 201
    assert student.start("Can we move it?").status_code == 403
    assert student.reply(news.json()["id"], "Can we move it?").status_code == 403

    assert [p["body_html"] for p in student.posts(news.json()["id"])] == [
        "<p>The exam is on Friday.</p>\n"
    ]
    assert (count(db, ForumThread), count(db, ForumPost)) == (1, 1)


@frozen
def test_separate_groups_hide_a_groups_thread_from_the_other_group(
    client: TestClient, db: Session, settings: Settings
) -> None:
    w = forum_world(db, settings)
    teacher, student, other = people(client, w)
    loner_user = make_user(db)
    enrol_as(db, w.course, loner_user, CourseRole.STUDENT)
    loner = Api(client, w, loner_user)
    group_a = make_group(db, w.course, "Team A", w.student)
    group_b = make_group(db, w.course, "Team B", w.other_student)

    assert student.patch(f"/forums/{w.forum_id}", {"separate_groups": True}).status_code == 403
    configured = teacher.patch(f"/forums/{w.forum_id}", {"separate_groups": True})
    assert configured.status_code == 200
    assert configured.json()["separate_groups"] is True

    ours = student.start("Team A plans", "Our secret plan")
    assert ours.status_code == 201
    assert ours.json()["group_id"] == group_a
    ours_id = ours.json()["id"]
    theirs_id = other.start("Team B plans", "Another plan").json()["id"]

    assert list(other.threads()) == [theirs_id]
    assert other.get(f"/forum-threads/{ours_id}").status_code == 404
    assert other.get(f"/forum-threads/{ours_id}/posts").status_code == 404
    assert other.reply(ours_id, "Let me in").status_code == 404
    assert other.search("secret") == []
    assert other.forum_unread() == 0
    listed = teacher.threads()
    assert {i: t["group_id"] for i, t in listed.items()} == {ours_id: group_a, theirs_id: group_b}
    assert teacher.forum_unread() == 2
    assert [hit["thread_id"] for hit in teacher.search("secret")] == [ours_id]

    no_group = loner.start("Anyone?")
    assert no_group.status_code == 403
    assert count(db, ForumThread) == 2


def test_the_author_edits_for_thirty_minutes_and_no_one_else_does(
    client: TestClient, db: Session, settings: Settings, time_machine
) -> None:
    time_machine.move_to(NOON, tick=False)
    w = forum_world(db, settings)
    _, student, other = people(client, w)
    thread_id = student.start(body="Frist post").json()["id"]
    post_id = student.posts(thread_id)[0]["id"]

    time_machine.move_to(NOON + timedelta(minutes=29), tick=False)
    student.refresh()
    other.refresh()
    edited = student.patch(f"/forum-posts/{post_id}", {"body_markdown": "First post"})
    assert edited.status_code == 200
    assert edited.json()["body_html"] == "<p>First post</p>\n"
    assert edited.json()["edited_at"].startswith("2026-12-01T12:29:00")
    assert other.patch(f"/forum-posts/{post_id}", {"body_markdown": "Mine"}).status_code == 403

    time_machine.move_to(NOON + timedelta(minutes=31), tick=False)
    late = student.patch(f"/forum-posts/{post_id}", {"body_markdown": "Second thoughts"})
    assert late.status_code == 403
    shown = other.posts(thread_id)[0]
    assert shown["body_html"] == "<p>First post</p>\n"
    assert shown["edited_at"].startswith("2026-12-01T12:29:00")


def test_a_deleted_post_leaves_a_tombstone_and_its_replies(
    client: TestClient, db: Session, settings: Settings, time_machine
) -> None:
    time_machine.move_to(NOON, tick=False)
    w = forum_world(db, settings)
    teacher, student, other = people(client, w)
    thread_id = student.start(body="Meet at 5?").json()["id"]
    opening = student.posts(thread_id)[0]["id"]
    answer = other.reply(thread_id, "Yes, at 5").json()["id"]

    assert student.delete(f"/forum-posts/{answer}").status_code == 403
    assert student.delete(f"/forum-posts/{opening}").status_code == 204

    listed = other.posts(thread_id)
    assert [(p["id"], p["deleted"], p["body_html"]) for p in listed] == [
        (opening, True, ""), (answer, False, "<p>Yes, at 5</p>\n"),
    ]  # fmt: skip

    time_machine.move_to(NOON + timedelta(days=2), tick=False)  # a moderator, at any time
    teacher.refresh()
    student.refresh()
    assert student.delete(f"/forum-posts/{opening}").status_code == 403  # gone already
    assert teacher.delete(f"/forum-posts/{answer}").status_code == 204
    assert [(p["deleted"], p["body_html"]) for p in student.posts(thread_id)] == [
        (True, ""), (True, ""),
    ]  # fmt: skip
    assert count(db, ForumPost) == 2


def test_moderators_lock_and_pin_discussions(
    client: TestClient, db: Session, settings: Settings, time_machine
) -> None:
    time_machine.move_to(NOON, tick=False)
    w = forum_world(db, settings)
    teacher, student, _ = people(client, w)
    older = student.start("Older").json()["id"]
    time_machine.move_to(NOON + timedelta(minutes=5), tick=False)
    newer = student.start("Newer").json()["id"]
    assert list(student.threads()) == [newer, older]

    assert student.patch(f"/forum-threads/{older}", {"locked": True}).status_code == 403
    assert student.patch(f"/forum-threads/{older}", {"pinned": True}).status_code == 403
    locked = teacher.patch(f"/forum-threads/{older}", {"locked": True, "pinned": True})
    assert locked.status_code == 200
    assert (locked.json()["locked"], locked.json()["pinned"]) == (True, True)

    assert list(student.threads()) == [older, newer]
    assert student.reply(older, "One more thing").status_code == 403
    assert teacher.reply(older, "Closing this").status_code == 201
    assert student.reply(newer, "Still open").status_code == 201
    assert list(student.threads()) == [older, newer]  # pinned stays first despite activity


@frozen
def test_a_post_is_reported_once_per_reader_and_never_by_its_author(
    client: TestClient, db: Session, settings: Settings
) -> None:
    w = forum_world(db, settings)
    _, student, other = people(client, w)
    thread_id = student.start(body="Buy my essays").json()["id"]
    post_id = student.posts(thread_id)[0]["id"]

    first = other.post(f"/forum-posts/{post_id}/reports", {"reason": "Spam"})
    assert first.status_code == 201
    assert first.json()["post_id"] == post_id
    again = other.post(f"/forum-posts/{post_id}/reports", {"reason": "Still spam"})
    assert again.status_code == 409
    assert again.headers["content-type"].startswith(PROBLEM)
    assert again.json()["code"] == "post_already_reported"
    assert count(db, PostReport) == 1

    own = student.post(f"/forum-posts/{post_id}/reports", {"reason": "Oops"})
    assert own.status_code == 403
    assert count(db, PostReport) == 1


@frozen
def test_a_long_thread_is_read_fifty_posts_a_page_each_once_in_order(
    client: TestClient, db: Session, settings: Settings
) -> None:
    w = forum_world(db, settings)
    thread_id = thread(w, w.teacher, body="Post 0")
    for n in range(1, 120):
        reply(w, w.student if n % 2 else w.other_student, thread_id, f"Post {n}")
    student = Api(client, w, w.student)

    pages, cursor = [], None
    while True:
        params = {"cursor": cursor} if cursor else {}
        page = student.get(f"/forum-threads/{thread_id}/posts", **params).json()
        pages.append(page["items"])
        cursor = page["next_cursor"]
        if cursor is None:
            break

    assert [len(items) for items in pages] == [50, 50, 20]
    bodies = [p["body_html"] for items in pages for p in items]
    assert bodies == [f"<p>Post {n}</p>\n" for n in range(120)]


def test_a_long_forum_lists_its_threads_fifty_a_page_each_once(
    client: TestClient, db: Session, settings: Settings, time_machine
) -> None:
    time_machine.move_to(NOON, tick=False)
    w = forum_world(db, settings)
    started = []
    for n in range(55):
        if n % 5 == 0:  # some threads share their moment of activity with others
            time_machine.move_to(NOON + timedelta(minutes=n), tick=False)
        started.append(thread(w, w.student, f"Thread {n}"))
    student = Api(client, w, w.student)

    first = student.get(f"/forums/{w.forum_id}/threads").json()
    second = student.get(f"/forums/{w.forum_id}/threads", cursor=first["next_cursor"]).json()

    assert (len(first["items"]), len(second["items"])) == (50, 5)
    assert second["next_cursor"] is None
    listed = [t["id"] for t in first["items"] + second["items"]]
    assert listed == list(reversed(started))


def _b64(raw: object) -> str:
    return base64.urlsafe_b64encode(json.dumps(raw).encode()).decode().rstrip("=")


GARBAGE = [
    "garbage!",
    "%%%",
    "AAAA",
    _b64({"a": 1}),
    _b64([True, "yesterday", 1]),
    _b64([False, "2026-12-01T12:00:00", 1]),  # no zone
    _b64([False, "2026-12-01T12:00:00+00:00", 10**20]),  # past any id
    _b64([False, "9999-12-31T23:59:59-05:00", 1]),  # past any date in UTC
    _b64(str(10**20)),
    base64.urlsafe_b64encode(b"\xff\xfe").decode(),
]


@frozen
@pytest.mark.parametrize("cursor", GARBAGE)
def test_a_cursor_agora_did_not_give_out_is_a_problem_not_a_crash(
    client: TestClient, db: Session, settings: Settings, cursor: str
) -> None:
    w = forum_world(db, settings)
    thread_id = thread(w, w.student)
    student = Api(client, w, w.student)

    for path in (f"/forums/{w.forum_id}/threads", f"/forum-threads/{thread_id}/posts"):
        answer = student.get(path, cursor=cursor)
        assert answer.status_code == 422, (path, answer.text)
        assert answer.headers["content-type"].startswith(PROBLEM)


@frozen
def test_a_posted_forum_module_is_complete_after_the_learners_first_post(
    client: TestClient, db: Session, settings: Settings
) -> None:
    w = forum_world(db, settings, completion="posted")
    _, student, _ = people(client, w)
    assert w.module_id not in completed_module_ids(db, w.student.id, w.course.id)

    assert student.start("My first post").status_code == 201

    assert w.module_id in completed_module_ids(db, w.student.id, w.course.id)
    assert w.module_id not in completed_module_ids(db, w.other_student.id, w.course.id)


@frozen
@pytest.mark.parametrize(
    "body",
    [
        {"title": "Hello", "body_markdown": ""},
        {"title": "Hello", "body_markdown": " \n\t "},
        {"title": "x" * 301, "body_markdown": "Hello"},
        {"title": "   ", "body_markdown": "Hello"},
        {"title": "Hello"},
        {"title": "Hello", "body_markdown": "x" * 20_001},
        {"title": "Hello", "body_markdown": "Hello", "pinned": True},
        {"title": "Hello", "body_markdown": "Hello", "group_id": 0},
    ],
)
def test_a_refused_thread_writes_nothing(
    client: TestClient, db: Session, settings: Settings, body: dict
) -> None:
    w = forum_world(db, settings)
    thread(w, w.teacher)
    student = Api(client, w, w.student)
    before = (count(db, ForumThread), count(db, ForumPost))

    refused = student.post(f"/forums/{w.forum_id}/threads", body)

    assert refused.status_code == 422
    assert refused.headers["content-type"].startswith(PROBLEM)
    assert (count(db, ForumThread), count(db, ForumPost)) == before


@frozen
@pytest.mark.parametrize(
    "body",
    [
        {"body_markdown": ""},
        {"body_markdown": "   "},
        {},
        {"body_markdown": "x" * 20_001},
        {"body_markdown": "Hello", "author_id": 1},
        {"body_markdown": "Hello", "parent_id": 0},
        {"body_markdown": "Hello", "parent_id": "elsewhere"},  # a post of another thread
    ],
)
def test_a_refused_reply_writes_nothing(
    client: TestClient, db: Session, settings: Settings, body: dict
) -> None:
    w = forum_world(db, settings)
    thread_id = thread(w, w.teacher)
    elsewhere = thread(w, w.teacher, "Another")
    if body.get("parent_id") == "elsewhere":
        body = {**body, "parent_id": Api(client, w, w.teacher).posts(elsewhere)[0]["id"]}
    student = Api(client, w, w.student)
    before = count(db, ForumPost)

    refused = student.post(f"/forum-threads/{thread_id}/posts", body)

    assert refused.status_code == 422
    assert refused.headers["content-type"].startswith(PROBLEM)
    assert count(db, ForumPost) == before


@frozen
def test_partner_clients_and_other_courses_people_find_no_forum(
    client: TestClient, db: Session, settings: Settings
) -> None:
    w = forum_world(db, settings)
    thread_id = thread(w, w.student)
    assert w.course.institution_id is not None
    home = db.get(Institution, w.course.institution_id)
    assert home is not None
    partner = make_api_client(db, home, ["courses:read", "courses:write"])
    token = client.post(
        "/api/v1/auth/token",
        data={"grant_type": "client_credentials", "client_id": partner.client_id,
              "client_secret": "s3cret-partner-key"},
    ).json()["access_token"]  # fmt: skip
    partner_headers = {"Authorization": f"Bearer {token}"}
    other_course = import_hs101(db, settings, code="HS-102")
    stranger_user = make_user(db)
    enrol_as(db, other_course, stranger_user, CourseRole.STUDENT)
    stranger = Api(client, w, stranger_user)
    before = (count(db, ForumThread), count(db, ForumPost))

    for path in (f"/forums/{w.forum_id}", f"/forums/{w.forum_id}/threads",
                 f"/forum-threads/{thread_id}", f"/forum-threads/{thread_id}/posts"):  # fmt: skip
        assert client.get(f"/api/v1{path}", headers=partner_headers).status_code == 404, path
        assert stranger.get(path).status_code == 404, path
    body = {"title": "Hi", "body_markdown": "From outside"}
    for headers in (partner_headers, stranger.headers):
        started = client.post(f"/api/v1/forums/{w.forum_id}/threads", headers=headers, json=body)
        assert started.status_code == 404
        replied = client.post(f"/api/v1/forum-threads/{thread_id}/posts", headers=headers,
                              json={"body_markdown": "From outside"})  # fmt: skip
        assert replied.status_code == 404
    # The course is published, so its page is public; its forums are for its people.
    assert stranger.get(f"/courses/{w.course.id}/forums").json() == []
    partner_list = client.get(f"/api/v1/courses/{w.course.id}/forums", headers=partner_headers)
    assert partner_list.json() == []
    assert (count(db, ForumThread), count(db, ForumPost)) == before


@frozen
def test_the_programmes_welcome_space_is_shared_by_its_courses_people(
    client: TestClient, db: Session, settings: Settings
) -> None:
    w = forum_world(db, settings)
    programme = programme_of(db, w.course)
    manager = make_user(db, role=PlatformRole.MANAGER)
    outsider = make_user(db)
    path = f"/api/v1/programmes/{programme.id}/forums"
    body = {"title": "Welcome", "intro_markdown": "Say **hello**"}

    # The programme is published, hence public: its teachers and students are refused.
    for user in (w.teacher, w.student):
        refused = client.post(path, headers=headers_for(client, user), json=body)
        assert refused.status_code == 403
    draft = programme_of(db, w.course)
    draft.status = Status.DRAFT
    db.flush()
    hidden = client.post(f"/api/v1/programmes/{draft.id}/forums",
                         headers=headers_for(client, w.student), json=body)  # fmt: skip
    assert hidden.status_code == 404
    assert count(db, Forum) == 1  # the course's forum only
    made = client.post(path, headers=headers_for(client, manager), json=body)
    assert made.status_code == 201
    forum = made.json()
    assert (forum["programme_id"], forum["course_id"], forum["kind"]) == (
        programme.id, None, "general",
    )  # fmt: skip
    assert forum["intro_html"] == "<p>Say <strong>hello</strong></p>\n"

    student = headers_for(client, w.student)
    assert client.get(f"/api/v1/forums/{forum['id']}", headers=student).status_code == 200
    started = client.post(f"/api/v1/forums/{forum['id']}/threads", headers=student,
                          json={"title": "Hi all", "body_markdown": "I am Sisouk"})  # fmt: skip
    assert started.status_code == 201
    teacher = headers_for(client, w.teacher)
    course_forums = client.get(f"/api/v1/courses/{w.course.id}/forums", headers=teacher).json()
    welcome = next(f for f in course_forums if f["id"] == forum["id"])
    assert welcome["unread"] == 1

    stranger = headers_for(client, outsider)
    assert client.get(f"/api/v1/forums/{forum['id']}", headers=stranger).status_code == 404
    assert client.get(f"/api/v1/forum-threads/{started.json()['id']}/posts",
                      headers=stranger).status_code == 404  # fmt: skip
    crashed = client.post(f"/api/v1/forums/{forum['id']}/threads", headers=stranger,
                          json={"title": "Hi", "body_markdown": "Let me in"})  # fmt: skip
    assert crashed.status_code == 404
    assert count(db, ForumThread) == 1
    separate = client.patch(f"/api/v1/forums/{forum['id']}", headers=headers_for(client, manager),
                            json={"separate_groups": True})  # fmt: skip
    assert separate.status_code == 422


@frozen
def test_script_and_javascript_links_do_not_come_back(
    client: TestClient, db: Session, settings: Settings
) -> None:
    w = forum_world(db, settings)
    _, student, other = people(client, w)
    body = "<script>alert(1)</script>\n\n[x](javascript:alert(1))\n\n<a href='javascript:x'>y</a>"

    thread_id = student.start(body="Hello").json()["id"]
    opening = student.posts(thread_id)[0]["id"]
    edited = student.patch(f"/forum-posts/{opening}", {"body_markdown": body}).json()
    replied = other.reply(thread_id, body).json()

    shown = [p["body_html"] for p in other.posts(thread_id)]
    assert len(shown) == 2
    for html in [*shown, edited["body_html"], replied["body_html"]]:
        assert "<script" not in html.lower()
        assert "<a " not in html
        assert 'href="javascript:' not in html.lower()
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
