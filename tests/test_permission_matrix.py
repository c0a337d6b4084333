"""The permission matrix: every API operation (read from the OpenAPI document, so a new route
cannot be forgotten) called by eleven kinds of caller, each caller's exact status asserted.

Each operation lists the status per caller, in the order of `ROLES`, grouped as
`anonymous | student, student elsewhere, tutor, teacher | manager, admin | client with scope,
client without scope | partner of another institution, manager of another institution`.
401 is a missing sign-in; 404 an object the caller may not know of (another course's
participants, another institution's people or courses); 403 something the caller sees but may
not do, or may never do whatever the object (a partner system creating cohorts). The course is
run by the clients' institution; "of another institution" means a partner client and an
institution manager of an institution that neither runs it nor is its partner. After every
refused write, the row counts of all tables and the rows of those changed in place are as
they were.
"""

import io
import itertools
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Connection, func, select
from sqlalchemy.orm import Session

from app.accounts.auth import actor_for_user, user_scopes_allowed
from app.accounts.models import Institution
from app.core.actors import SYSTEM, PlatformRole, Scope
from app.core.config import Settings
from app.core.db import Base, session_factory, utcnow
from app.core.security import encode_access_token, hash_password
from app.courses.models import (
    ContentFile,
    Course,
    Module,
    ModuleFile,
    ModuleTranslation,
    Programme,
    Section,
    Status,
    programme_institutions,
)
from app.courses.service import partners
from app.enrolment.cohorts import add_member, create_cohort, create_group
from app.membership.models import CourseRole, Enrolment
from app.seed import load_programmes
from app.webinars.feeds import create_feed
from app.webinars.models import Registration, RegistrationStatus
from app.webinars.schemas import SessionCreate
from app.webinars.service.materials import add_material
from app.webinars.service.meetings import issue_events_token
from app.webinars.service.recordings import add_recording_file
from app.webinars.service.scheduling import schedule
from tests import matrix_rows
from tests.accounts.factories import (
    PASSWORD,
    bearer,
    make_api_client,
    make_institution,
    make_user,
)
from tests.audit_snapshots import refusals, without_refusals
from tests.conftest import in_savepoint, sessions_on, test_settings, with_own_storage
from tests.courses.factories import COURSE_DIR, SEED, enrol_as, import_hs101, module

ANON, STU, OUT, TUT, TEA = "anonymous", "student", "student elsewhere", "tutor", "teacher"
MAN, ADM, CWS, CNS = "manager", "admin", "client with scope", "client without scope"
POI, MOI = "partner of another institution", "manager of another institution"
ROLES = (ANON, STU, OUT, TUT, TEA, MAN, ADM, CWS, CNS, POI, MOI)
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
        """A person of the course's institution (so its partner client may enrol them)."""
        return make_user(self.db, institution=self.db.get_one(Institution, self.institution_id)).id

    def fresh_institution(self) -> str:
        return make_institution(self.db, f"PX{next(_unique)}").code

    def fresh_partner(self) -> str:
        code = self.fresh_institution()
        partners.add_partner(self.db, SYSTEM, self.course.id, code)
        self.db.flush()
        return code

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

    def fresh_module_file(self) -> dict[str, object]:
        """A spare module with one file: its path parameters."""
        spare = self.fresh_module()
        stored = ContentFile(sha256=f"{_n():064x}", size=5, media_type="text/plain")
        self.db.add(ModuleFile(module_id=spare, content=stored, name="n.txt"))
        self.db.flush()
        return {"module_id": spare, "name": "n.txt"}

    def fresh_api_client(self) -> int:
        institution = self.db.get_one(Institution, self.institution_id)
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


def _n() -> int:
    return next(_unique)


OPERATIONS: dict[tuple[str, str], tuple[dict[str, int], Request]] = {}


def register(method: str, path: str, statuses: str, build: Request) -> None:
    """`statuses`: one per caller in the order of `ROLES`; `|` only groups them for reading."""
    expected = [int(status) for status in statuses.split() if status != "|"]
    assert len(expected) == len(ROLES), (method, path)
    OPERATIONS[(method, path)] = (dict(zip(ROLES, expected, strict=True)), build)


