"""Hidden and draft content, and the preview as a student: a student never sees what is hidden
or still a draft (course page, outline, module page and API, file downloads), progress leaves
it out, it cannot be completed; staff see it marked; a preview shows the course as a student
with no progress reads it and records nothing."""

import io
import re
import zipfile

import pytest
import yaml
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.accounts.auth import actor_for_user
from app.accounts.models import User
from app.core.actors import SYSTEM
from app.core.config import Settings
from app.core.errors import NotFound
from app.courses.models import (
    CompletionEvent,
    CompletionRule,
    Course,
    CourseEdit,
    Module,
    ModuleCompletion,
    ModuleKind,
    Section,
    Status,
)
from app.courses.schemas import ModuleCreate, ModuleUpdate, VisibilityChange
from app.courses.service import completion, content, courses, packages, visibility
from app.membership.models import CourseRole, Enrolment, EnrolmentStatus
from app.portal import service as portal
from tests.accounts.factories import PASSWORD, api_token, bearer, make_user, page_csrf, sign_in
from tests.courses.factories import enrol_as, import_hs101, module


@pytest.fixture
def course(db: Session, settings: Settings) -> Course:
    return import_hs101(db, settings)


@pytest.fixture
def teacher(db: Session, course: Course) -> User:
    user = make_user(db, email="teacher@example.org", password=PASSWORD)
    enrol_as(db, course, user, CourseRole.TEACHER)
    return user


@pytest.fixture
def student(db: Session, course: Course) -> User:
    user = make_user(db, email="student@example.org", password=PASSWORD)
    enrol_as(db, course, user, CourseRole.STUDENT)
    return user


def _week2(db: Session, course: Course) -> Section:
    return db.scalars(
        select(Section).where(Section.course_id == course.id).order_by(Section.position)
    ).all()[1]


def _draft(db: Session, settings: Settings, course: Course) -> Module:
    data = ModuleCreate(
        key="pooling", kind=ModuleKind.PAGE, title="Pooling risks (draft)", body="Pooling.",
        status=Status.DRAFT,
    )  # fmt: skip
    return content.add_module(db, SYSTEM, settings, module(db, course, "intro").section_id, data)


def _hide(db: Session, item: Module | Section) -> None:
    change = VisibilityChange(hidden=True)
    if isinstance(item, Module):
        visibility.set_module_hidden(db, SYSTEM, item.id, change)
    else:
        visibility.set_section_hidden(db, SYSTEM, item.id, change)
    db.flush()


def _titles(outline: dict) -> set[str]:
    return {m["title"] for s in outline["sections"] for m in s["modules"]}


def test_a_student_never_sees_hidden_or_draft_content(
    client: TestClient, db: Session, settings: Settings, course: Course, student: User,
    teacher: User,
):  # fmt: skip
    glossary = module(db, course, "glossary")  # a file module
    _hide(db, glossary)
    draft = _draft(db, settings, course)
    token = bearer(api_token(client, student.email))

    outline = client.get(f"/api/v1/courses/{course.id}/outline", headers=token).json()
    assert "Glossary" not in _titles(outline)
    assert "Pooling risks (draft)" not in _titles(outline)
    assert "Introduction" in _titles(outline)
    for hidden in (glossary, draft):
        assert client.get(f"/api/v1/modules/{hidden.id}", headers=token).status_code == 404
        done = client.post(f"/api/v1/modules/{hidden.id}/completion", headers=token)
        assert done.status_code == 404
    files = f"/api/v1/modules/{glossary.id}/files/glossary.txt"
    assert client.get(files, headers=token).status_code == 404

    sign_in(client, student.email)
    page = client.get(f"/courses/{course.code}")
    assert "Glossary" not in page.text
    assert "Pooling risks" not in page.text
    assert "Hidden from students" not in page.text
    for hidden in (glossary, draft):
        assert client.get(f"/courses/{course.code}/modules/{hidden.id}").status_code == 404
    assert client.get(f"/modules/{glossary.id}/files/glossary.txt").status_code == 404

    sign_in(client, teacher.email)
    staff_page = client.get(f"/courses/{course.code}").text
    assert "Glossary" in staff_page
    assert "Pooling risks (draft)" in staff_page
    assert "Hidden from students" in staff_page
    assert "Draft" in staff_page
    assert client.get(f"/modules/{glossary.id}/files/glossary.txt").status_code == 200
    staff_outline = client.get(
        f"/api/v1/courses/{course.id}/outline", headers=bearer(api_token(client, teacher.email))
    ).json()
    states = {m["title"]: m for s in staff_outline["sections"] for m in s["modules"]}
    assert states["Glossary"]["hidden"] is True
    assert states["Pooling risks (draft)"]["status"] == "draft"


