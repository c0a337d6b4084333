"""The page permission matrix: every portal route (read from the application's routes, so a
new page cannot be forgotten) called by each kind of caller, with the exact answer asserted,
and, for every refusal, that nothing in the database changed.

An expected answer is a status, or `LOGIN`: a 303 to `/login?next=…` (a page behind sign-in,
asked for by a visitor). `KEPT` marks a refusal answered by a redirect (303) that must write
nothing either. API operations have their own matrix (`tests/test_permission_matrix.py`).
"""

import io
import itertools
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi.routing import iter_route_contexts
from fastapi.testclient import TestClient
from sqlalchemy import Connection, select
from sqlalchemy.orm import Session

from app.accounts import auth
from app.accounts.deps import ANONYMOUS_COOKIE, SESSION_COOKIE
from app.accounts.models import Institution
from app.core.actors import SYSTEM, PlatformRole
from app.core.config import Settings
from app.core.db import session_factory, utcnow
from app.core.security import csrf_token_for, hash_password
from app.courses.models import (
    ContentFile,
    Course,
    Module,
    ModuleFile,
    ModuleTranslation,
    Section,
)
from app.courses.service import partners
from app.enrolment.bulk import bulk_enrol
from app.enrolment.cohorts import add_member, create_cohort, create_group
from app.enrolment.models import IntakeRow
from app.membership.models import CourseRole, Enrolment
from app.models import Base
from app.seed import load_programmes
from app.webinars.feeds import create_feed
from app.webinars.models import Registration, RegistrationStatus
from app.webinars.schemas import SessionCreate
from app.webinars.service.materials import add_material
from app.webinars.service.scheduling import schedule
from tests import matrix_rows
from tests.accounts.factories import PASSWORD, make_api_client, make_institution, make_user
from tests.audit_snapshots import refusals, rows_of
from tests.conftest import in_savepoint, sessions_on, test_settings, with_own_storage
from tests.courses.factories import SEED, enrol_as, import_hs101, module

ANON, OUT, STU, TEA, MAN, FIM = (
    "anonymous",
    "signed in, not in the course",
    "student",
    "teacher",
    "manager",
    "manager of another institution",
)
CALLERS = (ANON, OUT, STU, TEA, MAN, FIM)
LOGIN = "303 to /login"
KEPT = "303, nothing written"
# Rows that a refusal may still write on purpose: failed attempts count towards the limits.
MAY_CHANGE_ON_REFUSAL = {"throttle_events"}
SHARED_PASSWORD_HASH = hash_password(PASSWORD)  # argon2 is slow on purpose: hash once
ANONYMOUS_KEY = "matrix-anonymous-browser-key"
_unique = itertools.count(1)


def _n() -> int:
    return next(_unique)


def _csv(prefix: str) -> bytes:
    n = _n()
    row = f"{prefix}-{n},{prefix}{n}@example.org,New person"
    return f"external_id,email,display_name\n{row}\n".encode()