C = "/api/v1/courses/{course_id}"
register(
    "post",
    "/api/v1/auth/token",
    "200 | 200 200 200 200 | 200 200 | 200 200 | 200 200",
    lambda w: {
        "data": {"grant_type": "password", "username": "victim@example.org", "password": PASSWORD}
    },
)
register(
    "post",
    "/api/v1/auth/revoke",
    "204 | 204 204 204 204 | 204 204 | 204 204 | 204 204",
    lambda w: {"data": {"token": "unknown-token"}},
)
register(
    "post",
    "/api/v1/auth/password-reset",
    "202 | 202 202 202 202 | 202 202 | 202 202 | 202 202",
    lambda w: {"json": {"email": "victim@example.org"}},
)
register(
    "post",
    "/api/v1/auth/password-reset/confirm",
    "422 | 422 422 422 422 | 422 422 | 422 422 | 422 422",
    lambda w: {"json": {"token": "not-a-real-token", "new_password": "a long new password"}},
)
register(
    "get", "/api/v1/users/me", "401 | 200 200 200 200 | 200 200 | 404 404 | 404 200", lambda w: {}
)
register(
    "patch",
    "/api/v1/users/me",
    "401 | 200 200 200 200 | 200 200 | 404 404 | 404 200",
    lambda w: {"json": {"display_name": "Renamed"}},
)
register(
    "post",
    "/api/v1/users/me/password",
    "401 | 204 204 204 204 | 204 204 | 404 404 | 404 204",
    lambda w: {"json": {"current_password": PASSWORD, "new_password": "another long password"}},
)
register(
    "get", "/api/v1/users", "401 | 403 403 403 403 | 200 200 | 403 403 | 403 200", lambda w: {}
)
register(
    "post",
    "/api/v1/users",
    "401 | 403 403 403 403 | 201 201 | 403 403 | 403 201",
    lambda w: {"json": {"email": f"new{_n()}@example.org", "display_name": "New"}},
)
register(
    "get",
    "/api/v1/users/{user_id}",
    "401 | 404 404 404 404 | 200 200 | 200 404 | 404 404",
    lambda w: {"user_id": w.victim_id},
)
register(
    "patch",
    "/api/v1/users/{user_id}",
    "401 | 404 404 404 404 | 200 200 | 403 404 | 404 404",
    lambda w: {"user_id": w.victim_id, "json": {"display_name": "V"}},
)
register(
    "get",
    "/api/v1/institutions",
    "401 | 200 200 200 200 | 200 200 | 200 200 | 200 200",
    lambda w: {},
)
register(
    "post",
    "/api/v1/institutions",
    "401 | 403 403 403 403 | 201 201 | 403 403 | 403 403",
    lambda w: {"json": {"code": f"X{_n()}", "name": "New", "country": "MA"}},
)
register(
    "get",
    "/api/v1/institutions/{institution_id}",
    "401 | 200 200 200 200 | 200 200 | 200 200 | 404 200",
    lambda w: {"institution_id": w.institution_id},
)
register(
    "patch",
    "/api/v1/institutions/{institution_id}",
    "401 | 403 403 403 403 | 200 200 | 403 403 | 404 403",
    lambda w: {"institution_id": w.institution_id, "json": {"name": "Renamed"}},
)
register(
    "get",
    "/api/v1/api-clients",
    "401 | 403 403 403 403 | 200 200 | 403 403 | 403 200",
    lambda w: {},
)
# Usage figures of the clients the caller may list: the same callers as the list itself.
register(
    "get",
    "/api/v1/api-clients/usage",
    "401 | 403 403 403 403 | 200 200 | 403 403 | 403 200",
    lambda w: {},
)
register(
    "post",
    "/api/v1/api-clients",
    "401 | 403 403 403 403 | 201 201 | 403 403 | 403 403",
    lambda w: {"json": {"name": "N", "institution_code": "P77", "scopes": ["users:read"]}},
)
register(
    "patch",
    "/api/v1/api-clients/{client_id}",
    "401 | 403 403 403 403 | 200 200 | 403 403 | 403 404",
    lambda w: {"client_id": w.fresh_api_client(), "json": {"rate_limit_per_minute": 120}},
)
register(
    "post",
    "/api/v1/api-clients/{client_id}/revoke",
    "401 | 403 403 403 403 | 200 200 | 403 403 | 403 404",
    lambda w: {"client_id": w.fresh_api_client()},
)
register(
    "get", "/api/v1/programmes", "200 | 200 200 200 200 | 200 200 | 200 200 | 200 200", lambda w: {}
)
register(
    "post",
    "/api/v1/programmes",
    "401 | 403 403 403 403 | 201 201 | 403 403 | 403 201",
    lambda w: {"json": {"code": f"PR{_n()}", "kind": "workshop", "title": "T"}},
)
register(
    "get",
    "/api/v1/programmes/{code}",
    "200 | 200 200 200 200 | 200 200 | 200 200 | 200 200",
    lambda w: {"code": "HS-CERT"},
)
register(
    "post",
    "/api/v1/programmes/{code}/publish",
    "401 | 403 403 403 403 | 200 200 | 403 403 | 403 403",
    lambda w: {"code": "HS-CERT"},
)
register(
    "get", "/api/v1/courses", "200 | 200 200 200 200 | 200 200 | 200 200 | 200 200", lambda w: {}
)
register(
    "post",
    "/api/v1/courses",
    "401 | 403 403 403 403 | 201 201 | 403 403 | 403 201",
    lambda w: {"json": {"code": f"NEW-{_n()}", "title": "New"}},
)
register(
    "post",
    "/api/v1/courses/import",
    "401 | 403 403 403 403 | 201 201 | 403 403 | 403 403",
    lambda w: {"params": {"code": f"IMP-{_n()}"}, "files": {"package": ("c.zip", w.package())}},
)
register("get", C, "404 | 200 404 200 200 | 200 200 | 200 404 | 404 404", lambda w: {})
register(
    "patch",
    C,
    "401 | 403 404 403 200 | 200 200 | 403 404 | 404 404",
    lambda w: {"json": {"summary": "Changed"}},
)
register(
    "post", C + "/publish", "401 | 403 404 403 200 | 200 200 | 403 404 | 404 404", lambda w: {}
)
register(
    "put",
    C + "/prerequisites",
    "401 | 403 404 403 200 | 200 200 | 403 404 | 404 404",
    lambda w: {"json": []},
)
register(
    "post",
    C + "/runs",
    "401 | 403 404 403 403 | 201 201 | 403 404 | 404 404",
    lambda w: {"json": {"code": f"RUN-{_n()}", "starts_on": "2027-01-04"}},
)
register("get", C + "/outline", "404 | 200 404 200 200 | 200 200 | 200 404 | 404 404", lambda w: {})
register(
    "get", C + "/partners", "401 | 403 404 403 403 | 200 200 | 403 404 | 404 404", lambda w: {}
)
register(
    "put",
    C + "/partners/{institution_code}",
    "401 | 403 404 403 403 | 200 200 | 403 404 | 404 404",
    lambda w: {"institution_code": w.fresh_institution()},
)
register(
    "delete",
    C + "/partners/{institution_code}",
    "401 | 403 404 403 403 | 204 204 | 403 404 | 404 404",
    lambda w: {"institution_code": w.fresh_partner()},
)
register(
    "get", C + "/progress", "401 | 200 404 200 200 | 200 200 | 200 404 | 404 404", lambda w: {}
)
register("get", C + "/export", "401 | 403 404 403 200 | 200 200 | 403 404 | 404 404", lambda w: {})
register(
    "post",
    C + "/sections",
    "401 | 403 404 403 201 | 201 201 | 403 404 | 404 404",
    lambda w: {"json": {"title": "New week"}},
)
register(
    "patch",
    "/api/v1/sections/{section_id}",
    "401 | 403 404 403 200 | 200 200 | 403 404 | 404 404",
    lambda w: {"section_id": module(w.db, w.course, "intro").section_id, "json": {"summary": "S"}},
)
register(
    "delete",
    "/api/v1/sections/{section_id}",
    "401 | 403 404 403 204 | 204 204 | 403 404 | 404 404",
    lambda w: {"section_id": w.fresh_section()},
)
register(
    "post",
    "/api/v1/sections/{section_id}/modules",
    "401 | 403 404 403 201 | 201 201 | 403 404 | 404 404",
    lambda w: {
        "section_id": module(w.db, w.course, "intro").section_id,
        "json": {"key": f"k{_n()}", "kind": "page", "title": "P"},
    },
)
register(
    "get",
    "/api/v1/modules/{module_id}",
    "404 | 200 404 200 200 | 200 200 | 404 404 | 404 404",
    lambda w: {"module_id": module(w.db, w.course, "intro").id},
)
register(
    "patch",
    "/api/v1/modules/{module_id}",
    "401 | 403 404 403 200 | 200 200 | 403 404 | 404 404",
    lambda w: {"module_id": module(w.db, w.course, "intro").id, "json": {"description": "D"}},
)


