"""Setting a gradebook up: scales, categories and items over the API and the page, locks,
attendance items, and refused forms that write nothing."""

from datetime import UTC, datetime
from decimal import Decimal

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.core.config import Settings
from app.core.db import Base
from app.grades.models import Grade, GradeCategory, GradeItem, ItemSource
from app.seed import SEED_DIR, load_scales
from tests.accounts.factories import make_user
from tests.audit_snapshots import rows_of
from tests.conftest import QueryCounter
from tests.grades.core_setup import api_headers, as_browser, book, post_form

pytestmark = pytest.mark.time_machine(datetime(2026, 12, 1, 9, 0, tzinfo=UTC))


def _everything(db: Session) -> dict[str, list[str]]:
    return {table.name: rows_of(db, table) for table in Base.metadata.sorted_tables}


def test_seeded_scales_read_with_their_levels(
    client: TestClient, db: Session, settings: Settings
) -> None:
    b = book(db, settings)
    assert load_scales(db, SEED_DIR) == 0  # loading twice adds nothing
    found = client.get("/api/v1/scales", headers=api_headers(b, b.teacher)).json()
    by_code = {s["code"]: s for s in found}
    assert set(by_code) >= {"fr-20", "ru-5", "fr-acq", "letters"}
    assert [lvl["label"] for lvl in by_code["fr-20"]["levels"]] == [
        "insuffisant", "passable", "assez bien", "bien", "très bien"
    ]  # fmt: skip
    assert by_code["ru-5"]["levels"][1] == {
        "label": "удовлетворительно", "value": "3.00", "min_percent": "50.000", "passing": True
    }  # fmt: skip


def test_only_managers_create_scales(client: TestClient, db: Session, settings: Settings) -> None:
    from app.core.actors import PlatformRole

    b = book(db, settings)
    body = {"code": "pass-fail", "name": "Pass/fail", "levels": [
        {"label": "fail", "value": 0, "min_percent": 0},
        {"label": "pass", "value": 1, "min_percent": 50, "passing": True}]}  # fmt: skip
    refused = client.post("/api/v1/scales", json=body, headers=api_headers(b, b.teacher))
    assert refused.status_code == 403
    manager = make_user(db, role=PlatformRole.MANAGER)
    created = client.post("/api/v1/scales", json=body, headers=api_headers(b, manager))
    assert created.status_code == 201
    again = client.post("/api/v1/scales", json=body, headers=api_headers(b, manager))
    assert (again.status_code, again.json()["code"]) == (409, "scale_code_taken")


def test_teacher_builds_nested_categories_and_items_over_the_api(
    client: TestClient, db: Session, settings: Settings
) -> None:
    b = book(db, settings)
    learner = b.learner()
    headers = api_headers(b, b.teacher)
    base = f"/api/v1/courses/{b.course.id}"
    category = client.post(
        f"{base}/grade-categories",
        json={"title": "Homework", "aggregation": "natural", "weight": "3"},
        headers=headers,
    )
    assert category.status_code == 201, category.text
    item = client.post(
        f"{base}/grade-items",
        json={"title": "Essay", "max_points": "20", "category_id": category.json()["id"]},
        headers=headers,
    )
    assert item.status_code == 201, item.text
    assert item.json()["source"] == "manual"
    titles = [c["title"] for c in client.get(f"{base}/grade-categories", headers=headers).json()]
    assert titles[1:] == ["Homework"]
    moved = client.patch(
        f"/api/v1/grade-items/{item.json()['id']}", json={"category_id": None}, headers=headers
    )
    assert moved.status_code == 200
    root_id = client.get(f"{base}/grade-categories", headers=headers).json()[0]["id"]
    assert moved.json()["category_id"] == root_id
    grade = client.get(f"{base}/results", headers=headers)
    assert [r["user_id"] for r in grade.json()] == [learner.id]


def test_a_student_cannot_set_up_the_gradebook(
    client: TestClient, db: Session, settings: Settings
) -> None:
    b = book(db, settings)
    learner = b.learner()
    response = client.post(
        f"/api/v1/courses/{b.course.id}/grade-items",
        json={"title": "Essay"},
        headers=api_headers(b, learner),
    )
    assert response.status_code == 403
    assert db.scalar(select(GradeItem.id).where(GradeItem.title == "Essay")) is None


def test_an_assignments_item_cannot_be_deleted(
    client: TestClient, db: Session, settings: Settings
) -> None:
    b = book(db, settings)
    owned = b.item("Quiz", 10, 1)
    response = client.delete(f"/api/v1/grade-items/{owned.id}", headers=api_headers(b, b.teacher))
    assert (response.status_code, response.json()["code"]) == (409, "grade_item_owned")
    assert db.get(GradeItem, owned.id) is not None