@dataclass
class World:
    db: Session
    settings: Settings
    course: Course
    victim_id: int
    victim_enrolment_id: int
    partner_code: str
    cohort_id: int
    group_id: int
    api_client_id: int
    webinar_id: int
    live_webinar_id: int
    material_id: int
    feed_id: int
    people: dict[str, int] = field(default_factory=dict)

    @property
    def code(self) -> str:
        return self.course.code

    def webinar(self, *, starts_in: timedelta = timedelta(days=2), everyone: bool = True) -> int:
        """A webinar of the course; everyone of the world registered for it unless told."""
        starts = utcnow() + starts_in
        data = SessionCreate(
            title=f"W{_n()}", time_zone="UTC", starts_at=starts, ends_at=starts + timedelta(hours=1)
        )
        webinar = schedule(self.db, SYSTEM, self.settings, self.course.id, data)
        for user_id in (*self.people.values(), self.victim_id) if everyone else ():
            self.db.add(
                Registration(
                    session_id=webinar.id, user_id=user_id, status=RegistrationStatus.REGISTERED
                )
            )
        self.db.flush()
        return webinar.id

    def section_id(self) -> int:
        section = Section(course_id=self.course.id, title=f"S{_n()}", position=99)
        self.db.add(section)
        self.db.flush()
        return section.id

    def module_id(self) -> int:
        intro = module(self.db, self.course, "intro")
        spare = Module(
            course_id=self.course.id, section_id=intro.section_id, key=f"m{_n()}",
            kind=intro.kind, title="Spare", position=99,
        )  # fmt: skip
        self.db.add(spare)
        self.db.flush()
        return spare.id

    def module_file(self) -> dict[str, object]:
        """A spare module with one file: its path parameters."""
        spare = self.module_id()
        stored = ContentFile(sha256=f"{_n():064x}", size=5, media_type="text/plain")
        self.db.add(ModuleFile(module_id=spare, content=stored, name="n.txt"))
        self.db.flush()
        return {"module_id": spare, "name": "n.txt"}

    def user_email(self) -> str:
        return make_user(self.db, email=f"fresh{_n()}@example.org").email

    def cohort_member_id(self) -> int:
        user = make_user(self.db)
        add_member(self.db, SYSTEM, self.cohort_id, user.id)
        self.db.flush()
        return user.id

    def intake(self) -> dict[str, int]:
        """A kept intake of the course, with the row of a person it created and invited."""
        n = _n()
        rows: list[dict[str, object]] = [
            {"external_id": f"inv-{n}", "email": f"invited{n}@example.org", "display_name": "I"}
        ]
        run = bulk_enrol(self.db, SYSTEM, self.course.id, rows, "P1", settings=self.settings).run
        row_id = self.db.scalar(select(IntakeRow.id).where(IntakeRow.run_id == run.id))
        assert row_id is not None
        return {"run_id": run.id, "row_id": row_id}

    def api_client(self) -> int:
        institution = self.db.scalar(select(Institution).where(Institution.code == "P1"))
        assert institution is not None
        return make_api_client(self.db, institution, ["users:read"]).id


Build = Callable[[World], dict[str, Any]]


@dataclass(frozen=True)
class Page:
    expected: dict[str, object]
    build: Build


PAGES: dict[tuple[str, str], Page] = {}
# Routes whose expected answers are right but not yet given: the test fails when one is fixed.
KNOWN_DEFECTS: dict[tuple[str, str], str] = {}


def page(method: str, path: str, expected: dict[str, object], build: Build | None = None) -> None:
    assert set(expected) == set(CALLERS), (method, path)
    PAGES[(method, path)] = Page(expected, build or (lambda _w: {}))


def answers(anonymous: object, outsider: object, student: object, teacher: object,
            manager: object, other_manager: object) -> dict[str, object]:  # fmt: skip
    given = (anonymous, outsider, student, teacher, manager, other_manager)
    return dict(zip(CALLERS, given, strict=True))


def everyone(status: object) -> dict[str, object]:
    return dict.fromkeys(CALLERS, status)


def signed_in(status: object) -> dict[str, object]:
    return {**everyone(status), ANON: LOGIN}


# --- accounts --------------------------------------------------------------------------------
page("GET", "/login", everyone(200))
page(
    "POST", "/login", everyone(303),
    lambda w: {"data": {"email": "victim@example.org", "password": PASSWORD}},
)  # fmt: skip
page("POST", "/logout", everyone(303))
page("POST", "/logout-everywhere", signed_in(303))
page("GET", "/reset-password", everyone(200))
# An address nobody uses gets the same answer as a known one; a fresh one each time, since
# one address may ask only three times an hour.
page(
    "POST", "/reset-password", everyone(200),
    lambda w: {"data": {"email": f"nobody{_n()}@example.org"}},
)  # fmt: skip
page("GET", "/reset-password/{token}", everyone(200), lambda w: {"token": "a-guessed-token"})
page("GET", "/welcome/{token}", everyone(200), lambda w: {"token": "a-guessed-token"})
page(
    "POST", "/welcome/{token}", everyone(400),
    lambda w: {"token": "a-guessed-token", "data": {"new_password": "a long new password"}},
)  # fmt: skip
page(
    "POST", "/reset-password/{token}", everyone(400),
    lambda w: {"token": "a-guessed-token", "data": {"new_password": "a long new password"}},
)  # fmt: skip
page("GET", "/profile", signed_in(200))
page("POST", "/profile", signed_in(303), lambda w: {"data": {"display_name": "Renamed"}})
page(
    "POST", "/profile/password", signed_in(303),
    lambda w: {"data": {"current_password": PASSWORD, "new_password": "a long new password"}},
)  # fmt: skip
page("POST", "/language", everyone(303), lambda w: {"data": {"language": "fr"}})

