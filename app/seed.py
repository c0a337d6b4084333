"""Load `courses_seed/` through the services. Idempotent: loading twice changes nothing."""

import secrets
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.accounts import service as accounts
from app.accounts.auth import actor_for_user
from app.accounts.models import Institution
from app.accounts.schemas import InstitutionCreate, UserCreate
from app.assessment_seed import load_assessment
from app.community_seed import add_announcement_forums
from app.core.actors import SYSTEM, PlatformRole
from app.core.config import PROJECT_DIR, VAR_DIR, Settings
from app.core.db import utcnow
from app.courses.models import Course, Module, Programme
from app.courses.schemas import ProgrammeCreate
from app.courses.service import courses, packages, programmes
from app.enrolment.service import enrol
from app.grades.service.scales import load_scales
from app.membership.models import CourseRole
from app.membership.service import course_roles
from app.webinars.models import WebinarSession
from app.webinars.schemas import SeriesCreate, SessionCreate
from app.webinars.service import scheduling as webinars

SEED_DIR = PROJECT_DIR / "courses_seed"


@dataclass(frozen=True)
class DemoAccount:
    email: str
    name: str
    role: PlatformRole
    language: str
    time_zone: str
    country: str
    institution: str | None = None


DEMO_ACCOUNTS = (
    DemoAccount("admin@demo.agora", "Demo Admin", PlatformRole.ADMIN, "en", "Europe/Paris", "FR"),
    DemoAccount(
        "manager@demo.agora", "Demo Manager", PlatformRole.MANAGER, "fr", "Africa/Casablanca", "MA"
    ),
    # Manages the people, courses, cohorts and API clients of one institution only.
    DemoAccount(
        "ensp-manager@demo.agora",
        "Demo ENSP Manager",
        PlatformRole.INSTITUTION_MANAGER,
        "fr",
        "Africa/Casablanca",
        "MA",
        institution="ENSP",
    ),
    DemoAccount(
        "teacher@demo.agora", "Demo Teacher", PlatformRole.USER, "en", "Asia/Bangkok", "TH"
    ),
    DemoAccount(
        "student1@demo.agora",
        "Demo Student Vientiane",
        PlatformRole.USER,
        "en",
        "Asia/Vientiane",
        "LA",
    ),
    DemoAccount(
        "student2@demo.agora", "Demo Student Almaty", PlatformRole.USER, "ru", "Asia/Almaty", "KZ"
    ),
    # The LMQS Master learner of the credits seed: earned credits, a VAE decision, a transfer.
    DemoAccount(
        "student3@demo.agora",
        "Demo Student Moscow",
        PlatformRole.USER,
        "ru",
        "Europe/Moscow",
        "RU",
        institution="P12",
    ),
)


def read_yaml(path: Path) -> Any:
    with path.open(encoding="utf-8") as handle:
        return yaml.safe_load(handle)


@dataclass
class SeedReport:
    institutions: int = 0
    courses: int = 0
    programmes: int = 0
    sessions: int = 0
    enrolments: int = 0

    def __str__(self) -> str:
        return (
            f"{self.institutions} institution(s), {self.courses} course(s), "
            f"{self.programmes} programme(s), {self.sessions} webinar/seminar session(s), "
            f"{self.enrolments} demo enrolment(s) added"
        )


def load_seed(session: Session, settings: Settings, seed_dir: Path = SEED_DIR) -> SeedReport:
    """Everything in `courses_seed/` that is not in the database yet; what exists is kept."""
    report = SeedReport()
    report.institutions = load_institutions(session, seed_dir)
    load_scales(session, seed_dir)
    report.courses = load_courses(session, settings, seed_dir)
    report.programmes = load_programmes(session, seed_dir)
    report.sessions = load_sessions(session, settings, seed_dir)
    load_assessment(session, settings, seed_dir)
    add_announcement_forums(session, settings)
    return report


def _seed_day(entry: dict[str, Any], today: date) -> date:
    """`week` 1 is the week after `today`; `weekday` 1 is its Monday."""
    next_monday = today + timedelta(days=7 - today.weekday())
    return next_monday + timedelta(weeks=entry["week"] - 1, days=entry.get("weekday", 1) - 1)


SESSION_FIELDS = (
    "title", "description", "time_zone", "location", "kind", "delivery",
    "attendance_threshold", "counts_for_completion", "speakers",
)  # fmt: skip


def _session_data(entry: dict[str, Any], module_id: int | None, first: date) -> dict[str, Any]:
    fields: dict[str, Any] = {k: entry[k] for k in SESSION_FIELDS if k in entry}
    fields["module_id"] = module_id
    if "days" in entry:
        fields["days"] = [
            {"starts_at": f"{first + timedelta(days=d['day'])}T{d['start']}",
             "ends_at": f"{first + timedelta(days=d['day'])}T{d['end']}",
             "title": d.get("title", "")}
            for d in entry["days"]
        ]  # fmt: skip
        return fields
    start = datetime.fromisoformat(f"{first}T{entry['time']}")
    fields["starts_at"], fields["ends_at"] = start, start + timedelta(minutes=entry["minutes"])
    return fields


