"""A hand-counted LMQS world: a project on a Licence (two mandatory courses) and a
lifelong-learning module, 21 learners in Kazakhstan (12), Russia (6) and Azerbaijan (3),
with completions, credits, scholarships, refugees and a seminar, on a frozen day.

What a person counts by hand, on 2027-03-15:
- enrolled: KZ 12, RU 6, AZ 3 — 21; 18 first enrolled in 2026-27/S1, 3 (the AZ ones) in S2;
- completed the Licence (both courses): 7 KZ, 2 RU — 9;
- professionals trained (working professionals with one course completed): 5 KZ;
- refugees: 5 KZ, 1 AZ — 6 of 21 = 28.6%;
- credits in force: 5 KZ learners × 10 ECTS = 50 (a sixth award was revoked);
- contact hours: one 2-hour sitting held, one cancelled session not counted — 2;
- scholarships from "EU": 6 KZ learners (a seventh is funded by another funder)."""

from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal

from sqlalchemy.orm import Session

from app.accounts.auth import actor_for_user
from app.accounts.models import Institution, User
from app.core.actors import Actor, PlatformRole
from app.courses.models import (
    Course,
    CourseCompletion,
    Programme,
    ProgrammeCourse,
    ProgrammeKind,
    Status,
)
from app.credits.models import CreditEntry, EntryKind, EntrySource
from app.enrolment.models import Cohort, CohortMember, LearnerProfile, ProfessionalStatus
from app.membership.models import CourseRole, Enrolment, Funding
from app.reporting.models import (
    Indicator,
    ReaderRole,
    ReportingProgramme,
    ReportingProject,
    ReportReader,
    ReportTarget,
)
from app.webinars.models import SessionStatus, Sitting, WebinarSession
from tests.accounts.factories import PASSWORD, make_institution, make_user

TODAY = datetime(2027, 3, 15, 9, 0, tzinfo=UTC)
S1 = datetime(2026, 9, 15, 8, 0, tzinfo=UTC)
S2 = datetime(2027, 2, 10, 8, 0, tzinfo=UTC)


@dataclass
class World:
    db: Session
    project: ReportingProject
    licence: Programme
    lifelong: Programme
    courses: list[Course]
    kz: Institution
    ru: Institution
    az: Institution
    learners: list[User]
    coordinator: User
    programme_manager: User
    funder: User
    kz_manager: User
    outsider_manager: User
    student: User  # a learner of the project, who reads no report

    def actor(self, user: User) -> Actor:
        return actor_for_user(user)


def _course(db: Session, code: str, institution: Institution) -> Course:
    course = Course(
        code=code, title=f"Course {code}", status=Status.PUBLISHED, institution_id=institution.id
    )
    db.add(course)
    db.flush()
    return course


def _programme(
    db: Session, code: str, kind: ProgrammeKind, courses: list[Course], institution: Institution
) -> Programme:
    programme = Programme(code=code, kind=kind, title=f"Programme {code}", ects=Decimal(60))
    programme.institutions = [institution]
    db.add(programme)
    db.flush()
    for position, course in enumerate(courses):
        db.add(
            ProgrammeCourse(
                programme_id=programme.id, course_id=course.id, position=position, mandatory=True
            )
        )
    return programme


def _learner(db: Session, home: Institution, n: int, prefix: str) -> User:
    email = f"{prefix}-{home.country.lower()}-{n}-{home.id}@example.org"
    user = make_user(db, institution=home, email=email)
    user.country = home.country
    user.display_name = f"Learner {home.country} {n}"
    return user


def _enrol(
    db: Session,
    user: User,
    course: Course,
    at: datetime,
    funding: Funding = Funding.SELF,
    funder: str | None = None,
) -> None:
    db.add(
        Enrolment(
            user_id=user.id,
            course_id=course.id,
            role=CourseRole.STUDENT,
            created_at=at,
            funding=funding,
            funder_name=funder,
        )
    )


def _complete(db: Session, user: User, course: Course, day: date) -> None:
    db.add(
        CourseCompletion(
            user_id=user.id,
            course_id=course.id,
            completed_at=datetime(day.year, day.month, day.day, 12, tzinfo=UTC),
        )
    )


def _credit(
    db: Session,
    user: User,
    course: Course,
    kind: EntryKind = EntryKind.AWARD,
    supersedes: int | None = None,
) -> CreditEntry:
    entry = CreditEntry(
        user_id=user.id, course_id=course.id, unit_code=course.code, unit_title=course.title,
        credits=Decimal(0) if kind is EntryKind.REVOCATION else Decimal(10), term="2026-27",
        awarded_on=date(2026, 12, 20), source=EntrySource.COURSE_RESULT, kind=kind,
        supersedes_id=supersedes,
    )  # fmt: skip
    db.add(entry)
    db.flush()
    return entry


