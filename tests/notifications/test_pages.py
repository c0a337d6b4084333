"""The notifications a person reads: the list (newest first) with the unread count in every
page's header, opening one (read, then where it points), marking all read, the choices per
kind (announcements cannot be turned off), the one-click unsubscribe link that works without
signing in (RFC 8058), and the same over the API, for people only."""

import re

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.accounts.auth import user_scopes_allowed
from app.accounts.models import User
from app.core.config import Settings
from app.core.i18n import N_
from app.core.security import encode_access_token
from app.notifications.mail import unsubscribe_token
from app.notifications.models import (
    MailDelivery,
    Notification,
    NotificationKind,
    NotificationPreference,
)
from app.notifications.service import Notice, notify
from tests.accounts.factories import (
    PASSWORD,
    bearer,
    make_api_client,
    make_institution,
    make_user,
    sign_in,
)
from tests.conftest import csrf_from

PROBLEM = "application/problem+json"
BADGE = re.compile(r'Notifications <span class="badge">(\d+) unread</span>')


def tell(db: Session, reader: User, title: str, link: str = "/courses") -> Notification:
    notice = Notice(
        kind=NotificationKind.FORUM_POST, subject=N_("Welcome space: %(title)s"),
        body=N_("Thu wrote:\n\n%(title)s"), link=link, values={"title": title},
    )  # fmt: skip
    [made] = notify(db, [reader.id], notice)
    return made


def unread_in_header(html: str) -> int:
    """The count beside "Notifications" in the page's header (0 when none is shown)."""
    found = BADGE.search(html)
    return int(found.group(1)) if found else 0


def choices_stored(db: Session, user: User) -> dict[NotificationKind, MailDelivery]:
    rows = db.execute(
        select(NotificationPreference.kind, NotificationPreference.delivery).where(
            NotificationPreference.user_id == user.id
        )
    )
    return dict(rows.all())


@pytest.fixture
def reader(db: Session, client: TestClient) -> User:
    """A person signed in to the portal, with three notifications (the first read)."""
    person = make_user(db, email="thu@example.org", password=PASSWORD)
    for title in ("First", "Second", "Third"):
        tell(db, person, title)
    first = db.scalar(
        select(Notification).where(Notification.user_id == person.id).order_by(Notification.id)
    )
    assert first is not None
    first.read_at = first.created_at
    db.flush()
    sign_in(client, person.email)
    return person


# --- Pages ----------------------------------------------------------------------------------


def test_the_list_shows_ones_own_notifications_newest_first_and_every_header_the_unread(
    db: Session, client: TestClient, reader: User
):
    tell(db, make_user(db), "Not yours")

    page = client.get("/notifications")

    assert page.status_code == 200
    shown = re.findall(r"Welcome space: (\w+(?: \w+)?)", page.text)
    assert shown == ["Third", "Second", "First"]
    assert "2 unread notifications." in page.text
    assert unread_in_header(page.text) == 2
    assert unread_in_header(client.get("/profile").text) == 2


def test_opening_a_notification_marks_it_read_and_goes_to_its_link(
    db: Session, client: TestClient, reader: User
):
    made = tell(db, reader, "Referrals", link="/forums/threads/7#post-9")

    response = client.get(f"/notifications/{made.id}", follow_redirects=False)

    assert response.status_code == 303
    assert response.headers["location"] == "/forums/threads/7#post-9"
    db.expire_all()
    assert db.get_one(Notification, made.id).read_at is not None
    assert unread_in_header(client.get("/notifications").text) == 2


def test_someone_elses_notification_does_not_exist_for_the_reader(
    db: Session, client: TestClient, reader: User
):
    theirs = tell(db, make_user(db), "Private")

    response = client.get(f"/notifications/{theirs.id}", follow_redirects=False)

    assert response.status_code == 404
    db.expire_all()
    assert db.get_one(Notification, theirs.id).read_at is None


def test_mark_all_read_clears_the_count_and_needs_the_forms_token(
    db: Session, client: TestClient, reader: User
):
    forged = client.post("/notifications/read", data={}, follow_redirects=False)
    assert forged.status_code == 403
    assert unread_in_header(client.get("/profile").text) == 2

    csrf = csrf_from(client.get("/notifications").text)
    done = client.post("/notifications/read", data={"csrf_token": csrf}, follow_redirects=False)

    assert done.status_code == 303
    assert done.headers["location"] == "/notifications"
    page = client.get("/notifications")
    assert unread_in_header(page.text) == 0
    assert "unread notification" not in page.text


def test_the_preferences_page_saves_the_choices(db: Session, client: TestClient, reader: User):
    form = client.get("/notifications/preferences")
    assert form.status_code == 200
    announcements = form.text.split('name="announcement"')[1].split("</select>")[0]
    assert '<option value="off"' not in announcements

    response = client.post(
        "/notifications/preferences",
        data={"forum_post": "off", "grade_released": "digest", "csrf_token": csrf_from(form.text)},
        follow_redirects=False,
    )

    assert response.status_code == 303
    assert response.headers["location"] == "/notifications/preferences?saved=1"
    assert choices_stored(db, reader) == {
        NotificationKind.FORUM_POST: MailDelivery.OFF,
        NotificationKind.GRADE_RELEASED: MailDelivery.DIGEST,
    }
    saved = client.get(response.headers["location"]).text
    assert "Your choices are saved." in saved
    assert '<option value="off" selected>' in saved.split('name="forum_post"')[1]


def test_turning_announcements_off_is_refused_with_a_message_and_writes_nothing(
    db: Session, client: TestClient, reader: User
):
    csrf = csrf_from(client.get("/notifications/preferences").text)

    response = client.post(
        "/notifications/preferences",
        data={"forum_post": "off", "announcement": "off", "csrf_token": csrf},
        follow_redirects=False,
    )

    assert response.status_code == 400
    assert "Announcements cannot be turned off" in response.text
    assert choices_stored(db, reader) == {}


