"""A mobility for the transfer tests: a home institution with a learner, a registrar and a
programme course on the Russian 5-point scale, a host institution with its partner system,
ECTS grading tables on both sides, and helpers to approve an agreement and send results."""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.accounts import auth
from app.accounts.deps import SESSION_COOKIE
from app.accounts.models import Institution, User
from app.core.actors import PlatformRole
from app.core.config import Settings
from app.core.security import encode_access_token
from app.courses.models import Course, Programme, ProgrammeCourse
from app.credits.models import GradingTable, GradingTableRow, TableSource
from app.credits.transfer_models import LearningAgreement
from app.enrolment.models import ExternalId
from app.grades.models import Scale
from app.grades.service import results
from app.grades.service.scales import load_scales
from app.seed import SEED_DIR
from tests.accounts.factories import bearer, make_api_client, make_institution, make_user

D = Decimal
ISCED, EQF = "0413", 7
# Host: 5 → 0–20 %, 4 → 20–70 %, 3 → 70–100 %. Home: 5 → 0–10 %, 4 → 10–40 %, 3 → 40–100 %.
HOST_ROWS = (("5", 20), ("4", 50), ("3", 30))
HOME_ROWS = (("5", 10), ("4", 30), ("3", 60))


@dataclass
class Mobility:
    db: Session
    settings: Settings
    home: Institution
    host: Institution
    elsewhere: Institution
    learner: User
    registrar: User
    course: Course
    programme: Programme

    def user_headers(self, user: User) -> dict[str, str]:
        token, _ = encode_access_token(
            self.settings, f"user:{user.id}", sorted(auth.user_scopes_allowed(user))
        )
        return bearer(token)

    def partner_headers(
        self, institution: Institution, scopes: str = "credits:read credits:write"
    ) -> dict[str, str]:
        client = make_api_client(self.db, institution, scopes.split())
        token, _ = encode_access_token(self.settings, f"client:{client.id}", scopes.split())
        return bearer(token)

    def browser(self, client: TestClient, user: User) -> TestClient:
        client.cookies.clear()
        client.cookies.set(
            SESSION_COOKIE, auth.start_session(self.db, self.settings, user, "t", "t")
        )
        self.db.flush()
        return client

    def table(self, owner: Institution, rows: tuple[tuple[str, int], ...]) -> GradingTable:
        table = GradingTable(
            owner_institution_id=owner.id,
            isced_code=ISCED,
            eqf_level=EQF,
            scale_code="ru-5",
            source=TableSource.IMPORTED,
            period_from=date(2023, 9, 1),
            period_to=date(2025, 8, 31),
            total=100,
        )
        cumulative = 0
        for position, (grade, percent) in enumerate(rows):
            cumulative += percent
            table.rows.append(
                GradingTableRow(
                    position=position,
                    grade=grade,
                    count=percent,
                    percent=D(percent),
                    cumulative=D(cumulative),
                )
            )
        self.db.add(table)
        self.db.flush()
        return table

    def tables(self) -> None:
        self.table(self.host, HOST_ROWS)
        self.table(self.home, HOME_ROWS)

    def draft(self, client: TestClient, user: User | None = None) -> int:
        response = client.post(
            "/api/v1/learning-agreements",
            json={
                "learner_id": self.learner.id,
                "host_institution_id": self.host.id,
                "programme_id": self.programme.id,
                "period_from": "2026-09-01",
                "period_to": "2027-01-31",
            },
            headers=self.user_headers(user or self.learner),
        )
        assert response.status_code == 201, response.text
        agreement_id = int(response.json()["id"])
        line = client.post(
            f"/api/v1/learning-agreements/{agreement_id}/lines",
            json={
                "host_course_code": "KZ-PS-501",
                "host_course_title": "Patient safety in clinical practice",
                "host_credits": "6",
                "host_scale_code": "ru-5",
                "isced_code": ISCED,
                "eqf_level": EQF,
                "home_course_id": self.course.id,
            },
            headers=self.user_headers(user or self.learner),
        )
        assert line.status_code == 201, line.text
        return agreement_id

    def approved(self, client: TestClient) -> int:
        agreement_id = self.draft(client)
        path = f"/api/v1/learning-agreements/{agreement_id}"
        for url, headers in (
            (f"{path}/proposal", self.user_headers(self.learner)),
            (f"{path}/home-approval", self.user_headers(self.registrar)),
            (f"{path}/host-approval", self.partner_headers(self.host)),
        ):
            response = client.post(url, headers=headers)
            assert response.status_code == 200, response.text
        assert self.db.get_one(LearningAgreement, agreement_id).status == "approved"
        return agreement_id

    def result(self, grade: str = "хорошо", **changes: object) -> dict[str, object]:
        body: dict[str, object] = {
            "learner_id": self.learner.id,
            "host_course_code": "KZ-PS-501",
            "title": "Patient safety in clinical practice",
            "credits": "6",
            "grade": grade,
            "scale_code": "ru-5",
            "isced_code": ISCED,
            "eqf_level": EQF,
            "completed_on": "2027-01-20",
        }
        body.update(changes)
        return body

    def external_id(self, value: str) -> None:
        self.db.add(
            ExternalId(institution_id=self.host.id, external_id=value, user_id=self.learner.id)
        )
        self.db.flush()


def mobility(db: Session, settings: Settings) -> Mobility:
    load_scales(db, SEED_DIR)
    home = make_institution(db, "XFHOME")
    host = make_institution(db, "XFHOST", country="KZ")
    elsewhere = make_institution(db, "XFELSE")
    learner = make_user(db, institution=home)
    registrar = make_user(db, role=PlatformRole.INSTITUTION_MANAGER, institution=home)
    course = Course(
        code="XF-LMQS",
        title="Patient safety and quality",
        ects=D(5),
        isced_code=ISCED,
        eqf_level=EQF,
        institution_id=home.id,
    )
    db.add(course)
    db.flush()
    results.root_category(db, course.id).scale_id = db.scalar(
        select(Scale.id).where(Scale.code == "ru-5")
    )
    programme = Programme(code="XF-MSC", kind="master", title="Master of health quality")
    programme.courses = [ProgrammeCourse(course_id=course.id, semester=1, position=0)]
    db.add(programme)
    db.flush()
    return Mobility(db, settings, home, host, elsewhere, learner, registrar, course, programme)
