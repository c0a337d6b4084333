"""The messages through their pages, without JavaScript: one's conversations and unread
counts, writing and answering, strangers not found, refused forms shown again with what was
typed and writing nothing, blocking, reporting and the managers' reported messages, sanitised
Markdown, a long conversation's pages; every form carries its CSRF token."""

import html
import re
from datetime import UTC, datetime

import pytest
from fastapi.testclient import TestClient
from httpx import Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.accounts.models import User
from app.core.actors import PlatformRole
from app.core.config import Settings
from app.messaging.models import Message
from tests.accounts.factories import make_institution, page_csrf
from tests.forums.factories import make_group
from tests.messaging.factories import (
    MessagingWorld,
    messaging_world,
    person,
    sign_in_as,
    write,
    written,
)

NOON = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
pytestmark = pytest.mark.time_machine(NOON, tick=False)
MESSAGE_ID = re.compile(r'<article class="message" id="message-(\d+)"')
CANNOT_WRITE = "You cannot write to this person: you share no course or group with them."


def _post(client: TestClient, path: str, data: dict[str, str]) -> Response:
    token = page_csrf(client, "/")
    response: Response = client.post(
        path, data={**data, "csrf_token": token}, follow_redirects=False
    )
    return response


def _as(client: TestClient, user: User) -> TestClient:
    client.cookies.clear()
    sign_in_as(client, user)
    return client


def _shown(page: Response) -> list[int]:
    return [int(n) for n in MESSAGE_ID.findall(page.text)]


def test_a_student_writes_to_the_teacher_who_sees_it_unread_reads_and_answers(
    client: TestClient, db: Session, settings: Settings
) -> None:
    w = messaging_world(db, settings)
    _as(client, w.student)
    inbox = client.get("/messages")
    assert inbox.status_code == 200
    assert "No conversation yet." in inbox.text
    assert f'<a href="/messages/{w.teacher.id}">Tran Van Minh</a>' in inbox.text
    assert f'<a href="/messages/{w.tutor.id}">Keo Sophal</a>' in inbox.text
    assert f'href="/messages/{w.other_student.id}"' not in inbox.text  # no tie

    page = client.get(f"/messages/{w.teacher.id}")
    assert page.status_code == 200
    assert "No message yet." in page.text
    sent = _post(client, f"/messages/{w.teacher.id}", {"body_markdown": "Is *week 2* graded?"})
    assert sent.status_code == 303, sent.text
    message_id = db.scalars(select(Message.id)).one()
    assert sent.headers["location"] == f"/messages/{w.teacher.id}#message-{message_id}"
    page = client.get(f"/messages/{w.teacher.id}")
    assert "<em>week 2</em>" in page.text
    assert "Report this message" not in page.text  # one does not report oneself

    _as(client, w.teacher)
    inbox = client.get("/messages")
    assert f'<a href="/messages/{w.student.id}">Sisouk</a>' in inbox.text
    assert "1 unread message" in inbox.text
    page = client.get(f"/messages/{w.student.id}")
    assert "<em>week 2</em>" in page.text
    assert "Report this message" in page.text
    assert "unread message" not in client.get("/messages").text

    answered = _post(client, f"/messages/{w.student.id}", {"body_markdown": "Yes, it is."})
    assert answered.status_code == 303
    _as(client, w.student)
    assert "1 unread message" in client.get("/messages").text
    assert _shown(client.get(f"/messages/{w.teacher.id}")) == list(
        db.scalars(select(Message.id).order_by(Message.id))
    )


def test_a_tutor_and_a_student_write_to_each_other(
    client: TestClient, db: Session, settings: Settings
) -> None:
    w = messaging_world(db, settings)
    _as(client, w.tutor)
    assert (
        _post(client, f"/messages/{w.student.id}", {"body_markdown": "Need help?"}).status_code
        == 303
    )
    _as(client, w.student)
    assert "1 unread message" in client.get("/messages").text
    assert _post(client, f"/messages/{w.tutor.id}", {"body_markdown": "Yes!"}).status_code == 303


