"""The dashboard tells a student what to open next and which dates are coming, in their zone."""

from datetime import UTC, datetime, timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from app.accounts.auth import actor_for_user
from app.core.config import Settings
from app.core.db import utcnow
from app.courses.service.completion import mark_done
from app.membership.models import CourseRole
from tests.accounts.factories import PASSWORD, make_user, sign_in
from tests.courses.factories import enrol_as, import_hs101, module


def test_the_next_step_is_the_first_required_module_not_yet_done(
    client: TestClient, db: Session, settings: Settings
):
    course = import_hs101(db, settings)
    student = make_user(db, email="s@example.org", password=PASSWORD)
    enrol_as(db, course, student, CourseRole.STUDENT)
    intro = module(db, course, "intro")
    sign_in(client, student.email)
    before = client.get("/").text
    mark_done(db, actor_for_user(student), intro.id)

    after = client.get("/").text

    assert f'/modules/{intro.id}">{intro.title}</a>' in before
    assert f'/modules/{intro.id}"' not in after
    assert "Next:" in after


@pytest.mark.time_machine(datetime(2027, 7, 5, 9, 0, tzinfo=UTC))
def test_a_module_opening_soon_is_shown_in_the_students_own_zone(
    client: TestClient, db: Session, settings: Settings
):
    course = import_hs101(db, settings)
    student = make_user(db, email="s@example.org", password=PASSWORD, time_zone="Asia/Kolkata")
    enrol_as(db, course, student, CourseRole.STUDENT)
    opening = (utcnow() + timedelta(days=3)).replace(hour=4, minute=0, second=0, microsecond=0)
    module(db, course, "intro").available_from = opening
    course.ends_on = (utcnow() + timedelta(days=20)).date()
    db.flush()
    sign_in(client, student.email)

    page = client.get("/").text

    assert "Coming up" in page
    assert "9:30" in page  # 04:00 UTC is 09:30 in India, a half-hour zone
    assert "Jul 8, 2027 9:30\u202fAM (Kolkata, UTC+5:30)" in page  # the zone, for that moment
    assert "Course ends" in page


def test_dates_long_past_or_far_ahead_are_not_listed(
    client: TestClient, db: Session, settings: Settings
):
    course = import_hs101(db, settings)
    student = make_user(db, email="s@example.org", password=PASSWORD)
    enrol_as(db, course, student, CourseRole.STUDENT)
    course.starts_on = datetime(2020, 1, 6, tzinfo=UTC).date()
    module(db, course, "intro").available_from = utcnow() + timedelta(days=400)
    db.flush()
    sign_in(client, student.email)

    assert "Coming up" not in client.get("/").text