def _draft_module(w: World) -> int:
    draft = w.db.get_one(Module, w.fresh_module())
    draft.status = Status.DRAFT
    w.db.flush()
    return draft.id


register(
    "post",
    "/api/v1/modules/{module_id}/publish",
    "401 | 403 404 403 200 | 200 200 | 403 404 | 404 404",
    lambda w: {"module_id": _draft_module(w)},
)
register(
    "delete",
    "/api/v1/modules/{module_id}",
    "401 | 403 404 403 204 | 204 204 | 403 404 | 404 404",
    lambda w: {"module_id": w.fresh_module()},
)
register(
    "post",
    "/api/v1/modules/{module_id}/duplicate",
    "401 | 403 404 403 201 | 201 201 | 403 404 | 404 404",
    lambda w: {"module_id": w.fresh_module()},
)
register(
    "delete",
    "/api/v1/modules/{module_id}/files/{name}",
    "401 | 403 404 403 204 | 204 204 | 403 404 | 404 404",
    lambda w: w.fresh_module_file(),
)
register("get", C + "/history", "401 | 403 404 403 200 | 200 200 | 403 404 | 404 404", lambda w: {})
register(
    "post",
    "/api/v1/modules/{module_id}/files",
    "401 | 403 404 403 201 | 201 201 | 403 404 | 404 404",
    lambda w: {
        "module_id": module(w.db, w.course, "glossary").id,
        "files": {"file": (f"n{_n()}.txt", b"notes")},
    },
)
register(
    "get",
    "/api/v1/modules/{module_id}/files/{name}",
    "404 | 200 404 200 200 | 200 200 | 404 404 | 404 404",
    lambda w: {"module_id": module(w.db, w.course, "glossary").id, "name": "glossary.txt"},
)
register(
    "post",
    "/api/v1/modules/{module_id}/completion",
    "401 | 200 404 403 403 | 403 403 | 404 404 | 404 404",
    lambda w: {"module_id": module(w.db, w.course, "intro").id},
)


