"""A refused form writes nothing: each page form that writes, sent with input it must refuse,
answers with its message and leaves every table as it was (the request's transaction rolls
back, including what the service had already flushed), and cached outlines stay true."""

import html
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

import app.models  # noqa: F401  (every table, for the snapshot)
from app.accounts.auth import actor_for_user
from app.accounts.models import User
from app.core.actors import SYSTEM, PlatformRole
from app.core.config import Settings
from app.core.db import Base, utcnow
from app.courses.models import Course, Section
from app.enrolment import cohorts
from app.membership.models import CourseRole
from app.webinars.schemas import SessionCreate
from app.webinars.service import scheduling
from tests.accounts.factories import PASSWORD, make_user, page_csrf, sign_in
from tests.courses.conftest import settings, stored_files  # noqa: F401  (uploads kept apart)
from tests.courses.factories import enrol_as, import_hs101, module


@dataclass
class World:
    db: Session
    settings: Settings
    course: Course
    teacher: User
    admin: User
    student: User
    arranged: dict[str, Any] = field(default_factory=dict)

    @property
    def section_id(self) -> int:
        first = self.db.scalar(
            select(Section.id).where(Section.course_id == self.course.id).order_by(Section.position)
        )
        assert first is not None
        return first


@pytest.fixture
def world(db: Session, settings: Settings) -> World:  # noqa: F811
    course = import_hs101(db, settings)
    teacher = make_user(db, email="teacher@example.org", password=PASSWORD)
    enrol_as(db, course, teacher, CourseRole.TEACHER)
    admin = make_user(db, email="admin@example.org", password=PASSWORD, role=PlatformRole.ADMIN)
    student = make_user(db, email="student@example.org", password=PASSWORD)
    return World(db, settings, course, teacher, admin, student)


@dataclass(frozen=True)
class RefusedForm:
    """A form sent with input it refuses, and what the sender must see."""

    who: str  # "teacher" or "admin"
    path: Callable[[World], str]
    data: Callable[[World], dict[str, Any]]
    status: int
    message: str
    files: dict[str, tuple[str, bytes]] = field(default_factory=dict)
    arrange: Callable[[World], object] = lambda _world: None