def test_a_hidden_section_hides_all_its_modules(
    client: TestClient, db: Session, course: Course, student: User
):
    week2 = _week2(db, course)
    _hide(db, week2)
    token = bearer(api_token(client, student.email))

    outline = client.get(f"/api/v1/courses/{course.id}/outline", headers=token).json()

    assert [s["title"] for s in outline["sections"]] == ["Week 1 — What a health system is"]
    who = module(db, course, "who-link")  # not hidden itself
    assert who.hidden is False
    assert client.get(f"/api/v1/modules/{who.id}", headers=token).status_code == 404
    sign_in(client, student.email)
    assert "Financing" not in client.get(f"/courses/{course.code}").text
    assert client.get(f"/courses/{course.code}/modules/{who.id}").status_code == 404


def test_progress_leaves_hidden_and_draft_modules_out(
    db: Session, settings: Settings, course: Course, student: User
):
    # Required and published: intro, blocks (week 1), who-link (week 2).
    assert completion.progress(db, student.id, course.id).total_required == 3
    _draft(db, settings, course)  # a required draft does not count either
    _hide(db, _week2(db, course))
    _hide(db, module(db, course, "blocks"))

    completion.mark_done(db, actor_for_user(student), module(db, course, "intro").id)

    progress = completion.progress(db, student.id, course.id)
    assert (progress.completed_required, progress.total_required) == (1, 1)
    assert progress.course_completed is True
    assert completion.progress_by_course(db, student.id, [course.id])[course.id] == progress
    cached_shape_view = completion.outline(
        db, actor_for_user(student), courses.find_course(db, actor_for_user(student), course.code)
    )[1]
    assert cached_shape_view == progress


def test_hidden_content_cannot_be_completed_by_other_services(
    db: Session, course: Course, student: User
):
    webinar = module(db, course, "webinar")
    who = module(db, course, "who-link")
    who.completion_rule = CompletionRule.SUBMITTED
    _hide(db, webinar)
    _hide(db, _week2(db, course))  # who-link's section

    assert completion.complete_by_attendance(db, student.id, webinar) is False
    assert completion.record_outcome(db, student.id, who, CompletionRule.SUBMITTED) is False
    assert db.scalar(select(func.count()).select_from(ModuleCompletion)) == 0


def test_hiding_showing_and_publishing_raise_the_version_and_are_in_the_history(
    db: Session, settings: Settings, course: Course
):
    intro = module(db, course, "intro")
    draft = _draft(db, settings, course)
    start = course.version

    _hide(db, intro)
    _hide(db, intro)  # already hidden: nothing changes
    visibility.set_module_hidden(db, SYSTEM, intro.id, VisibilityChange(hidden=False))
    _hide(db, _week2(db, course))
    visibility.publish_module(db, SYSTEM, draft.id)
    visibility.publish_module(db, SYSTEM, draft.id)
    db.flush()

    assert course.version == start + 4
    actions = db.execute(
        select(CourseEdit.action, CourseEdit.subject)
        .where(CourseEdit.course_id == course.id, CourseEdit.version > start)
        .order_by(CourseEdit.id)
    ).all()
    assert [tuple(a) for a in actions] == [
        ("module.hidden", "Introduction"),
        ("module.shown", "Introduction"),
        ("section.hidden", "Week 2 — Financing"),
        ("module.published", "Pooling risks (draft)"),
    ]


def test_the_cached_outline_follows_hide_and_show(
    client: TestClient, db: Session, course: Course, student: User, teacher: User
):
    completion.clear_course_shapes()
    intro = module(db, course, "intro")
    student_token = bearer(api_token(client, student.email))
    teacher_token = bearer(api_token(client, teacher.email))
    outline = f"/api/v1/courses/{course.id}/outline"
    assert "Introduction" in _titles(client.get(outline, headers=student_token).json())
    version = course.version

    hidden = client.patch(
        f"/api/v1/modules/{intro.id}", json={"hidden": True}, headers=teacher_token
    )
    assert hidden.status_code == 200
    assert hidden.json()["hidden"] is True
    after = client.get(outline, headers=student_token).json()
    assert "Introduction" not in _titles(after)
    assert after["course"]["version"] == version + 1

    client.patch(f"/api/v1/modules/{intro.id}", json={"hidden": False}, headers=teacher_token)
    assert "Introduction" in _titles(client.get(outline, headers=student_token).json())

    section = client.patch(
        f"/api/v1/sections/{intro.section_id}", json={"hidden": True}, headers=teacher_token
    )
    assert section.status_code == 200
    assert section.json()["hidden"] is True
    assert "Introduction" not in _titles(client.get(outline, headers=student_token).json())
    actions = db.scalars(
        select(CourseEdit.action).where(CourseEdit.course_id == course.id).order_by(CourseEdit.id)
    ).all()
    assert [a for a in actions if a.endswith(("hidden", "shown"))] == [
        "module.hidden", "module.shown", "section.hidden",
    ]  # fmt: skip


