"""Generate a benchmark dataset into the database of DATABASE_URL (migrated, empty).

Size S has the shape of Moodle's test-course generator size S, so pages compare one for one:
one course of 11 sections (an introduction and 10 topics) holding 64 modules — an
announcements forum, 50 pages, 10 further activities (assignments, quizzes, forums, links,
videos, a webinar), one file module with 64 small files and 2 file modules with a large file
each — and 100 enrolled students, each having completed a share of the modules.

Size L: 5,000 users, 50 courses of that shape, 10 cohorts of 500, 200 students and a teacher
per course (10,000 enrolments), completions, and 20 webinars per course.

Every size also has a reporting project on a programme of all its courses (bench/reporting_data.py).

Size XL (PostgreSQL only, loaded with COPY by `bench/xl.py`): 100,000 learners, 1,000 courses
of that shape, 200,000 enrolments, 10,000,000 module completions, webinars and grades.

    python -m bench.generate S     # prints the counts as JSON
"""

import io
import json
import random
import sys
from dataclasses import asdict, dataclass
from datetime import timedelta

from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session

from app.accounts.models import Institution, User
from app.core.actors import PlatformRole
from app.core.config import get_settings
from app.core.db import session_factory, utcnow
from app.core.markdown import render_markdown
from app.core.security import hash_password
from app.core.storage import storage_for
from app.courses.models import (
    CompletionRule,
    ContentFile,
    Course,
    Module,
    ModuleCompletion,
    ModuleFile,
    ModuleKind,
    Section,
    SelfEnrolment,
    Status,
)
from app.enrolment.models import Cohort, CohortMember
from app.grades.models import Grade, GradeItem
from app.membership.models import CourseRole, Enrolment, EnrolmentMethod, EnrolmentStatus
from app.webinars.models import Sitting, WebinarSession
from bench.reporting_data import add_reporting

PASSWORD = "bench-password-0123"
SMALL_FILES, LARGE_FILE_BYTES = 64, 2 * 1024 * 1024
FURTHER = [ModuleKind.ASSIGNMENT, ModuleKind.QUIZ, ModuleKind.FORUM, ModuleKind.LINK,
           ModuleKind.VIDEO] * 2  # fmt: skip
PAGE_TEXT = "\n\n".join(
    f"## Part {n}\n\nDistrict health teams plan, budget and supervise primary care. "
    "They count what they do with **indicators** and meet the community each quarter."
    for n in range(1, 6)
)


@dataclass(frozen=True)
class Size:
    name: str
    users: int
    courses: int
    students_per_course: int
    cohorts: int
    webinars_per_course: int


SIZES = {
    "S": Size("S", users=101, courses=1, students_per_course=100, cohorts=0, webinars_per_course=0),
    "L": Size("L", users=5000, courses=50, students_per_course=200, cohorts=10,
              webinars_per_course=20),
}  # fmt: skip


@dataclass
class Counts:
    size: str
    users: int = 0
    courses: int = 0
    sections: int = 0
    modules: int = 0
    files: int = 0
    enrolments: int = 0
    completions: int = 0
    cohorts: int = 0
    cohort_members: int = 0
    webinars: int = 0
    grade_items: int = 0
    grades: int = 0


def _users(session: Session, size: Size, institution_id: int) -> list[int]:
    password = hash_password(PASSWORD)  # one hash: argon2 is slow on purpose
    rows = [
        {"email": f"bench{n}@example.org", "display_name": f"Bench Student {n}",
         "password_hash": password, "platform_role": PlatformRole.USER,
         "institution_id": institution_id, "time_zone": "Asia/Vientiane",
         "preferred_language": "en"}
        for n in range(size.users)
    ]  # fmt: skip
    rows.append({**rows[0], "email": "bench-manager@example.org", "display_name": "Manager",
                 "platform_role": PlatformRole.MANAGER})  # fmt: skip
    session.execute(insert(User), rows)
    return list(session.scalars(select(User.id).where(User.email.like("bench%@example.org")
                                                      ).order_by(User.id)))  # fmt: skip


