"""Private messages through the service and on the wire, with people's own tokens: who may
write to whom (teachers and tutors, groups, managers and their answers), unread counts,
blocking, reports and who reads them, sanitised Markdown, refused input that writes nothing,
pages and cursors, and partner clients kept out."""

from datetime import UTC, datetime

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from app.accounts.models import User
from app.core.actors import PlatformRole
from app.core.config import Settings
from app.core.errors import Forbidden, NotFound
from app.core.inputs import MAX_INT
from app.core.pagination import encode_cursor
from app.membership.models import CourseRole
from app.messaging import service
from app.messaging.schemas import MessageCreate, ReportCreate
from tests.accounts.factories import make_api_client, make_institution, make_user
from tests.forums.factories import headers_for, make_group
from tests.messaging.factories import messaging_world, person, write, written

NOON = datetime(2026, 12, 1, 12, tzinfo=UTC)
pytestmark = pytest.mark.time_machine(NOON, tick=False)
PROBLEM = "application/problem+json"


class Api:
    """The messages' addresses, called as one person."""

    def __init__(self, client: TestClient, user: User) -> None:
        self.client, self.user = client, user
        self.headers = headers_for(client, user)

    def get(self, path: str, **params: object):
        return self.client.get(f"/api/v1/messages{path}", headers=self.headers, params=params)

    def post(self, path: str, body: object = None):
        return self.client.post(f"/api/v1/messages{path}", headers=self.headers, json=body)

    def send(self, to: User, body: str = "Hello"):
        return self.post(f"/with/{to.id}", {"body_markdown": body})

    def report(self, message_id: int, reason: str = "Rude"):
        return self.post(f"/{message_id}/reports", {"reason": reason})

    def block(self, user: User, blocked: bool = True):
        method = self.client.put if blocked else self.client.delete
        return method(f"/api/v1/messages/blocks/{user.id}", headers=self.headers)

    def conversations(self) -> dict[int, dict]:
        listed = self.get("")
        assert listed.status_code == 200, listed.text
        return {row["user_id"]: row for row in listed.json()}

    def contacts(self) -> set[int]:
        listed = self.get("/contacts")
        assert listed.status_code == 200, listed.text
        return {row["user_id"] for row in listed.json()}

    def messages(self, other: User, **params: object) -> dict:
        read = self.get(f"/with/{other.id}", **params)
        assert read.status_code == 200, read.text
        return dict(read.json())


def _refused(response, status: int, code: str) -> None:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith(PROBLEM)
    assert response.json()["code"] == code


@pytest.mark.parametrize("role", [CourseRole.TEACHER, CourseRole.TUTOR])
def test_a_student_writes_to_the_teacher_of_their_course_who_reads_and_answers(
    client: TestClient, db: Session, settings: Settings, role: CourseRole
) -> None:
    w = messaging_world(db, settings)
    teaching = w.teacher if role is CourseRole.TEACHER else w.tutor
    student, teacher = Api(client, w.student), Api(client, teaching)
    assert teaching.id in student.contacts()
    assert w.student.id in teacher.contacts()

    sent = student.send(teaching, "Could you explain **question 3**?")
    assert sent.status_code == 201, sent.text
    assert sent.json()["sender_id"] == w.student.id
    assert "<strong>question 3</strong>" in sent.json()["body_html"]

    listed = teacher.conversations()
    assert listed[w.student.id]["name"] == "Sisouk"
    assert listed[w.student.id]["unread"] == 1
    assert student.conversations()[teaching.id]["unread"] == 0  # one's own message is read

    read = teacher.messages(w.student)
    assert [m["id"] for m in read["items"]] == [sent.json()["id"]]
    assert read["next_cursor"] is None
    assert teacher.conversations()[w.student.id]["unread"] == 0

    answer = teacher.send(w.student, "Of course: see chapter two.")
    assert answer.status_code == 201, answer.text
    assert student.conversations()[teaching.id]["unread"] == 1
    items = student.messages(teaching)["items"]
    assert [m["sender_id"] for m in items] == [w.student.id, teaching.id]
    assert student.conversations()[teaching.id]["unread"] == 0


