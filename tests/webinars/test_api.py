"""Webinars over the API, end to end: scheduling and registering, a BigBlueButton meeting on
a local fake server (join, recordings, end), and its join/leave events becoming attendance."""

import json
from datetime import timedelta

from fastapi.testclient import TestClient
from pydantic import SecretStr

from app.webinars.providers import events_token
from tests.accounts.factories import api_token, bearer
from tests.webinars.conftest import Classroom
from tests.webinars.test_providers import SECRET, FakeBigBlueButton, FakeRecording, bbb  # noqa: F401


def _headers(client: TestClient, email: str) -> dict[str, str]:
    return bearer(api_token(client, email))


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


def test_bigbluebutton_events_become_attendance(client: TestClient, classroom: Classroom):
    webinar = classroom.schedule(starts_in=timedelta(hours=-2), minutes=60)
    student = classroom.students[0]
    start_ms = int(webinar.starts_at.timestamp() * 1000)

    def event(kind: str, minutes: int) -> dict:
        return {"data": {"id": kind, "attributes": {
            "meeting": {"external-meeting-id": webinar.room_name},
            "user": {"external-user-id": f"agora-{student.id}"}},
            "event": {"ts": start_ms + minutes * 60_000}}}  # fmt: skip

    payload = json.dumps([event("user-joined", 0), event("user-left", 55)])
    url = f"/api/v1/webinars/bbb-events/{events_token(classroom.settings)}"

    posted = client.post(url, data={"event": payload})
    forged = client.post("/api/v1/webinars/bbb-events/guess", data={"event": payload})
    teacher = _headers(client, classroom.teacher.email)
    register = client.get(f"/api/v1/sessions/{webinar.id}/attendance", headers=teacher).json()

    assert posted.status_code == 204
    assert forged.status_code == 404
    assert [(r["user_id"], r["minutes"], r["source"]) for r in register] == [
        (student.id, 55, "provider")
    ]