REFUSED_FORMS = {
    "new module with an unknown prerequisite": RefusedForm(
        "teacher",
        lambda w: f"/sections/{w.section_id}/modules/new",
        lambda _w: {"key": "pooling", "kind": "page", "title": "Pooling risks",
                    "completion_rule": "viewed", "requires": "no-such-module"},
        400,
        "No module of this course has the key 'no-such-module'.",
    ),
    "new module with a key already taken": RefusedForm(
        "teacher",
        lambda w: f"/sections/{w.section_id}/modules/new",
        lambda _w: {"key": "intro", "kind": "page", "title": "Intro again",
                    "completion_rule": "viewed"},
        400,
        "Another module of this course already has this key.",
    ),
    "new module with an unknown publication choice": RefusedForm(
        "teacher",
        lambda w: f"/sections/{w.section_id}/modules/new",
        lambda _w: {"key": "pooling", "kind": "page", "title": "Pooling risks",
                    "completion_rule": "viewed", "status": "someday"},
        400,
        "Choose one of the offered values.",
    ),
    "module visibility that is neither hidden nor shown": RefusedForm(
        "teacher",
        lambda w: f"/modules/{module(w.db, w.course, 'intro').id}/visibility",
        lambda _w: {"hidden": "perhaps"},
        400,
        "Choose one of the offered values.",
    ),
    "section visibility that is neither hidden nor shown": RefusedForm(
        "teacher",
        lambda w: f"/sections/{w.section_id}/visibility",
        lambda _w: {"hidden": "perhaps"},
        400,
        "Choose one of the offered values.",
    ),
    "new section without a title": RefusedForm(
        "teacher",
        lambda w: f"/courses/{w.course.code}/sections",
        lambda _w: {"title": "", "summary": "Financing"},
        400,
        "This field is required.",
    ),
    "course edit with credits that are no number": RefusedForm(
        "teacher",
        lambda w: f"/courses/{w.course.code}/edit",
        lambda _w: {"title": "Renamed", "summary": "", "ects": "five", "workload_hours": "140"},
        400,
        "Enter a number.",
    ),
    "module edit with prerequisites that form a cycle": RefusedForm(
        "teacher",
        lambda w: f"/modules/{module(w.db, w.course, 'blocks').id}/edit",
        lambda _w: {"title": "Blocks", "body": "Changed", "completion_rule": "manual",
                    "required": "true", "requires": "who-link"},
        400,
        "These prerequisites would form a cycle: nothing in it could ever be unlocked.",
    ),
    "module edit without a title": RefusedForm(
        "teacher",
        lambda w: f"/modules/{module(w.db, w.course, 'intro').id}/edit",
        lambda _w: {"title": "", "body": "Changed", "completion_rule": "viewed"},
        400,
        "This field is required.",
    ),
    "module edit with an availability that is no date": RefusedForm(
        "teacher",
        lambda w: f"/modules/{module(w.db, w.course, 'intro').id}/edit",
        lambda _w: {"title": "Intro", "completion_rule": "viewed", "available_from": "soon"},
        400,
        "Give a date and a time.",
    ),
    "section edit without a title": RefusedForm(
        "teacher",
        lambda w: f"/sections/{w.section_id}/edit",
        lambda _w: {"title": "", "summary": "Changed"},
        400,
        "This field is required.",
    ),
    "file replacement the type check refuses": RefusedForm(
        "teacher",
        lambda w: f"/modules/{module(w.db, w.course, 'glossary').id}/files/glossary.txt/replace",
        lambda _w: {},
        400,
        "not accepted",
        files={"file": ("glossary.txt", b"MZ\x90\x00" + b"\x00" * 64)},
    ),
    "upload of a file the type check refuses": RefusedForm(
        "teacher",
        lambda w: f"/modules/{module(w.db, w.course, 'intro').id}/upload",
        lambda _w: {},
        422,
        "not accepted",
        files={"file": ("tool.exe", b"MZ\x90\x00" + b"\x00" * 64)},
    ),
    "enrolment of an unknown e-mail address": RefusedForm(
        "teacher",
        lambda w: f"/courses/{w.course.code}/participants",
        lambda _w: {"email": "nobody@example.org", "role": "student"},
        400,
        "Nobody has an account with this e-mail address.",
    ),
    "group with a name already taken": RefusedForm(
        "teacher",
        lambda w: f"/courses/{w.course.code}/groups",
        lambda _w: {"name": "Team A"},
        400,
        "A group of this course already has this name.",
        arrange=lambda w: cohorts.create_group(w.db, SYSTEM, w.course.id, "Team A"),
    ),
    "bulk enrolment from a file without the needed columns": RefusedForm(
        "teacher",
        lambda w: f"/courses/{w.course.code}/bulk-enrol",
        lambda _w: {"institution_code": "P1"},
        400,
        "The CSV header lacks",
        files={"file": ("people.csv", b"name\nAigerim\n")},
    ),
    "bulk enrolment without choosing the institution": RefusedForm(
        "teacher",
        lambda w: f"/courses/{w.course.code}/bulk-enrol",
        lambda _w: {"institution_code": ""},
        400,
        "Choose the partner institution of these rows.",
        files={"file": ("people.csv", b"external_id,email,display_name\nK-1,k1@example.org,K\n")},
    ),
    "cohort intake without choosing the institution": RefusedForm(
        "admin",
        lambda w: f"/admin/cohorts/{w.arranged['cohort'].id}/csv",
        lambda _w: {"institution_code": ""},
        400,
        "Choose the partner institution of these rows.",
        files={"file": ("people.csv", b"external_id,email,display_name\nK-2,k2@example.org,K\n")},
        arrange=lambda w: w.arranged.setdefault(
            "cohort", cohorts.create_cohort(w.db, SYSTEM, "INTAKE-R", "Intake")
        ),
    ),
    "cohort intake naming an unknown institution": RefusedForm(
        "admin",
        lambda w: f"/admin/cohorts/{w.arranged['cohort'].id}/csv",
        lambda _w: {"institution_code": "NO-SUCH"},
        400,
        "No institution has the code",
        files={"file": ("people.csv", b"external_id,email,display_name\nK-3,k3@example.org,K\n")},
        arrange=lambda w: w.arranged.setdefault(
            "cohort", cohorts.create_cohort(w.db, SYSTEM, "INTAKE-U", "Intake")
        ),
    ),
    "invitation accepted with too short a password": RefusedForm(
        "teacher",
        lambda _w: "/welcome/a-guessed-token",
        lambda _w: {"new_password": "short"},
        400,
        "Use at least 10 characters.",
    ),
    "webinar ending when it starts": RefusedForm(
        "teacher",
        lambda w: f"/courses/{w.course.code}/sessions/new",
        lambda _w: {"title": "Financing", "starts_at": "2027-02-01T10:00", "minutes": "0",
                    "time_zone": "Europe/Paris", "count": "1", "kind": "webinar",
                    "delivery": "online"},
        400,
        "must end after it starts",
    ),
    "attendance register with unreadable minutes": RefusedForm(
        "teacher",
        lambda w: f"/sessions/{w.arranged['webinar'].id}/attendance",
        lambda w: {f"status-{w.arranged['sitting']}-{w.student.id}": "late",
                   f"minutes-{w.arranged['sitting']}-{w.student.id}": "forty"},
        400,
        "Some rows of the register are not valid; nothing was saved.",
        arrange=lambda w: _past_webinar(w),
    ),
    "cohort with a code already taken": RefusedForm(
        "admin",
        lambda _w: "/admin/cohorts",
        lambda _w: {"code": "LMQS-KZ", "name": "Kazakhstan again"},
        400,
        "A cohort with this code already exists.",
        arrange=lambda w: cohorts.create_cohort(w.db, SYSTEM, "LMQS-KZ", "Kazakhstan"),
    ),
    "programme with an unknown course": RefusedForm(
        "admin",
        lambda _w: "/admin/programmes",
        lambda w: {"code": "MPH", "title": "Master of Public Health", "kind": "master",
                   "ects": "120", "languages": "en", "course_codes": f"{w.course.code} NOPE-1"},
        400,
        "No course has the code 'NOPE-1'.",
    ),
    "course with a code already taken": RefusedForm(
        "admin",
        lambda _w: "/admin/courses/new",
        lambda w: {"code": w.course.code, "title": "Another", "language": "en", "ects": "5",
                   "workload_hours": "140", "self_enrolment": "closed"},
        400,
        "A course with this code already exists.",
    ),
    "user edit making an institution manager of no institution": RefusedForm(
        "admin",
        lambda w: f"/admin/users/{w.student.id}",
        lambda _w: {"display_name": "Renamed", "platform_role": "institution_manager",
                    "is_active": "true"},
        400,
        "An institution manager must belong to an institution.",
    ),
    "user with an invalid e-mail address": RefusedForm(
        "admin",
        lambda _w: "/admin/users",
        lambda _w: {"email": "not-an-address", "display_name": "Daniyar", "password": PASSWORD},
        400,
        "Enter a valid e-mail address.",
    ),
    "API client of an unknown institution": RefusedForm(
        "admin",
        lambda _w: "/admin/api-clients",
        lambda _w: {"name": "Registry", "institution_code": "NOPE", "scopes": ["courses:read"]},
        400,
        "No institution has the code 'NOPE'.",
    ),
    "module translation in the course's own language": RefusedForm(
        "teacher",
        lambda w: f"/modules/{module(w.db, w.course, 'intro').id}/translations",
        lambda _w: {"language": "en", "title": "Introduction again", "body": "Text",
                    "description": ""},
        400,
        "The module itself is in the course's language: edit the module instead.",
    ),
    "module translation without a title": RefusedForm(
        "teacher",
        lambda w: f"/modules/{module(w.db, w.course, 'intro').id}/translations",
        lambda _w: {"language": "ru", "title": "", "body": "Текст", "description": ""},
        400,
        "This field is required.",
    ),
    "profile without a name": RefusedForm(
        "teacher",
        lambda _w: "/profile",
        lambda _w: {"display_name": "", "preferred_language": "fr", "time_zone": "UTC"},
        400,
        "This field is required.",
    ),
}  # fmt: skip


