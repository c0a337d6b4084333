"""Courses over the API: reading, editing, locks, completion, ETags and permissions."""

from html.parser import HTMLParser

from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.core.actors import PlatformRole
from app.core.config import Settings
from app.courses.models import Course, ModuleCompletion
from app.membership.models import CourseRole
from tests.accounts.factories import PASSWORD, api_token, bearer, make_user
from tests.courses.factories import enrol_as, import_hs101, module


def _member(
    client: TestClient, db: Session, course: Course, role: CourseRole | None, email: str
) -> dict[str, str]:
    user = make_user(db, email=email, password=PASSWORD)
    if role is not None:
        enrol_as(db, course, user, role)
    return bearer(api_token(client, email))


def test_markdown_script_is_never_served(client: TestClient, db: Session, settings: Settings):
    course = import_hs101(db, settings)
    intro = module(db, course, "intro")

    body = client.get(f"/api/v1/modules/{intro.id}").json()["body_html"]

    assert "<script" not in body
    assert "&lt;script&gt;" in body
    assert "<strong>primary intent</strong>" in body


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.found: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.found.append((tag, dict(attrs)))


def _tags(html: str) -> list[tuple[str, dict[str, str | None]]]:
    parser = _Tags()
    parser.feed(html)
    return parser.found


def test_a_page_with_script_added_over_the_api_is_sanitised(
    client: TestClient, db: Session, settings: Settings
):
    course = import_hs101(db, settings)
    teacher = _member(client, db, course, CourseRole.TEACHER, "t@example.org")
    section_id = module(db, course, "intro").section_id
    attack = (
        '<script>alert(1)</script><img src=x onerror="alert(1)"> '
        "[click](javascript:alert(1)) [ok](https://who.int)"
    )

    created = client.post(
        f"/api/v1/sections/{section_id}/modules",
        json={"key": "xss", "kind": "page", "title": "Tricky", "body": attack},
        headers=teacher,
    )

    tags = _tags(created.json()["body_html"])
    assert created.status_code == 201
    assert {tag for tag, _ in tags} <= {"p", "a"}
    assert all(not name.startswith("on") for _, attrs in tags for name in attrs)
    assert [attrs["href"] for tag, attrs in tags if tag == "a"] == ["https://who.int"]


def test_locked_module_is_refused_with_its_reason(
    client: TestClient, db: Session, settings: Settings
):
    course = import_hs101(db, settings)
    student = _member(client, db, course, CourseRole.STUDENT, "s@example.org")
    blocks = module(db, course, "blocks")

    response = client.get(f"/api/v1/modules/{blocks.id}", headers=student)

    assert response.status_code == 403
    assert response.json()["code"] == "module_locked"
    assert "Introduction" in response.json()["detail"]
    assert "table" not in response.text


def test_viewing_unlocks_the_next_module(client: TestClient, db: Session, settings: Settings):
    course = import_hs101(db, settings)
    student = _member(client, db, course, CourseRole.STUDENT, "s@example.org")

    client.get(f"/api/v1/modules/{module(db, course, 'intro').id}", headers=student)
    response = client.get(f"/api/v1/modules/{module(db, course, 'blocks').id}", headers=student)

    assert response.status_code == 200


def test_outline_shows_ticks_locks_and_progress(
    client: TestClient, db: Session, settings: Settings
):
    course = import_hs101(db, settings)
    student = _member(client, db, course, CourseRole.STUDENT, "s@example.org")
    client.get(f"/api/v1/modules/{module(db, course, 'intro').id}", headers=student)

    outline = client.get(f"/api/v1/courses/{course.id}/outline", headers=student).json()

    states = {m["key"]: m for s in outline["sections"] for m in s["modules"]}
    assert states["intro"]["completed"] is True
    assert states["blocks"]["locked"] is False
    assert states["who-link"]["locked"] is True
    assert states["who-link"]["lock_reasons"] == ["Complete “The building blocks” first."]
    assert outline["progress"] == {
        "completed_required": 1,
        "total_required": 3,
        "percent": 33,
        "course_completed": False,
    }


