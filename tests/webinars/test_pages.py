"""The webinar pages: a student sees times in their own zone, registers, joins when the link
opens; a teacher schedules (errors next to the fields), takes attendance and attaches files."""

import re
from datetime import UTC, datetime, timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from app.webinars.models import Attendance, AttendanceStatus, Material, Registration
from tests.accounts.factories import page_csrf, sign_in
from tests.conftest import QueryCounter
from tests.webinars.conftest import Classroom

SESSIONS_PAGE_QUERIES = 12


@pytest.mark.time_machine(datetime(2026, 12, 1, 9, 0, tzinfo=UTC))  # before the session
def test_a_student_reads_the_time_in_their_zone_and_registers(
    client: TestClient, classroom: Classroom
):
    webinar = classroom.schedule(
        time_zone="Europe/Paris", starts_at="2027-01-12T14:00", ends_at="2027-01-12T15:30",
        speakers=[{"name": "Dr Malika Benali", "affiliation": "WHO EMRO"}],
    )  # fmt: skip
    student = classroom.students[1]  # Asia/Kolkata
    sign_in(client, student.email)
    page = f"/sessions/{webinar.id}"

    before = client.get(page).text
    client.post(f"{page}/register", data={"csrf_token": page_csrf(client, page)})
    after = client.get(page).text

    assert "Jan 12, 2027 6:30\u202fPM (Kolkata, UTC+5:30)" in before  # 14:00 in Paris
    assert "Paris, UTC+1" in before  # the organiser's zone, for that day
    assert "Dr Malika Benali" in before
    assert "You are registered." in after
    assert "Cancel my registration" in after
    assert classroom.db.scalar(select(Registration.id).where(Registration.user_id == student.id))


def test_the_join_button_appears_only_when_the_link_opens(client: TestClient, classroom: Classroom):
    later = classroom.schedule(starts_in=timedelta(hours=5))
    soon = classroom.schedule(starts_in=timedelta(minutes=5))
    student = classroom.students[0]
    sign_in(client, student.email)
    for webinar in (later, soon):
        page = f"/sessions/{webinar.id}"
        client.post(f"{page}/register", data={"csrf_token": page_csrf(client, page)})

    closed = client.get(f"/sessions/{later.id}").text
    joined = client.post(
        f"/sessions/{soon.id}/join",
        data={"csrf_token": page_csrf(client, f"/sessions/{soon.id}")},
        follow_redirects=False,
    )

    assert "Join now" not in closed
    assert "The join link opens at" in closed
    assert joined.status_code == 303
    assert joined.headers["location"].startswith(classroom.settings.jitsi_base_url)


def test_a_teacher_schedules_a_series_and_bad_input_is_shown_next_to_the_field(
    client: TestClient, classroom: Classroom
):
    sign_in(client, classroom.teacher.email)
    form = f"/courses/{classroom.course.code}/sessions/new"
    fields = {"title": "Weekly webinar", "starts_at": "2027-03-15T18:00", "minutes": "60",
              "time_zone": "Europe/Nowhere", "count": "4"}  # fmt: skip

    refused = client.post(form, data={"csrf_token": page_csrf(client, form), **fields})
    fields["time_zone"] = "Europe/Paris"
    created = client.post(form, data={"csrf_token": page_csrf(client, form), **fields})
    listing = client.get(f"/courses/{classroom.course.code}/sessions").text

    assert refused.status_code == 400
    assert 'id="time_zone-error"' in refused.text
    assert 'value="Weekly webinar"' in refused.text
    assert created.url.path.startswith("/sessions/")
    assert listing.count("Weekly webinar") == 4


def test_students_cannot_open_the_scheduling_form(client: TestClient, classroom: Classroom):
    sign_in(client, classroom.students[0].email)

    assert client.get(f"/courses/{classroom.course.code}/sessions/new").status_code == 403


def test_a_teacher_takes_the_register_and_uploads_slides(client: TestClient, classroom: Classroom):
    webinar = classroom.schedule(starts_in=timedelta(days=-1), minutes=60)
    student = classroom.students[0]
    sittings = webinar.sittings
    sign_in(client, classroom.teacher.email)
    register = f"/sessions/{webinar.id}/attendance"

    client.post(
        register,
        data={"csrf_token": page_csrf(client, register),
              f"status-{sittings[0].id}-{student.id}": "late",
              f"minutes-{sittings[0].id}-{student.id}": "45"},
    )  # fmt: skip
    page = f"/sessions/{webinar.id}"
    client.post(
        f"{page}/materials",
        data={"csrf_token": page_csrf(client, page)},
        files={"file": ("slides.txt", b"Pooling risks, slide 1")},
    )

    row = classroom.db.scalar(select(Attendance).where(Attendance.user_id == student.id))
    assert row is not None
    assert (row.status, row.minutes) == (AttendanceStatus.LATE, 45)
    material = classroom.db.scalar(select(Material).where(Material.session_id == webinar.id))
    assert material is not None
    sign_in(client, student.email)
    download = client.get(f"/sessions/{webinar.id}/materials/{material.id}/file")
    assert download.headers["content-disposition"].startswith("attachment")
    assert download.content == b"Pooling risks, slide 1"


def test_the_dashboard_and_course_page_show_the_next_webinar(
    client: TestClient, classroom: Classroom
):
    webinar = classroom.schedule(starts_in=timedelta(days=3))
    sign_in(client, classroom.students[0].email)

    dashboard = client.get("/").text
    course = client.get(f"/courses/{classroom.course.code}").text

    assert f'href="/sessions/{webinar.id}"' in dashboard
    assert f'href="/sessions/{webinar.id}"' in course