# --- administration --------------------------------------------------------------------------
page("GET", "/admin", signed_in(303))
page("GET", "/admin/users", answers(LOGIN, 403, 403, 403, 200, 200))
page(
    "POST", "/admin/users", answers(LOGIN, 403, 403, 403, 303, 303),
    lambda w: {"data": {"email": f"new{_n()}@example.org", "display_name": "New person"}},
)  # fmt: skip
page(
    "GET", "/admin/users/{user_id}", answers(LOGIN, 404, 404, 404, 200, 404),
    lambda w: {"user_id": w.victim_id},
)  # fmt: skip
page(
    "POST", "/admin/users/{user_id}", answers(LOGIN, 404, 404, 404, 303, 404),
    lambda w: {"user_id": w.victim_id, "data": {"display_name": "Renamed", "is_active": "true"}},
)  # fmt: skip
page("GET", "/admin/institutions", answers(LOGIN, 403, 403, 403, 200, 403))
page(
    "POST", "/admin/institutions", answers(LOGIN, 403, 403, 403, 303, 403),
    lambda w: {"data": {"code": f"NEW{_n()}", "name": "New university", "country": "VN"}},
)  # fmt: skip
page("GET", "/admin/api-clients", answers(LOGIN, 403, 403, 403, 200, 200))
page(
    "POST", "/admin/api-clients", answers(LOGIN, 403, 403, 403, 200, 403),
    lambda w: {"data": {"name": "Registry", "institution_code": "P1", "scopes": ["users:read"]}},
)  # fmt: skip
page(
    "POST", "/admin/api-clients/{client_id}/revoke", answers(LOGIN, 403, 403, 403, 303, 404),
    lambda w: {"client_id": w.api_client()},
)  # fmt: skip
page("GET", "/admin/cohorts", answers(LOGIN, 403, 403, 403, 200, 200))
page(
    "POST", "/admin/cohorts", answers(LOGIN, 403, 403, 403, 303, 303),
    lambda w: {"data": {"code": f"CO{_n()}", "name": "Intake"}},
)  # fmt: skip
page(
    "GET", "/admin/cohorts/{cohort_id}", answers(LOGIN, 403, 403, 403, 200, 404),
    lambda w: {"cohort_id": w.cohort_id},
)  # fmt: skip
page(
    "POST", "/admin/cohorts/{cohort_id}/members", answers(LOGIN, 403, 403, 403, 303, 404),
    lambda w: {"cohort_id": w.cohort_id, "data": {"email": w.user_email()}},
)  # fmt: skip
page(
    "POST", "/admin/cohorts/{cohort_id}/members/{user_id}/remove",
    answers(LOGIN, 403, 403, 403, 303, 404),
    lambda w: {"cohort_id": w.cohort_id, "user_id": w.cohort_member_id()},
)  # fmt: skip
page(
    "POST", "/admin/cohorts/{cohort_id}/courses", answers(LOGIN, 403, 403, 403, 303, 404),
    lambda w: {"cohort_id": w.cohort_id, "data": {"course_code": w.code}},
)  # fmt: skip
page(
    "GET", "/admin/cohorts/{cohort_id}/intakes", answers(LOGIN, 403, 403, 403, 200, 404),
    lambda w: {"cohort_id": w.cohort_id},
)  # fmt: skip
page(
    "POST", "/admin/cohorts/{cohort_id}/csv", answers(LOGIN, 403, 403, 403, 303, 404),
    lambda w: {
        "cohort_id": w.cohort_id,
        "files": {"file": ("intake.csv", _csv("intake"))},
        "data": {"institution_code": "P1"},
    },
)  # fmt: skip
page("GET", "/admin/programmes", answers(LOGIN, 403, 403, 403, 200, 200))
page(
    "POST", "/admin/programmes", answers(LOGIN, 403, 403, 403, 303, 403),
    lambda w: {"data": {"code": f"PR{_n()}", "title": "Programme", "kind": "master",
                        "ects": "60", "languages": "en", "institutions": ["P1"]}},
)  # fmt: skip
page(
    "POST", "/admin/programmes/{code}/publish", answers(LOGIN, 403, 403, 403, 303, 403),
    lambda w: {"code": "HS-CERT"},
)  # fmt: skip
page("GET", "/admin/courses/new", answers(LOGIN, 403, 403, 403, 200, 200))
page(
    "POST", "/admin/courses/new", answers(LOGIN, 403, 403, 403, 303, 403),
    lambda w: {"data": {"code": f"NC-{_n()}", "title": "New course", "institution_code": "P1"}},
)  # fmt: skip

