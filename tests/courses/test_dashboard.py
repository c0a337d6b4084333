"""The dashboard tells a student what to open next and which dates are coming, in their zone."""

from datetime import UTC, datetime, timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.accounts.auth import actor_for_user
from app.core.config import Settings
from app.core.db import utcnow
from app.courses.models import Module, Section
from app.courses.service.completion import mark_done, progress_by_course
from app.membership.models import CourseRole
from app.portal import service as portal
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


def test_progress_on_the_dashboard_counts_as_the_course_page_does(db: Session, settings: Settings):
    """A student's progress comes from the modules read for their next steps; a teacher's
    own courses from a query of their own. Both count the required, published modules that
    are not hidden (nor in a hidden section), each completed one once."""
    studied = import_hs101(db, settings)
    taught = import_hs101(db, settings, code="TAUGHT-1")
    person = make_user(db, email="s@example.org", password=PASSWORD)
    enrol_as(db, studied, person, CourseRole.STUDENT)
    enrol_as(db, taught, person, CourseRole.TEACHER)
    actor = actor_for_user(person)
    modules = list(db.scalars(select(Module).where(Module.course_id == studied.id)))
    intro, link = (m for m in modules if m.key in ("intro", "who-link"))  # both required
    beside = next(m for m in modules if m.section_id == intro.section_id and not m.required)
    mark_done(db, actor, intro.id)
    beside.required, beside.hidden = True, True  # a hidden module is not counted
    db.get_one(Section, link.section_id).hidden = True  # nor one in a hidden section
    db.flush()

    shown = portal.dashboard(db, actor).progress

    assert shown == progress_by_course(db, person.id, [studied.id, taught.id])
    assert (shown[studied.id].completed_required, shown[studied.id].total_required) == (1, 2)