def test_marking_done_twice_records_once_and_completes_the_course(
    client: TestClient, db: Session, settings: Settings
):
    course = import_hs101(db, settings)
    student = _member(client, db, course, CourseRole.STUDENT, "s@example.org")
    client.get(f"/api/v1/modules/{module(db, course, 'intro').id}", headers=student)
    blocks, link = module(db, course, "blocks"), module(db, course, "who-link")

    first = client.post(f"/api/v1/modules/{blocks.id}/completion", headers=student)
    again = client.post(f"/api/v1/modules/{blocks.id}/completion", headers=student)
    last = client.post(f"/api/v1/modules/{link.id}/completion", headers=student)

    assert first.status_code == again.status_code == 200
    assert last.json()["progress"]["course_completed"] is True
    rows = db.scalar(
        select(func.count())
        .select_from(ModuleCompletion)
        .where(ModuleCompletion.module_id == blocks.id)
    )
    assert rows == 1


def test_a_student_of_another_course_cannot_open_this_one(
    client: TestClient, db: Session, settings: Settings
):
    course = import_hs101(db, settings)
    course.is_open = False
    other = import_hs101(db, settings, code="HS-102")
    outsider = _member(client, db, other, CourseRole.STUDENT, "o@example.org")

    assert client.get(f"/api/v1/courses/{course.id}", headers=outsider).status_code == 404
    assert (
        client.get(
            f"/api/v1/modules/{module(db, course, 'intro').id}", headers=outsider
        ).status_code
        == 404
    )


def test_open_course_is_readable_without_an_account(
    client: TestClient, db: Session, settings: Settings
):
    course = import_hs101(db, settings)

    assert client.get(f"/api/v1/courses/{course.id}").status_code == 200
    assert client.get(f"/api/v1/modules/{module(db, course, 'intro').id}").status_code == 200


def test_draft_course_is_hidden_from_students_and_the_catalogue(
    client: TestClient, db: Session, settings: Settings
):
    course = import_hs101(db, settings, publish=False)
    student = _member(client, db, course, CourseRole.STUDENT, "s@example.org")

    assert client.get(f"/api/v1/courses/{course.id}", headers=student).status_code == 404
    assert client.get("/api/v1/courses").json()["items"] == []


def test_student_cannot_edit_and_teacher_can(client: TestClient, db: Session, settings: Settings):
    course = import_hs101(db, settings)
    student = _member(client, db, course, CourseRole.STUDENT, "s@example.org")
    tutor = _member(client, db, course, CourseRole.TUTOR, "tu@example.org")
    teacher = _member(client, db, course, CourseRole.TEACHER, "t@example.org")

    assert (
        client.patch(
            f"/api/v1/courses/{course.id}", json={"title": "X"}, headers=student
        ).status_code
        == 403
    )
    assert (
        client.patch(f"/api/v1/courses/{course.id}", json={"title": "X"}, headers=tutor).status_code
        == 403
    )
    changed = client.patch(
        f"/api/v1/courses/{course.id}", json={"title": "Renamed"}, headers=teacher
    )
    assert changed.status_code == 200
    assert changed.json()["title"] == "Renamed"


def test_etag_round_trip_and_lost_update_refused(
    client: TestClient, db: Session, settings: Settings
):
    course = import_hs101(db, settings)
    teacher = _member(client, db, course, CourseRole.TEACHER, "t@example.org")
    first = client.get(f"/api/v1/courses/{course.id}", headers=teacher)
    etag = first.headers["etag"]

    unchanged = client.get(
        f"/api/v1/courses/{course.id}", headers={**teacher, "If-None-Match": etag}
    )
    saved = client.patch(
        f"/api/v1/courses/{course.id}",
        json={"summary": "New"},
        headers={**teacher, "If-Match": etag},
    )
    stale = client.patch(
        f"/api/v1/courses/{course.id}",
        json={"summary": "Lost"},
        headers={**teacher, "If-Match": etag},
    )
    after = client.get(f"/api/v1/courses/{course.id}", headers={**teacher, "If-None-Match": etag})

    assert unchanged.status_code == 304
    assert saved.status_code == 200
    assert stale.status_code == 412
    assert after.status_code == 200
    assert after.json()["summary"] == "New"