def _translated_module(w: World) -> int:
    module_id = w.fresh_module()
    w.db.add(ModuleTranslation(module_id=module_id, language="ru", title="Запасной"))
    w.db.flush()
    return module_id


register(
    "put",
    "/api/v1/modules/{module_id}/translations/{language}",
    "401 | 403 404 403 201 | 201 201 | 403 404 | 404 404",
    lambda w: {"module_id": w.fresh_module(), "language": "ru", "json": {"title": "Перевод"}},
)
register(
    "delete",
    "/api/v1/modules/{module_id}/translations/{language}",
    "401 | 403 404 403 204 | 204 204 | 403 404 | 404 404",
    lambda w: {"module_id": _translated_module(w), "language": "ru"},
)
register(
    "get", C + "/participants", "401 | 404 404 200 200 | 200 200 | 200 404 | 404 404", lambda w: {}
)
register(
    "post",
    C + "/enrolments",
    "401 | 403 403 403 201 | 201 201 | 201 403 | 404 404",
    lambda w: {"json": {"user_id": w.fresh_user()}},
)
register(
    "post", C + "/self-enrolment",
    # Already enrolled: a conflict, not a denial. A partner system is not a person. Someone
    # not in the (closed, published) course enrols as its landing page offers.
    "401 | 409 201 409 409 | 201 201 | 403 404 | 404 404",
    lambda w: {"json": {}},
)  # fmt: skip
register(
    "put",
    C + "/enrolment-options",
    "401 | 403 403 403 204 | 204 204 | 204 403 | 404 404",
    lambda w: {"json": {"capacity": 30}},
)
register(
    "get",
    "/api/v1/enrolments/{enrolment_id}",
    "401 | 404 404 200 200 | 200 200 | 200 404 | 404 404",
    lambda w: {"enrolment_id": w.victim_enrolment},
)
register(
    "patch",
    "/api/v1/enrolments/{enrolment_id}",
    "401 | 404 404 403 200 | 200 200 | 200 404 | 404 404",
    lambda w: {"enrolment_id": w.victim_enrolment, "json": {"status": "active"}},
)
register(
    "get",
    "/api/v1/enrolments/{enrolment_id}/history",
    "401 | 404 404 200 200 | 200 200 | 200 404 | 404 404",
    lambda w: {"enrolment_id": w.victim_enrolment},
)
register(
    "post",
    C + "/bulk-enrolments",
    "401 | 403 403 403 200 | 200 200 | 200 403 | 404 404",
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
    "401 | 403 403 403 403 | 204 204 | 204 403 | 403 403",
    lambda w: {"code": "HS-CERT", "json": {"user_id": w.fresh_user()}},
)
register(
    "get",
    "/api/v1/scholarships",
    "401 | 403 403 403 403 | 200 200 | 403 403 | 403 200",
    lambda w: {},
)
register(
    "get",
    "/api/v1/users/{user_id}/learner-profile",
    "401 | 404 404 404 404 | 200 200 | 404 404 | 404 404",
    lambda w: {"user_id": w.victim_id},
)
register(
    "put",
    "/api/v1/users/{user_id}/learner-profile",
    "401 | 404 404 404 404 | 204 204 | 404 404 | 404 404",
    lambda w: {"user_id": w.victim_id, "json": {"professional_status": "civil_servant"}},
)
register(
    "get", "/api/v1/cohorts", "401 | 403 403 403 403 | 200 200 | 403 403 | 403 200", lambda w: {}
)
register(
    "post",
    "/api/v1/cohorts",
    "401 | 403 403 403 403 | 201 201 | 403 403 | 403 201",
    lambda w: {"json": {"code": f"CO-{_n()}", "name": "Intake"}},
)
register(
    "post",
    "/api/v1/cohorts/{cohort_id}/courses",
    "401 | 403 403 403 403 | 204 204 | 403 403 | 403 404",
    lambda w: {"cohort_id": w.cohort_id, "json": {"course_id": w.course.id}},
)
register(
    "post",
    "/api/v1/cohorts/{cohort_id}/members",
    "401 | 403 403 403 403 | 204 204 | 403 403 | 403 404",
    lambda w: {"cohort_id": w.cohort_id, "json": {"user_id": w.fresh_user()}},
)
register(
    "delete",
    "/api/v1/cohorts/{cohort_id}/members/{user_id}",
    "401 | 403 403 403 403 | 204 204 | 403 403 | 403 404",
    lambda w: {"cohort_id": w.cohort_id, "user_id": w.fresh_cohort_member()},
)
register("get", C + "/groups", "401 | 200 404 200 200 | 200 200 | 404 404 | 404 404", lambda w: {})
register(
    "post",
    C + "/groups",
    "401 | 403 403 201 201 | 201 201 | 403 403 | 404 404",
    lambda w: {"json": {"name": f"Team {_n()}"}},
)
register(
    "get", C + "/groupings", "401 | 200 404 200 200 | 200 200 | 404 404 | 404 404", lambda w: {}
)
register(
    "post",
    C + "/groupings",
    "401 | 403 403 201 201 | 201 201 | 403 403 | 404 404",
    lambda w: {"json": {"name": f"Set {_n()}", "group_ids": [w.group_id]}},
)
register(
    "put",
    "/api/v1/groups/{group_id}/members/{user_id}",
    "401 | 403 404 204 204 | 204 204 | 404 404 | 404 404",
    lambda w: {"group_id": w.group_id, "user_id": w.victim_id},
)
register(
    "delete",
    "/api/v1/groups/{group_id}/members/{user_id}",
    "401 | 403 404 204 204 | 204 204 | 404 404 | 404 404",
    lambda w: {"group_id": w.group_id, "user_id": w.victim_id},
)
S = "/api/v1/sessions/{session_id}"
register(
    "get", C + "/sessions", "401 | 200 404 200 200 | 200 200 | 200 404 | 404 404", lambda w: {}
)
register(
    "post",
    C + "/sessions",
    "401 | 403 403 403 201 | 201 201 | 403 403 | 404 404",
    lambda w: {"json": {"title": "W", "time_zone": "Asia/Vientiane",
                        "starts_at": "2027-05-04T19:00", "ends_at": "2027-05-04T20:30"}},
)  # fmt: skip
register(
    "post",
    C + "/session-series",
    "401 | 403 403 403 201 | 201 201 | 403 403 | 404 404",
    lambda w: {"json": {"title": "W", "time_zone": "Europe/Paris", "count": 2,
                        "starts_at": "2027-05-04T19:00", "ends_at": "2027-05-04T20:30"}},
)  # fmt: skip
register(
    "get",
    S,
    "401 | 200 404 200 200 | 200 200 | 200 404 | 404 404",
    lambda w: {"session_id": w.webinar_id},
)
register(
    "patch",
    S,
    "401 | 403 404 403 200 | 200 200 | 403 404 | 404 404",
    lambda w: {"session_id": w.webinar_id, "json": {"title": "New"}},
)
register(
    "post",
    S + "/cancel",
    "401 | 403 404 403 200 | 200 200 | 403 404 | 404 404",
    lambda w: {"session_id": w.fresh_webinar()},
)
register(
    "post",
    S + "/registrations",
    "401 | 201 404 403 403 | 403 403 | 403 404 | 404 404",
    lambda w: {"session_id": w.fresh_webinar_open()},
)
register(
    "delete",
    S + "/registrations/me",
    # Each holds a place in the fresh session.
    "401 | 200 404 200 200 | 200 200 | 403 404 | 404 404",
    lambda w: {"session_id": w.fresh_webinar()},
)
register(
    "post",
    S + "/registrations/bulk",
    "401 | 403 404 403 200 | 200 200 | 403 404 | 404 404",
    lambda w: {"session_id": w.webinar_id, "json": {"group_id": w.group_id}},
)
register(
    "get",
    S + "/registrations",
    "401 | 404 404 200 200 | 200 200 | 200 404 | 404 404",
    lambda w: {"session_id": w.webinar_id},
)
register(
    "post",
    S + "/join",
    # Registered people and hosts, the link being open.
    "401 | 200 404 200 200 | 200 200 | 403 404 | 404 404",
    lambda w: {"session_id": w.fresh_webinar(timedelta(minutes=5))},
)
register(
    "post",
    S + "/end",
    "401 | 403 404 403 204 | 204 204 | 403 404 | 404 404",
    lambda w: {"session_id": w.webinar_id},
)
register(
    "get",
    S + "/attendance",
    "401 | 404 404 200 200 | 200 200 | 200 404 | 404 404",
    lambda w: {"session_id": w.webinar_id},
)
register(
    "put",
    S + "/attendance/{user_id}",
    "401 | 403 404 200 200 | 200 200 | 403 404 | 404 404",
    lambda w: {"session_id": w.webinar_id, "user_id": w.victim_id, "json": {"status": "present"}},
)
register(
    "get",
    S + "/absentees",
    "401 | 404 404 200 200 | 200 200 | 200 404 | 404 404",
    lambda w: {"session_id": w.webinar_id},
)
register(
    "get",
    "/api/v1/users/{user_id}/attended-hours",
    "401 | 404 404 404 404 | 200 200 | 200 404 | 404 404",
    lambda w: {"user_id": w.victim_id, "params": {"programme": "HS-CERT"}},
)
register(
    "post",
    S + "/materials",
    "401 | 403 404 403 201 | 201 201 | 403 404 | 404 404",
    lambda w: {"session_id": w.webinar_id, "files": {"file": (f"m{_n()}.txt", b"slides")}},
)
register(
    "get",
    S + "/recordings",
    "401 | 200 404 200 200 | 200 200 | 200 404 | 404 404",
    lambda w: {"session_id": w.webinar_id},
)
register(
    "post",
    S + "/recordings",
    "401 | 403 404 403 201 | 201 201 | 403 404 | 404 404",
    lambda w: {"session_id": w.webinar_id, "json": {"url": "https://video.example/r/1"}},
)
register(
    "post",
    S + "/recordings/upload",
    "401 | 403 404 403 201 | 201 201 | 403 404 | 404 404",
    lambda w: {"session_id": w.webinar_id, "files": {"file": ("rec.txt", b"transcript")}},
)
register(
    "post",
    S + "/recordings/fetch",
    "401 | 403 404 403 200 | 200 200 | 403 404 | 404 404",
    lambda w: {"session_id": w.webinar_id},
)
register(
    "get",
    S + "/materials/{file_id}/file",
    "401 | 200 404 200 200 | 200 200 | 200 404 | 404 404",
    lambda w: {"session_id": w.webinar_id, "file_id": w.material_id},
)
register(
    "get",
    S + "/recordings/{file_id}/file",
    "401 | 200 404 200 200 | 200 200 | 200 404 | 404 404",
    lambda w: {"session_id": w.webinar_id, "file_id": w.recording_id},
)
register(
    "get", C + "/calendar.ics", "401 | 200 404 200 200 | 200 200 | 200 404 | 404 404", lambda w: {}
)
register(
    "post",
    "/api/v1/calendar-feeds",
    "401 | 201 201 201 201 | 201 201 | 403 403 | 403 201",
    lambda w: {},
)
register(
    "get",
    "/api/v1/calendar-feeds",
    "401 | 200 200 200 200 | 200 200 | 403 403 | 403 200",
    lambda w: {},
)
# Only the owner revokes a feed; the owner here is none of the callers.
register(
    "delete",
    "/api/v1/calendar-feeds/{feed_id}",
    "401 | 404 404 404 404 | 404 404 | 404 404 | 404 404",
    lambda w: {"feed_id": w.feed_id},
)
# The secret in the address is the permission: anyone holding it reads, with or without a token.
register(
    "get",
    "/api/v1/calendar/{token}.ics",
    "200 | 200 200 200 200 | 200 200 | 200 200 | 200 200",
    lambda w: {"token": w.feed_token},
)
register(
    "post",
    "/api/v1/webinars/bbb-events/{token}",
    "204 | 204 204 204 204 | 204 204 | 204 204 | 204 204",
    lambda w: {"token": issue_events_token(w.db, w.webinar_id), "data": {"event": "[]"}},
)
register("get", "/healthz", "200 | 200 200 200 200 | 200 200 | 200 200 | 200 200", lambda w: {})
register("get", "/readyz", "200 | 200 200 200 200 | 200 200 | 200 200 | 200 200", lambda w: {})


