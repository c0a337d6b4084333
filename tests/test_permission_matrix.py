"""The permission matrix: every API operation (read from the OpenAPI document, so a new route
cannot be forgotten) called by nine kinds of caller, each expected outcome asserted.

"ok" means a 2xx answer; "deny" means 401, 403 or 404 (404 where admitting that something
exists would leak); a number is an exact status for cases that are neither (a conflict).
"""

import io
import itertools
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.accounts.auth import actor_for_user, user_scopes_allowed
from app.core.actors import SYSTEM, PlatformRole, Scope
from app.core.config import Settings
from app.core.db import utcnow
from app.core.security import encode_access_token, hash_password
from app.courses.models import Course, Module, Section
from app.enrolment.cohorts import add_member, create_cohort, create_group
from app.enrolment.models import CourseRole, Enrolment
from app.seed import load_programmes
from app.webinars.feeds import create_feed
from app.webinars.models import Registration, RegistrationStatus
from app.webinars.providers import events_token
from app.webinars.schemas import SessionCreate
from app.webinars.service import add_material, add_recording_file, schedule
from tests.accounts.factories import (
    PASSWORD,
    bearer,
    make_api_client,
    make_institution,
    make_user,
)
from tests.courses.factories import COURSE_DIR, SEED, enrol_as, import_hs101, module

ANON, STU, OUT, TUT, TEA = "anonymous", "student", "student elsewhere", "tutor", "teacher"
MAN, ADM, CWS, CNS = "manager", "admin", "client with scope", "client without scope"
ROLES = (ANON, STU, OUT, TUT, TEA, MAN, ADM, CWS, CNS)
PEOPLE = {STU, OUT, TUT, TEA, MAN, ADM}
EVERYONE = set(ROLES)
MANAGERS = {MAN, ADM}
EDITORS = {TEA, MAN, ADM}
READERS = {STU, TUT, TEA, MAN, ADM}
STAFF_VIEW = {TUT, TEA, MAN, ADM, CWS}
ENROLLERS = {TEA, MAN, ADM, CWS}
GROUPERS = {TUT, TEA, MAN, ADM}
_unique = itertools.count(1)
SHARED_PASSWORD_HASH = hash_password(PASSWORD)  # hashed once: argon2 is slow on purpose


@dataclass
class World:
    db: Session
    settings: Settings
    course: Course
    victim_id: int
    victim_enrolment: int
    institution_id: int
    cohort_id: int
    group_id: int
    people: dict[str, int]
    webinar_id: int = 0
    material_id: int = 0
    recording_id: int = 0
    feed_token: str = ""
    feed_id: int = 0

    def fresh_webinar_open(self) -> int:
        """A session nobody is registered for yet."""
        starts = utcnow() + timedelta(days=2)
        webinar = schedule(
            self.db, SYSTEM, self.settings, self.course.id,
            SessionCreate(title="W", time_zone="UTC", starts_at=starts,
                          ends_at=starts + timedelta(hours=1)),
        )  # fmt: skip
        self.db.flush()
        return webinar.id

    def fresh_webinar(self, starts_in: timedelta = timedelta(days=2)) -> int:
        """A session of the course every person of the world is registered for."""
        starts = utcnow() + starts_in
        webinar = schedule(
            self.db, SYSTEM, self.settings, self.course.id,
            SessionCreate(title="W", time_zone="UTC", starts_at=starts,
                          ends_at=starts + timedelta(hours=1)),
        )  # fmt: skip
        for user_id in (*self.people.values(), self.victim_id):
            self.db.add(
                Registration(
                    session_id=webinar.id, user_id=user_id, status=RegistrationStatus.REGISTERED
                )
            )
        self.db.flush()
        return webinar.id

    def fresh_user(self) -> int:
        return make_user(self.db).id

    def fresh_section(self) -> int:
        section = Section(course_id=self.course.id, title=f"S{next(_unique)}", position=99)
        self.db.add(section)
        self.db.flush()
        return section.id

    def fresh_module(self) -> int:
        intro = module(self.db, self.course, "intro")
        copy = Module(
            course_id=self.course.id, section_id=intro.section_id, key=f"m{next(_unique)}",
            kind=intro.kind, title="Spare", position=99,
        )  # fmt: skip
        self.db.add(copy)
        self.db.flush()
        return copy.id

    def fresh_api_client(self) -> int:
        institution = self.db.get_one(
            __import__("app.accounts.models").accounts.models.Institution, self.institution_id
        )
        return make_api_client(self.db, institution, ["users:read"]).id

    def fresh_cohort_member(self) -> int:
        user_id = self.fresh_user()
        add_member(self.db, SYSTEM, self.cohort_id, user_id)
        self.db.flush()
        return user_id

    def package(self) -> bytes:
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w") as archive:
            for path in COURSE_DIR.rglob("*"):
                if path.is_file():
                    archive.write(path, path.relative_to(COURSE_DIR).as_posix())
        return buffer.getvalue()