# --- courses and content ---------------------------------------------------------------------
page("GET", "/", everyone(200))
page("GET", "/catalogue", everyone(200))
# A published closed course shows people not in it its landing page (how to enrol); its
# modules send a visitor there (303 to the course page) and stay hidden from the others.
page("GET", "/courses/{code}", answers(200, 200, 200, 200, 200, 404))
page(
    "GET", "/courses/{code}/modules/{module_id}", answers(303, 404, 200, 200, 200, 404),
    lambda w: {"module_id": module(w.db, w.course, "intro").id},
)  # fmt: skip
page(
    "POST", "/courses/{code}/modules/{module_id}/done", answers(LOGIN, 404, 303, 403, 403, 404),
    lambda w: {"module_id": module(w.db, w.course, "webinar").id},
)  # fmt: skip
page(
    "GET", "/modules/{module_id}/files/{name}", answers(404, 404, 200, 200, 200, 404),
    lambda w: {"module_id": module(w.db, w.course, "glossary").id, "name": "glossary.txt"},
)  # fmt: skip
page("GET", "/courses/{code}/edit", answers(LOGIN, 404, 403, 200, 200, 404))
page(
    "POST", "/courses/{code}/edit", answers(LOGIN, 404, 403, 303, 303, 404),
    lambda w: {"data": {"title": "Renamed", "ects": "5", "workload_hours": "130"}},
)  # fmt: skip
page(
    "POST", "/courses/{code}/partners", answers(LOGIN, 404, 403, 403, 303, 404),
    lambda w: {"data": {"institution_code": make_institution(w.db).code}},
)  # fmt: skip
page(
    "POST", "/courses/{code}/partners/{institution_code}/remove",
    answers(LOGIN, 404, 403, 403, 303, 404),
    lambda w: {"institution_code": w.partner_code},
)  # fmt: skip
page("POST", "/courses/{code}/publish", answers(LOGIN, 404, 403, 303, 303, 404))
page(
    "POST", "/courses/{code}/sections", answers(LOGIN, 404, 403, 303, 303, 404),
    lambda w: {"data": {"title": f"Section {_n()}"}},
)  # fmt: skip
page(
    "GET", "/sections/{section_id}/modules/new", answers(LOGIN, 404, 403, 200, 200, 404),
    lambda w: {"section_id": w.section_id()},
)  # fmt: skip
page(
    "POST", "/sections/{section_id}/modules/new", answers(LOGIN, 404, 403, 303, 303, 404),
    lambda w: {
        "section_id": w.section_id(),
        "data": {"key": f"k{_n()}", "kind": "page", "title": "New page", "body": "Hello"},
    },
)  # fmt: skip
page(
    "POST", "/modules/{module_id}/upload", answers(LOGIN, 404, 403, 303, 303, 404),
    lambda w: {"module_id": w.module_id(), "files": {"file": ("notes.txt", b"notes")}},
)  # fmt: skip
page(
    "POST", "/modules/{module_id}/move", answers(LOGIN, 404, 403, 303, 303, 404),
    lambda w: {"module_id": w.module_id(), "data": {"position": "0"}},
)  # fmt: skip
page(
    "GET", "/modules/{module_id}/edit", answers(LOGIN, 404, 403, 200, 200, 404),
    lambda w: {"module_id": w.module_id()},
)  # fmt: skip
page(
    "POST", "/modules/{module_id}/edit", answers(LOGIN, 404, 403, 303, 303, 404),
    lambda w: {"module_id": w.module_id(),
               "data": {"title": "Renamed", "completion_rule": "manual", "required": "true"}},
)  # fmt: skip
page(
    "POST", "/modules/{module_id}/files/{name}/replace", answers(LOGIN, 404, 403, 303, 303, 404),
    lambda w: {**w.module_file(), "files": {"file": ("n.txt", f"v{_n()}".encode())}},
)  # fmt: skip
page(
    "POST", "/modules/{module_id}/files/{name}/remove", answers(LOGIN, 404, 403, 303, 303, 404),
    lambda w: w.module_file(),
)  # fmt: skip
page(
    "GET", "/modules/{module_id}/delete", answers(LOGIN, 404, 403, 200, 200, 404),
    lambda w: {"module_id": w.module_id()},
)  # fmt: skip
page(
    "POST", "/modules/{module_id}/delete", answers(LOGIN, 404, 403, 303, 303, 404),
    lambda w: {"module_id": w.module_id()},
)  # fmt: skip
page(
    "POST", "/modules/{module_id}/duplicate", answers(LOGIN, 404, 403, 303, 303, 404),
    lambda w: {"module_id": w.module_id()},
)  # fmt: skip
page(
    "POST", "/modules/{module_id}/section", answers(LOGIN, 404, 403, 303, 303, 404),
    lambda w: {"module_id": w.module_id(), "data": {"section_id": str(w.section_id())}},
)  # fmt: skip
page(
    "GET", "/sections/{section_id}/edit", answers(LOGIN, 404, 403, 200, 200, 404),
    lambda w: {"section_id": w.section_id()},
)  # fmt: skip
page(
    "POST", "/sections/{section_id}/edit", answers(LOGIN, 404, 403, 303, 303, 404),
    lambda w: {"section_id": w.section_id(), "data": {"title": "Renamed", "summary": "S"}},
)  # fmt: skip
page(
    "GET", "/sections/{section_id}/delete", answers(LOGIN, 404, 403, 200, 200, 404),
    lambda w: {"section_id": w.section_id()},
)  # fmt: skip
page(
    "POST", "/sections/{section_id}/delete", answers(LOGIN, 404, 403, 303, 303, 404),
    lambda w: {"section_id": w.section_id()},
)  # fmt: skip
page("GET", "/courses/{code}/history", answers(LOGIN, 404, 403, 200, 200, 404))
page(
    "POST", "/modules/{module_id}/visibility", answers(LOGIN, 404, 403, 303, 303, 404),
    lambda w: {"module_id": w.module_id(), "data": {"hidden": "true"}},
)  # fmt: skip
page(
    "POST", "/sections/{section_id}/visibility", answers(LOGIN, 404, 403, 303, 303, 404),
    lambda w: {"section_id": w.section_id(), "data": {"hidden": "true"}},
)  # fmt: skip
page(
    "POST", "/modules/{module_id}/publish", answers(LOGIN, 404, 403, 303, 303, 404),
    lambda w: {"module_id": w.module_id()},
)  # fmt: skip