def test_a_form_without_its_csrf_token_writes_nothing(
    client: TestClient, db: Session, settings: Settings
) -> None:
    w = messaging_world(db, settings)
    rude = write(w, w.teacher, w.student, "Rude")
    _as(client, w.student)
    before = written(db)
    for path, data in (
        (f"/messages/{w.teacher.id}", {"body_markdown": "Hello"}),
        (f"/messages/{w.teacher.id}/reports/{rude.id}", {"reason": "Rude"}),
        (f"/messages/{w.teacher.id}/block", {"blocked": "1"}),
    ):
        refused = client.post(path, data={**data, "csrf_token": "forged"}, follow_redirects=False)
        assert refused.status_code == 403, path
    assert written(db) == before
    assert CANNOT_WRITE not in client.get(f"/messages/{w.teacher.id}").text  # not blocked


def test_students_without_a_shared_group_and_strangers_are_not_found(
    client: TestClient, db: Session, settings: Settings
) -> None:
    w = messaging_world(db, settings)
    _as(client, w.student)
    before = written(db)
    for stranger in (w.other_student, w.outsider, w.other_teacher):
        assert client.get(f"/messages/{stranger.id}").status_code == 404
        sent = _post(client, f"/messages/{stranger.id}", {"body_markdown": "Hello"})
        assert sent.status_code == 404
        assert _post(client, f"/messages/{stranger.id}/block", {"blocked": "1"}).status_code == 404
    assert written(db) == before

    make_group(db, w.course, "Group A", w.student, w.other_student)
    assert f'href="/messages/{w.other_student.id}"' in client.get("/messages").text
    assert (
        _post(client, f"/messages/{w.other_student.id}", {"body_markdown": "Hi"}).status_code == 303
    )


def test_the_manager_writes_and_is_answered_by_someone_of_no_course(
    client: TestClient, db: Session, settings: Settings
) -> None:
    w = messaging_world(db, settings)
    _as(client, w.outsider)
    assert client.get(f"/messages/{w.manager.id}").status_code == 404
    _as(client, w.manager)
    assert (
        _post(client, f"/messages/{w.outsider.id}", {"body_markdown": "Welcome"}).status_code == 303
    )
    _as(client, w.outsider)
    page = client.get(f"/messages/{w.manager.id}")
    assert page.status_code == 200
    assert 'name="body_markdown"' in page.text
    assert (
        _post(client, f"/messages/{w.manager.id}", {"body_markdown": "Thanks"}).status_code == 303
    )


@pytest.mark.parametrize("typed", ["", "   ", "x" * 10_001], ids=["empty", "blank", "too long"])
def test_a_refused_message_is_shown_again_with_what_was_typed_and_writes_nothing(
    client: TestClient, db: Session, settings: Settings, typed: str
) -> None:
    w = messaging_world(db, settings)
    _as(client, w.student)
    before = written(db)

    refused = _post(client, f"/messages/{w.teacher.id}", {"body_markdown": typed})
    assert refused.status_code == 400
    assert 'id="body_markdown-error"' in refused.text
    assert 'aria-invalid="true"' in refused.text
    assert f">{typed}</textarea>" in refused.text
    assert written(db) == before


def test_a_refused_message_keeps_its_markup_as_text(
    client: TestClient, db: Session, settings: Settings
) -> None:
    w = messaging_world(db, settings)
    _as(client, w.student)
    typed = "<script>alert(1)</script>" + "x" * 10_000
    refused = _post(client, f"/messages/{w.teacher.id}", {"body_markdown": typed})
    assert refused.status_code == 400
    assert "<script" not in refused.text
    assert html.escape(typed, quote=False) in refused.text


def test_script_never_reaches_the_page(client: TestClient, db: Session, settings: Settings) -> None:
    w = messaging_world(db, settings)
    write(w, w.student, w.teacher, "<script>alert(1)</script> **Hi** [x](javascript:alert(1))")
    _as(client, w.teacher)
    page = client.get(f"/messages/{w.student.id}")
    assert page.status_code == 200
    assert "<strong>Hi</strong>" in page.text
    assert "<script" not in page.text
    assert 'href="javascript' not in page.text


