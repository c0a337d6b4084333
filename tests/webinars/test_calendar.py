"""iCalendar feeds, read back with the `icalendar` library: times in the organiser's zone,
updates and cancellations, a secret per-person URL that can be revoked."""

from datetime import UTC, datetime, timedelta

import pytest
from fastapi.testclient import TestClient
from icalendar import Calendar

from app.core.errors import NotFound
from app.webinars import feeds
from app.webinars.service import (
    scheduling,
)
from tests.accounts.factories import api_token, bearer
from tests.webinars.conftest import Classroom


def _events(ics: bytes) -> list:
    return list(Calendar.from_ical(ics).walk("VEVENT"))


def test_the_feed_parses_with_times_in_the_organisers_zone(classroom: Classroom):
    webinar = classroom.schedule(
        time_zone="Asia/Kolkata", starts_at="2027-01-12T19:00", ends_at="2027-01-12T20:30"
    )
    feed, token = feeds.create_feed(classroom.db, classroom.actor(classroom.students[0]))

    (event,) = _events(feeds.user_feed(classroom.db, token, "https://agora.example"))

    start = event.decoded("dtstart")
    assert str(start.tzinfo) == "Asia/Kolkata"
    assert (start.hour, start.minute) == (19, 0)
    assert start.astimezone(UTC) == datetime(2027, 1, 12, 13, 30, tzinfo=UTC)
    assert event["summary"] == webinar.title
    assert event["status"] == "CONFIRMED"
    assert event["url"] == f"https://agora.example/sessions/{webinar.id}"
    assert feed.token_digest != token  # only a digest is kept


def test_updates_and_cancellations_reach_subscribers(classroom: Classroom):
    webinar = classroom.schedule()
    _, token = feeds.create_feed(classroom.db, classroom.actor(classroom.students[0]))
    (before,) = _events(feeds.user_feed(classroom.db, token, "https://agora.example"))

    scheduling.cancel_webinar(classroom.db, classroom.teacher_actor, webinar.id)

    (after,) = _events(feeds.user_feed(classroom.db, token, "https://agora.example"))
    assert after["uid"] == before["uid"]
    assert after["sequence"] > before["sequence"]
    assert after["status"] == "CANCELLED"


def test_a_seminar_gives_one_event_per_day(classroom: Classroom):
    classroom.schedule(
        kind="seminar", delivery="in_person", time_zone="Africa/Casablanca",
        starts_at=None, ends_at=None,
        days=[
            {"starts_at": "2027-02-08T09:00", "ends_at": "2027-02-08T17:00"},
            {"starts_at": "2027-02-09T09:00", "ends_at": "2027-02-09T16:00"},
        ],
    )  # fmt: skip

    events = _events(feeds.course_feed(classroom.db, classroom.teacher_actor,
                                       classroom.course.id, "https://agora.example"))  # fmt: skip

    assert [e.decoded("dtstart").day for e in events] == [8, 9]
    assert len({e["uid"] for e in events}) == 2


def test_a_revoked_feed_answers_nothing(classroom: Classroom):
    classroom.schedule()
    student = classroom.actor(classroom.students[0])
    feed, token = feeds.create_feed(classroom.db, student)

    feeds.revoke_feed(classroom.db, student, feed.id)

    with pytest.raises(NotFound):
        feeds.user_feed(classroom.db, token, "https://agora.example")
    with pytest.raises(NotFound):
        feeds.revoke_feed(classroom.db, classroom.actor(classroom.students[1]), feed.id)


def test_the_secret_url_works_without_signing_in(client: TestClient, classroom: Classroom):
    classroom.schedule(starts_in=timedelta(days=5))
    headers = bearer(api_token(client, classroom.students[1].email))

    created = client.post("/api/v1/calendar-feeds", headers=headers).json()
    feed = client.get(created["url"])

    assert feed.status_code == 200
    assert feed.headers["content-type"].startswith("text/calendar")
    assert len(_events(feed.content)) == 1
    assert client.get(created["url"].replace(".ics", "x.ics")).status_code == 404