def _translated_module(w: World) -> int:
    module_id = w.module_id()
    w.db.add(ModuleTranslation(module_id=module_id, language="ru", title="Запасной"))
    w.db.flush()
    return module_id


page(
    "GET", "/modules/{module_id}/translations", answers(LOGIN, 404, 403, 200, 200, 404),
    lambda w: {"module_id": _translated_module(w)},
)  # fmt: skip
page(
    "POST", "/modules/{module_id}/translations", answers(LOGIN, 404, 403, 303, 303, 404),
    lambda w: {"module_id": w.module_id(),
               "data": {"language": "ru", "title": "Перевод", "body": "Текст"}},
)  # fmt: skip
page(
    "POST", "/modules/{module_id}/translations/{language}/delete",
    answers(LOGIN, 404, 403, 303, 303, 404),
    lambda w: {"module_id": _translated_module(w), "language": "ru"},
)  # fmt: skip

# --- enrolment -------------------------------------------------------------------------------
page("GET", "/courses/{code}/bulk-enrol", answers(LOGIN, 404, 403, 200, 200, 404))
page(
    "POST", "/courses/{code}/bulk-enrol", answers(LOGIN, 404, 403, 303, 303, 404),
    lambda w: {"files": {"file": ("rows.csv", _csv("bulk"))}, "data": {"institution_code": "P1"}},
)  # fmt: skip
page("GET", "/courses/{code}/intakes", answers(LOGIN, 404, 403, 200, 200, 404))
# A kept intake report of the course: hidden (404) from whoever may not enrol others in it.
page("GET", "/intakes/{run_id}", answers(LOGIN, 404, 404, 200, 200, 404), lambda w: w.intake())
page(
    "GET", "/intakes/{run_id}/report.csv", answers(LOGIN, 404, 404, 200, 200, 404),
    lambda w: w.intake(),
)  # fmt: skip
page(
    "POST", "/intakes/{run_id}/rows/{row_id}/invitation", answers(LOGIN, 404, 404, 303, 303, 404),
    lambda w: w.intake(),
)  # fmt: skip
page("GET", "/courses/{code}/groups", answers(LOGIN, 404, 200, 200, 200, 404))
page(
    "POST", "/courses/{code}/groups", answers(LOGIN, 404, 403, 303, 303, 404),
    lambda w: {"data": {"name": f"Team {_n()}"}},
)  # fmt: skip
page(
    "POST", "/courses/{code}/groups/{group_id}/members", answers(LOGIN, 404, 403, 303, 303, 404),
    lambda w: {"group_id": w.group_id, "data": {"user_id": str(w.victim_id), "action": "add"}},
)  # fmt: skip
# The student and the teacher are enrolled already: the refusal is told on the course page.
# Someone not in the (closed) course enrols from its landing page, as it allows self-enrolment.
page("POST", "/courses/{code}/enrol", answers(LOGIN, 303, KEPT, KEPT, 303, 404))
# Who else takes the course is hidden from its students, as over the API.
page("GET", "/courses/{code}/participants", answers(LOGIN, 404, 404, 200, 200, 404))
page(
    "POST", "/courses/{code}/participants", answers(LOGIN, 404, 403, 303, 303, 404),
    lambda w: {"data": {"email": w.user_email(), "role": "student"}},
)  # fmt: skip
page(
    "POST", "/courses/{code}/enrolments/{enrolment_id}/status",
    answers(LOGIN, 404, 404, 303, 303, 404),
    lambda w: {"enrolment_id": w.victim_enrolment_id, "data": {"status": "suspended"}},
)  # fmt: skip