matrix_rows.load("api_")


def test_every_operation_of_the_api_is_in_the_matrix(client: TestClient):
    spec = client.get("/api/v1/openapi.json").json()
    documented = {(method, path) for path, ops in spec["paths"].items() for method in ops}

    assert documented == set(OPERATIONS), {
        "missing from the matrix": sorted(documented - set(OPERATIONS)),
        "no longer in the API": sorted(set(OPERATIONS) - documented),
    }


Credentials = dict[str, tuple[str, frozenset[str]]]


@pytest.fixture(scope="module")
def built_world(
    module_connection: Connection, tmp_path_factory: pytest.TempPathFactory
) -> tuple[World, Credentials]:
    """The world is built once for the module; each test works on it in a savepoint."""
    settings = test_settings()
    settings.storage_dir = tmp_path_factory.mktemp("matrix-storage")
    # Each way in is called once per caller from one address: throttling (tests/accounts)
    # must not turn the later callers' answers into 429.
    for name in type(settings).model_fields:
        if name.endswith(("_per_account", "_per_ip", "_per_client")):
            setattr(settings, name, 10_000)
    with sessions_on(module_connection), session_factory() as db:
        world = _build_world(db, settings)
        db.commit()
    return world


@pytest.fixture
def connection(module_connection: Connection, built_world: object) -> Iterator[Connection]:
    yield from in_savepoint(module_connection)


