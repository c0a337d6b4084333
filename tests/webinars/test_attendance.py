"""Joining and attendance: the link only for registered people and only from shortly before
the start; attendance from the link and from the video service's events, corrected by the
teacher, counted against a threshold, totalled in hours per programme."""

from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select

from app.courses.models import ModuleCompletion, Programme, ProgrammeCourse
from app.webinars.events import AttendanceCounted
from app.webinars.models import AttendanceEvent, AttendanceSource, AttendanceStatus
from app.webinars.providers import ProviderEvent
from app.webinars.schemas import AttendanceUpdate
from app.webinars.service import (
    attendance,
    hours,
    marking,
    meetings,
    registration,
)
from tests.courses.factories import module
from tests.events import recorded
from tests.webinars.conftest import Classroom


def test_the_join_link_is_hidden_before_the_window_and_from_people_not_registered(
    classroom: Classroom,
):
    later = classroom.schedule(starts_in=timedelta(hours=3))
    soon = classroom.schedule(starts_in=timedelta(minutes=10))
    registered, unregistered = classroom.students[:2]
    for webinar in (later, soon):
        registration.register(classroom.db, classroom.actor(registered), webinar.id)
    join = meetings.join

    with pytest.raises(meetings.JoinNotOpen):
        join(classroom.db, classroom.actor(registered), classroom.settings, later.id)
    with pytest.raises(meetings.JoinNotOpen):
        join(classroom.db, classroom.actor(unregistered), classroom.settings, soon.id)
    link = join(classroom.db, classroom.actor(registered), classroom.settings, soon.id)

    assert link.url.startswith(f"{classroom.settings.jitsi_base_url}/{soon.room_name}")
    assert not link.moderator
    assert join(classroom.db, classroom.teacher_actor, classroom.settings, soon.id).moderator


def test_following_the_link_records_the_time_in(classroom: Classroom):
    webinar = classroom.schedule(starts_in=timedelta(minutes=-20), minutes=60)
    student = classroom.students[0]
    registration.register(classroom.db, classroom.actor(student), webinar.id)

    meetings.join(classroom.db, classroom.actor(student), classroom.settings, webinar.id)

    (line,) = marking.attendance_register(classroom.db, classroom.teacher_actor, webinar.id)
    assert line.attendance is not None
    assert line.attendance.status is AttendanceStatus.LATE  # joined 20 minutes in
    assert line.attendance.source is AttendanceSource.LINK
    assert 39 <= line.attendance.minutes <= 40  # from now until the end


def test_provider_events_make_attendance_and_the_threshold_decides_who_counts(
    classroom: Classroom,
):
    webinar = classroom.schedule(starts_in=timedelta(days=-1), minutes=100, attendance_threshold=85)
    stayed, left_early, absent, _ = classroom.students
    start = webinar.starts_at
    events = [
        ProviderEvent(webinar.room_name, stayed.id, "join", start + timedelta(minutes=2)),
        ProviderEvent(webinar.room_name, left_early.id, "join", start),
        ProviderEvent(webinar.room_name, left_early.id, "leave", start + timedelta(minutes=50)),
        ProviderEvent(webinar.room_name, stayed.id, "leave", start + timedelta(minutes=100)),
        ProviderEvent(webinar.room_name, 999_999, "join", start),  # not in the course
    ]

    recorded = attendance.record_provider_events(classroom.db, webinar.room_name, events)

    lines = {
        line.user.id: line
        for line in marking.attendance_register(classroom.db, classroom.teacher_actor, webinar.id)
    }
    assert recorded == 4
    assert lines[stayed.id].counts
    assert lines[stayed.id].attendance.minutes == 98
    assert not lines[left_early.id].counts  # 50 of 100 minutes, under 85%
    assert lines[absent.id].attendance is None
    missing = {
        a.user.id for a in marking.absentees(classroom.db, classroom.teacher_actor, webinar.id)
    }
    assert missing == {left_early.id, absent.id, classroom.students[3].id}


def test_the_teachers_correction_is_kept_and_excused_absence_is_shown(classroom: Classroom):
    webinar = classroom.schedule(starts_in=timedelta(days=-1), minutes=60)
    present, excused = classroom.students[:2]
    update = marking.set_attendance

    update(classroom.db, classroom.teacher_actor, webinar.id, present.id,
           AttendanceUpdate(status=AttendanceStatus.PRESENT))  # fmt: skip
    update(classroom.db, classroom.teacher_actor, webinar.id, excused.id,
           AttendanceUpdate(status=AttendanceStatus.EXCUSED))  # fmt: skip
    attendance.record_provider_events(
        classroom.db, webinar.room_name,
        [ProviderEvent(webinar.room_name, present.id, "join", webinar.ends_at)],
    )  # fmt: skip

    lines = {
        line.user.id: line
        for line in marking.attendance_register(classroom.db, classroom.teacher_actor, webinar.id)
    }
    assert lines[present.id].attendance.minutes == 60  # the event did not overwrite it
    assert lines[present.id].attendance.source is AttendanceSource.TEACHER
    absentees = {
        a.user.id: a.excused
        for a in marking.absentees(classroom.db, classroom.teacher_actor, webinar.id)
    }
    assert absentees[excused.id] is True