# --- webinars --------------------------------------------------------------------------------
page("GET", "/courses/{code}/sessions", answers(LOGIN, 404, 200, 200, 200, 404))
page("GET", "/courses/{code}/calendar.ics", answers(LOGIN, 404, 200, 200, 200, 404))
page("GET", "/courses/{code}/sessions/new", answers(LOGIN, 404, 403, 200, 200, 404))
page(
    "POST", "/courses/{code}/sessions/new", answers(LOGIN, 404, 403, 303, 303, 404),
    lambda w: {"data": {"title": "Guest lecture", "starts_at": "2031-03-04T10:00",
                        "minutes": "60", "time_zone": "Asia/Vientiane"}},
)  # fmt: skip
page(
    "GET", "/sessions/{session_id}", answers(LOGIN, 404, 200, 200, 200, 404),
    lambda w: {"session_id": w.webinar_id},
)  # fmt: skip
page(
    "POST", "/sessions/{session_id}/register", answers(LOGIN, 404, 303, 403, 403, 404),
    lambda w: {"session_id": w.webinar(everyone=False)},
)  # fmt: skip
page(
    "POST", "/sessions/{session_id}/register-group", answers(LOGIN, 404, 403, 303, 303, 404),
    lambda w: {"session_id": w.webinar(everyone=False), "data": {"group_id": str(w.group_id)}},
)  # fmt: skip
page(
    "POST", "/sessions/{session_id}/unregister", answers(LOGIN, 404, 303, 303, 303, 404),
    lambda w: {"session_id": w.webinar()},
)  # fmt: skip
page(
    "POST", "/sessions/{session_id}/join", answers(LOGIN, 404, 303, 303, 303, 404),
    lambda w: {"session_id": w.live_webinar_id},
)  # fmt: skip
page(
    "POST", "/sessions/{session_id}/cancel", answers(LOGIN, 404, 403, 303, 303, 404),
    lambda w: {"session_id": w.webinar()},
)  # fmt: skip
page(
    "POST", "/sessions/{session_id}/materials", answers(LOGIN, 404, 403, 303, 303, 404),
    lambda w: {"session_id": w.webinar_id, "files": {"file": (f"s{_n()}.txt", b"slides")}},
)  # fmt: skip
page(
    "POST", "/sessions/{session_id}/recordings", answers(LOGIN, 404, 403, 303, 303, 404),
    lambda w: {"session_id": w.webinar_id, "data": {"url": "https://video.example/r/1"}},
)  # fmt: skip
page(
    "GET", "/sessions/{session_id}/{kind}/{file_id}/file",
    answers(LOGIN, 404, 200, 200, 200, 404),
    lambda w: {"session_id": w.webinar_id, "kind": "materials", "file_id": w.material_id},
)  # fmt: skip
page(
    "GET", "/sessions/{session_id}/attendance", answers(LOGIN, 404, 404, 200, 200, 404),
    lambda w: {"session_id": w.webinar_id},
)  # fmt: skip
page(
    "POST", "/sessions/{session_id}/attendance", answers(LOGIN, 404, 403, 303, 303, 404),
    lambda w: {"session_id": w.webinar_id, "data": {}},
)  # fmt: skip
page("GET", "/attendance", signed_in(200))
page("GET", "/calendar", signed_in(200))
page("POST", "/calendar", signed_in(200))
# Only its owner (the victim, none of the callers) revokes a feed.
page(
    "POST", "/calendar/{feed_id}/revoke", answers(LOGIN, 404, 404, 404, 404, 404),
    lambda w: {"feed_id": w.feed_id},
)  # fmt: skip