def test_students_of_one_course_write_to_each_other_only_once_in_the_same_group(
    client: TestClient, db: Session, settings: Settings
) -> None:
    w = messaging_world(db, settings)
    student, other = Api(client, w.student), Api(client, w.other_student)
    assert w.other_student.id not in student.contacts()
    before = written(db)

    _refused(student.get(f"/with/{w.other_student.id}"), 404, "no_such_person")
    _refused(student.send(w.other_student, "Shall we work together?"), 404, "no_such_person")
    assert written(db) == before
    assert other.conversations() == {}

    make_group(db, w.course, "Group A", w.student, w.other_student)
    assert w.other_student.id in student.contacts()
    assert student.get(f"/with/{w.other_student.id}").json() == {"items": [], "next_cursor": None}
    assert student.send(w.other_student, "Shall we work together?").status_code == 201
    assert other.conversations()[w.student.id]["unread"] == 1
    assert other.send(w.student, "Yes!").status_code == 201


def test_people_sharing_no_course_cannot_write_and_nothing_is_written(
    client: TestClient, db: Session, settings: Settings
) -> None:
    w = messaging_world(db, settings)
    inactive = person(db, "Gone", institution=w.home, active=False)
    before = written(db)

    for writer, recipient in (
        (w.outsider, w.student),
        (w.student, w.outsider),
        (w.other_teacher, w.student),  # a teacher, but of another course
        (w.student, w.other_teacher),
        (w.student, w.student),  # oneself
        (w.student, inactive),
    ):
        api = Api(client, writer)
        _refused(api.get(f"/with/{recipient.id}"), 404, "no_such_person")
        _refused(api.send(recipient, "Hello there"), 404, "no_such_person")
        assert recipient.id not in api.contacts()
    _refused(Api(client, w.student).get(f"/with/{MAX_INT}"), 404, "no_such_person")

    assert written(db) == before
    with pytest.raises(NotFound):
        service.send(db, w.actor(w.outsider), w.student.id, MessageCreate(body_markdown="Hi"))
    assert written(db) == before


def test_a_platform_manager_writes_to_anyone_who_may_then_answer(
    client: TestClient, db: Session, settings: Settings
) -> None:
    w = messaging_world(db, settings)
    manager, outsider = Api(client, w.manager), Api(client, w.outsider)
    _refused(outsider.send(w.manager, "Hello?"), 404, "no_such_person")  # not before it

    assert manager.send(w.outsider, "Your account is ready.").status_code == 201
    assert outsider.conversations()[w.manager.id]["unread"] == 1
    assert outsider.send(w.manager, "Thank you!").status_code == 201  # they wrote to me
    assert manager.conversations()[w.outsider.id]["unread"] == 1
    # Answering the manager opens no door to anyone else.
    _refused(outsider.send(w.student, "Hello"), 404, "no_such_person")


def test_an_institution_manager_writes_to_their_institutions_people_only(
    client: TestClient, db: Session, settings: Settings
) -> None:
    w = messaging_world(db, settings)
    elsewhere = make_institution(db)
    home_manager = person(db, "Home Manager", role=PlatformRole.INSTITUTION_MANAGER,
                          institution=w.home)  # fmt: skip
    far_manager = person(db, "Far Manager", role=PlatformRole.INSTITUTION_MANAGER,
                         institution=elsewhere)  # fmt: skip
    before = written(db)

    far = Api(client, far_manager)
    _refused(far.get(f"/with/{w.student.id}"), 404, "no_such_person")
    _refused(far.send(w.student, "Hello"), 404, "no_such_person")
    assert written(db) == before
    assert Api(client, home_manager).send(w.student, "Welcome").status_code == 201


def test_a_blocked_person_cannot_write_until_unblocked(
    client: TestClient, db: Session, settings: Settings
) -> None:
    w = messaging_world(db, settings)
    student, teacher = Api(client, w.student), Api(client, w.teacher)
    assert student.send(w.teacher, "First question").status_code == 201

    assert teacher.block(w.student).status_code == 204
    assert teacher.block(w.student).status_code == 204  # twice is once
    before = written(db)
    _refused(student.send(w.teacher, "Why no answer?"), 403, "cannot_write")
    assert written(db) == before
    assert w.teacher.id not in student.contacts()
    assert w.tutor.id in student.contacts()
    assert teacher.conversations()[w.student.id]["unread"] == 1  # nothing new arrived

    assert teacher.block(w.student, blocked=False).status_code == 204
    assert student.send(w.teacher, "Second question").status_code == 201
    assert w.teacher.id in student.contacts()
    assert teacher.conversations()[w.student.id]["unread"] == 2


