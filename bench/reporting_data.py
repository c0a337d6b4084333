"""The reporting part of a benchmark dataset: one programme of every course, learners'
countries and profiles, course completions for about a third of the enrolments, and a
project with a target per indicator, so `/reports/BENCH` is measured on the size's data."""

import random
from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session

from app.accounts.models import User
from app.core.db import utcnow
from app.courses.models import CourseCompletion, Programme, ProgrammeCourse, ProgrammeKind
from app.enrolment.models import LearnerProfile, ProfessionalStatus
from app.membership.models import CourseRole, Enrolment
from app.reporting.models import Indicator, ReportingProgramme, ReportingProject, ReportTarget

COUNTRIES = ("KZ", "RU", "AZ", "LA")
STATUSES = tuple(ProfessionalStatus)


def add_reporting(
    session: Session, course_ids: list[int], students: list[int], rng: random.Random
) -> int:
    """Returns the course completions added."""
    programme = Programme(
        code="BENCH-PROG", kind=ProgrammeKind.MASTER, title="Benchmark Master", ects=Decimal(120)
    )
    session.add(programme)
    session.flush()
    session.execute(insert(ProgrammeCourse), [
        {"programme_id": programme.id, "course_id": c, "position": n, "mandatory": n < 5}
        for n, c in enumerate(course_ids)
    ])  # fmt: skip
    for n, country in enumerate(COUNTRIES):
        session.execute(
            update(User).where(User.id.in_(students[n :: len(COUNTRIES)])).values(country=country)
        )
    session.execute(insert(LearnerProfile), [
        {"user_id": u, "professional_status": STATUSES[u % len(STATUSES)], "refugee": u % 20 == 0}
        for u in students
    ])  # fmt: skip
    now = utcnow()
    enrolled = session.execute(
        select(Enrolment.user_id, Enrolment.course_id).where(Enrolment.role == CourseRole.STUDENT)
    ).all()
    done = [
        {"user_id": u, "course_id": c, "completed_at": now - timedelta(days=rng.randint(1, 300))}
        for u, c in enrolled if rng.random() < 0.35
    ]  # fmt: skip
    if done:
        session.execute(insert(CourseCompletion), done)
    project = ReportingProject(
        code="BENCH", name="Benchmark project", funder="", starts_on=date(2025, 9, 1)
    )
    session.add(project)
    session.flush()
    session.add(ReportingProgramme(project_id=project.id, programme_id=programme.id))
    due = now.date() + timedelta(days=200)
    session.add_all(
        ReportTarget(project_id=project.id, indicator=indicator, value=Decimal(50),
                     counts_from=date(2025, 9, 1), due_on=due, country=country)
        for indicator in Indicator
        for country in ((None,) if indicator is Indicator.CONTACT_HOURS else (None, "KZ", "RU"))
    )  # fmt: skip
    return len(done)
