"""Scheduling across time zones: a weekly series keeps the organiser's wall-clock time across
a daylight-saving change, half-hour zones are exact, and every reader sees their own zone."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from pydantic import ValidationError

from app.core.errors import Invalid
from app.webinars.schemas import SeriesCreate, SessionCreate, SessionUpdate
from app.webinars.service import (
    scheduling,
)
from app.webinars.timezones import to_utc, utc_offset_label
from tests.webinars.conftest import Classroom


def _series(classroom: Classroom, first: str, zone: str, count: int = 4):
    data = SeriesCreate.model_validate(
        {
            "title": "Weekly webinar with a guest speaker",
            "time_zone": zone,
            "starts_at": first,
            "ends_at": first.replace("T18:00", "T19:30"),
            "count": count,
        }
    )
    return scheduling.schedule_series(
        classroom.db, classroom.teacher_actor, classroom.settings, classroom.course.id, data
    )


def test_a_weekly_series_keeps_its_local_time_across_the_spring_change(classroom: Classroom):
    # Paris moves its clocks forward on 28 March 2027: 18:00 is 17:00 UTC before, 16:00 after.
    sessions = _series(classroom, "2027-03-15T18:00", "Europe/Paris")

    utc_starts = [s.starts_at.astimezone(UTC).strftime("%d %H:%M") for s in sessions]
    local = {s.starts_at.astimezone(ZoneInfo("Europe/Paris")).strftime("%H:%M") for s in sessions}

    assert utc_starts == ["15 17:00", "22 17:00", "29 16:00", "05 16:00"]
    assert local == {"18:00"}
    assert len({s.series_id for s in sessions}) == 1
    assert all(s.duration_minutes == 90 for s in sessions)


def test_readers_without_daylight_saving_see_the_series_move_by_an_hour(classroom: Classroom):
    sessions = _series(classroom, "2027-03-15T18:00", "Europe/Paris")

    in_vientiane = [s.starts_at.astimezone(ZoneInfo("Asia/Vientiane")).hour for s in sessions]

    assert in_vientiane == [0, 0, 23, 23]  # the next day 00:00, then 23:00 after Paris changes


def test_a_half_hour_zone_is_exact(classroom: Classroom):
    webinar = classroom.schedule(
        time_zone="Asia/Kolkata",
        starts_at="2027-01-12T19:00",  # no offset: the wall-clock time in Kolkata
        ends_at="2027-01-12T20:30",
    )

    assert webinar.starts_at.astimezone(UTC) == datetime(2027, 1, 12, 13, 30, tzinfo=UTC)
    assert utc_offset_label(webinar.starts_at, "Asia/Kolkata") == "UTC+5:30"
    assert utc_offset_label(webinar.starts_at, "Asia/Kathmandu") == "UTC+5:45"


def test_a_time_skipped_by_the_clock_change_moves_forward():
    # 02:30 does not exist in Paris on 28 March 2027; calendars take it as 03:30.
    moment = to_utc(datetime.fromisoformat("2027-03-28T02:30"), "Europe/Paris")

    assert moment.astimezone(ZoneInfo("Europe/Paris")).strftime("%H:%M") == "03:30"


def test_a_seminar_has_a_timetable_of_days(classroom: Classroom):
    seminar = classroom.schedule(
        kind="seminar",
        delivery="in_person",
        location="ENSP Rabat, salle 3",
        time_zone="Africa/Casablanca",
        starts_at=None,
        ends_at=None,
        days=[
            {"starts_at": "2027-02-08T09:00", "ends_at": "2027-02-08T17:00", "title": "Day 1"},
            {"starts_at": "2027-02-09T09:00", "ends_at": "2027-02-09T16:00", "title": "Day 2"},
            {"starts_at": "2027-02-10T09:00", "ends_at": "2027-02-10T12:30", "title": "Day 3"},
        ],
    )

    assert [s.minutes for s in seminar.sittings] == [480, 420, 210]
    assert seminar.starts_at == seminar.sittings[0].starts_at
    assert seminar.ends_at == seminar.sittings[-1].ends_at
    assert seminar.provider == "none"  # in person: no video room to join


def test_an_unknown_zone_and_a_session_ending_before_it_starts_are_refused(classroom: Classroom):
    with pytest.raises(ValidationError):
        SessionCreate.model_validate(
            {"title": "T", "time_zone": "Mars/Olympus", "starts_at": "2027-01-01T10:00",
             "ends_at": "2027-01-01T11:00"}
        )  # fmt: skip
    with pytest.raises(Invalid) as refused:
        classroom.schedule(minutes=-30)

    assert refused.value.field == "ends_at"


def test_guest_speakers_need_no_account_and_hosts_must_be_staff(classroom: Classroom):
    webinar = classroom.schedule(
        speakers=[
            {"name": "Dr Malika Benali", "affiliation": "WHO EMRO", "bio": "Health financing."}
        ],
        host_user_ids=[classroom.teacher.id],
    )

    assert [s.name for s in webinar.speakers] == ["Dr Malika Benali"]
    with pytest.raises(Invalid) as refused:
        classroom.schedule(host_user_ids=[classroom.students[0].id])
    assert refused.value.field == "host_user_ids"


def test_changing_the_time_raises_the_calendar_sequence(classroom: Classroom):
    webinar = classroom.schedule()
    later = webinar.starts_at + timedelta(days=1)

    scheduling.update_webinar(
        classroom.db, classroom.teacher_actor, webinar.id,
        SessionUpdate(starts_at=later, ends_at=later + timedelta(hours=1)),
    )  # fmt: skip

    assert webinar.sequence == 1
    assert webinar.sittings[0].starts_at == later


def test_a_weekly_series_starting_in_the_spring_gap_keeps_its_length(classroom: Classroom):
    # 02:30 does not exist in Paris on Sunday 28 March 2027 (02:00 -> 03:00): the first
    # occurrence moves to 03:30-04:30 as a whole, the next ones are at 02:30 again.
    data = SeriesCreate.model_validate(
        {"title": "Night owls", "time_zone": "Europe/Paris", "starts_at": "2027-03-28T02:30",
         "ends_at": "2027-03-28T03:30", "count": 3}
    )  # fmt: skip

    sessions = scheduling.schedule_series(
        classroom.db, classroom.teacher_actor, classroom.settings, classroom.course.id, data
    )

    paris = ZoneInfo("Europe/Paris")
    local = [
        (s.starts_at.astimezone(paris).strftime("%d %H:%M"),
         s.ends_at.astimezone(paris).strftime("%H:%M"))
        for s in sessions
    ]  # fmt: skip
    assert local == [("28 03:30", "04:30"), ("04 02:30", "03:30"), ("11 02:30", "03:30")]
    assert all(s.duration_minutes == 60 for s in sessions)


def test_a_single_webinar_in_the_spring_gap_moves_as_a_whole(classroom: Classroom):
    webinar = classroom.schedule(
        time_zone="Europe/Paris", starts_at="2027-03-28T02:30", ends_at="2027-03-28T03:30"
    )

    assert webinar.starts_at == datetime(2027, 3, 28, 1, 30, tzinfo=UTC)  # 03:30 in Paris
    assert webinar.duration_minutes == 60


def test_moving_a_seminar_moves_every_day_with_it(classroom: Classroom):
    seminar = classroom.schedule(
        kind="seminar", delivery="in_person", time_zone="Africa/Casablanca",
        starts_at=None, ends_at=None,
        days=[{"starts_at": "2027-02-08T09:00", "ends_at": "2027-02-08T17:00"},
              {"starts_at": "2027-02-09T09:00", "ends_at": "2027-02-09T16:00"}],
    )  # fmt: skip
    week_later = seminar.starts_at + timedelta(weeks=1)

    scheduling.update_webinar(
        classroom.db, classroom.teacher_actor, seminar.id,
        SessionUpdate(starts_at=week_later, ends_at=seminar.ends_at + timedelta(weeks=1)),
    )  # fmt: skip

    days = [(s.starts_at.day, s.ends_at.day, s.minutes) for s in seminar.sittings]
    assert days == [(15, 15, 480), (16, 16, 420)]
    assert (seminar.starts_at, seminar.ends_at) == (
        seminar.sittings[0].starts_at,
        seminar.sittings[-1].ends_at,
    )


def test_an_update_that_ends_a_seminar_before_its_last_day_is_refused(classroom: Classroom):
    seminar = classroom.schedule(
        starts_at=None, ends_at=None,
        days=[{"starts_at": "2027-02-08T09:00", "ends_at": "2027-02-08T17:00"},
              {"starts_at": "2027-02-09T09:00", "ends_at": "2027-02-09T16:00"}],
    )  # fmt: skip

    with pytest.raises(Invalid) as refused:
        scheduling.update_webinar(
            classroom.db, classroom.teacher_actor, seminar.id,
            SessionUpdate(ends_at=seminar.sittings[0].ends_at),
        )  # fmt: skip

    assert refused.value.field == "ends_at"