@pytest.mark.parametrize(
    ("kind", "after", "shown"),
    [
        (NotificationKind.FORUM_POST, MailDelivery.OFF, "you will no longer receive e-mails about"),
        (
            NotificationKind.ANNOUNCEMENT,
            MailDelivery.DIGEST,
            "announcements will come in your daily",
        ),
    ],
)
def test_the_unsubscribe_link_works_without_signing_in_and_from_a_mail_programs_one_click(
    db: Session, client: TestClient, kind: NotificationKind, after: MailDelivery, shown: str
):
    person = make_user(db)
    token = unsubscribe_token(db, person.id, kind)
    db.flush()

    page = client.get(f"/unsubscribe/{token}")
    assert page.status_code == 200
    assert f'action="/unsubscribe/{token}"' in page.text
    assert choices_stored(db, person) == {}  # showing the page changes nothing

    client.cookies.clear()
    one_click = client.post(
        f"/unsubscribe/{token}",
        content=b"List-Unsubscribe=One-Click",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )

    assert one_click.status_code == 200
    assert shown in one_click.text
    assert choices_stored(db, person) == {kind: after}


def test_an_unknown_unsubscribe_link_is_404(db: Session, client: TestClient):
    unsubscribe_token(db, make_user(db).id, NotificationKind.FORUM_POST)

    assert client.get("/unsubscribe/not-a-real-token").status_code == 404
    assert client.post("/unsubscribe/not-a-real-token").status_code == 404
    assert db.scalars(select(NotificationPreference)).all() == []


# --- API ------------------------------------------------------------------------------------


def headers_of(settings: Settings, user: User) -> dict[str, str]:
    token, _ = encode_access_token(settings, f"user:{user.id}", sorted(user_scopes_allowed(user)))
    return bearer(token)


@pytest.fixture
def api_reader(db: Session) -> User:
    """A person with five notifications, the oldest two read."""
    person = make_user(db)
    made = [tell(db, person, f"Topic {n}", link=f"/forums/threads/{n}") for n in range(5)]
    for notification in made[:2]:
        notification.read_at = notification.created_at
    db.flush()
    return person


def test_the_api_pages_the_list_newest_first_with_the_unread_count(
    client: TestClient, settings: Settings, api_reader: User
):
    headers = headers_of(settings, api_reader)

    first = client.get("/api/v1/notifications", params={"limit": 3}, headers=headers).json()
    rest = client.get(
        "/api/v1/notifications", params={"limit": 3, "cursor": first["next_cursor"]},
        headers=headers,
    ).json()  # fmt: skip

    listed = first["items"] + rest["items"]
    assert [n["subject"] for n in listed] == [f"Welcome space: Topic {n}" for n in (4, 3, 2, 1, 0)]
    assert len(first["items"]) == 3
    assert rest["next_cursor"] is None
    assert first["unread"] == rest["unread"] == 3
    assert [n["read_at"] is None for n in listed] == [True, True, True, False, False]
    assert first["items"][0]["link"] == "/forums/threads/4"


def test_the_api_marks_one_then_all_read_and_not_someone_elses(
    db: Session, client: TestClient, settings: Settings, api_reader: User
):
    headers = headers_of(settings, api_reader)
    newest = client.get("/api/v1/notifications", headers=headers).json()["items"][0]
    theirs = tell(db, make_user(db), "Private")

    one = client.post(f"/api/v1/notifications/{newest['id']}/read", headers=headers)
    stranger = client.post(f"/api/v1/notifications/{theirs.id}/read", headers=headers)

    assert one.status_code == 200
    assert one.json()["read_at"] is not None
    assert stranger.status_code == 404
    assert stranger.headers["content-type"].startswith(PROBLEM)
    assert client.get("/api/v1/notifications", headers=headers).json()["unread"] == 2
    db.expire_all()
    assert db.get_one(Notification, theirs.id).read_at is None

    everything = client.post("/api/v1/notifications/read", headers=headers)

    assert everything.status_code == 204
    assert client.get("/api/v1/notifications", headers=headers).json()["unread"] == 0
    assert db.get_one(Notification, theirs.id).read_at is None


def test_the_api_reads_and_changes_the_choices_but_never_turns_announcements_off(
    db: Session, client: TestClient, settings: Settings, api_reader: User
):
    headers = headers_of(settings, api_reader)
    url = "/api/v1/notifications/preferences"

    read = client.get(url, headers=headers).json()["choices"]
    changed = client.patch(url, json={"choices": {"forum_post": "off"}}, headers=headers)
    refused = client.patch(
        url, json={"choices": {"grade_released": "off", "announcement": "off"}}, headers=headers
    )

    assert read["forum_post"] == "digest"
    assert read["announcement"] == "immediately"
    assert changed.status_code == 200
    assert changed.json()["choices"]["forum_post"] == "off"
    assert refused.status_code == 422
    assert refused.headers["content-type"].startswith(PROBLEM)
    assert refused.json()["code"] == "announcements_cannot_be_off"
    assert choices_stored(db, api_reader) == {NotificationKind.FORUM_POST: MailDelivery.OFF}


def test_a_partner_system_has_no_notifications(db: Session, client: TestClient, settings: Settings):
    scopes = ["users:read", "enrolments:read"]
    partner = make_api_client(db, make_institution(db), scopes)
    token, _ = encode_access_token(settings, f"client:{partner.id}", scopes)

    response = client.get("/api/v1/notifications", headers=bearer(token))

    assert response.status_code == 404
    assert response.headers["content-type"].startswith(PROBLEM)
    assert client.get("/api/v1/notifications").status_code == 401
