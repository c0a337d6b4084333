"""Webinars over the API, end to end: scheduling and registering, a BigBlueButton meeting on
a local fake server (join, recordings, end), and its join/leave events becoming attendance."""

import hashlib
import hmac
import json
from datetime import UTC, datetime, timedelta
from urllib.parse import urlencode

import pytest
from fastapi.testclient import TestClient
from httpx import Response
from pydantic import SecretStr

from app.webinars.models import WebinarSession
from app.webinars.service.meetings import issue_events_token
from tests.accounts.factories import api_token, bearer
from tests.webinars.conftest import Classroom
from tests.webinars.test_providers import SECRET, FakeBigBlueButton, FakeRecording, bbb  # noqa: F401


def _headers(client: TestClient, email: str) -> dict[str, str]:
    return bearer(api_token(client, email))


@pytest.mark.time_machine(datetime(2026, 12, 1, 9, 0, tzinfo=UTC))  # before 4 May 2027
def test_a_teacher_schedules_and_students_register_over_the_api(
    client: TestClient, classroom: Classroom
):
    teacher = _headers(client, classroom.teacher.email)
    student = _headers(client, classroom.students[0].email)
    course = classroom.course.id

    created = client.post(
        f"/api/v1/courses/{course}/sessions",
        headers=teacher,
        json={"title": "Webinar", "time_zone": "Asia/Vientiane", "capacity": 1,
              "starts_at": "2027-05-04T19:00", "ends_at": "2027-05-04T20:30"},
    )  # fmt: skip
    session_id = created.json()["id"]
    mine = client.post(f"/api/v1/sessions/{session_id}/registrations", headers=student)
    listed = client.get(f"/api/v1/courses/{course}/sessions", headers=student).json()

    assert created.status_code == 201
    assert created.json()["starts_at"].startswith("2027-05-04T12:00")  # stored in UTC
    assert created.json()["local_starts_at"].startswith("2027-05-04T19:00")
    assert mine.json()["status"] == "registered"
    assert listed[0]["my_registration"] == "registered"
    assert listed[0]["registered"] == 1
    again = client.post(f"/api/v1/sessions/{session_id}/registrations", headers=student)
    assert again.status_code == 409
    assert again.json()["code"] == "already_registered"


def test_joining_before_the_window_is_a_clear_problem(client: TestClient, classroom: Classroom):
    webinar = classroom.schedule(starts_in=timedelta(days=1))
    headers = _headers(client, classroom.students[0].email)
    client.post(f"/api/v1/sessions/{webinar.id}/registrations", headers=headers)

    refused = client.post(f"/api/v1/sessions/{webinar.id}/join", headers=headers)

    assert refused.status_code == 403
    assert refused.json()["code"] == "join_not_open"


def test_a_bigbluebutton_meeting_from_join_to_recording(
    client: TestClient,
    classroom: Classroom,
    bbb: FakeBigBlueButton,  # noqa: F811
):
    settings = classroom.settings
    settings.webinar_provider = "bigbluebutton"
    settings.bbb_url, settings.bbb_secret = bbb.url, SecretStr(SECRET)
    webinar = classroom.schedule(starts_in=timedelta(minutes=5))
    teacher = _headers(client, classroom.teacher.email)

    joined = client.post(f"/api/v1/sessions/{webinar.id}/join", headers=teacher)
    bbb.recordings[webinar.room_name] = [
        FakeRecording("rec-1", 1_800_000_000_000, 1_800_000_360_000,
                      "https://bbb.example/playback/rec-1")
    ]  # fmt: skip
    fetched = client.post(f"/api/v1/sessions/{webinar.id}/recordings/fetch", headers=teacher)
    again = client.post(f"/api/v1/sessions/{webinar.id}/recordings/fetch", headers=teacher)
    ended = client.post(f"/api/v1/sessions/{webinar.id}/end", headers=teacher)

    assert joined.json()["provider"] == "bigbluebutton"
    assert joined.json()["moderator"] is True
    assert joined.json()["url"].startswith(f"{bbb.url}/join?")
    assert "create" in bbb.names()
    assert [r["url"] for r in fetched.json()] == ["https://bbb.example/playback/rec-1"]
    assert again.json() == []  # already attached
    assert ended.status_code == 204
    assert "end" in bbb.names()


def _bbb_settings(classroom: Classroom, bbb: FakeBigBlueButton) -> None:  # noqa: F811
    settings = classroom.settings
    settings.webinar_provider = "bigbluebutton"
    settings.bbb_url, settings.bbb_secret = bbb.url, SecretStr(SECRET)


def _events_payload(webinar: WebinarSession, user_id: int) -> str:
    start_ms = int(webinar.starts_at.timestamp() * 1000)

    def event(kind: str, minutes: int) -> dict:
        return {"data": {"id": kind, "attributes": {
            "meeting": {"external-meeting-id": webinar.room_name},
            "user": {"external-user-id": f"agora-{user_id}"}},
            "event": {"ts": start_ms + minutes * 60_000}}}  # fmt: skip

    return json.dumps([event("user-joined", 0), event("user-left", 55)])


