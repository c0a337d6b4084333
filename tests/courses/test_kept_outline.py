"""The course page keeps its rendered outline with the course's kept structure (one per
version, language and preview): every reader still sees their own ticks and locks, in their
own language, and a change of the course shows at once."""

import re

from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from app.accounts.models import User
from app.core.config import Settings
from app.courses.models import Course
from app.courses.service.completion import kept_shape_memo
from app.membership.models import CourseRole
from tests.accounts.factories import PASSWORD, api_token, bearer, make_user, sign_in
from tests.courses.factories import enrol_as, import_hs101, module


def _reader(app: FastAPI, db: Session, course: Course, language: str = "en") -> TestClient:
    user: User = make_user(db, password=PASSWORD, language=language)
    enrol_as(db, course, user, CourseRole.STUDENT)
    client = TestClient(app)
    sign_in(client, user.email)
    return client


def _tick(page: str, course: Course, module_id: int) -> str:
    tick = r'<span class="tick" aria-hidden="true">(.)</span>\s*'
    link = rf'{tick}<a href="/courses/{course.code}/modules/{module_id}"'
    found = re.search(link, page)
    assert found, f"module {module_id} is not an open link of the outline"
    return found.group(1)


def test_readers_share_the_kept_outline_and_each_sees_their_own_ticks_and_locks(
    app: FastAPI, db: Session, settings: Settings
):
    course = import_hs101(db, settings)
    intro, blocks = module(db, course, "intro"), module(db, course, "blocks")
    first, second = _reader(app, db, course), _reader(app, db, course)
    first.get(f"/courses/{course.code}/modules/{intro.id}")  # viewing the introduction completes it

    page_of_first = first.get(f"/courses/{course.code}").text
    kept = kept_shape_memo(db.get_one(Course, course.id))
    page_of_second = second.get(f"/courses/{course.code}").text

    assert kept, "the outline was not kept"
    assert _tick(page_of_first, course, intro.id) == "✔"
    assert _tick(page_of_first, course, blocks.id) == "○"  # open once the introduction is done
    assert _tick(page_of_second, course, intro.id) == "○"
    assert f'/courses/{course.code}/modules/{blocks.id}"' not in page_of_second  # still locked
    assert "Complete “The building blocks” first." in page_of_second


def test_a_reader_of_another_language_gets_the_outline_of_their_language(
    app: FastAPI, db: Session, settings: Settings
):
    course = import_hs101(db, settings)  # written in English
    intro = module(db, course, "intro")
    english, french = _reader(app, db, course, "en"), _reader(app, db, course, "fr")

    in_english = english.get(f"/courses/{course.code}").text
    in_french = french.get(f"/courses/{course.code}").text

    link = f'<a href="/courses/{course.code}/modules/{intro.id}"'
    assert f"{link}>Introduction</a>" in in_english
    assert f'{link} lang="en" dir="ltr">Introduction</a>' in in_french
    assert '<html lang="fr"' in in_french


def test_a_renamed_module_shows_at_once_in_the_kept_outline(
    app: FastAPI, db: Session, settings: Settings, client: TestClient
):
    course = import_hs101(db, settings)
    intro = module(db, course, "intro")
    reader = _reader(app, db, course)
    reader.get(f"/courses/{course.code}")
    teacher = make_user(db, password=PASSWORD)
    enrol_as(db, course, teacher, CourseRole.TEACHER)

    renamed = client.patch(
        f"/api/v1/modules/{intro.id}",
        json={"title": "Welcome, and how the course works"},
        headers=bearer(api_token(client, teacher.email)),
    )
    page = reader.get(f"/courses/{course.code}").text

    assert renamed.status_code == 200, renamed.text
    assert ">Welcome, and how the course works</a>" in page
    assert ">Introduction</a>" not in page