def test_one_cannot_block_a_stranger_nor_oneself(
    client: TestClient, db: Session, settings: Settings
) -> None:
    w = messaging_world(db, settings)
    student = Api(client, w.student)
    assert student.block(w.outsider).status_code == 404
    assert student.block(w.student).status_code == 404
    assert student.block(w.outsider, blocked=False).status_code == 404  # nor tells who exists
    # Unblocking someone never blocked changes nothing.
    assert student.block(w.teacher, blocked=False).status_code == 204


def test_a_received_message_is_reported_once_and_only_by_its_recipient(
    client: TestClient, db: Session, settings: Settings
) -> None:
    w = messaging_world(db, settings)
    rude = write(w, w.teacher, w.student, "You will fail.")
    answer = write(w, w.student, w.teacher, "Why?")
    student, other = Api(client, w.student), Api(client, w.other_student)

    first = student.report(rude.id, "Threatening")
    assert first.status_code == 201, first.text
    assert first.json()["message_id"] == rude.id
    before = written(db)
    _refused(student.report(rude.id, "Still threatening"), 409, "message_already_reported")
    assert student.report(answer.id, "Oops").status_code == 403
    assert other.report(rude.id, "Gossip").status_code == 404
    assert Api(client, w.manager).report(rude.id, "Looks bad").status_code == 404
    assert student.report(MAX_INT).status_code == 404
    _refused(student.report(rude.id, "   "), 422, "validation_error")
    assert written(db) == before


def test_reports_are_read_by_the_managers_who_reach_the_sender(
    db: Session, settings: Settings
) -> None:
    w = messaging_world(db, settings)
    rude = write(w, w.teacher, w.student, "You will fail.")
    made = service.report(db, w.actor(w.student), rude.id, ReportCreate(reason="Threatening"))
    home_manager = make_user(db, role=PlatformRole.INSTITUTION_MANAGER, institution=w.home)
    far_manager = make_user(db, role=PlatformRole.INSTITUTION_MANAGER,
                            institution=make_institution(db))  # fmt: skip

    def open_ids(user: User) -> list[int]:
        return [row.report.id for row in service.open_reports(db, w.actor(user))]

    assert open_ids(w.manager) == [made.id]
    assert open_ids(home_manager) == [made.id]
    assert open_ids(far_manager) == []
    with pytest.raises(NotFound):
        service.resolve_report(db, w.actor(far_manager), made.id)
    for user in (w.student, w.teacher):
        with pytest.raises(Forbidden):
            service.open_reports(db, w.actor(user))

    service.resolve_report(db, w.actor(home_manager), made.id)
    assert open_ids(w.manager) == []


def test_markdown_is_sanitised(client: TestClient, db: Session, settings: Settings) -> None:
    w = messaging_world(db, settings)
    student, teacher = Api(client, w.student), Api(client, w.teacher)
    body = '<script>alert("x")</script>**Hi** <img src=x onerror=alert(1)> [a](javascript:alert(1))'

    sent = student.send(w.teacher, body)
    assert sent.status_code == 201
    for html in (sent.json()["body_html"], teacher.messages(w.student)["items"][0]["body_html"]):
        assert "<script" not in html
        assert "<img" not in html  # raw HTML is shown as text, never run
        assert 'href="javascript' not in html
        assert "<strong>Hi</strong>" in html


@pytest.mark.parametrize(
    "body",
    [{"body_markdown": ""}, {"body_markdown": "   "}, {"body_markdown": "x" * 10_001}, {},
     {"body_markdown": "Hi", "sender_id": 1}, {"body_markdown": "a\x00b"}],
    ids=["empty", "blank", "too long", "missing", "unknown field", "nul"],
)  # fmt: skip
def test_refused_input_writes_nothing(
    client: TestClient, db: Session, settings: Settings, body: dict
) -> None:
    w = messaging_world(db, settings)
    student = Api(client, w.student)
    before = written(db)

    _refused(student.post(f"/with/{w.teacher.id}", body), 422, "validation_error")
    assert written(db) == before
    assert Api(client, w.teacher).conversations() == {}