def _sessions(db: Session, course: Course) -> None:
    for status, room in ((SessionStatus.SCHEDULED, "held"), (SessionStatus.CANCELLED, "cancelled")):
        held = WebinarSession(
            course_id=course.id,
            title="Quality seminar",
            starts_at=datetime(2026, 10, 10, 8, tzinfo=UTC),
            ends_at=datetime(2026, 10, 10, 10, tzinfo=UTC),
            time_zone="Asia/Almaty",
            provider="jitsi",
            room_name=f"rep-{room}-{course.id}",
            status=status,
        )
        db.add(held)
        db.flush()
        db.add(Sitting(session_id=held.id, starts_at=held.starts_at, ends_at=held.ends_at))


def _people(
    db: Session, world_parts: dict[str, object], courses: list[Course], prefix: str = "learner"
) -> list[User]:
    kz, ru, az = (world_parts[k] for k in ("kz", "ru", "az"))
    learners: list[User] = []
    for home, number in ((kz, 12), (ru, 6), (az, 3)):
        assert isinstance(home, Institution)
        for n in range(number):
            learner = _learner(db, home, n, prefix)
            learners.append(learner)
            at = S2 if home is az else S1
            funding, funder = (
                (Funding.SCHOLARSHIP, "EU") if home is kz and n < 6 else (Funding.SELF, None)
            )
            if home is kz and n == 6:
                funding, funder = Funding.SCHOLARSHIP, "Another foundation"
            _enrol(db, learner, courses[0], at, funding, funder)
            _enrol(db, learner, courses[1], at)
            refugee = (home is kz and n < 5) or (home is az and n == 0)
            status = (
                ProfessionalStatus.WORKING_PROFESSIONAL
                if home is kz and n < 5
                else ProfessionalStatus.STUDENT
            )
            db.add(
                LearnerProfile(
                    user_id=learner.id,
                    professional_status=status,
                    refugee=refugee,
                    nationality=home.country,
                )
            )
            done = (home is kz and n < 7) or (home is ru and n < 2)
            if done:
                _complete(db, learner, courses[0], date(2026, 12, 15))
                _complete(db, learner, courses[1], date(2027, 1, 20))
    db.flush()
    return learners


def lmqs_world(db: Session) -> World:
    kz, ru, az = (make_institution(db, country=c) for c in ("KZ", "RU", "AZ"))
    outsider_home = make_institution(db, country="MA")
    courses = [_course(db, f"REP-{n}-{kz.id}", kz) for n in ("QM", "HS", "LL")]
    licence = _programme(db, f"REP-LIC-{kz.id}", ProgrammeKind.LICENCE, courses[:2], kz)
    lifelong = _programme(db, f"REP-FTLV-{kz.id}", ProgrammeKind.LIFELONG, courses[2:], kz)
    project = ReportingProject(
        code=f"LMQS-{kz.id}", name="LMQS", funder="EU", starts_on=date(2026, 9, 1)
    )
    db.add(project)
    db.flush()
    db.add_all(
        ReportingProgramme(project_id=project.id, programme_id=p.id) for p in (licence, lifelong)
    )
    learners = _people(db, {"kz": kz, "ru": ru, "az": az}, courses)
    kz_learners = learners[:12]
    for learner in kz_learners[:5]:
        _credit(db, learner, courses[0])
    revoked = _credit(db, kz_learners[5], courses[0])
    _credit(db, kz_learners[5], courses[0], EntryKind.REVOCATION, revoked.id)
    _sessions(db, courses[0])
    cohort = Cohort(code=f"KZ-2026-{kz.id}", name="Kazakhstan 2026", institution_id=kz.id)
    db.add(cohort)
    db.flush()
    db.add_all(CohortMember(cohort_id=cohort.id, user_id=u.id) for u in kz_learners)
    coordinator = make_user(db, role=PlatformRole.MANAGER, password=PASSWORD)
    programme_manager = make_user(db, password=PASSWORD, institution=kz)
    funder = make_user(db, password=PASSWORD, email=f"funder-{kz.id}@example.org")
    funder.display_name = "EU funder"
    kz_manager = make_user(
        db, role=PlatformRole.INSTITUTION_MANAGER, institution=kz, password=PASSWORD
    )
    outsider_manager = make_user(
        db, role=PlatformRole.INSTITUTION_MANAGER, institution=outsider_home, password=PASSWORD
    )
    db.add_all(
        [
            ReportReader(
                project_id=project.id,
                user_id=programme_manager.id,
                role=ReaderRole.PROGRAMME_MANAGER,
            ),
            ReportReader(
                project_id=project.id, user_id=funder.id, role=ReaderRole.FUNDER, monthly=True
            ),
        ]
    )
    student = learners[0]
    student.password_hash = outsider_manager.password_hash
    db.flush()
    return World(
        db, project, licence, lifelong, courses, kz, ru, az, learners, coordinator,
        programme_manager, funder, kz_manager, outsider_manager, student,
    )  # fmt: skip


def add_target(
    w: World, indicator: Indicator, value: int, due: date, *, country: str | None = None,
    institution: Institution | None = None, counts_from: date = date(2026, 9, 1),
) -> ReportTarget:  # fmt: skip
    target = ReportTarget(
        project_id=w.project.id, indicator=indicator, value=Decimal(value), counts_from=counts_from,
        due_on=due, country=country, institution_id=institution.id if institution else None,
    )  # fmt: skip
    w.db.add(target)
    w.db.flush()
    return target