def test_a_calendar_address_is_made_on_the_calendar_page(client: TestClient, classroom: Classroom):
    classroom.schedule()
    sign_in(client, classroom.students[0].email)

    made = client.post("/calendar", data={"csrf_token": page_csrf(client, "/calendar")})

    url = _addresses(made.text)[0]
    feed = client.get(url.replace(classroom.settings.base_url, ""))
    assert feed.status_code == 200
    assert b"BEGIN:VEVENT" in feed.content


def _addresses(html: str) -> list[str]:
    return re.findall(r'id="feed-address-\d+" type="url" value="([^"]+)" readonly', html)


def test_the_calendar_address_is_shown_whenever_the_feed_is_active_with_copy_and_webcal(
    client: TestClient, classroom: Classroom
):
    sign_in(client, classroom.students[0].email)
    made = client.post("/calendar", data={"csrf_token": page_csrf(client, "/calendar")}).text

    later = client.get("/calendar").text

    [url] = _addresses(made)
    assert url.startswith("http://testserver/api/v1/calendar/")
    assert "Your new address" in made
    assert "Your new address" not in later
    assert _addresses(later) == [url]  # not only once: the same address, every visit
    assert 'data-copy="feed-address-' in later
    assert "/static/copy.js?v=" in later
    assert f'href="webcal://{url.removeprefix("http://")}"' in later
    feed_id = re.search(r'action="/calendar/(\d+)/revoke"', later)
    assert feed_id is not None
    client.post(
        f"/calendar/{feed_id.group(1)}/revoke", data={"csrf_token": page_csrf(client, "/calendar")}
    )
    assert _addresses(client.get("/calendar").text) == []  # a revoked address is gone
    assert client.get(url.replace("http://testserver", "")).status_code == 404


def test_an_address_that_cannot_be_computed_again_is_not_shown(
    client: TestClient, classroom: Classroom
):
    from app.webinars import feeds

    feeds.create_feed(classroom.db, classroom.actor(classroom.students[0]))  # a random token
    sign_in(client, classroom.students[0].email)

    page = client.get("/calendar").text

    assert _addresses(page) == []
    assert "cannot be shown again" in page


def test_the_sessions_page_costs_the_same_queries_for_2_or_12_sessions(
    client: TestClient, classroom: Classroom, queries: QueryCounter
):
    sign_in(client, classroom.students[0].email)
    counts = []
    for total in (2, 12):
        for offset in range(total - len(counts) * 2 if counts else total):
            classroom.schedule(starts_in=timedelta(days=offset + 1))
        with queries:
            assert client.get(f"/courses/{classroom.course.code}/sessions").status_code == 200
        counts.append(queries.count)
    assert counts[0] == counts[1] <= SESSIONS_PAGE_QUERIES


def test_a_student_reads_their_attendance_hours_against_the_programme(
    client: TestClient, classroom: Classroom
):
    from app.courses.models import Programme, ProgrammeCourse
    from app.webinars.schemas import AttendanceUpdate
    from app.webinars.service import marking

    programme = Programme(
        code="MBA-T", kind="mba", title="MBA territorial", attendance_hours_required=160
    )
    programme.courses = [ProgrammeCourse(course_id=classroom.course.id, semester=1, position=0)]
    classroom.db.add(programme)
    seminar = classroom.schedule(starts_in=timedelta(days=-3), minutes=8 * 60)
    student = classroom.students[0]
    marking.set_attendance(
        classroom.db, classroom.teacher_actor, seminar.id, student.id,
        AttendanceUpdate(status=AttendanceStatus.PRESENT),
    )  # fmt: skip
    sign_in(client, student.email)

    page = client.get("/attendance").text

    assert "MBA territorial" in page
    assert "8 of 160 hours" in page
    assert f'href="/sessions/{seminar.id}"' in page


def test_a_recording_address_is_checked_as_the_api_does(client: TestClient, classroom: Classroom):
    from app.webinars.models import Recording

    webinar = classroom.schedule(starts_in=timedelta(days=-1))
    sign_in(client, classroom.teacher.email)
    page = f"/sessions/{webinar.id}"

    refused = client.post(
        f"{page}/recordings",
        data={"csrf_token": page_csrf(client, page), "url": "javascript:alert(1)"},
    )
    client.post(
        f"{page}/recordings",
        data={"csrf_token": page_csrf(client, page), "url": "https://video.example/r/1",
              "title": "Week 1"},
    )  # fmt: skip

    assert refused.status_code == 400
    urls = classroom.db.scalars(select(Recording.url).where(Recording.session_id == webinar.id))
    assert list(urls) == ["https://video.example/r/1"]
    assert "Week 1" in client.get(page).text


def test_a_register_with_invalid_rows_is_refused_naming_them_and_nothing_is_saved(
    client: TestClient, classroom: Classroom
):
    webinar = classroom.schedule(starts_in=timedelta(days=-1), minutes=60)
    day = webinar.sittings[0].id
    fine, typo, stranger = classroom.students[0], classroom.students[1], 999_999
    sign_in(client, classroom.teacher.email)
    register = f"/sessions/{webinar.id}/attendance"

    refused = client.post(
        register,
        data={"csrf_token": page_csrf(client, register),
              f"status-{day}-{fine.id}": "present",
              f"status-{day}-{typo.id}": "late", f"minutes-{day}-{typo.id}": "forty",
              f"status-{day}-{stranger}": "present"},
    )  # fmt: skip

    assert refused.status_code == 400
    assert "nothing was saved" in refused.text
    assert f"{typo.display_name} — Day 1" in refused.text
    assert "minutes must be a whole number" in refused.text
    assert f"{day}-{stranger}" in refused.text
    assert "Saved." not in refused.text
    assert (
        classroom.db.scalars(select(Attendance).where(Attendance.session_id == webinar.id)).all()
        == []
    )