Request = Callable[[World], dict[str, Any]]


def op(method: str, path: str, allowed: set[str] | dict[str, object], **request: Any) -> tuple:
    return method, path, allowed, request


def _n() -> int:
    return next(_unique)


OPERATIONS: dict[
    tuple[str, str], tuple[set[str] | dict[str, object], Callable[[World], dict[str, Any]]]
] = {}


def register(
    method: str,
    path: str,
    allowed: set[str] | dict[str, object],
    build: Callable[[World], dict[str, Any]],
) -> None:
    OPERATIONS[(method, path)] = (allowed, build)


def everyone_gets(status: int) -> dict[str, object]:
    return dict.fromkeys(ROLES, status)


C = "/api/v1/courses/{course_id}"
register(
    "post",
    "/api/v1/auth/token",
    EVERYONE,
    lambda w: {
        "data": {"grant_type": "password", "username": "victim@example.org", "password": PASSWORD}
    },
)
register("post", "/api/v1/auth/revoke", EVERYONE, lambda w: {"data": {"token": "unknown-token"}})
register(
    "post",
    "/api/v1/auth/password-reset",
    EVERYONE,
    lambda w: {"json": {"email": "victim@example.org"}},
)
register(
    "post",
    "/api/v1/auth/password-reset/confirm",
    everyone_gets(422),
    lambda w: {"json": {"token": "not-a-real-token", "new_password": "a long new password"}},
)
register("get", "/api/v1/users/me", PEOPLE, lambda w: {})
register("patch", "/api/v1/users/me", PEOPLE, lambda w: {"json": {"display_name": "Renamed"}})
register(
    "post",
    "/api/v1/users/me/password",
    PEOPLE,
    lambda w: {"json": {"current_password": PASSWORD, "new_password": "another long password"}},
)
register("get", "/api/v1/users", MANAGERS, lambda w: {})
register(
    "post",
    "/api/v1/users",
    MANAGERS,
    lambda w: {"json": {"email": f"new{_n()}@example.org", "display_name": "New"}},
)
register("get", "/api/v1/users/{user_id}", MANAGERS | {CWS}, lambda w: {"user_id": w.victim_id})
register(
    "patch",
    "/api/v1/users/{user_id}",
    MANAGERS,
    lambda w: {"user_id": w.victim_id, "json": {"display_name": "V"}},
)
register("get", "/api/v1/institutions", EVERYONE - {ANON}, lambda w: {})
register(
    "post",
    "/api/v1/institutions",
    MANAGERS,
    lambda w: {"json": {"code": f"X{_n()}", "name": "New", "country": "MA"}},
)
register(
    "get",
    "/api/v1/institutions/{institution_id}",
    EVERYONE - {ANON},
    lambda w: {"institution_id": w.institution_id},
)
register(
    "patch",
    "/api/v1/institutions/{institution_id}",
    MANAGERS,
    lambda w: {"institution_id": w.institution_id, "json": {"name": "Renamed"}},
)
register("get", "/api/v1/api-clients", MANAGERS, lambda w: {})
register(
    "post",
    "/api/v1/api-clients",
    MANAGERS,
    lambda w: {"json": {"name": "N", "institution_code": "P77", "scopes": ["users:read"]}},
)
register(
    "post",
    "/api/v1/api-clients/{client_id}/revoke",
    MANAGERS,
    lambda w: {"client_id": w.fresh_api_client()},
)
register("get", "/api/v1/programmes", EVERYONE, lambda w: {})
register(
    "post",
    "/api/v1/programmes",
    MANAGERS,
    lambda w: {"json": {"code": f"PR{_n()}", "kind": "workshop", "title": "T"}},
)
register("get", "/api/v1/programmes/{code}", EVERYONE, lambda w: {"code": "HS-CERT"})
register("post", "/api/v1/programmes/{code}/publish", MANAGERS, lambda w: {"code": "HS-CERT"})
register("get", "/api/v1/courses", EVERYONE, lambda w: {})
register(
    "post", "/api/v1/courses", MANAGERS, lambda w: {"json": {"code": f"NEW-{_n()}", "title": "New"}}
)
register(
    "post",
    "/api/v1/courses/import",
    MANAGERS,
    lambda w: {"params": {"code": f"IMP-{_n()}"}, "files": {"package": ("c.zip", w.package())}},
)
register("get", C, READERS | {CWS}, lambda w: {})
register("patch", C, EDITORS, lambda w: {"json": {"summary": "Changed"}})
register("post", C + "/publish", EDITORS, lambda w: {})
register("put", C + "/prerequisites", EDITORS, lambda w: {"json": []})
register(
    "post",
    C + "/runs",
    MANAGERS,
    lambda w: {"json": {"code": f"RUN-{_n()}", "starts_on": "2027-01-04"}},
)
register("get", C + "/outline", READERS | {CWS}, lambda w: {})
register("get", C + "/progress", READERS | {CWS}, lambda w: {})
register("get", C + "/export", EDITORS, lambda w: {})
register("post", C + "/sections", EDITORS, lambda w: {"json": {"title": "New week"}})
register(
    "patch",
    "/api/v1/sections/{section_id}",
    EDITORS,
    lambda w: {"section_id": module(w.db, w.course, "intro").section_id, "json": {"summary": "S"}},
)
register(
    "delete", "/api/v1/sections/{section_id}", EDITORS, lambda w: {"section_id": w.fresh_section()}
)
register(
    "post",
    "/api/v1/sections/{section_id}/modules",
    EDITORS,
    lambda w: {
        "section_id": module(w.db, w.course, "intro").section_id,
        "json": {"key": f"k{_n()}", "kind": "page", "title": "P"},
    },
)
register(
    "get",
    "/api/v1/modules/{module_id}",
    READERS,
    lambda w: {"module_id": module(w.db, w.course, "intro").id},
)
register(
    "patch",
    "/api/v1/modules/{module_id}",
    EDITORS,
    lambda w: {"module_id": module(w.db, w.course, "intro").id, "json": {"description": "D"}},
)
register(
    "delete", "/api/v1/modules/{module_id}", EDITORS, lambda w: {"module_id": w.fresh_module()}
)
register(
    "post",
    "/api/v1/modules/{module_id}/files",
    EDITORS,
    lambda w: {
        "module_id": module(w.db, w.course, "glossary").id,
        "files": {"file": (f"n{_n()}.txt", b"notes")},
    },
)
register(
    "get",
    "/api/v1/modules/{module_id}/files/{name}",
    READERS,
    lambda w: {"module_id": module(w.db, w.course, "glossary").id, "name": "glossary.txt"},
)
register(
    "post",
    "/api/v1/modules/{module_id}/completion",
    {STU},
    lambda w: {"module_id": module(w.db, w.course, "intro").id},
)
register("get", C + "/participants", STAFF_VIEW, lambda w: {})
register("post", C + "/enrolments", ENROLLERS, lambda w: {"json": {"user_id": w.fresh_user()}})
register(
    "post", C + "/self-enrolment",
    # Already enrolled: a conflict, not a denial. A partner system is not a person.
    {ANON: "deny", STU: 409, OUT: "deny", TUT: 409, TEA: 409,
     MAN: "ok", ADM: "ok", CWS: "deny", CNS: "deny"},
    lambda w: {"json": {}},
)  # fmt: skip
register("put", C + "/enrolment-options", ENROLLERS, lambda w: {"json": {"capacity": 30}})
register(
    "get",
    "/api/v1/enrolments/{enrolment_id}",
    STAFF_VIEW,
    lambda w: {"enrolment_id": w.victim_enrolment},
)
register(
    "patch",
    "/api/v1/enrolments/{enrolment_id}",
    ENROLLERS,
    lambda w: {"enrolment_id": w.victim_enrolment, "json": {"status": "active"}},
)
register(
    "get",
    "/api/v1/enrolments/{enrolment_id}/history",
    STAFF_VIEW,
    lambda w: {"enrolment_id": w.victim_enrolment},
)
register(
    "post",
    C + "/bulk-enrolments",
    ENROLLERS,
    lambda w: {
        "json": {
            "institution_code": "P77",
            "rows": [
                {"external_id": f"E{_n()}", "email": f"b{_n()}@example.org", "display_name": "B"}
            ],
        }
    },
)
register(
    "post",
    "/api/v1/programmes/{code}/enrolments",
    MANAGERS | {CWS},
    lambda w: {"code": "HS-CERT", "json": {"user_id": w.fresh_user()}},
)
register("get", "/api/v1/scholarships", MANAGERS, lambda w: {})
register(
    "get", "/api/v1/users/{user_id}/learner-profile", MANAGERS, lambda w: {"user_id": w.victim_id}
)
register(
    "put",
    "/api/v1/users/{user_id}/learner-profile",
    MANAGERS,
    lambda w: {"user_id": w.victim_id, "json": {"professional_status": "civil_servant"}},
)
register("get", "/api/v1/cohorts", MANAGERS, lambda w: {})
register(
    "post",
    "/api/v1/cohorts",
    MANAGERS,
    lambda w: {"json": {"code": f"CO-{_n()}", "name": "Intake"}},
)
register(
    "post",
    "/api/v1/cohorts/{cohort_id}/courses",
    MANAGERS,
    lambda w: {"cohort_id": w.cohort_id, "json": {"course_id": w.course.id}},
)
register(
    "post",
    "/api/v1/cohorts/{cohort_id}/members",
    MANAGERS,
    lambda w: {"cohort_id": w.cohort_id, "json": {"user_id": w.fresh_user()}},
)
register(
    "delete",
    "/api/v1/cohorts/{cohort_id}/members/{user_id}",
    MANAGERS,
    lambda w: {"cohort_id": w.cohort_id, "user_id": w.fresh_cohort_member()},
)
register("get", C + "/groups", READERS, lambda w: {})
register("post", C + "/groups", GROUPERS, lambda w: {"json": {"name": f"Team {_n()}"}})
register("get", C + "/groupings", READERS, lambda w: {})
register(
    "post",
    C + "/groupings",
    GROUPERS,
    lambda w: {"json": {"name": f"Set {_n()}", "group_ids": [w.group_id]}},
)
register(
    "put",
    "/api/v1/groups/{group_id}/members/{user_id}",
    GROUPERS,
    lambda w: {"group_id": w.group_id, "user_id": w.victim_id},
)
register(
    "delete",
    "/api/v1/groups/{group_id}/members/{user_id}",
    GROUPERS,
    lambda w: {"group_id": w.group_id, "user_id": w.victim_id},
)
S = "/api/v1/sessions/{session_id}"
register("get", C + "/sessions", READERS | {CWS}, lambda w: {})
register(
    "post",
    C + "/sessions",
    EDITORS,
    lambda w: {"json": {"title": "W", "time_zone": "Asia/Vientiane",
                        "starts_at": "2027-05-04T19:00", "ends_at": "2027-05-04T20:30"}},
)  # fmt: skip
register(
    "post",
    C + "/session-series",
    EDITORS,
    lambda w: {"json": {"title": "W", "time_zone": "Europe/Paris", "count": 2,
                        "starts_at": "2027-05-04T19:00", "ends_at": "2027-05-04T20:30"}},
)  # fmt: skip
register("get", S, READERS | {CWS}, lambda w: {"session_id": w.webinar_id})
register("patch", S, EDITORS, lambda w: {"session_id": w.webinar_id, "json": {"title": "New"}})
register("post", S + "/cancel", EDITORS, lambda w: {"session_id": w.fresh_webinar()})
register("post", S + "/registrations", {STU}, lambda w: {"session_id": w.fresh_webinar_open()})
register(
    "delete",
    S + "/registrations/me",
    {STU, TUT, TEA, MAN, ADM},  # each holds a place in the fresh session
    lambda w: {"session_id": w.fresh_webinar()},
)
register(
    "post",
    S + "/registrations/bulk",
    EDITORS,
    lambda w: {"session_id": w.webinar_id, "json": {"group_id": w.group_id}},
)
register("get", S + "/registrations", STAFF_VIEW, lambda w: {"session_id": w.webinar_id})
register(
    "post",
    S + "/join",
    {STU, TUT, TEA, MAN, ADM},  # registered people and hosts, the link being open
    lambda w: {"session_id": w.fresh_webinar(timedelta(minutes=5))},
)
register("post", S + "/end", EDITORS, lambda w: {"session_id": w.webinar_id})
register("get", S + "/attendance", STAFF_VIEW, lambda w: {"session_id": w.webinar_id})
register(
    "put",
    S + "/attendance/{user_id}",
    GROUPERS,
    lambda w: {"session_id": w.webinar_id, "user_id": w.victim_id, "json": {"status": "present"}},
)
register("get", S + "/absentees", STAFF_VIEW, lambda w: {"session_id": w.webinar_id})
register(
    "get",
    "/api/v1/users/{user_id}/attended-hours",
    MANAGERS | {CWS},
    lambda w: {"user_id": w.victim_id, "params": {"programme": "HS-CERT"}},
)
register(
    "post",
    S + "/materials",
    EDITORS,
    lambda w: {"session_id": w.webinar_id, "files": {"file": (f"m{_n()}.txt", b"slides")}},
)
register("get", S + "/recordings", READERS | {CWS}, lambda w: {"session_id": w.webinar_id})
register(
    "post",
    S + "/recordings",
    EDITORS,
    lambda w: {"session_id": w.webinar_id, "json": {"url": "https://video.example/r/1"}},
)
register(
    "post",
    S + "/recordings/upload",
    EDITORS,
    lambda w: {"session_id": w.webinar_id, "files": {"file": ("rec.txt", b"transcript")}},
)
register("post", S + "/recordings/fetch", EDITORS, lambda w: {"session_id": w.webinar_id})
register(
    "get",
    S + "/materials/{file_id}/file",
    READERS | {CWS},
    lambda w: {"session_id": w.webinar_id, "file_id": w.material_id},
)
register(
    "get",
    S + "/recordings/{file_id}/file",
    READERS | {CWS},
    lambda w: {"session_id": w.webinar_id, "file_id": w.recording_id},
)
register("get", C + "/calendar.ics", READERS | {CWS}, lambda w: {})
register("post", "/api/v1/calendar-feeds", PEOPLE, lambda w: {})
register("get", "/api/v1/calendar-feeds", PEOPLE, lambda w: {})
# Only the owner revokes a feed; the owner here is none of the nine callers.
register("delete", "/api/v1/calendar-feeds/{feed_id}", set(), lambda w: {"feed_id": w.feed_id})
# The secret in the address is the permission: anyone holding it reads, with or without a token.
register("get", "/api/v1/calendar/{token}.ics", EVERYONE, lambda w: {"token": w.feed_token})
register(
    "post",
    "/api/v1/webinars/bbb-events/{token}",
    EVERYONE,
    lambda w: {"token": events_token(w.settings), "data": {"event": "[]"}},
)
register("get", "/healthz", EVERYONE, lambda w: {})
register("get", "/readyz", EVERYONE, lambda w: {})