def _past_webinar(world: World) -> None:
    enrol_as(world.db, world.course, world.student, CourseRole.STUDENT)
    starts = utcnow().replace(microsecond=0) - timedelta(days=1)
    data = SessionCreate.model_validate(
        {"title": "Financing", "time_zone": "Europe/Paris", "starts_at": starts,
         "ends_at": starts + timedelta(minutes=90)}
    )  # fmt: skip
    teacher = actor_for_user(world.teacher)
    webinar = scheduling.schedule(world.db, teacher, world.settings, world.course.id, data)
    world.db.flush()
    world.arranged.update(webinar=webinar, sitting=webinar.sittings[0].id)


def _everything(db: Session) -> dict[str, list[str]]:
    """Every row of every table, to show that a request changed nothing at all."""
    return {
        table.name: sorted(repr(tuple(row)) for row in db.execute(select(table)))
        for table in Base.metadata.sorted_tables
    }


def _sign_in_as(client: TestClient, world: World, who: str) -> None:
    sign_in(client, world.teacher.email if who == "teacher" else world.admin.email)


@pytest.mark.parametrize("case", REFUSED_FORMS.values(), ids=REFUSED_FORMS.keys())
def test_a_refused_form_shows_why_and_stores_nothing(
    client: TestClient, world: World, case: RefusedForm
):
    case.arrange(world)
    world.db.flush()
    _sign_in_as(client, world, case.who)
    data = {"csrf_token": page_csrf(client, "/profile"), **case.data(world)}
    path = case.path(world)
    before = _everything(world.db), stored_files(world.settings)

    response = client.post(path, data=data, files=case.files or None, follow_redirects=False)

    assert response.status_code == case.status, response.text
    assert case.message in html.unescape(response.text)
    assert (_everything(world.db), stored_files(world.settings)) == before


