"""Files attached to posts: sent with a new discussion or a reply through the page, or added
over the API within the edit window; at most five, type-checked by their bytes, served as
attachments to those who see the post only; a refused upload writes nothing, a deleted post
keeps no file."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from app.core.actors import SYSTEM
from app.core.config import Settings
from app.forums.models import ForumPost, ForumPostFile, ForumThread
from app.forums.schemas import ForumUpdate
from app.forums.service import access
from tests.accounts.factories import page_csrf
from tests.forums.factories import (
    count,
    forum_world,
    headers_for,
    make_group,
    sign_in_as,
    thread,
)

NOON = datetime(2026, 12, 1, 12, tzinfo=UTC)
pytestmark = pytest.mark.time_machine(NOON, tick=False)
PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


def _upload(client: TestClient, headers: dict[str, str], post_id: int, name: str, data: bytes):
    return client.post(
        f"/api/v1/forum-posts/{post_id}/files", headers=headers,
        files={"file": (name, data, "application/octet-stream")},
    )  # fmt: skip


def _first_post(db: Session, thread_id: int) -> int:
    post = (
        db.query(ForumPost).filter(ForumPost.thread_id == thread_id).order_by(ForumPost.id).first()
    )
    assert post is not None
    return post.id


def test_a_discussion_started_with_a_file_offers_it_as_an_attachment(
    client: TestClient, db: Session, settings: Settings
) -> None:
    w = forum_world(db, settings)
    sign_in_as(client, w, w.student)
    token = page_csrf(client, f"/forums/{w.forum_id}")
    started = client.post(
        f"/forums/{w.forum_id}/threads",
        data={"csrf_token": token, "title": "Our protocol", "body_markdown": "Draft attached."},
        files=[("files", ("protocol.pdf", PDF, "application/pdf")),
               ("files", ("notes.txt", b"first ideas\n", "text/plain"))],
        follow_redirects=False,
    )  # fmt: skip
    assert started.status_code == 303
    page = client.get(started.headers["location"])
    assert "protocol.pdf" in page.text
    assert "notes.txt" in page.text

    post_id = _first_post(db, db.query(ForumThread).one().id)
    download = client.get(f"/forums/posts/{post_id}/files/protocol.pdf")
    assert download.status_code == 200
    assert download.content == PDF
    assert download.headers["content-disposition"].startswith("attachment")


def test_a_form_with_no_file_chosen_posts_the_text_alone(
    client: TestClient, db: Session, settings: Settings
) -> None:
    w = forum_world(db, settings)
    sign_in_as(client, w, w.student)
    token = page_csrf(client, f"/forums/{w.forum_id}")
    fields = {"csrf_token": token, "title": "Hello", "body_markdown": "No file."}
    # As a browser sends it: the file input's part with an empty name and no content.
    parts = [f'--B\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n'
             for k, v in fields.items()]  # fmt: skip
    parts.append('--B\r\nContent-Disposition: form-data; name="files"; filename=""\r\n'
                 "Content-Type: application/octet-stream\r\n\r\n\r\n--B--\r\n")  # fmt: skip
    started = client.post(
        f"/forums/{w.forum_id}/threads", content="".join(parts).encode(),
        headers={"content-type": "multipart/form-data; boundary=B"}, follow_redirects=False,
    )  # fmt: skip
    assert started.status_code == 303
    assert count(db, ForumThread) == 1
    assert count(db, ForumPostFile) == 0


def test_a_refused_file_writes_neither_the_discussion_nor_the_file(
    client: TestClient, db: Session, settings: Settings
) -> None:
    w = forum_world(db, settings)
    sign_in_as(client, w, w.student)
    token = page_csrf(client, f"/forums/{w.forum_id}")
    refused = client.post(
        f"/forums/{w.forum_id}/threads",
        data={"csrf_token": token, "title": "Tool", "body_markdown": "Run this."},
        files=[("files", ("tool.pdf", b"MZ\x90\x00binary", "application/pdf"))],
    )
    assert refused.status_code == 400
    assert 'value="Tool"' in refused.text
    assert (count(db, ForumThread), count(db, ForumPost), count(db, ForumPostFile)) == (0, 0, 0)


def test_the_author_adds_at_most_five_files_within_the_edit_window(
    client: TestClient, db: Session, settings: Settings
) -> None:
    w = forum_world(db, settings)
    post_id = _first_post(db, thread(w, w.student))
    mine = headers_for(client, w.student)
    for n in range(5):
        added = _upload(client, mine, post_id, f"part{n}.txt", b"text %d\n" % n)
        assert added.status_code == 201
    assert added.json()["files"] == [f"part{n}.txt" for n in range(5)]

    sixth = _upload(client, mine, post_id, "part5.txt", b"more\n")

    assert sixth.status_code == 422
    assert sixth.json()["code"] == "too_many_files"
    assert count(db, ForumPostFile) == 5
    listed = client.get(f"/api/v1/forum-threads/{db.get_one(ForumPost, post_id).thread_id}/posts",
                        headers=mine).json()["items"][0]  # fmt: skip
    assert len(listed["files"]) == 5


def test_only_the_author_adds_files_and_not_after_thirty_minutes(
    client: TestClient, db: Session, settings: Settings
) -> None:
    w = forum_world(db, settings)
    post_id = _first_post(db, thread(w, w.student))

    other = _upload(client, headers_for(client, w.other_student), post_id, "a.txt", b"a\n")
    with time_machine.travel(NOON + timedelta(minutes=31), tick=False):
        late = _upload(client, headers_for(client, w.student), post_id, "a.txt", b"a\n")

    assert (other.status_code, late.status_code) == (403, 403)
    assert count(db, ForumPostFile) == 0


def test_another_group_cannot_download_and_a_deleted_post_keeps_no_file(
    client: TestClient, db: Session, settings: Settings
) -> None:
    w = forum_world(db, settings)
    access.configure(db, SYSTEM, w.forum_id, ForumUpdate(separate_groups=True))
    make_group(db, w.course, "A", w.student)
    make_group(db, w.course, "B", w.other_student)
    post_id = _first_post(db, thread(w, w.student))
    mine = headers_for(client, w.student)
    assert _upload(client, mine, post_id, "plan.txt", b"plan\n").status_code == 201
    path = f"/api/v1/forum-posts/{post_id}/files/plan.txt"

    assert client.get(path, headers=headers_for(client, w.other_student)).status_code == 404
    teacher = headers_for(client, w.teacher)
    assert client.get(path, headers=teacher).content == b"plan\n"

    assert client.delete(f"/api/v1/forum-posts/{post_id}", headers=teacher).status_code == 204

    assert client.get(path, headers=teacher).status_code == 404
    assert count(db, ForumPostFile) == 0