def _post_as_bbb_webhooks(
    client: TestClient, callback_url: str, payload: str, secret: str = SECRET
) -> Response:
    """As bbb-webhooks does: a form body, and `checksum` = SHA-1 of the callback URL as
    registered, the body and the shared secret, appended to the URL."""
    body = urlencode({"domain": "bbb.example.org", "event": payload, "timestamp": "1"})
    checksum = hashlib.sha1(f"{callback_url}{body}{secret}".encode()).hexdigest()
    return client.post(
        f"{callback_url}?checksum={checksum}",
        content=body,
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )


def test_the_first_host_gives_bigbluebutton_the_meetings_own_events_address(
    client: TestClient,
    classroom: Classroom,
    bbb: FakeBigBlueButton,  # noqa: F811
):
    _bbb_settings(classroom, bbb)
    first, second = (classroom.schedule(starts_in=timedelta(minutes=5)) for _ in range(2))
    teacher = _headers(client, classroom.teacher.email)

    for webinar in (first, second, first):
        assert (
            client.post(f"/api/v1/sessions/{webinar.id}/join", headers=teacher).status_code == 200
        )

    callbacks = [hook["callbackURL"] for hook in bbb.hooks]
    assert [hook["meetingID"] for hook in bbb.hooks] == [first.room_name, second.room_name]
    assert len(set(callbacks)) == 2  # one address per meeting, registered once
    assert all(c.startswith("http://testserver/api/v1/webinars/bbb-events/") for c in callbacks)


def test_bigbluebutton_events_signed_with_the_secret_become_attendance(
    client: TestClient,
    classroom: Classroom,
    bbb: FakeBigBlueButton,  # noqa: F811
):
    _bbb_settings(classroom, bbb)
    webinar = classroom.schedule(starts_in=timedelta(minutes=-50), minutes=60)
    student = classroom.students[0]
    teacher = _headers(client, classroom.teacher.email)
    client.post(f"/api/v1/sessions/{webinar.id}/join", headers=teacher)
    (hook,) = bbb.hooks
    payload = _events_payload(webinar, student.id)

    posted = _post_as_bbb_webhooks(client, hook["callbackURL"], payload)
    register = client.get(f"/api/v1/sessions/{webinar.id}/attendance", headers=teacher).json()

    assert posted.status_code == 204
    assert [(r["user_id"], r["minutes"], r["source"]) for r in register] == [
        (student.id, 55, "provider")
    ]


def test_unsigned_forged_or_unknown_event_posts_are_refused_and_record_nothing(
    client: TestClient,
    classroom: Classroom,
    bbb: FakeBigBlueButton,  # noqa: F811
):
    _bbb_settings(classroom, bbb)
    webinar = classroom.schedule(starts_in=timedelta(minutes=-50), minutes=60)
    teacher = _headers(client, classroom.teacher.email)
    client.post(f"/api/v1/sessions/{webinar.id}/join", headers=teacher)
    (hook,) = bbb.hooks
    payload = _events_payload(webinar, classroom.students[0].id)
    body = urlencode({"event": payload})

    form = {"Content-Type": "application/x-www-form-urlencoded"}
    unsigned = client.post(hook["callbackURL"], content=body, headers=form)
    wrong_secret = _post_as_bbb_webhooks(client, hook["callbackURL"], payload, "not-the-secret")
    unknown = _post_as_bbb_webhooks(
        client, "http://testserver/api/v1/webinars/bbb-events/guess", payload
    )
    old_platform_token = hmac.new(
        classroom.settings.signing_key.encode(), b"bbb-events", "sha256"
    ).hexdigest()
    old_address = _post_as_bbb_webhooks(
        client, f"http://testserver/api/v1/webinars/bbb-events/{old_platform_token}", payload
    )
    register = client.get(f"/api/v1/sessions/{webinar.id}/attendance", headers=teacher).json()

    assert (unsigned.status_code, unsigned.json()["code"]) == (403, "webhook_checksum_invalid")
    assert unsigned.headers["content-type"].startswith("application/problem+json")
    assert wrong_secret.status_code == 403
    assert (unknown.status_code, unknown.json()["code"]) == (404, "unknown_events_token")
    assert old_address.status_code == 404
    assert register == []


def test_events_posted_for_another_meeting_are_not_recorded(
    client: TestClient, classroom: Classroom
):
    mine, other = (classroom.schedule(starts_in=timedelta(minutes=-50), minutes=60) for _ in "ab")
    token = issue_events_token(classroom.db, mine.id)
    payload = _events_payload(other, classroom.students[0].id)
    teacher = _headers(client, classroom.teacher.email)

    posted = client.post(f"/api/v1/webinars/bbb-events/{token}", data={"event": payload})
    register = client.get(f"/api/v1/sessions/{other.id}/attendance", headers=teacher).json()

    assert posted.status_code == 204  # without BBB_SECRET the token alone is the proof
    assert register == []