def _module_form(client: TestClient, world: World, key: str, requires: str = "") -> int:
    path = f"/sections/{world.section_id}/modules/new"
    data = {
        "csrf_token": page_csrf(client, path),
        "key": key,
        "kind": "page",
        "title": f"Module {key}",
        "completion_rule": "viewed",
        "requires": requires,
    }
    return client.post(path, data=data, follow_redirects=False).status_code


def _titles_on_course_page(client: TestClient, world: World) -> list[str]:
    page = client.get(f"/courses/{world.course.code}")
    assert page.status_code == 200
    return re.findall(r"Module (\w+)", page.text)


def test_the_course_outline_stays_true_after_a_refused_and_then_an_accepted_module_form(
    client: TestClient, world: World
):
    _sign_in_as(client, world, "teacher")
    shown_first = _titles_on_course_page(client, world)  # the outline is now cached

    refused = _module_form(client, world, "refused", requires="no-such-module")
    after_refusal = _titles_on_course_page(client, world)
    accepted = _module_form(client, world, "accepted")
    after_acceptance = _titles_on_course_page(client, world)

    assert (refused, accepted) == (400, 303)
    assert shown_first == after_refusal == []
    assert after_acceptance == ["accepted"]


def test_a_refused_sign_in_still_counts_towards_the_limit(client: TestClient, world: World):
    """The one kind of refusal that records something (`keeps_changes`) still does."""
    token = page_csrf(client, "/login")
    answers = [
        client.post(
            "/login",
            data={"email": world.teacher.email, "password": "wrong", "csrf_token": token},
        ).status_code
        for _ in range(12)
    ]

    assert answers[0] == 400
    assert answers[-1] == 429