def test_the_longest_message_allowed_is_sent(
    client: TestClient, db: Session, settings: Settings
) -> None:
    w = messaging_world(db, settings)
    sent = Api(client, w.student).send(w.teacher, "x" * 10_000)
    assert sent.status_code == 201, sent.text


def test_a_long_conversation_is_read_fifty_messages_a_page_each_once_in_order(
    client: TestClient, db: Session, settings: Settings
) -> None:
    w = messaging_world(db, settings)
    # A talk of sixty messages, then sixty the teacher sends without an answer.
    sent = [
        write(w, *((w.student, w.teacher) if n % 2 else (w.teacher, w.student)), f"Message {n}")
        for n in range(60)
    ] + [write(w, w.teacher, w.student, f"Message {n}") for n in range(60, 120)]
    student = Api(client, w.student)
    assert student.conversations()[w.teacher.id]["unread"] == 60  # answering read the rest

    pages: list[list[dict]] = []
    unread: list[int] = []
    cursor = None
    while True:
        page = student.messages(w.teacher, **({"cursor": cursor} if cursor else {}))
        pages.append(page["items"])
        # Reading a page marks it read, not what lies beyond it.
        unread.append(student.conversations()[w.teacher.id]["unread"])
        cursor = page["next_cursor"]
        if cursor is None:
            break

    assert [len(p) for p in pages] == [50, 50, 20]
    ids = [m["id"] for p in pages for m in p]
    assert ids == [m.id for m in sent]
    assert "Message 119" in pages[-1][-1]["body_html"]
    assert unread == [60, 20, 0]
    assert len(student.messages(w.teacher, limit=100)["items"]) == 100


@pytest.mark.parametrize(
    "cursor",
    ["garbage!", "%%%", "bm90LWEtbnVtYmVy", "x" * 41,
     encode_cursor(MAX_INT + 1), "LTE"],
)  # fmt: skip
def test_a_cursor_agora_did_not_give_is_refused(
    client: TestClient, db: Session, settings: Settings, cursor: str
) -> None:
    w = messaging_world(db, settings)
    write(w, w.student, w.teacher)
    read = Api(client, w.student).get(f"/with/{w.teacher.id}", cursor=cursor)
    assert read.status_code == 422, read.text
    assert read.headers["content-type"].startswith(PROBLEM)


def test_partner_clients_find_no_messages(
    client: TestClient, db: Session, settings: Settings
) -> None:
    w = messaging_world(db, settings)
    message = write(w, w.teacher, w.student, "Hello")
    partner = make_api_client(db, w.home, ["users:read", "users:write", "courses:read"])
    token = client.post(
        "/api/v1/auth/token",
        data={"grant_type": "client_credentials", "client_id": partner.client_id,
              "client_secret": "s3cret-partner-key"},
    ).json()["access_token"]  # fmt: skip
    headers = {"Authorization": f"Bearer {token}"}
    before = written(db)

    base = "/api/v1/messages"
    calls = [
        client.get(base, headers=headers),
        client.get(f"{base}/contacts", headers=headers),
        client.get(f"{base}/with/{w.student.id}", headers=headers),
        client.post(f"{base}/with/{w.student.id}", headers=headers, json={"body_markdown": "Hi"}),
        client.put(f"{base}/blocks/{w.student.id}", headers=headers),
        client.delete(f"{base}/blocks/{w.student.id}", headers=headers),
        client.post(f"{base}/{message.id}/reports", headers=headers, json={"reason": "Spam"}),
    ]
    for response in calls:
        assert response.status_code == 404, (response.request.url, response.text)
    assert written(db) == before


def test_without_a_token_the_messages_ask_for_one(client: TestClient) -> None:
    assert client.get("/api/v1/messages").status_code == 401
    assert client.post("/api/v1/messages/with/1", json={"body_markdown": "Hi"}).status_code == 401
