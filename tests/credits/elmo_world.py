"""Learners with ledger entries from a home and a host institution, grading tables, and
tokens for every kind of caller, for the ELMO export and import tests."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from fastapi.testclient import TestClient
from httpx import Response
from lxml import etree
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.accounts import auth
from app.accounts.deps import SESSION_COOKIE
from app.accounts.models import Institution, User
from app.core.actors import SYSTEM, PlatformRole, Scope
from app.core.config import Settings
from app.core.security import encode_access_token
from app.courses.models import Course
from app.credits.models import (
    CreditEntry,
    EntryKind,
    EntrySource,
    GradingTable,
    GradingTableRow,
    TableSource,
)
from app.credits.service import ledger
from app.credits.service.elmo_xml import NS
from app.credits.transfer_models import TransferResult
from app.enrolment.models import ExternalId
from app.grades.service.scales import load_scales
from app.seed import SEED_DIR
from tests.accounts.factories import bearer, make_api_client, make_institution, make_user

D = Decimal
ELMO = {"e": NS}
XML = {"Content-Type": "application/xml"}
IMPORT_URL = "/api/v1/transfer-results/elmo"


@dataclass
class ElmoWorld:
    db: Session
    settings: Settings
    home: Institution  # the learners' institution
    host: Institution  # a partner that hosted a mobility

    def learner(self, name: str = "Иван Петрович Сидоров", at: Institution | None = None) -> User:
        user = make_user(self.db, institution=at or self.home)
        user.display_name = name
        self.db.flush()
        return user

    def person(self, role: PlatformRole, at: Institution | None = None) -> User:
        return make_user(self.db, role=role, institution=at)

    def award(
        self,
        user: User,
        code: str,
        *,
        credits: str = "6",
        grade: str = "14",
        scale: str | None = "fr-20",
        at: Institution | None = None,
        table: GradingTable | None = None,
        band: tuple[str, str] | None = None,
        course: Course | None = None,
        on: date = date(2026, 6, 30),
    ) -> CreditEntry:
        """An entry in force, written through the ledger (the only way to write one)."""
        unit = ledger.Unit(
            code=code, title=f"Unit {code}", credits=D(credits),
            course_id=None if course is None else course.id,
            institution_id=(at or self.home).id, isced_code="0913", eqf_level=6,
        )  # fmt: skip
        grading = ledger.AwardedGrade(
            grade=grade, scale_code=scale,
            grading_table_id=None if table is None else table.id,
            band_from=None if band is None else D(band[0]),
            band_to=None if band is None else D(band[1]),
        )  # fmt: skip
        return ledger.append(
            self.db, SYSTEM, unit, grading, user_id=user.id,
            source=EntrySource.RECOGNITION, source_id=None, on=on,
        )  # fmt: skip

    def revoke(self, entry: CreditEntry) -> None:
        ledger.append(
            self.db, SYSTEM,
            ledger.Unit(code=entry.unit_code, title=entry.unit_title, credits=D(0)),
            ledger.AwardedGrade(), user_id=entry.user_id, source=entry.source,
            source_id=None, on=entry.awarded_on, kind=EntryKind.REVOCATION, supersedes=entry,
            reason="awarded in error",
        )  # fmt: skip

    def table(self, owner: Institution, rows: list[tuple[str, int]]) -> GradingTable:
        """A computed grading table of the French scale, best grade first."""
        total = sum(count for _, count in rows)
        table = GradingTable(
            owner_institution_id=owner.id, isced_code="0913", eqf_level=6, scale_code="fr-20",
            source=TableSource.COMPUTED, period_from=date(2024, 9, 1),
            period_to=date(2026, 8, 31), total=total,
        )  # fmt: skip
        self.db.add(table)
        self.db.flush()
        cumulative = D(0)
        for position, (grade, count) in enumerate(rows):
            percent = (D(count) * 100 / total).quantize(D("0.01"))
            cumulative += percent
            self.db.add(GradingTableRow(
                table_id=table.id, position=position, grade=grade, count=count,
                percent=percent, cumulative=cumulative,
            ))  # fmt: skip
        self.db.flush()
        return table

    def course(self, code: str) -> Course:
        course = Course(
            code=code, title=f"Course {code}", ects=D(6), isced_code="0913", eqf_level=6,
            institution_id=self.home.id,
        )  # fmt: skip
        self.db.add(course)
        self.db.flush()
        return course

    def headers(self, user: User) -> dict[str, str]:
        token, _ = encode_access_token(
            self.settings, f"user:{user.id}", sorted(auth.user_scopes_allowed(user))
        )
        return bearer(token)

    def partner(self, institution: Institution, scopes: list[Scope]) -> dict[str, str]:
        client = make_api_client(self.db, institution, [s.value for s in scopes])
        token, _ = encode_access_token(
            self.settings, f"client:{client.id}", [s.value for s in scopes]
        )
        return bearer(token)

    def browser(self, client: TestClient, user: User) -> TestClient:
        client.cookies.clear()
        token = auth.start_session(self.db, self.settings, user, "t", "t")
        client.cookies.set(SESSION_COOKIE, token)
        self.db.flush()
        return client

    def transfer_results(self) -> list[TransferResult]:
        return list(self.db.scalars(select(TransferResult).order_by(TransferResult.id)))

    def entry_count(self) -> int:
        return self.db.scalar(select(func.count()).select_from(CreditEntry)) or 0


def elmo_world(db: Session, settings: Settings) -> ElmoWorld:
    load_scales(db, SEED_DIR)
    home = make_institution(db, "ELMO-HOME", "FR")
    home.name = "Université de Lorraine"
    host = make_institution(db, "ELMO-HOST", "KZ")
    host.name = "Казахский национальный медицинский университет"
    db.flush()
    return ElmoWorld(db, settings, home, host)


def host_document(client: TestClient, w: ElmoWorld) -> bytes:
    """What the host's own system would send: a learner's results there, exported as ELMO."""
    abroad = w.learner("Айгерим Нурлановна Бекова", at=w.host)
    w.award(abroad, "KZ-PS-1", at=w.host, credits="5", grade="хорошо", scale="ru-5")
    w.award(abroad, "KZ-PS-2", at=w.host, credits="7.5", grade="отлично", scale="ru-5",
            on=date(2026, 7, 2))  # fmt: skip
    response = client.get(f"/api/v1/users/{abroad.id}/elmo", headers=w.headers(abroad))
    assert response.status_code == 200
    return response.content


def known_to_host(w: ElmoWorld, external_id: str = "KZ-0042") -> int:
    """A home learner the host identifies by its own id (they are on mobility there)."""
    learner = w.learner("Jeanne Martin")
    w.db.add(ExternalId(institution_id=w.host.id, external_id=external_id, user_id=learner.id))
    w.db.flush()
    return learner.id


def post(client: TestClient, body: bytes, headers: dict[str, str], **params: object) -> Response:
    """The document sent to the import, as application/xml."""
    return client.post(IMPORT_URL, content=body, headers={**headers, **XML}, params=params)


def edited(document: bytes, change: Callable[[etree._Element], None]) -> bytes:
    root = etree.fromstring(document)
    change(root)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")


def assert_refused(response: Response, status: int, code: str, w: ElmoWorld, before: int) -> None:
    """A problem with this status and code, and nothing written: no transfer result, no entry."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.json()["code"] == code
    assert w.transfer_results() == []
    assert w.entry_count() == before
