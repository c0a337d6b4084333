"""Previous / next links on a module page: outline order, only what the reader sees, locks
shown as a lock and the title (not a link); the page title shown once."""

import re

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from app.accounts.models import User
from app.core.config import Settings
from app.courses.models import Course, Status
from app.membership.models import CourseRole
from tests.accounts.factories import PASSWORD, make_user, sign_in
from tests.courses.factories import enrol_as, import_hs101, module

PAGER = re.compile(r'<nav class="pager".*?</nav>', re.DOTALL)


def _pager(client: TestClient, course: Course, key: str, db: Session) -> str:
    page = client.get(f"/courses/{course.code}/modules/{module(db, course, key).id}")
    assert page.status_code == 200, page.text
    found = PAGER.search(page.text)
    return found.group(0) if found else ""


def _link(course: Course, db: Session, key: str, rel: str) -> str:
    return f'href="/courses/{course.code}/modules/{module(db, course, key).id}" rel="{rel}"'


def _student(client: TestClient, db: Session, course: Course) -> User:
    user = make_user(db, email="s@example.org", password=PASSWORD)
    enrol_as(db, course, user, CourseRole.STUDENT)
    sign_in(client, "s@example.org")
    return user


def test_a_module_links_to_the_one_before_and_after_in_outline_order(
    client: TestClient, db: Session, settings: Settings
):
    course = import_hs101(db, settings)
    _student(client, db, course)
    client.get(f"/courses/{course.code}/modules/{module(db, course, 'intro').id}")
    client.get(f"/courses/{course.code}/modules/{module(db, course, 'blocks').id}")

    glossary = _pager(client, course, "glossary", db)  # last of week 1, then week 2

    assert _link(course, db, "blocks", "prev") in glossary
    assert "The building blocks" in glossary
    assert "WHO on health financing" in glossary  # the first module of the next section
    assert glossary.index("The building blocks") < glossary.index("WHO on health financing")


def test_the_first_module_has_no_previous_link(client: TestClient, db: Session, settings: Settings):
    course = import_hs101(db, settings)
    _student(client, db, course)

    intro = _pager(client, course, "intro", db)

    assert 'rel="prev"' not in intro
    assert 'class="previous"' not in intro


def test_a_locked_next_module_is_named_with_its_lock_not_linked(
    client: TestClient, db: Session, settings: Settings
):
    course = import_hs101(db, settings)
    module(db, course, "intro").completion_rule = module(db, course, "blocks").completion_rule
    db.flush()  # intro is now done by hand only: reading it does not unlock "blocks"
    _student(client, db, course)

    intro = _pager(client, course, "intro", db)

    assert "The building blocks" in intro
    assert _link(course, db, "blocks", "next") not in intro
    assert '<svg class="icon"' in intro
    assert "locked" in intro
    assert "\U0001f512" not in intro  # no emoji that some fonts lack


def test_reading_a_module_that_completes_by_viewing_unlocks_the_next_link_at_once(
    client: TestClient, db: Session, settings: Settings
):
    course = import_hs101(db, settings)
    _student(client, db, course)

    intro = _pager(client, course, "intro", db)  # "viewed": this very visit completes it

    assert _link(course, db, "blocks", "next") in intro


def test_drafts_and_hidden_modules_are_skipped_for_students_not_for_teachers(
    client: TestClient, db: Session, settings: Settings
):
    course = import_hs101(db, settings)
    module(db, course, "blocks").status = Status.DRAFT
    module(db, course, "glossary").hidden = True
    db.flush()
    _student(client, db, course)

    student_view = _pager(client, course, "intro", db)
    teacher = make_user(db, email="t@example.org", password=PASSWORD)
    enrol_as(db, course, teacher, CourseRole.TEACHER)
    sign_in(client, "t@example.org")
    teacher_view = _pager(client, course, "intro", db)

    assert "The building blocks" not in student_view
    assert "Glossary" not in student_view
    assert "WHO on health financing" in student_view
    assert _link(course, db, "blocks", "next") in teacher_view


def test_the_page_title_is_shown_once_when_the_body_starts_with_it(
    client: TestClient, db: Session, settings: Settings
):
    course = import_hs101(db, settings)  # intro.md starts with "# Introduction"
    _student(client, db, course)

    page = client.get(f"/courses/{course.code}/modules/{module(db, course, 'intro').id}").text

    assert page.count(">Introduction</h") == 1
    assert "<h1" in page
    assert "<h2>Introduction</h2>" not in page
    assert "<title>Introduction · Agora</title>" in page
