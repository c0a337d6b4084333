"""Arranging progress tests: a programme of small courses, entries written straight into the
ledger (awards, recognitions, transfers, revocations) and course results for compensation."""

import itertools
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from sqlalchemy.orm import Session

from app.accounts.models import Institution, User
from app.core.actors import SYSTEM
from app.courses.models import (
    Course,
    MandatoryCourse,
    Programme,
    ProgrammeCourse,
    ProgrammeKind,
    Status,
)
from app.credits.models import CreditEntry, EntryKind, EntrySource
from app.credits.progress_schemas import RulesWrite
from app.credits.service import ledger, rules
from app.credits.service.ledger import AwardedGrade, Unit
from app.grades.models import CourseResult
from tests.accounts.factories import make_institution, make_user

_numbers = itertools.count(1)
DAY = date(2026, 6, 30)


@dataclass
class ProgressWorld:
    db: Session
    home: Institution
    programme: Programme
    courses: dict[str, Course] = field(default_factory=dict)

    def learner(self) -> User:
        return make_user(self.db, institution=self.home)

    def add_course(self, code: str, ects: str, semester: int, *, mandatory: bool = True) -> Course:
        course = Course(
            code=code, title=f"Course {code}", ects=Decimal(ects), status=Status.PUBLISHED
        )
        self.db.add(course)
        self.db.flush()
        link = ProgrammeCourse(
            programme_id=self.programme.id,
            course_id=course.id,
            semester=semester,
            position=len(self.courses),
            mandatory=mandatory,
        )
        self.db.add(link)
        self.db.flush()
        self.courses[code] = course
        return course

    def make_transversal(self, code: str) -> None:
        self.db.add(MandatoryCourse(institution_id=self.home.id, course_code=code))
        self.db.flush()

    def award(
        self,
        user: User,
        code: str,
        *,
        source: EntrySource = EntrySource.COURSE_RESULT,
        percent: str | None = None,
        credits: str | None = None,
        on: date = DAY,
    ) -> CreditEntry:
        """An entry for one of the programme's courses (a recognised or transferred unit
        mapped to it when `source` says so)."""
        course = self.courses[code]
        unit = Unit(
            code=code,
            title=course.title,
            credits=Decimal(credits) if credits else course.ects,
            course_id=course.id,
            institution_id=self.home.id,
        )
        grade = AwardedGrade(percent=Decimal(percent) if percent else None)
        return ledger.append(
            self.db, SYSTEM, unit, grade, user_id=user.id, source=source, source_id=None, on=on
        )

    def award_unit(self, user: User, code: str, credits: str, source: EntrySource) -> CreditEntry:
        """An entry for a unit from elsewhere, mapped to none of our courses."""
        unit = Unit(code=code, title=f"Unit {code}", credits=Decimal(credits))
        return ledger.append(
            self.db, SYSTEM, unit, AwardedGrade(), user_id=user.id, source=source,
            source_id=None, on=DAY,
        )  # fmt: skip

    def revoke(self, entry: CreditEntry) -> CreditEntry:
        unit = Unit(
            code=entry.unit_code, title=entry.unit_title, credits=entry.credits,
            course_id=entry.course_id,
        )  # fmt: skip
        return ledger.append(
            self.db, SYSTEM, unit, AwardedGrade(), user_id=entry.user_id, source=entry.source,
            source_id=entry.source_id, on=DAY, kind=EntryKind.REVOCATION, supersedes=entry,
            reason="Awarded by mistake",
        )  # fmt: skip

    def result(self, user: User, code: str, percent: str) -> None:
        """The learner's course result (from released grades), without any ledger entry."""
        passed = Decimal(percent) >= 50
        self.db.add(
            CourseResult(
                course_id=self.courses[code].id, user_id=user.id, percent=Decimal(percent),
                passed=passed,
            )
        )  # fmt: skip
        self.db.flush()

    def set_rules(self, **rules_data: object) -> rules.RuleSet:
        data = RulesWrite.model_validate({"semesters": 2, **rules_data})
        return rules.replace_rules(self.db, SYSTEM, self.programme.code, data)


def progress_world(db: Session, *, ects: str = "20") -> ProgressWorld:
    """A licence of `ects` credits awarded by one institution, without courses yet."""
    home = make_institution(db)
    programme = Programme(
        code=f"PRG-{next(_numbers)}",
        kind=ProgrammeKind.LICENCE,
        title="Licence in quality management",
        ects=Decimal(ects),
        status=Status.PUBLISHED,
    )
    programme.institutions = [home]
    db.add(programme)
    db.flush()
    return ProgressWorld(db, home, programme)
