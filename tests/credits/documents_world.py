"""A learner with credits from two institutions (one band read from a grading table), a
registrar of their institution, a course that awards no credit, and signing keys under the
test's own directory, for the documents tests."""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from app.accounts.models import Institution, User
from app.core.actors import SYSTEM, PlatformRole
from app.core.config import Settings
from app.courses.models import (
    Course,
    CourseCompletion,
    Programme,
    ProgrammeCourse,
    ProgrammeKind,
)
from app.credits.models import EntrySource, GradingTable, GradingTableRow, TableSource
from app.credits.service import ledger
from app.credits.service.ledger import AwardedGrade, Unit
from tests.accounts.factories import make_institution, make_user
from tests.grades.core_setup import Book, api_headers, as_browser, book

D = Decimal


@dataclass
class DocumentsWorld:
    book: Book
    learner: User
    registrar: User
    partner: Institution
    table: GradingTable
    free_course: Course
    programme: Programme

    @property
    def db(self) -> Session:
        return self.book.db

    @property
    def settings(self) -> Settings:
        return self.book.settings

    def headers(self, user: User) -> dict[str, str]:
        return api_headers(self.book, user)

    def browser(self, client: TestClient, user: User) -> TestClient:
        return as_browser(client, self.book, user)

    def complete_free_course(self) -> None:
        self.db.add(CourseCompletion(user_id=self.learner.id, course_id=self.free_course.id))
        self.db.flush()


def _table(db: Session) -> GradingTable:
    table = GradingTable(
        isced_code="0913", eqf_level=6, scale_code="fr-20", source=TableSource.COMPUTED,
        period_from=date(2024, 9, 1), period_to=date(2026, 8, 31), total=20,
    )  # fmt: skip
    rows = [("16", 4, "20", "20"), ("14", 6, "30", "50"), ("12", 10, "50", "100")]
    table.rows = [
        GradingTableRow(position=i, grade=g, count=n, percent=D(p), cumulative=D(c))
        for i, (g, n, p, c) in enumerate(rows)
    ]
    db.add(table)
    db.flush()
    return table


def documents_world(db: Session, settings: Settings, keys_dir: Path) -> DocumentsWorld:
    settings.signing_keys_dir = keys_dir
    b = book(db, settings)
    b.course.ects = D(6)
    partner = make_institution(db, "KZPART", "KZ")
    learner = b.learner()
    learner.display_name = "Aigerim Nurlanovna"
    registrar = make_user(db, role=PlatformRole.INSTITUTION_MANAGER, institution=b.home)
    table = _table(db)
    ledger.append(
        db, SYSTEM,
        Unit(code=b.course.code, title="Health systems", credits=D(6), course_id=b.course.id,
             institution_id=b.home.id, isced_code="0913", eqf_level=6),
        AwardedGrade(grade="14", value=D(14), scale_code="fr-20", grading_table_id=table.id,
                     band_from=D(20), band_to=D(50)),
        user_id=learner.id, source=EntrySource.COURSE_RESULT, source_id=b.course.id,
        on=date(2026, 6, 30),
    )  # fmt: skip
    ledger.append(
        db, SYSTEM,
        Unit(code="KZ-EPI", title="Эпидемиология", credits=D("4.5"), institution_id=partner.id),
        AwardedGrade(grade="хорошо", value=D(4), scale_code="ru-5"),
        user_id=learner.id, source=EntrySource.TRANSFER, source_id=None, on=date(2026, 7, 15),
    )  # fmt: skip
    free = Course(code="INDUCT", title="Induction", ects=D(0), workload_hours=12)
    db.add(free)
    db.flush()
    programme = Programme(code="DOC-LIC", kind=ProgrammeKind.LICENCE, title="Licence in health")
    db.add(programme)
    db.flush()
    programme.outcomes = ["Explain a health system's functions"]
    programme.eqf_level = 6
    programme.ects = D(60)
    db.add(ProgrammeCourse(programme_id=programme.id, course_id=free.id))
    db.add(ProgrammeCourse(programme_id=programme.id, course_id=b.course.id))
    db.flush()
    return DocumentsWorld(b, learner, registrar, partner, table, free, programme)