matrix_rows.load("pages_")


def _page_routes(app: Any) -> set[tuple[str, str]]:
    """Every HTML route of the application: Agora's own, outside the API and static files."""
    found = set()
    for route in iter_route_contexts(app.routes):
        endpoint, path = route.endpoint, route.path
        if endpoint is None or path is None or path.startswith("/api/"):
            continue
        if not endpoint.__module__.startswith("app.") or route.include_in_schema:
            continue
        found |= {(method, path) for method in route.methods or () if method != "HEAD"}
    return found


def test_every_page_route_is_in_the_matrix(app):
    routes = _page_routes(app)

    assert routes == set(PAGES), {
        "missing from the matrix": sorted(routes - set(PAGES)),
        "no longer a page": sorted(set(PAGES) - routes),
    }


# --- the world and the callers ---------------------------------------------------------------


Sessions = dict[str, str | None]


@pytest.fixture(scope="module")
def built_world(
    module_connection: Connection, tmp_path_factory: pytest.TempPathFactory
) -> tuple[World, Sessions]:
    """The world is built once for the module; each test works on it in a savepoint."""
    settings = test_settings()
    settings.storage_dir = tmp_path_factory.mktemp("page-matrix-storage")
    with sessions_on(module_connection), session_factory() as db:
        world = _build_world(db, settings)
        db.commit()
    return world


@pytest.fixture
def connection(module_connection: Connection, built_world: object) -> Iterator[Connection]:
    yield from in_savepoint(module_connection)


@pytest.fixture
def settings(built_world: tuple[World, Sessions], tmp_path: Path) -> Settings:
    return with_own_storage(built_world[0].settings, tmp_path)


@pytest.fixture
def world(
    built_world: tuple[World, Sessions], db: Session, settings: Settings
) -> tuple[World, Sessions]:
    shared, sessions = built_world
    course = db.get_one(Course, shared.course.id)
    return replace(shared, db=db, settings=settings, course=course), sessions


def _build_world(db: Session, settings: Settings) -> tuple[World, Sessions]:
    course = import_hs101(db, settings)
    course.is_open = False  # its existence is then hidden from outsiders
    load_programmes(db, SEED)
    p1 = db.scalar(select(Institution).where(Institution.code == "P1"))
    elsewhere = make_institution(db, "P88", "KZ")
    victim = make_user(db, email="victim@example.org", institution=p1)
    victim.password_hash = SHARED_PASSWORD_HASH
    enrol_as(db, course, victim, CourseRole.STUDENT)
    sessions: Sessions = {ANON: None}
    people = {
        OUT: (PlatformRole.USER, None, None),
        STU: (PlatformRole.USER, CourseRole.STUDENT, p1),
        TEA: (PlatformRole.USER, CourseRole.TEACHER, p1),
        MAN: (PlatformRole.MANAGER, None, None),
        FIM: (PlatformRole.INSTITUTION_MANAGER, None, elsewhere),
    }
    ids = {}
    for caller, (platform_role, course_role, institution) in people.items():
        user = make_user(db, role=platform_role, institution=institution)
        user.password_hash = SHARED_PASSWORD_HASH
        if course_role is not None:
            enrol_as(db, course, user, course_role)
        sessions[caller] = auth.start_session(db, settings, user, "testclient", "matrix")
        ids[caller] = user.id
    partner = make_institution(db)
    partners.add_partner(db, SYSTEM, course.id, partner.code)
    cohort = create_cohort(db, SYSTEM, "CO-WORLD", "World intake", "P1")
    group = create_group(db, SYSTEM, course.id, "World team")
    db.flush()
    enrolment_id = db.scalar(select(Enrolment.id).where(Enrolment.user_id == victim.id))
    state = World(
        db=db, settings=settings, course=course, victim_id=victim.id,
        victim_enrolment_id=enrolment_id or 0, partner_code=partner.code, cohort_id=cohort.id,
        group_id=group.id, api_client_id=0, webinar_id=0, live_webinar_id=0, material_id=0,
        feed_id=0, people=ids,
    )  # fmt: skip
    state.webinar_id = state.webinar()
    state.live_webinar_id = state.webinar(starts_in=timedelta(minutes=5))
    state.material_id = add_material(
        db, SYSTEM, settings, state.webinar_id, io.BytesIO(b"slides"), "slides.txt"
    ).id
    state.feed_id = create_feed(db, auth.actor_for_user(victim))[0].id
    db.flush()
    return state, sessions