def test_students_cannot_take_attendance(classroom: Classroom):
    webinar = classroom.schedule()
    student = classroom.students[0]

    with pytest.raises(Exception, match="not allowed"):
        marking.set_attendance(
            classroom.db, classroom.actor(student), webinar.id, student.id,
            AttendanceUpdate(status=AttendanceStatus.PRESENT),
        )  # fmt: skip


def test_seminar_days_add_up_to_hours_towards_the_programme_requirement(classroom: Classroom):
    programme = Programme(code="MBA-T", kind="mba", title="MBA", attendance_hours_required=160)
    programme.courses = [ProgrammeCourse(course_id=classroom.course.id, semester=1, position=0)]
    classroom.db.add(programme)
    seminar = classroom.schedule(
        kind="seminar", delivery="in_person", time_zone="Africa/Casablanca",
        starts_at=None, ends_at=None, attendance_threshold=85,
        days=[
            {"starts_at": "2026-10-05T09:00", "ends_at": "2026-10-05T17:00"},
            {"starts_at": "2026-10-06T09:00", "ends_at": "2026-10-06T17:00"},
            {"starts_at": "2026-10-07T09:00", "ends_at": "2026-10-07T12:30"},
        ],
    )  # fmt: skip
    student = classroom.students[2]
    day1, day2, day3 = seminar.sittings
    for day, status, minutes in (
        (day1, AttendanceStatus.PRESENT, None),  # 8 h
        (day2, AttendanceStatus.LATE, 420),  # 7 h of 8: 87.5%, counts
        (day3, AttendanceStatus.PRESENT, 150),  # 2.5 h of 3.5: 71%, does not count
    ):
        marking.set_attendance(
            classroom.db, classroom.teacher_actor, seminar.id, student.id,
            AttendanceUpdate(status=status, minutes=minutes, sitting_id=day.id),
        )  # fmt: skip

    total = hours.attended_hours(classroom.db, classroom.actor(student), student.id, "MBA-T")

    assert total.hours == Decimal("15.00")
    assert total.meets_requirement is False
    with pytest.raises(Exception, match="No such user"):
        hours.attended_hours(
            classroom.db, classroom.actor(classroom.students[0]), student.id, "MBA-T"
        )


def test_attending_completes_the_webinar_module(classroom: Classroom):
    webinar_module = module(classroom.db, classroom.course, "intro")
    webinar = classroom.schedule(
        starts_in=timedelta(days=-1), module_id=webinar_module.id, counts_for_completion=True,
        attendance_threshold=50,
    )  # fmt: skip
    student = classroom.students[0]

    marking.set_attendance(
        classroom.db, classroom.teacher_actor, webinar.id, student.id,
        AttendanceUpdate(status=AttendanceStatus.PRESENT),
    )  # fmt: skip

    done = classroom.db.scalar(
        select(ModuleCompletion.id).where(
            ModuleCompletion.user_id == student.id, ModuleCompletion.module_id == webinar_module.id
        )
    )
    assert done is not None


def test_a_join_is_kept_as_an_event_for_the_trail(classroom: Classroom):
    webinar = classroom.schedule(starts_in=timedelta(minutes=5))
    student = classroom.students[1]
    registration.register(classroom.db, classroom.actor(student), webinar.id)
    meetings.join(classroom.db, classroom.actor(student), classroom.settings, webinar.id)

    kinds = classroom.db.scalars(
        select(AttendanceEvent.kind).where(AttendanceEvent.session_id == webinar.id)
    ).all()

    assert kinds == ["join"]


def test_counted_attendance_is_announced_to_other_domains_and_an_absence_is_not(
    classroom: Classroom,
):
    webinar = classroom.schedule(starts_in=timedelta(days=-1), minutes=60)
    present, absent = classroom.students[:2]

    with recorded(AttendanceCounted) as published:
        for student, status in (
            (present, AttendanceStatus.PRESENT),
            (absent, AttendanceStatus.ABSENT),
        ):
            marking.set_attendance(
                classroom.db, classroom.teacher_actor, webinar.id, student.id,
                AttendanceUpdate(status=status),
            )  # fmt: skip

    assert published == [
        AttendanceCounted(
            webinar_id=webinar.id, course_id=classroom.course.id, user_id=present.id,
            module_id=None, counted_minutes=60,
        )
    ]  # fmt: skip
