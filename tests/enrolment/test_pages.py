"""Enrolment through the portal: students enrol themselves, teachers see participants with
their progress and enrol people by e-mail."""

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.accounts.auth import actor_for_user
from app.core.actors import SYSTEM
from app.core.config import Settings
from app.courses.models import SelfEnrolment
from app.courses.service.completion import mark_done
from app.enrolment import service
from app.membership.models import CourseRole, Enrolment, EnrolmentStatus
from tests.accounts.factories import PASSWORD, make_user, page_csrf, sign_in
from tests.conftest import QueryCounter
from tests.courses.factories import enrol_as, import_hs101, module

PARTICIPANTS_PAGE_QUERIES = 12


def _enrolment(db: Session, user_id: int) -> Enrolment | None:
    return db.scalar(select(Enrolment).where(Enrolment.user_id == user_id))


def test_a_signed_in_student_enrols_in_an_open_course_from_its_page(
    client: TestClient, db: Session, settings: Settings
):
    course = import_hs101(db, settings)
    student = make_user(db, email="s@example.org", password=PASSWORD)
    sign_in(client, student.email)
    page = f"/courses/{course.code}"
    assert "Enrol me" in client.get(page).text

    done = client.post(f"{page}/enrol", data={"csrf_token": page_csrf(client, page)})

    assert "You are enrolled." in done.text
    assert "Enrol me" not in done.text
    assert "Your progress" in done.text
    enrolment = _enrolment(db, student.id)
    assert enrolment is not None
    assert enrolment.status is EnrolmentStatus.ACTIVE


def test_a_wrong_key_is_explained_and_the_right_key_enrols(
    client: TestClient, db: Session, settings: Settings
):
    course = import_hs101(db, settings)
    course.self_enrolment = SelfEnrolment.KEY
    service.set_options(
        db, SYSTEM, course.id, key="vientiane-2026", capacity=None, opens_at=None,
        closes_at=None, requires_approval=False,
    )  # fmt: skip
    student = make_user(db, email="s@example.org", password=PASSWORD)
    sign_in(client, student.email)
    page = f"/courses/{course.code}"
    assert 'name="key"' in client.get(page).text

    wrong = client.post(f"{page}/enrol", data={"csrf_token": page_csrf(client, page), "key": "x"})
    assert "The enrolment key is not correct." in wrong.text
    assert _enrolment(db, student.id) is None

    client.post(
        f"{page}/enrol", data={"csrf_token": page_csrf(client, page), "key": "vientiane-2026"}
    )
    assert _enrolment(db, student.id) is not None


def test_visitors_are_asked_to_sign_in_before_enrolling(
    client: TestClient, db: Session, settings: Settings
):
    course = import_hs101(db, settings)
    page = client.get(f"/courses/{course.code}").text
    assert "Sign in to enrol in this course" in page
    assert "Enrol me" not in page


def test_teacher_sees_each_students_progress_and_enrols_by_email(
    client: TestClient, db: Session, settings: Settings
):
    course = import_hs101(db, settings)
    teacher = make_user(db, email="t@example.org", password=PASSWORD)
    enrol_as(db, course, teacher, CourseRole.TEACHER)
    keen = make_user(db, email="keen@example.org")
    enrol_as(db, course, keen, CourseRole.STUDENT)
    mark_done(db, actor_for_user(keen), module(db, course, "intro").id)
    newcomer = make_user(db, email="new@example.org")
    sign_in(client, teacher.email)
    page = f"/courses/{course.code}/participants"

    listing = client.get(page).text
    enrolled = client.post(
        page,
        data={"csrf_token": page_csrf(client, page), "email": "new@example.org", "role": "student"},
    )

    assert "keen@example.org" in listing
    assert "1 of " in listing
    assert "new@example.org" in enrolled.text
    assert _enrolment(db, newcomer.id) is not None


def test_an_unknown_email_is_explained_next_to_the_field_and_kept(
    client: TestClient, db: Session, settings: Settings
):
    course = import_hs101(db, settings)
    teacher = make_user(db, email="t@example.org", password=PASSWORD)
    enrol_as(db, course, teacher, CourseRole.TEACHER)
    sign_in(client, teacher.email)
    page = f"/courses/{course.code}/participants"

    answer = client.post(
        page,
        data={
            "csrf_token": page_csrf(client, page),
            "email": "nobody@example.org",
            "role": "student",
        },
    )

    assert answer.status_code == 400
    assert 'id="email-error"' in answer.text
    assert "Nobody has an account with this e-mail address." in answer.text
    assert 'value="nobody@example.org"' in answer.text


def test_teacher_approves_a_pending_enrolment(client: TestClient, db: Session, settings: Settings):
    course = import_hs101(db, settings)
    teacher = make_user(db, email="t@example.org", password=PASSWORD)
    enrol_as(db, course, teacher, CourseRole.TEACHER)
    waiting = make_user(db)
    service.set_options(
        db, SYSTEM, course.id, key=None, capacity=None, opens_at=None, closes_at=None,
        requires_approval=True,
    )  # fmt: skip
    pending = service.self_enrol(db, actor_for_user(waiting), course.id, None)
    db.flush()
    sign_in(client, teacher.email)
    page = f"/courses/{course.code}/participants"

    client.post(
        f"/courses/{course.code}/enrolments/{pending.id}/status",
        data={"csrf_token": page_csrf(client, page), "status": "active"},
    )

    db.refresh(pending)
    assert pending.status is EnrolmentStatus.ACTIVE


def test_students_cannot_see_the_participants_page(
    client: TestClient, db: Session, settings: Settings
):
    course = import_hs101(db, settings)
    student = make_user(db, email="s@example.org", password=PASSWORD)
    enrol_as(db, course, student, CourseRole.STUDENT)
    sign_in(client, student.email)

    assert client.get(f"/courses/{course.code}/participants").status_code == 404


def test_the_participants_page_costs_the_same_queries_for_3_or_30_people(
    client: TestClient, db: Session, settings: Settings, queries: QueryCounter
):
    course = import_hs101(db, settings)
    teacher = make_user(db, email="t@example.org", password=PASSWORD)
    enrol_as(db, course, teacher, CourseRole.TEACHER)
    sign_in(client, teacher.email)
    counts = []
    for size in (3, 30):
        while len(service.participants(db, SYSTEM, course.id)) < size:
            enrol_as(db, course, make_user(db), CourseRole.STUDENT)
        with queries:
            assert client.get(f"/courses/{course.code}/participants").status_code == 200
        counts.append(queries.count)
    assert counts[0] == counts[1] <= PARTICIPANTS_PAGE_QUERIES
