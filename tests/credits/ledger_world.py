"""A course with ECTS credits, a pass mark and the French scale, learners of its institution,
a registrar, and ways to release grades and write ledger entries, for the ledger tests."""

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

import httpx
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.accounts.deps import SESSION_COOKIE
from app.accounts.models import Institution, User
from app.core.actors import SYSTEM, PlatformRole
from app.core.config import Settings
from app.core.security import csrf_token_for
from app.credits.models import (
    CreditEntry,
    EntrySource,
    GradingTable,
    GradingTableRow,
    TableSource,
)
from app.credits.service import ledger
from app.credits.service.ledger import AwardedGrade, Unit
from app.grades.models import GradeItem, Scale
from app.grades.service import results
from tests.accounts.factories import make_user
from tests.grades.core_setup import Book, api_headers, as_browser, book

D = Decimal


@dataclass
class LedgerWorld:
    book: Book
    item: GradeItem
    registrar: User

    @property
    def db(self) -> Session:
        return self.book.db

    def learner(self, institution: Institution | None = None) -> User:
        return self.book.learner(institution)

    def table(self, created: datetime, rows: list[tuple[str, str, str]]) -> GradingTable:
        """A computed fr-20 grading table of the course's reference group, from its rows
        (grade, percent, cumulative), best grade first."""
        table = GradingTable(
            owner_institution_id=self.book.home.id, isced_code="0913", eqf_level=6,
            scale_code="fr-20", source=TableSource.COMPUTED, period_from=date(2024, 9, 1),
            period_to=date(2026, 8, 31), total=100, created_at=created,
        )  # fmt: skip
        table.rows = [
            GradingTableRow(position=i, grade=g, count=1, percent=D(p), cumulative=D(c))
            for i, (g, p, c) in enumerate(rows)
        ]
        self.db.add(table)
        self.db.flush()
        return table

    def release(self, user: User, points: str, *, release: bool = True) -> None:
        """The teacher records (and releases) a grade out of 100 on the course's only item."""
        self.book.grade(self.item, user, points, release=release)

    def entries(self, user: User) -> list[CreditEntry]:
        return list(
            self.db.scalars(
                select(CreditEntry).where(CreditEntry.user_id == user.id).order_by(CreditEntry.id)
            )
        )

    def entry(self, user: User, code: str = "UNIT-1", credits: str = "5") -> CreditEntry:
        """A recognised unit's entry, written straight into the ledger."""
        return ledger.append(
            self.db,
            SYSTEM,
            Unit(code=code, title="Recognised unit", credits=D(credits)),
            AwardedGrade(grade="14", value=D(14), scale_code="fr-20"),
            user_id=user.id,
            source=EntrySource.RECOGNITION,
            source_id=None,
            on=date(2026, 10, 1),
        )

    def headers(self, user: User) -> dict[str, str]:
        return api_headers(self.book, user)

    def browser(self, client: TestClient, user: User) -> TestClient:
        return as_browser(client, self.book, user)

    def post(self, browser: TestClient, path: str, data: dict[str, str]) -> httpx.Response:
        """Send a page form as the signed-in browser, with its CSRF token."""
        csrf = csrf_token_for(self.book.settings, browser.cookies[SESSION_COOKIE])
        return browser.post(path, data={**data, "csrf_token": csrf}, follow_redirects=False)


def ledger_world(db: Session, settings: Settings) -> LedgerWorld:
    b = book(db, settings)
    b.course.ects = D(6)
    b.course.isced_code = "0913"
    b.course.eqf_level = 6
    root = results.root_category(db, b.course.id)
    root.pass_percent = D(50)
    root.scale_id = db.scalar(select(Scale.id).where(Scale.code == "fr-20"))
    item = b.item("Final exam", 100, 9001)
    registrar = make_user(db, role=PlatformRole.INSTITUTION_MANAGER, institution=b.home)
    db.flush()
    return LedgerWorld(b, item, registrar)