def test_blocking_stops_the_blocked_person_writing_until_unblocked(
    client: TestClient, db: Session, settings: Settings
) -> None:
    w = messaging_world(db, settings)
    write(w, w.student, w.teacher, "First question")
    _as(client, w.teacher)
    page = client.get(f"/messages/{w.student.id}")
    assert "Block this person" in page.text
    blocked = _post(client, f"/messages/{w.student.id}/block", {"blocked": "1"})
    assert blocked.status_code == 303
    assert blocked.headers["location"] == f"/messages/{w.student.id}"
    assert "Unblock" in client.get(f"/messages/{w.student.id}").text

    _as(client, w.student)
    page = client.get(f"/messages/{w.teacher.id}")
    assert page.status_code == 200  # what was said stays readable
    assert CANNOT_WRITE in page.text
    assert 'name="body_markdown"' not in page.text
    assert f'href="/messages/{w.teacher.id}"' in client.get("/messages").text  # the conversation
    assert f'<li><a href="/messages/{w.teacher.id}">' not in _contacts(client)
    before = written(db)
    assert (
        _post(client, f"/messages/{w.teacher.id}", {"body_markdown": "Hello?"}).status_code == 403
    )
    assert written(db) == before

    _as(client, w.teacher)
    assert _post(client, f"/messages/{w.student.id}/block", {"blocked": "0"}).status_code == 303
    _as(client, w.student)
    assert 'name="body_markdown"' in client.get(f"/messages/{w.teacher.id}").text
    assert (
        _post(client, f"/messages/{w.teacher.id}", {"body_markdown": "Hello?"}).status_code == 303
    )


def _contacts(client: TestClient) -> str:
    inbox = client.get("/messages").text
    found = re.search(r'<ul class="contacts">(.*?)</ul>', inbox, re.DOTALL)
    return found.group(1) if found else ""


def _reports_world(db: Session, settings: Settings) -> tuple[MessagingWorld, Message]:
    w = messaging_world(db, settings)
    return w, write(w, w.teacher, w.student, "You will **fail**.")


def test_a_report_reaches_the_platform_manager_who_deals_with_it(
    client: TestClient, db: Session, settings: Settings
) -> None:
    w, rude = _reports_world(db, settings)
    _as(client, w.student)
    reported = _post(client, f"/messages/{w.teacher.id}/reports/{rude.id}",
                     {"reason": "Threatening me"})  # fmt: skip
    assert reported.status_code == 303
    assert reported.headers["location"] == f"/messages/{w.teacher.id}?reported=1"
    assert (
        "Thank you: the managers will look at the message."
        in client.get(reported.headers["location"]).text
    )
    before = written(db)
    again = _post(client, f"/messages/{w.teacher.id}/reports/{rude.id}", {"reason": "Again"})
    assert again.status_code == 400
    assert "You have already reported this message." in again.text
    assert written(db) == before
    assert client.get("/admin/message-reports").status_code == 403

    _as(client, w.manager)
    page = client.get("/admin/message-reports")
    assert page.status_code == 200
    assert "You will <strong>fail</strong>." in page.text
    assert "Threatening me" in page.text
    assert "reported by Sisouk" in page.text
    report_id = re.search(r'action="/admin/message-reports/(\d+)/resolve"', page.text)
    assert report_id is not None
    assert "Dealt with" in page.text
    resolved = _post(client, f"/admin/message-reports/{report_id.group(1)}/resolve", {})
    assert resolved.status_code == 303
    assert resolved.headers["location"] == "/admin/message-reports"
    page = client.get("/admin/message-reports")
    assert "No message is waiting for the managers." in page.text
    assert "Threatening me" not in page.text


def test_refused_reports_write_nothing(client: TestClient, db: Session, settings: Settings) -> None:
    w, rude = _reports_world(db, settings)
    own = write(w, w.student, w.teacher, "Mine")
    _as(client, w.student)
    before = written(db)
    empty = _post(client, f"/messages/{w.teacher.id}/reports/{rude.id}", {"reason": "  "})
    assert empty.status_code == 400
    assert 'role="alert"' in empty.text
    assert _post(client, f"/messages/{w.teacher.id}/reports/{own.id}",
                 {"reason": "Oops"}).status_code == 403  # fmt: skip
    _as(client, w.other_student)
    assert _post(client, f"/messages/{w.teacher.id}/reports/{rude.id}",
                 {"reason": "Gossip"}).status_code == 404  # fmt: skip
    assert written(db) == before