@pytest.fixture
def settings(built_world: tuple[World, Credentials], tmp_path: Path) -> Settings:
    return with_own_storage(built_world[0].settings, tmp_path)


@pytest.fixture
def world(
    built_world: tuple[World, Credentials], db: Session, settings: Settings
) -> tuple[World, dict[str, dict[str, str]]]:
    shared, credentials = built_world
    state = replace(shared, db=db, settings=settings, course=db.get_one(Course, shared.course.id))
    # Minted for each test, so a long run never outlives the tokens' fifteen minutes.
    headers = {role: _token(settings, *credential) for role, credential in credentials.items()}
    return state, {ANON: {}, **headers}


def _build_world(db: Session, settings: Settings) -> tuple[World, Credentials]:
    course = import_hs101(db, settings)
    course.is_open = False
    load_programmes(db, SEED)
    other = import_hs101(db, settings, code="HS-OTHER")
    # The course is run by the clients' institution (P77), which awards its programme too;
    # the callers "of another institution" belong to P88, which neither runs nor partners it.
    partner = make_institution(db, "P77", "KZ")
    elsewhere = make_institution(db, "P88", "AZ")
    course.institution_id = partner.id
    db.execute(programme_institutions.insert().values(
        programme_id=db.scalar(select(Programme.id).where(Programme.code == "HS-CERT")),
        institution_id=partner.id,
    ))  # fmt: skip
    victim = make_user(db, email="victim@example.org", password=PASSWORD, institution=partner)
    enrol_as(db, course, victim, CourseRole.STUDENT)
    credentials: Credentials = {}
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
        credentials[role] = (f"user:{user.id}", user_scopes_allowed(user))
        people_ids[role] = user.id
    clients = (
        (CWS, partner, set(Scope) - {Scope.SENSITIVE_READ}),
        (CNS, partner, set()),
        (POI, elsewhere, set(Scope)),  # every scope, sensitive data included
    )
    for role, institution, scopes in clients:
        api_client = make_api_client(db, institution, sorted(scopes))
        credentials[role] = (f"client:{api_client.id}", frozenset(scopes))
    manager_elsewhere = make_user(
        db, email="moi@example.org", role=PlatformRole.INSTITUTION_MANAGER, institution=elsewhere
    )
    manager_elsewhere.may_read_sensitive = True
    manager_elsewhere.password_hash = SHARED_PASSWORD_HASH
    credentials[MOI] = (f"user:{manager_elsewhere.id}", user_scopes_allowed(manager_elsewhere))
    cohort = create_cohort(db, SYSTEM, "CO-WORLD", "World intake", "P77")
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
    return state, credentials