def test_a_draft_is_published_over_the_api(
    client: TestClient, db: Session, settings: Settings, course: Course, student: User,
    teacher: User,
):  # fmt: skip
    draft = _draft(db, settings, course)
    student_token = bearer(api_token(client, student.email))
    assert client.get(f"/api/v1/modules/{draft.id}", headers=student_token).status_code == 404

    published = client.post(
        f"/api/v1/modules/{draft.id}/publish", headers=bearer(api_token(client, teacher.email))
    )

    assert published.status_code == 200
    assert published.json()["status"] == "published"
    assert client.get(f"/api/v1/modules/{draft.id}", headers=student_token).status_code == 200
    refused = client.post(f"/api/v1/modules/{draft.id}/publish", headers=student_token)
    assert refused.status_code == 403


def test_teacher_hides_shows_and_publishes_from_the_edit_page(
    client: TestClient, db: Session, settings: Settings, course: Course, teacher: User
):
    sign_in(client, teacher.email)
    edit = f"/courses/{course.code}/edit"
    section_id = module(db, course, "intro").section_id
    form = f"/sections/{section_id}/modules/new"

    created = client.post(
        form,
        data={"csrf_token": page_csrf(client, form), "title": "Pooling risks", "key": "pooling",
              "kind": "page", "body": "Pooling.", "completion_rule": "viewed"},
        follow_redirects=False,
    )  # fmt: skip
    assert created.status_code == 303
    pooling = module(db, course, "pooling")
    assert pooling.status is Status.DRAFT  # the form's default: "Save as draft"
    page = client.get(edit).text
    assert f'action="/modules/{pooling.id}/publish"' in page
    assert "Draft" in page

    csrf = page_csrf(client, edit)
    intro = module(db, course, "intro")
    hidden = client.post(
        f"/modules/{intro.id}/visibility",
        data={"csrf_token": csrf, "hidden": "true"},
        follow_redirects=False,
    )
    assert hidden.status_code == 303
    assert (
        client.post(
            f"/sections/{_week2(db, course).id}/visibility",
            data={"csrf_token": csrf, "hidden": "true"},
            follow_redirects=False,
        ).status_code
        == 303
    )
    published = client.post(
        f"/modules/{pooling.id}/publish", data={"csrf_token": csrf}, follow_redirects=False
    )
    assert published.status_code == 303
    db.expire_all()
    assert module(db, course, "intro").hidden is True
    assert _week2(db, course).hidden is True
    assert module(db, course, "pooling").status is Status.PUBLISHED
    page = client.get(edit).text
    assert page.count("Hidden from students") == 2  # the module and the section
    assert "Show to students" in page


def test_preview_shows_a_student_view_and_records_nothing(
    client: TestClient, db: Session, settings: Settings, course: Course, teacher: User
):
    _hide(db, module(db, course, "glossary"))
    draft = _draft(db, settings, course)
    sign_in(client, teacher.email)

    def rows() -> list[int | None]:
        return [
            db.scalar(select(func.count()).select_from(model))
            for model in (ModuleCompletion, CompletionEvent, CourseEdit)
        ]

    before = rows()
    page = client.get(f"/courses/{course.code}?preview=student")

    assert page.status_code == 200
    assert "You are previewing as a student" in page.text
    assert "Leave preview" in page.text
    assert "Glossary" not in page.text
    assert "Pooling risks" not in page.text
    assert "Complete “Introduction” first." in page.text  # locks shown
    assert "0 of 3 required modules done" in page.text
    assert "Edit the course" not in page.text
    links = re.findall(r'href="(/courses/HS-101/modules/\d+[^"]*)"', page.text)
    assert links
    assert all(link.endswith("?preview=student") for link in links)

    intro = module(db, course, "intro")  # completed by viewing, for a student
    read = client.get(f"/courses/{course.code}/modules/{intro.id}?preview=student")
    assert read.status_code == 200
    assert "You are previewing as a student" in read.text
    locked = client.get(
        f"/courses/{course.code}/modules/{module(db, course, 'blocks').id}?preview=student"
    )
    assert locked.status_code == 403
    assert "You are previewing as a student" in locked.text
    hidden = module(db, course, "glossary")
    for unseen in (hidden, draft):
        path = f"/courses/{course.code}/modules/{unseen.id}?preview=student"
        assert client.get(path).status_code == 404
    assert rows() == before

    own = client.get(f"/courses/{course.code}")  # out of the preview: the teacher's view
    assert "You are previewing" not in own.text
    assert "Glossary" in own.text