def test_an_institution_manager_sees_only_the_reports_of_their_institutions_people(
    client: TestClient, db: Session, settings: Settings
) -> None:
    w, rude = _reports_world(db, settings)
    _as(client, w.student)
    assert _post(client, f"/messages/{w.teacher.id}/reports/{rude.id}",
                 {"reason": "Threatening me"}).status_code == 303  # fmt: skip
    far = person(db, "Far Manager", role=PlatformRole.INSTITUTION_MANAGER,
                 institution=make_institution(db))  # fmt: skip
    home = person(db, "Home Manager", role=PlatformRole.INSTITUTION_MANAGER,
                  institution=w.home)  # fmt: skip

    _as(client, far)
    page = client.get("/admin/message-reports")
    assert page.status_code == 200
    assert "Threatening me" not in page.text
    assert "No message is waiting for the managers." in page.text
    _as(client, home)
    page = client.get("/admin/message-reports")
    assert "Threatening me" in page.text
    report_id = re.search(r'action="/admin/message-reports/(\d+)/resolve"', page.text)
    assert report_id is not None

    _as(client, far)
    assert (
        _post(client, f"/admin/message-reports/{report_id.group(1)}/resolve", {}).status_code == 404
    )
    _as(client, home)
    assert "Threatening me" in client.get("/admin/message-reports").text


def test_a_long_conversation_is_read_fifty_messages_a_page(
    client: TestClient, db: Session, settings: Settings
) -> None:
    w = messaging_world(db, settings)
    sent = [write(w, w.teacher, w.student, f"Message {n}").id for n in range(120)]
    _as(client, w.student)
    assert "120 unread messages" in client.get("/messages").text

    shown: list[int] = []
    path: str | None = f"/messages/{w.teacher.id}"
    while path:
        page = client.get(path)
        assert page.status_code == 200
        shown.append(len(_shown(page)))
        shown_ids = _shown(page)
        sent_so_far = sum(shown[:-1])
        assert shown_ids == sent[sent_so_far : sent_so_far + len(shown_ids)]
        later = re.search(r'<a href="(/messages/\d+\?cursor=[^"]+)">Later messages</a>', page.text)
        path = html.unescape(later.group(1)) if later else None
    assert shown == [50, 50, 20]
    assert "unread message" not in client.get("/messages").text


@pytest.mark.parametrize("cursor", ["garbage!", "bm90LWEtbnVtYmVy", "LTE", "x" * 41])
def test_a_garbage_cursor_is_refused_without_an_error(
    client: TestClient, db: Session, settings: Settings, cursor: str
) -> None:
    w = messaging_world(db, settings)
    write(w, w.teacher, w.student)
    _as(client, w.student)
    page = client.get(f"/messages/{w.teacher.id}", params={"cursor": cursor})
    assert page.status_code == 422, page.text
    assert "cursor" in page.text.split('<main id="main"', 1)[1]  # the message says why
    assert "text/html" in page.headers["content-type"]


def test_signed_out_visitors_are_sent_to_sign_in(client: TestClient) -> None:
    for path in ("/messages", "/messages/1", "/admin/message-reports"):
        page = client.get(path, follow_redirects=False)
        assert page.status_code == 303, path
        assert page.headers["location"].startswith("/login?next=")


def test_a_message_sent_in_a_long_conversation_is_shown_where_it_lands(
    client: TestClient, db: Session, settings: Settings
) -> None:
    w = messaging_world(db, settings)
    for n in range(120):
        write(w, w.teacher, w.student, f"Message {n}")
    _as(client, w.student)

    sent = _post(client, f"/messages/{w.teacher.id}", {"body_markdown": "At last, an answer"})
    assert sent.status_code == 303
    message_id = db.scalars(select(Message.id).order_by(Message.id.desc()).limit(1)).one()
    location = sent.headers["location"]
    assert location.endswith(f"#message-{message_id}")
    page = client.get(location.split("#")[0])
    assert message_id in _shown(page)
    assert "At last, an answer" in page.text