def test_every_operation_of_the_api_is_in_the_matrix(client: TestClient):
    spec = client.get("/api/v1/openapi.json").json()
    documented = {(method, path) for path, ops in spec["paths"].items() for method in ops}

    assert documented == set(OPERATIONS), {
        "missing from the matrix": sorted(documented - set(OPERATIONS)),
        "no longer in the API": sorted(set(OPERATIONS) - documented),
    }


@pytest.fixture
def world(
    client: TestClient, db: Session, settings: Settings, tmp_path: Path
) -> tuple[World, dict[str, dict[str, str]]]:
    settings.storage_dir = tmp_path
    course = import_hs101(db, settings)
    course.is_open = False
    load_programmes(db, SEED)
    other = import_hs101(db, settings, code="HS-OTHER")
    partner = make_institution(db, "P77", "KZ")
    victim = make_user(db, email="victim@example.org", password=PASSWORD, institution=partner)
    enrol_as(db, course, victim, CourseRole.STUDENT)
    headers: dict[str, dict[str, str]] = {ANON: {}}
    people_ids: dict[str, int] = {}
    people = {
        STU: (CourseRole.STUDENT, course),
        OUT: (CourseRole.STUDENT, other),
        TUT: (CourseRole.TUTOR, course),
        TEA: (CourseRole.TEACHER, course),
        MAN: None,
        ADM: None,
    }
    # Tokens are minted directly: this matrix is about authorisation (sign-in is tested
    # elsewhere), and skipping the deliberately slow password hashing keeps it quick.
    for role, membership in people.items():
        platform = {MAN: PlatformRole.MANAGER, ADM: PlatformRole.ADMIN}.get(role, PlatformRole.USER)
        user = make_user(db, email=f"{role.replace(' ', '-')}@example.org", role=platform)
        user.password_hash = SHARED_PASSWORD_HASH
        if membership is not None:
            enrol_as(db, membership[1], user, membership[0])
        headers[role] = _token(settings, f"user:{user.id}", user_scopes_allowed(user))
        people_ids[role] = user.id
    for role, scopes in ((CWS, set(Scope) - {Scope.SENSITIVE_READ}), (CNS, set())):
        api_client = make_api_client(db, partner, sorted(scopes))
        headers[role] = _token(settings, f"client:{api_client.id}", frozenset(scopes))
    cohort = create_cohort(db, SYSTEM, "CO-WORLD", "World intake")
    group = create_group(db, SYSTEM, course.id, "World team")
    db.flush()
    state = World(
        db=db, settings=settings, course=course, victim_id=victim.id,
        victim_enrolment=db.scalar(select(Enrolment.id).where(Enrolment.user_id == victim.id)) or 0,
        institution_id=partner.id, cohort_id=cohort.id, group_id=group.id, people=people_ids,
    )  # fmt: skip
    state.webinar_id = state.fresh_webinar()
    state.material_id = add_material(
        db, SYSTEM, settings, state.webinar_id, io.BytesIO(b"slides"), "slides.txt"
    ).id
    state.recording_id = add_recording_file(
        db, SYSTEM, settings, state.webinar_id, io.BytesIO(b"transcript"), "rec.txt"
    ).id
    feed, state.feed_token = create_feed(db, actor_for_user(victim))
    state.feed_id = feed.id
    return state, headers