def load_sessions(session: Session, settings: Settings, seed_dir: Path = SEED_DIR) -> int:
    """Webinars and seminars of `sessions.yaml`, dated from today, for courses that have none."""
    path = seed_dir / "sessions.yaml"
    if not path.exists():
        return 0
    created = 0
    # Courses that had sessions before this load keep theirs; the others get all of theirs
    # (the MBA has six seminars, so this is decided once, not entry by entry).
    scheduled_before = set(session.scalars(select(WebinarSession.course_id).distinct()))
    for entry in read_yaml(path)["sessions"]:
        course = session.scalar(select(Course).where(Course.code == entry["course"]))
        if course is None or course.id in scheduled_before:
            continue
        keys = entry.get("modules", [])
        found = dict(
            session.execute(
                select(Module.key, Module.id).where(
                    Module.course_id == course.id, Module.key.in_(keys)
                )
            ).all()
        )
        data = _session_data(entry, found.get(keys[0]) if keys else None,
                             _seed_day(entry, utcnow().date()))  # fmt: skip
        if entry.get("repeat_weeks", 1) > 1:
            series = SeriesCreate.model_validate({**data, "count": entry["repeat_weeks"]})
            scheduled = webinars.schedule_series(session, SYSTEM, settings, course.id, series)
            for webinar, key in zip(scheduled, keys, strict=False):
                webinar.module_id = found.get(key)  # week N's webinar completes week N's module
            created += len(scheduled)
        else:
            webinars.schedule(
                session, SYSTEM, settings, course.id, SessionCreate.model_validate(data)
            )
            created += 1
    return created


def load_institutions(session: Session, seed_dir: Path = SEED_DIR) -> int:
    """Create the institutions the seed lists and that do not exist yet; returns how many."""
    path = seed_dir / "institutions.yaml"
    if not path.exists():
        return 0
    existing = set(session.scalars(select(Institution.code)))
    created = 0
    for entry in read_yaml(path)["institutions"]:
        if entry["code"].upper() in existing:
            continue
        data = InstitutionCreate(code=entry["code"], name=entry["name"], country=entry["country"])
        institution = accounts.create_institution(session, SYSTEM, data)
        for course_code in entry.get("mandatory_courses", []):
            programmes.declare_mandatory_course(session, SYSTEM, institution, course_code)
        created += 1
    return created


def load_courses(session: Session, settings: Settings, seed_dir: Path = SEED_DIR) -> int:
    """Import each course folder whose code is not taken yet, and publish it."""
    existing = set(session.scalars(select(Course.code)))
    created = 0
    for folder in sorted(path for path in (seed_dir / "courses").glob("*") if path.is_dir()):
        source = packages.DirectorySource(folder)
        manifest = packages.read_manifest(source, settings)
        if manifest.code in existing:
            continue
        course = packages.import_course(session, SYSTEM, settings, source)
        courses.publish_course(session, SYSTEM, course.id)
        created += 1
    return created


def load_programmes(session: Session, seed_dir: Path = SEED_DIR) -> int:
    path = seed_dir / "programmes.yaml"
    if not path.exists():
        return 0
    existing = set(session.scalars(select(Programme.code)))
    created = 0
    for entry in read_yaml(path)["programmes"]:
        if entry["code"] in existing:
            continue
        language = entry.pop("language", "en")
        data = ProgrammeCreate.model_validate({"languages": [language], **entry})
        programmes.create_programme(session, SYSTEM, data)
        programmes.publish_programme(session, SYSTEM, data.code)
        created += 1
    return created


DEMO_ENROLMENTS = {
    "teacher@demo.agora": CourseRole.TEACHER,
    "student1@demo.agora": CourseRole.STUDENT,
    "student2@demo.agora": CourseRole.STUDENT,
}
DEMO_COURSES = ("MPHM-IND", "LMQS-QM")


def enrol_demo_accounts(session: Session) -> int:
    """Put the demo teacher and students in the flagship courses, once."""
    enrolled = 0
    for code in DEMO_COURSES:
        course_id = session.scalar(select(Course.id).where(Course.code == code))
        if course_id is None:
            continue
        for email, role in DEMO_ENROLMENTS.items():
            user = accounts.find_user_by_email(session, email)
            if user is None or course_roles(session, actor_for_user(user), course_id):
                continue
            enrol(session, SYSTEM, course_id, user.id, role)
            enrolled += 1
    return enrolled


def create_demo_accounts(session: Session) -> list[tuple[DemoAccount, str]]:
    """Demo accounts that do not exist yet, with fresh random passwords (returned once)."""
    created = []
    for demo in DEMO_ACCOUNTS:
        if accounts.find_user_by_email(session, demo.email) is not None:
            continue
        password = secrets.token_urlsafe(9)
        data = UserCreate(
            email=demo.email,
            display_name=demo.name,
            password=password,
            preferred_language=demo.language,
            time_zone=demo.time_zone,
            country=demo.country,
            institution_code=demo.institution,
            platform_role=demo.role,
        )
        accounts.create_user(session, SYSTEM, data, is_demo=True)
        created.append((demo, password))
    return created


def remember_demo_passwords(created: list[tuple[DemoAccount, str]]) -> Path:
    """Keep the demo passwords in var/ (git-ignored) so they can be looked up again."""
    path = VAR_DIR / "demo-accounts.txt"
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    with path.open("a", encoding="utf-8") as handle:
        for demo, password in created:
            handle.write(f"{demo.email}\t{password}\t{demo.role}\n")
    path.chmod(0o600)
    return path