def test_a_locked_item_refuses_every_change_and_keeps_its_grades(
    client: TestClient, db: Session, settings: Settings
) -> None:
    b = book(db, settings)
    learner = b.learner()
    quiz = b.item("Quiz", 10, 1)
    b.grade(quiz, learner, "6")
    headers = api_headers(b, b.teacher)
    locked = client.patch(f"/api/v1/grade-items/{quiz.id}", json={"locked": True}, headers=headers)
    assert locked.status_code == 200
    before = _everything(db)
    for call in (
        lambda: client.patch(f"/api/v1/grade-items/{quiz.id}", json={"weight": 2}, headers=headers),
        lambda: client.delete(f"/api/v1/grade-items/{quiz.id}", headers=headers),
        lambda: client.patch(
            f"/api/v1/grade-items/{quiz.id}", json={"locked": False}, headers=headers
        ),  # only a manager unlocks
    ):
        response = call()
        assert response.status_code in (403, 409), response.text
    response = client.patch(f"/api/v1/grade-items/{quiz.id}", json={"weight": 2}, headers=headers)
    assert response.json()["code"] == "grade_item_locked"
    assert _everything(db) == before


def test_locking_the_course_locks_every_item(
    client: TestClient, db: Session, settings: Settings
) -> None:
    from app.grades.service.record import ItemLocked

    b = book(db, settings)
    learner = b.learner()
    quiz = b.item("Quiz", 10, 1)
    headers = api_headers(b, b.teacher)
    response = client.patch(
        f"/api/v1/courses/{b.course.id}/gradebook", json={"locked": True}, headers=headers
    )
    assert response.status_code == 200
    assert response.json()["locked_at"] is not None
    db.refresh(quiz)
    with pytest.raises(ItemLocked):
        b.grade(quiz, learner, "6")
    again = client.post(
        f"/api/v1/courses/{b.course.id}/grade-items", json={"title": "Late"}, headers=headers
    )
    assert (again.status_code, again.json()["code"]) == (409, "grade_item_locked")


def test_an_attendance_item_grades_attended_hours_out_of_those_required(
    client: TestClient, db: Session, settings: Settings
) -> None:
    b = book(db, settings)
    learner = b.learner()
    _attend(db, b, learner.id, minutes=90)
    response = client.post(
        f"/api/v1/courses/{b.course.id}/grade-items",
        json={"title": "Presence", "source": "attendance", "max_points": "10"},
        headers=api_headers(b, b.teacher),
    )
    assert response.status_code == 201, response.text
    grade = db.scalar(select(Grade).where(Grade.item_id == response.json()["id"]))
    assert grade is not None
    assert (grade.points, grade.released_at is not None) == (Decimal("1.50"), True)


def _attend(db: Session, b: object, user_id: int, minutes: int) -> None:
    from datetime import timedelta

    from app.webinars.models import (
        Attendance,
        AttendanceSource,
        AttendanceStatus,
        Sitting,
        WebinarSession,
    )

    start = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)
    webinar = WebinarSession(
        course_id=b.course.id, title="Live", starts_at=start,
        ends_at=start + timedelta(minutes=minutes), time_zone="UTC", provider="none",
        room_name=f"grades-{user_id}",
    )  # fmt: skip
    webinar.sittings = [Sitting(starts_at=start, ends_at=start + timedelta(minutes=minutes))]
    db.add(webinar)
    db.flush()
    db.add(
        Attendance(
            session_id=webinar.id,
            sitting_id=webinar.sittings[0].id,
            user_id=user_id,
            status=AttendanceStatus.PRESENT,
            minutes=minutes,
            source=AttendanceSource.TEACHER,
        )
    )
    db.flush()