def _token(settings: Settings, subject: str, scopes: frozenset[str]) -> dict[str, str]:
    token, _ = encode_access_token(settings, subject, sorted(scopes))
    return bearer(token)


def _expected(allowed: set[str] | dict[str, object]) -> dict[str, object]:
    if isinstance(allowed, dict):
        return allowed
    return {role: "ok" if role in allowed else "deny" for role in ROLES}


def _outcome(status: int) -> object:
    if 200 <= status < 300:
        return "ok"
    if status in (401, 403, 404):
        return "deny"
    return status


@pytest.mark.parametrize(("method", "path"), sorted(OPERATIONS), ids=lambda v: str(v))
def test_each_caller_gets_exactly_what_it_may(client: TestClient, world, method: str, path: str):
    state, headers = world
    allowed, build = OPERATIONS[(method, path)]
    outcomes = {}
    for role in ROLES:
        request = build(state)
        values = {
            "course_id": state.course.id,
            **{k: v for k, v in request.items() if k not in ("json", "data", "files", "params")},
        }
        url = path.format(**values)
        kwargs = {k: v for k, v in request.items() if k in ("json", "data", "files", "params")}
        response = client.request(method.upper(), url, headers=headers[role], **kwargs)
        outcomes[role] = _outcome(response.status_code)

    assert outcomes == _expected(allowed)