def test_prerequisite_cycle_is_refused_and_nothing_changes(
    client: TestClient, db: Session, settings: Settings
):
    course = import_hs101(db, settings)
    teacher = _member(client, db, course, CourseRole.TEACHER, "t@example.org")
    intro = module(db, course, "intro")

    response = client.patch(
        f"/api/v1/modules/{intro.id}", json={"requires": ["who-link"]}, headers=teacher
    )

    assert response.status_code == 422
    assert response.json()["code"] == "prerequisite_cycle"
    outline = client.get(f"/api/v1/courses/{course.id}/outline", headers=teacher).json()
    assert outline["course"]["version"] == course.version


def test_workload_outside_25_to_30_hours_per_ects_is_flagged(
    client: TestClient, db: Session, settings: Settings
):
    course = import_hs101(db, settings)
    teacher = _member(client, db, course, CourseRole.TEACHER, "t@example.org")

    fine = client.get(f"/api/v1/courses/{course.id}", headers=teacher).json()
    heavy = client.patch(
        f"/api/v1/courses/{course.id}", json={"workload_hours": 200}, headers=teacher
    ).json()

    assert fine["workload_warning"] is None
    assert "outside 25–30 h per credit" in heavy["workload_warning"]


def test_video_from_an_unknown_host_is_refused(client: TestClient, db: Session, settings: Settings):
    course = import_hs101(db, settings)
    teacher = _member(client, db, course, CourseRole.TEACHER, "t@example.org")
    section_id = module(db, course, "intro").section_id

    refused = client.post(
        f"/api/v1/sections/{section_id}/modules",
        json={"key": "v1", "kind": "video", "title": "V", "url": "https://evil.example/v.mp4"},
        headers=teacher,
    )
    accepted = client.post(
        f"/api/v1/sections/{section_id}/modules",
        json={
            "key": "v2",
            "kind": "video",
            "title": "V",
            "url": "https://www.youtube.com/watch?v=abc123",
        },
        headers=teacher,
    )

    assert refused.status_code == 422
    assert refused.json()["code"] == "video_host_refused"
    assert accepted.status_code == 201


def test_catalogue_searches_text_language_and_programme(
    client: TestClient, db: Session, settings: Settings
):
    from app.seed import load_programmes
    from tests.courses.factories import SEED

    import_hs101(db, settings)
    load_programmes(db, SEED)

    def codes(query: str) -> list[str]:
        return [c["code"] for c in client.get(f"/api/v1/courses?{query}").json()["items"]]

    assert codes("q=health+practice") == ["HS-101"]
    assert codes("q=cardiology") == []
    assert codes("language=fr") == []
    assert codes("programme=HS-CERT") == ["HS-101"]


def test_course_run_copies_content_and_shifts_dates(
    client: TestClient, db: Session, settings: Settings
):
    from datetime import date

    course = import_hs101(db, settings)
    course.starts_on, course.ends_on = date(2026, 1, 5), date(2026, 2, 1)
    manager = make_user(db, email="m@example.org", password=PASSWORD, role=PlatformRole.MANAGER)
    headers = bearer(api_token(client, manager.email))

    run = client.post(
        f"/api/v1/courses/{course.id}/runs",
        json={"code": "HS-101-2027", "starts_on": "2027-01-04"},
        headers=headers,
    )
    outline = client.get(f"/api/v1/courses/{run.json()['id']}/outline", headers=headers).json()

    assert run.status_code == 201
    assert run.json()["ends_on"] == "2027-01-31"
    assert run.json()["status"] == "draft"
    assert [m["key"] for s in outline["sections"] for m in s["modules"]] == [
        "intro", "blocks", "glossary", "who-link", "webinar",
    ]  # fmt: skip