def test_the_setup_page_adds_an_item_and_a_category(
    client: TestClient, db: Session, settings: Settings
) -> None:
    b = book(db, settings)
    browser = as_browser(client, b, b.teacher)
    page = browser.get(f"/courses/{b.course.code}/gradebook/setup")
    assert page.status_code == 200
    assert "Gradebook set-up" in page.text
    added = post_form(
        browser, b, f"/courses/{b.course.code}/gradebook/categories",
        {"title": "Exams", "aggregation": "mean", "weight": "2", "exclude_empty": "on"},
    )  # fmt: skip
    assert added.status_code == 303
    category = db.scalar(select(GradeCategory).where(GradeCategory.title == "Exams"))
    assert category is not None
    added = post_form(
        browser, b, f"/courses/{b.course.code}/gradebook/items",
        {"title": "Oral", "max_points": "20", "pass_points": "10", "category_id": str(category.id),
         "hidden_until": "2026-12-10T09:00"},
    )  # fmt: skip
    assert added.status_code == 303
    item = db.scalar(select(GradeItem).where(GradeItem.title == "Oral"))
    assert item is not None
    assert (item.source, item.category_id, item.pass_points) == (
        ItemSource.MANUAL, category.id, Decimal(10)
    )  # fmt: skip
    # The teacher's zone is Asia/Vientiane (UTC+7).
    assert item.hidden_until == datetime(2026, 12, 10, 2, 0, tzinfo=UTC)
    page = browser.get(f"/courses/{b.course.code}/gradebook/setup")
    assert "Oral" in page.text
    assert "Exams" in page.text


@pytest.mark.parametrize(
    ("path", "data", "message"),
    [
        ("items", {"title": "Oral", "max_points": "10", "pass_points": "12"}, "cannot exceed"),
        ("items", {"title": "", "max_points": "10"}, ""),
        ("items", {"title": "Oral", "hidden_until": "soon"}, "2026-12-01T09:00"),
        ("categories", {"title": "Exams", "weight": "-1"}, ""),
        ("setup", {"aggregation": "median"}, ""),
    ],
)
def test_a_refused_setup_form_shows_why_and_writes_nothing(
    client: TestClient, db: Session, settings: Settings, path: str, data: dict[str, str],
    message: str,
) -> None:  # fmt: skip
    b = book(db, settings)
    browser = as_browser(client, b, b.teacher)
    browser.get(f"/courses/{b.course.code}/gradebook/setup")  # the root category exists
    before = _everything(db)
    response = post_form(browser, b, f"/courses/{b.course.code}/gradebook/{path}", data)
    assert response.status_code == 400
    assert message in response.text
    assert 'role="alert"' in response.text
    after = _everything(db)
    after.pop("sessions", None), before.pop("sessions", None)
    assert after == before


def test_recorded_attendance_regrades_the_attendance_items(
    client: TestClient, db: Session, settings: Settings
) -> None:
    from app.core.events import publish
    from app.webinars.events import AttendanceRegistered

    b = book(db, settings)
    learner = b.learner()
    response = client.post(
        f"/api/v1/courses/{b.course.id}/grade-items",
        json={"title": "Presence", "source": "attendance", "max_points": "1"},
        headers=api_headers(b, b.teacher),
    )
    item_id = response.json()["id"]
    _attend(db, b, learner.id, minutes=120)
    publish(db, AttendanceRegistered(webinar_id=1, course_id=b.course.id, user_ids=(learner.id,)))
    grade = db.scalar(select(Grade).where(Grade.item_id == item_id, Grade.user_id == learner.id))
    assert grade is not None
    assert grade.points == Decimal("1.00")  # two hours attended, capped at the one required


def _setup_page_queries(
    client: TestClient, db: Session, settings: Settings, queries: QueryCounter, size: int
) -> int:
    b = book(db, settings)
    for n in range(size):
        b.item(f"Quiz {n}", 10, n + 1)
        b.learner()
    browser = as_browser(client, b, b.teacher)
    with queries:
        page = browser.get(f"/courses/{b.course.code}/gradebook/setup")
    assert page.status_code == 200
    return queries.count


def test_the_setup_page_keeps_its_queries_as_items_grow(
    client: TestClient, db: Session, settings: Settings, queries: QueryCounter
) -> None:
    small = _setup_page_queries(client, db, settings, queries, 2)
    db.rollback()
    large = _setup_page_queries(client, db, settings, queries, 9)
    assert large == small


def test_a_manager_reopens_a_locked_course_and_its_items(
    client: TestClient, db: Session, settings: Settings
) -> None:
    from app.core.actors import PlatformRole

    b = book(db, settings)
    quiz = b.item("Quiz", 10, 1)
    path = f"/api/v1/courses/{b.course.id}/gradebook"
    client.patch(path, json={"locked": True}, headers=api_headers(b, b.teacher))
    refused = client.patch(path, json={"locked": False}, headers=api_headers(b, b.teacher))
    assert refused.status_code == 403
    manager = make_user(db, role=PlatformRole.MANAGER)
    reopened = client.patch(path, json={"locked": False}, headers=api_headers(b, manager))
    assert (reopened.status_code, reopened.json()["locked_at"]) == (200, None)
    db.refresh(quiz)
    assert quiz.locked_at is None