def _token(settings: Settings, subject: str, scopes: frozenset[str]) -> dict[str, str]:
    token, _ = encode_access_token(settings, subject, sorted(scopes))
    return bearer(token)


# What a refused write must leave as it was: every table's row count, and the rows of the
# tables whose rows change in place. Throttle events and API client usage are left out: they
# count failed attempts and partner clients' requests on purpose.
UNTOUCHED_BY_DESIGN = {"throttle_events", "api_client_usage"}
CHANGED_IN_PLACE = (
    "users", "institutions", "api_clients", "courses", "sections", "modules", "enrolments",
    "enrolment_options", "learner_profiles", "cohorts", "programmes", "webinar_sessions",
    "webinar_registrations", "webinar_attendance", "webinar_calendar_feeds", "course_partners",
    "forums", "forum_threads", "forum_posts", "forum_reads", "forum_post_reports",
    "conversations", "message_reports", "notifications", "notification_preferences",
)  # fmt: skip


def snapshot(db: Session) -> dict[str, object]:
    """The audit log is counted without the refusals: a refusal records itself (asserted
    apart, `refusals`)."""
    tables = {n: t for n, t in Base.metadata.tables.items() if n not in UNTOUCHED_BY_DESIGN}
    counts = db.execute(
        select(*(without_refusals(t, select(func.count()).select_from(t)).scalar_subquery()
                 .label(n) for n, t in sorted(tables.items())))
    ).one()  # fmt: skip
    rows = {
        name: sorted(map(repr, db.execute(select(tables[name])).all())) for name in CHANGED_IN_PLACE
    }
    return {"counts": counts._asdict(), **rows}


@pytest.mark.parametrize(("method", "path"), sorted(OPERATIONS), ids=lambda v: str(v))
def test_each_caller_gets_exactly_what_it_may(client: TestClient, world, method: str, path: str):
    state, headers = world
    expected, build = OPERATIONS[(method, path)]
    outcomes = {}
    for role in ROLES:
        request = build(state)
        values = {
            "course_id": state.course.id,
            **{k: v for k, v in request.items() if k not in ("json", "data", "files", "params")},
        }
        url = path.format(**values)
        kwargs = {k: v for k, v in request.items() if k in ("json", "data", "files", "params")}
        before = snapshot(state.db) if method != "get" else None
        refused_before = refusals(state.db, f"{method.upper()} {path}")
        response = client.request(method.upper(), url, headers=headers[role], **kwargs)
        outcomes[role] = response.status_code
        if before is not None and response.status_code >= 400:
            state.db.expire_all()
            assert snapshot(state.db) == before, f"{role} was refused but something changed"
        # Each 403 to a caller with a token is in the audit trail, and nothing else is.
        recorded = refusals(state.db, f"{method.upper()} {path}") - refused_before
        assert recorded == (response.status_code == 403 and role != ANON), (role, recorded)

    assert outcomes == expected