def _database(db: Session) -> dict[str, list[str]]:
    """Every row of every table, for showing that a refusal wrote nothing (but the record of
    a 403 in the audit trail, which the test counts apart)."""
    return {
        table.name: rows_of(db, table)
        for table in Base.metadata.sorted_tables
        if table.name not in MAY_CHANGE_ON_REFUSAL
    }


def _call(
    client: TestClient, settings: Settings, method: str, path: str, token: str | None, build: dict
) -> Any:
    client.cookies.clear()
    if token is None:
        client.cookies.set(ANONYMOUS_COOKIE, ANONYMOUS_KEY)
    else:
        client.cookies.set(SESSION_COOKIE, token)
    url = path.replace(":int}", "}").format(**build)  # `{id:int}` is a route convertor
    kwargs = {key: build[key] for key in ("data", "files") if key in build}
    if method == "POST":
        csrf = {"csrf_token": csrf_token_for(settings, token or ANONYMOUS_KEY)}
        kwargs["data"] = {**kwargs.get("data", {}), **csrf}
    return client.request(method, url, follow_redirects=False, **kwargs)


def _outcome(response: Any) -> object:
    if response.status_code == 303 and response.headers["location"].startswith("/login?next="):
        return LOGIN
    return response.status_code


def _cases() -> list[Any]:
    return [
        pytest.param(
            *route,
            marks=[pytest.mark.xfail(strict=True, reason=KNOWN_DEFECTS[route])]
            if route in KNOWN_DEFECTS
            else [],
        )
        for route in sorted(PAGES)
    ]


@pytest.mark.parametrize(("method", "path"), _cases(), ids=str)
def test_each_caller_gets_exactly_its_answer_and_a_refusal_writes_nothing(
    client: TestClient, world, method: str, path: str
):
    state, sessions = world
    expected = PAGES[(method, path)]
    outcomes: dict[str, object] = {}
    writes_on_refusal: dict[str, list[str]] = {}
    recorded: dict[str, int] = {}
    for caller in CALLERS:
        request = {"code": state.code, **expected.build(state)}
        refusal = expected.expected[caller] not in (200, 303)
        before = _database(state.db) if refusal else None
        subject = f"{method} {path.replace(':int}', '}')}"
        refused_before = refusals(state.db, subject)
        response = _call(client, state.settings, method, path, sessions[caller], request)
        outcomes[caller] = _outcome(response)
        recorded[caller] = refusals(state.db, subject) - refused_before
        if outcomes[caller] == 303 and expected.expected[caller] == KEPT:
            outcomes[caller] = KEPT
        if before is not None:
            after = _database(state.db)
            changed = [name for name in before if before[name] != after[name]]
            if changed:
                writes_on_refusal[caller] = changed

    assert outcomes == expected.expected, {
        caller: f"got {outcomes[caller]}, expected {expected.expected[caller]}"
        for caller in CALLERS
        if outcomes[caller] != expected.expected[caller]
    }
    assert writes_on_refusal == {}
    # A signed-in caller refused with 403 is in the audit trail; nobody else is.
    assert recorded == {
        caller: int(caller != ANON and outcomes[caller] == 403) for caller in CALLERS
    }