def test_a_student_asking_for_a_preview_reads_as_themselves(
    client: TestClient, db: Session, course: Course, student: User
):
    sign_in(client, student.email)
    intro = module(db, course, "intro")

    page = client.get(f"/courses/{course.code}/modules/{intro.id}?preview=student")

    assert page.status_code == 200
    assert "You are previewing" not in page.text
    assert db.scalar(
        select(ModuleCompletion.id).where(
            ModuleCompletion.user_id == student.id, ModuleCompletion.module_id == intro.id
        )
    )


def test_the_package_carries_hidden_modules_and_sections(
    db: Session, settings: Settings, course: Course
):
    _hide(db, module(db, course, "glossary"))
    _hide(db, _week2(db, course))

    data = packages.export_course(db, SYSTEM, settings, course.id)
    manifest = yaml.safe_load(zipfile.ZipFile(io.BytesIO(data)).read("course.yaml"))
    assert manifest["sections"][1]["hidden"] is True
    assert "hidden" not in manifest["sections"][0]
    assert [m.get("hidden", False) for m in manifest["sections"][0]["modules"]] == [
        False, False, True,
    ]  # fmt: skip

    source = packages.ZipSource(zipfile.ZipFile(io.BytesIO(data)), settings.max_package_bytes)
    copy = packages.import_course(db, SYSTEM, settings, source, "HS-COPY")
    assert module(db, copy, "glossary").hidden is True
    assert module(db, copy, "intro").hidden is False
    assert _week2(db, copy).hidden is True


def test_a_hidden_prerequisite_locks_nobody_and_is_no_next_step(
    client: TestClient, db: Session, course: Course, student: User
):
    _hide(db, module(db, course, "intro"))  # "blocks" requires it
    token = bearer(api_token(client, student.email))
    blocks = module(db, course, "blocks")

    assert client.get(f"/api/v1/modules/{blocks.id}", headers=token).status_code == 200
    outline = client.get(f"/api/v1/courses/{course.id}/outline", headers=token).json()
    states = {m["key"]: m for s in outline["sections"] for m in s["modules"]}
    assert states["blocks"]["locked"] is False
    assert "intro" not in states
    dashboard = portal.dashboard(db, actor_for_user(student))
    assert dashboard.next_steps[course.id].title == "The building blocks"


def test_making_a_module_a_draft_again_is_in_the_history(
    db: Session, settings: Settings, course: Course
):
    intro = module(db, course, "intro")

    content.update_module(db, SYSTEM, settings, intro.id, ModuleUpdate(status=Status.DRAFT))
    content.update_module(db, SYSTEM, settings, intro.id, ModuleUpdate(status=Status.PUBLISHED))
    db.flush()

    actions = db.scalars(
        select(CourseEdit.action).where(CourseEdit.course_id == course.id).order_by(CourseEdit.id)
    ).all()
    assert actions[-2:] == ["module.unpublished", "module.published"]


def test_a_course_is_read_with_the_readers_active_role_only(
    db: Session, course: Course, teacher: User, student: User
):
    """The course and the reader's role come in one statement: only an active enrolment
    gives its role, and a reader without one is told a closed course does not exist."""
    course.is_open = False
    stranger = make_user(db, email="stranger@example.org", password=PASSWORD)
    db.scalars(
        select(Enrolment).where(Enrolment.user_id == student.id)
    ).one().status = EnrolmentStatus.SUSPENDED
    db.flush()

    seen = courses.find_course(db, actor_for_user(teacher), course.code)
    assert (seen.course.id, seen.roles) == (course.id, frozenset({CourseRole.TEACHER}))
    assert courses.get_course(db, actor_for_user(teacher), course.id).roles == seen.roles
    for reader in (student, stranger):
        with pytest.raises(NotFound):
            courses.find_course(db, actor_for_user(reader), course.code)
    with pytest.raises(NotFound):
        courses.find_course(db, actor_for_user(teacher), "NO-SUCH-COURSE")
    course.is_open = True
    db.flush()
    assert courses.find_course(db, actor_for_user(stranger), course.code).roles == frozenset()