def _content_files(session: Session) -> tuple[list[int], list[int]]:
    storage = storage_for(get_settings())
    small: list[int] = []
    large: list[int] = []
    for n in range(SMALL_FILES + 2):
        line = f"Reading {n}: district health management.\n".encode()
        body = line * (40 if n < SMALL_FILES else LARGE_FILE_BYTES // len(line))
        name = f"reading-{n}.txt" if n < SMALL_FILES else f"handbook-{n}.txt"
        stored = storage.save(io.BytesIO(body), name, LARGE_FILE_BYTES + 1)
        found = session.scalar(select(ContentFile.id).where(ContentFile.sha256 == stored.sha256))
        if found is None:
            item = ContentFile(sha256=stored.sha256, size=stored.size, media_type=stored.media_type)
            session.add(item)
            session.flush()
            found = item.id
        (small if n < SMALL_FILES else large).append(found)
    return small, large


def module_plan(html: str) -> list[dict[str, object]]:
    """The 64 modules of a course in order, each with the index of its section (0–10): the
    shape every size shares (XL too, `bench/xl.py`)."""
    modules: list[dict[str, object]] = [
        {"section": 0, "key": "announcements", "kind": ModuleKind.FORUM,
         "title": "Announcements", "completion_rule": CompletionRule.MANUAL, "required": False}
    ]  # fmt: skip
    for n in range(50):
        modules.append({"section": 1 + n % 10, "key": f"page-{n}",
                        "kind": ModuleKind.PAGE, "title": f"Reading {n + 1}",
                        "body_markdown": PAGE_TEXT, "body_html": html,
                        "completion_rule": CompletionRule.VIEWED, "required": True})  # fmt: skip
    for n, kind in enumerate(FURTHER):
        url = "https://www.who.int/" if kind is ModuleKind.LINK else None
        if kind is ModuleKind.VIDEO:
            url = "https://www.youtube.com/watch?v=dQw4w9WgXcQ"
        modules.append({"section": 1 + n, "key": f"activity-{n}", "kind": kind,
                        "title": f"{kind.value.title()} {n + 1}", "url": url,
                        "completion_rule": CompletionRule.MANUAL, "required": False})  # fmt: skip
    modules.append({"section": 1, "key": "folder", "kind": ModuleKind.FILE,
                    "title": "Readings (64 files)", "completion_rule": CompletionRule.VIEWED,
                    "required": False})  # fmt: skip
    for n in range(2):
        modules.append({"section": 2 + n, "key": f"large-{n}",
                        "kind": ModuleKind.FILE, "title": f"Handbook {n + 1}",
                        "completion_rule": CompletionRule.VIEWED, "required": False})  # fmt: skip
    return modules


def _course(session: Session, number: int, files: tuple[list[int], list[int]]) -> list[int]:
    """One course of Moodle's size-S shape; returns its module ids (required ones)."""
    course = Course(
        code=f"BENCH-{number:03d}", title=f"Health district management {number}",
        summary="A course generated for benchmarks.", language="en", workload_hours=125,
        status=Status.PUBLISHED, self_enrolment=SelfEnrolment.OPEN,
    )  # fmt: skip
    session.add(course)
    session.flush()
    sections = [Section(course_id=course.id, title="Introduction", position=0)] + [
        Section(course_id=course.id, title=f"Topic {n}", position=n) for n in range(1, 11)
    ]
    session.add_all(sections)
    session.flush()
    modules = module_plan(render_markdown(PAGE_TEXT))
    for row in modules:
        index = row.pop("section")
        assert isinstance(index, int)
        row["section_id"] = sections[index].id
    for position, row in enumerate(modules):
        row.update(course_id=course.id, position=position, status=Status.PUBLISHED)
    session.execute(insert(Module), modules)
    ids = dict(
        session.execute(select(Module.key, Module.id).where(Module.course_id == course.id))
        .tuples()
        .all()
    )
    small, large = files
    session.execute(insert(ModuleFile), [
        {"module_id": ids["folder"], "content_file_id": f, "name": f"reading-{n}.txt",
         "position": n} for n, f in enumerate(small)
    ] + [
        {"module_id": ids[f"large-{n}"], "content_file_id": f, "name": f"handbook-{n}.txt",
         "position": 0} for n, f in enumerate(large)
    ])  # fmt: skip
    return [ids[f"page-{n}"] for n in range(50)]


def _enrol(session: Session, course_id: int, students: list[int], teacher: int) -> None:
    rows = [{"user_id": u, "course_id": course_id, "role": CourseRole.STUDENT} for u in students]
    rows.append({"user_id": teacher, "course_id": course_id, "role": CourseRole.TEACHER})
    for row in rows:
        row.update(status=EnrolmentStatus.ACTIVE, method=EnrolmentMethod.MANUAL)
    session.execute(insert(Enrolment), rows)


def _complete(session: Session, course_id: int, students: list[int], pages: list[int],
              rng: random.Random) -> int:  # fmt: skip
    rows = [
        {"user_id": u, "module_id": m, "course_id": course_id}
        for u in students
        for m in pages[: rng.randint(0, len(pages))]
    ]
    if rows:
        session.execute(insert(ModuleCompletion), rows)
    return len(rows)


def _webinars(session: Session, course_id: int, count: int) -> None:
    start = utcnow().replace(minute=0, second=0, microsecond=0) + timedelta(days=1)
    for n in range(count):
        begins = start + timedelta(days=7 * n)
        session.add(WebinarSession(
            course_id=course_id, title=f"Webinar {n + 1}", starts_at=begins,
            ends_at=begins + timedelta(minutes=90), time_zone="Europe/Paris",
            provider="jitsi", room_name=f"agora-bench-{course_id}-{n}",
            sittings=[Sitting(starts_at=begins, ends_at=begins + timedelta(minutes=90))],
        ))  # fmt: skip


def generate(size: Size, seed: int = 7) -> Counts:
    rng = random.Random(seed)
    with session_factory() as session, session.begin():
        institution = Institution(code="BENCH", name="Benchmark university", country="LA")
        session.add(institution)
        session.flush()
        people = _users(session, size, institution.id)
        students, teachers = people[: size.users - 1], people[size.users - 1 :]
        files = _content_files(session)
        for number in range(size.courses):
            pages = _course(session, number, files)
            course_id = session.scalar(
                select(Course.id).where(Course.code == f"BENCH-{number:03d}")
            )
            assert course_id is not None
            chosen = rng.sample(students, min(size.students_per_course, len(students)))
            _enrol(session, course_id, chosen, teachers[0])
            _complete(session, course_id, chosen, pages, rng)
            _webinars(session, course_id, size.webinars_per_course)
        course_ids = list(session.scalars(select(Course.id).order_by(Course.id)))
        add_reporting(session, course_ids, students, rng)
        for number in range(size.cohorts):
            cohort = Cohort(code=f"BENCH-C{number}", name=f"Intake {number}")
            session.add(cohort)
            session.flush()
            members = students[number * 500 : (number + 1) * 500]
            session.execute(insert(CohortMember),
                            [{"cohort_id": cohort.id, "user_id": u} for u in members])  # fmt: skip
        return _count(session, size.name)


def _count(session: Session, name: str) -> Counts:
    def n(model: type) -> int:
        return session.scalar(select(func.count()).select_from(model)) or 0

    return Counts(
        size=name, users=n(User), courses=n(Course), sections=n(Section), modules=n(Module),
        files=n(ModuleFile), enrolments=n(Enrolment), completions=n(ModuleCompletion),
        cohorts=n(Cohort), cohort_members=n(CohortMember), webinars=n(WebinarSession),
        grade_items=n(GradeItem), grades=n(Grade),
    )  # fmt: skip


def main(name: str) -> Counts:
    if name == "XL":
        from bench.xl import generate_xl

        return generate_xl()
    return generate(SIZES[name])


if __name__ == "__main__":
    print(json.dumps(asdict(main(sys.argv[1] if len(sys.argv) > 1 else "S"))))
