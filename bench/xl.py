"""Size XL, PostgreSQL only: 100,000 learners, 1,000 courses of the S shape (`module_plan`),
200,000 enrolments, exactly 10,000,000 module completions, 20 webinars per course and a
gradebook per course, written with COPY in one transaction into a migrated, empty database.

Ids are assigned here (every table starts empty) and the sequences set after. The big tables
are loaded the way pg_restore does it: their foreign keys, unique constraints and secondary
indexes are dropped, the rows copied, the indexes built and the constraints added back
(validated), so the data is checked as a whole rather than row by row. Then VACUUM ANALYZE, as
autovacuum would have done on a live database.

    python -m bench.generate XL      # 1 min 41 s on 2 idle cores; prints the counts as JSON
"""

import json
import random
import sys
import time
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import timedelta
from decimal import Decimal
from enum import Enum
from typing import Any

import psycopg
from sqlalchemy import JSON, Table, create_engine, text

from app.accounts.models import Institution, User
from app.core.actors import PlatformRole
from app.core.config import get_settings
from app.core.db import session_factory, utcnow
from app.core.markdown import render_markdown
from app.core.security import hash_password
from app.courses.models import (
    Course,
    Module,
    ModuleFile,
    Section,
    SelfEnrolment,
    Status,
)
from app.enrolment.models import Cohort, CohortMember
from app.grades.models import (
    Aggregation,
    ChangeKind,
    CourseResult,
    Grade,
    GradeCategory,
    GradeChange,
    GradeItem,
    ItemSource,
)
from app.grades.service.aggregation import Rule, Tree, learner_total
from app.grades.service.results import PERCENT_STEP, POINTS_STEP
from app.membership.models import CourseRole, Enrolment, EnrolmentMethod, EnrolmentStatus
from app.webinars.models import Sitting, WebinarSession
from bench.generate import PAGE_TEXT, PASSWORD, Counts, _content_files, _count, module_plan

LEARNERS, TEACHERS, COURSES = 100_000, 100, 1_000
STUDENTS_PER_COURSE = 199  # and a teacher: 200,000 enrolments
COMPLETIONS = 10_000_000
COHORTS, COHORT_SIZE = 200, 500
WEBINARS_PER_COURSE = 20
ITEMS = ("Coursework", "Final exam")  # manual grade items, each graded for every student
PASS_PERCENT = Decimal(50)
# The modules a student completes in order, by position in `module_plan`: the 50 pages, then
# the 10 further activities, the folder and the 2 handbooks (the announcements forum never).
COMPLETABLE = range(1, 64)
MODULES_PER_COURSE, SECTIONS_PER_COURSE = 64, 11


def _log(started: float, what: str) -> None:
    print(f"  xl {time.perf_counter() - started:6.1f} s  {what}", file=sys.stderr, flush=True)


def _plain(value: Any) -> Any:
    return value.value if isinstance(value, Enum) else value


def _defaults(table: Table, given: Sequence[str]) -> dict[str, Any]:
    """The Python-side defaults of the columns not given (evaluated once: one instant)."""
    found: dict[str, Any] = {}
    for column in table.columns:
        default = column.default
        if column.name in given or default is None:
            continue
        value = default.arg(None) if default.is_callable else default.arg
        if isinstance(column.type, JSON):
            value = json.dumps(value)
        found[column.name] = _plain(value)
    return found


class Loader:
    def __init__(self, connection: psycopg.Connection[Any], started: float) -> None:
        self.cursor = connection.cursor()
        self.started = started
        self.tables: list[str] = []

    def copy(self, model: type, columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> int:
        table: Table = model.__table__
        extra = _defaults(table, columns)
        tail = tuple(extra.values())
        names = ", ".join([*columns, *extra])
        count = 0
        with self.cursor.copy(f"COPY {table.name} ({names}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row((*row, *tail))
                count += 1
        self.tables.append(table.name)
        _log(self.started, f"{table.name}: {count:,} rows")
        return count

    @contextmanager
    def bulk(self, *tables: str) -> Iterator[None]:
        """Foreign keys, unique constraints and secondary indexes of `tables` dropped while
        inside, built and validated again on the way out."""
        kept: list[tuple[str, str, str, str]] = []  # table, kind, name, definition
        for name in tables:
            for conname, contype, definition in self.cursor.execute(
                "SELECT conname, contype, pg_get_constraintdef(oid) FROM pg_constraint "
                "WHERE conrelid = %s::regclass AND contype IN ('f', 'u')",
                (name,),
            ).fetchall():
                kept.append((name, contype, conname, definition))
            for index, definition in self.cursor.execute(
                "SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = 'public' "
                "AND tablename = %s AND indexname NOT IN (SELECT conname FROM pg_constraint "
                "WHERE conrelid = %s::regclass)",
                (name, name),
            ).fetchall():
                kept.append((name, "i", index, definition))
        for table, kind, name, _ in sorted(kept, key=lambda k: k[1] != "f"):  # foreign keys first
            if kind == "i":
                self.cursor.execute(f"DROP INDEX {name}")
            else:
                self.cursor.execute(f"ALTER TABLE {table} DROP CONSTRAINT {name}")
        yield
        for table, kind, name, definition in sorted(kept, key=lambda k: k[1] == "f"):
            if kind == "i":
                self.cursor.execute(definition)
            else:
                self.cursor.execute(f"ALTER TABLE {table} ADD CONSTRAINT {name} {definition}")
        _log(self.started, f"indexes and constraints of {', '.join(tables)} back")

    def fix_sequences(self) -> None:
        for name in dict.fromkeys(self.tables):
            self.cursor.execute(
                f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), "
                f"(SELECT coalesce(max(id), 0) + 1 FROM {name}), false)"
            )


def _spread(rng: random.Random, total: int, counts: list[int], low: int, high: int) -> None:
    """Move `counts` by ones, at random, within [low, high], until they sum to `total`."""
    gap = total - sum(counts)
    step = 1 if gap > 0 else -1
    while gap:
        n = rng.randrange(len(counts))
        if low <= counts[n] + step <= high:
            counts[n] += step
            gap -= step


def generate_xl(seed: int = 7) -> Counts:
    if not get_settings().database_url.startswith("postgresql"):
        sys.exit("size XL is generated on PostgreSQL only (COPY)")
    started = time.perf_counter()
    rng = random.Random(seed)
    now = utcnow().replace(microsecond=0)
    begun = now - timedelta(days=120)
    with session_factory() as session, session.begin():
        institution = Institution(code="BENCH", name="Benchmark university", country="LA")
        session.add(institution)
        session.flush()
        files = _content_files(session)
        raw = session.connection().connection.driver_connection
        assert isinstance(raw, psycopg.Connection)
        raw.execute("SET LOCAL maintenance_work_mem = '1GB'")
        load = Loader(raw, started)

        # People: learners 1..100,000, then the teachers, then the manager.
        password = hash_password(PASSWORD)
        people = [(n + 1, f"bench{n}@example.org", f"Bench Student {n}", PlatformRole.USER.value)
                  for n in range(LEARNERS)]  # fmt: skip
        people += [(LEARNERS + n + 1, f"bench-teacher{n}@example.org", f"Bench Teacher {n}",
                    PlatformRole.USER.value) for n in range(TEACHERS)]  # fmt: skip
        people.append((LEARNERS + TEACHERS + 1, "bench-manager@example.org", "Manager",
                       PlatformRole.MANAGER.value))  # fmt: skip
        load.copy(User, ["id", "email", "display_name", "platform_role", "password_hash",
                         "institution_id", "time_zone", "preferred_language"],
                  ((*p, password, institution.id, "Asia/Vientiane", "en")
                   for p in people))  # fmt: skip
        learners = list(range(1, LEARNERS + 1))
        teacher_of = [LEARNERS + 1 + c % TEACHERS for c in range(COURSES)]  # 10 courses each

        # Courses, each of the S shape: 11 sections, 64 modules, 66 module files.
        load.copy(Course, ["id", "code", "title", "summary", "language", "workload_hours",
                           "status", "self_enrolment"],
                  ((c + 1, f"BENCH-{c:03d}", f"Health district management {c}",
                    "A course generated for benchmarks.", "en", 125, Status.PUBLISHED.value,
                    SelfEnrolment.OPEN.value) for c in range(COURSES)))  # fmt: skip
        titles = ["Introduction"] + [f"Topic {n}" for n in range(1, SECTIONS_PER_COURSE)]
        load.copy(Section, ["id", "course_id", "title", "position"],
                  ((c * SECTIONS_PER_COURSE + s + 1, c + 1, titles[s], s)
                   for c in range(COURSES) for s in range(SECTIONS_PER_COURSE)))  # fmt: skip
        plan = module_plan(render_markdown(PAGE_TEXT))
        assert len(plan) == MODULES_PER_COURSE
        fields = ["key", "kind", "title", "body_markdown", "body_html", "url",
                  "completion_rule", "required"]  # fmt: skip
        shape = [[_plain(row.get(f, "" if f.startswith("body") else None)) for f in fields]
                 for row in plan]  # fmt: skip
        load.copy(Module, ["id", "course_id", "section_id", "position", "status", *fields],
                  ((c * MODULES_PER_COURSE + p + 1, c + 1,
                    c * SECTIONS_PER_COURSE + int(plan[p]["section"]) + 1,
                    p, Status.PUBLISHED.value, *shape[p])
                   for c in range(COURSES) for p in range(MODULES_PER_COURSE)))  # fmt: skip
        position = {row["key"]: p for p, row in enumerate(plan)}
        small, large = files
        attached = [(position["folder"], f, f"reading-{n}.txt", n) for n, f in enumerate(small)]
        attached += [(position[f"large-{n}"], f, f"handbook-{n}.txt", 0)
                     for n, f in enumerate(large)]  # fmt: skip
        load.copy(ModuleFile, ["id", "module_id", "content_file_id", "name", "position"],
                  ((c * len(attached) + n + 1, c * MODULES_PER_COURSE + p + 1, f, name, at)
                   for c in range(COURSES)
                   for n, (p, f, name, at) in enumerate(attached)))  # fmt: skip

        # Enrolments: 199 students drawn at random per course (about two courses per learner)
        # and its teacher.
        students = [rng.sample(learners, STUDENTS_PER_COURSE) for _ in range(COURSES)]
        enrolled = begun - timedelta(days=1)
        rows = [(u, c + 1, CourseRole.STUDENT.value) for c in range(COURSES) for u in students[c]]
        rows += [(teacher_of[c], c + 1, CourseRole.TEACHER.value) for c in range(COURSES)]
        with load.bulk("enrolments"):
            load.copy(Enrolment, ["id", "user_id", "course_id", "role", "status", "method",
                                  "created_at"],
                      ((n + 1, u, c, role, EnrolmentStatus.ACTIVE.value,
                        EnrolmentMethod.MANUAL.value, enrolled)
                       for n, (u, c, role) in enumerate(rows)))  # fmt: skip
        _completions(load, rng, students, begun)
        _gradebooks(load, rng, students, teacher_of, now)
        _webinars(load, now)
        load.copy(Cohort, ["id", "code", "name"],
                  ((n + 1, f"BENCH-C{n}", f"Intake {n}") for n in range(COHORTS)))  # fmt: skip
        load.copy(CohortMember, ["id", "cohort_id", "user_id"],
                  ((n + 1, n // COHORT_SIZE + 1, learners[n])
                   for n in range(COHORTS * COHORT_SIZE)))  # fmt: skip
        load.fix_sequences()
    _log(started, "committed")
    engine = create_engine(get_settings().database_url, isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        connection.execute(text("VACUUM (ANALYZE)"))
    engine.dispose()
    _log(started, "vacuumed and analysed")
    with session_factory() as session:
        counts = _count(session, "XL")
    _log(started, "counted")
    return counts


def _completions(load: Loader, rng: random.Random, students: list[list[int]], begun: Any) -> None:
    """In the measured first course each student has a random prefix of the 50 pages, as at
    S and L; elsewhere a random prefix of its 63 completable modules, 38–63 long and moved by
    ones to reach exactly 10,000,000 in all. Rows are written step by step (every student's
    first module, then every second, …), so a person's completions lie apart in the table as
    they would after months of use, not side by side."""
    enrolments = [(u, c) for c in range(COURSES) for u in students[c]]
    first = [rng.randint(0, 50) for _ in students[0]]
    rest = [rng.randint(38, len(COMPLETABLE)) for _ in enrolments[len(first) :]]
    _spread(rng, COMPLETIONS - sum(first), rest, 0, len(COMPLETABLE))
    prefix = first + rest
    order = sorted(range(len(enrolments)), key=lambda n: -prefix[n])
    # Per enrolment: the start of its line, and the id of its course's module at position 0.
    heads = [(f"\t{u}\t", c * MODULES_PER_COURSE + 1, f"\t{c + 1}\t") for u, c in enrolments]
    written = 0
    with load.bulk("module_completions"):
        load.cursor.execute("TRUNCATE module_completions")  # for COPY FREEZE: no vacuum after
        with load.cursor.copy(
            "COPY module_completions (id, user_id, module_id, course_id, completed_at) "
            "FROM STDIN WITH (FREEZE)"
        ) as copy:
            for step, offset in enumerate(COMPLETABLE):
                at = (begun + timedelta(hours=40 * step)).isoformat()
                lines = []
                for n in order:
                    if prefix[n] <= step:
                        break
                    head, base, course = heads[n]
                    written += 1
                    lines.append(f"{written}{head}{base + offset}{course}{at}\n")
                copy.write("".join(lines))
        load.tables.append("module_completions")
        _log(load.started, f"module_completions: {written:,} rows")
    assert written == COMPLETIONS


def _gradebooks(
    load: Loader, rng: random.Random, students: list[list[int]], teacher_of: list[int], now: Any
) -> None:
    """Per course a root category (weighted mean, pass mark 50 %) holding two manual items,
    each graded and released for every student, its history, and each student's result."""
    load.copy(GradeCategory, ["id", "course_id", "title", "aggregation", "pass_percent"],
              ((c + 1, c + 1, "", Aggregation.WEIGHTED_MEAN.value, PASS_PERCENT)
               for c in range(COURSES)))  # fmt: skip
    load.copy(GradeItem, ["id", "course_id", "category_id", "source", "title", "position"],
              ((c * len(ITEMS) + n + 1, c + 1, c + 1, ItemSource.MANUAL.value, title, n)
               for c in range(COURSES) for n, title in enumerate(ITEMS)))  # fmt: skip
    grades: list[tuple[int, int, int, Decimal, int]] = []  # id, item, user, points, teacher
    results: list[tuple[int, int, int, Any, Any, Any, bool | None]] = []
    for c in range(COURSES):
        items = [c * len(ITEMS) + n + 1 for n in range(len(ITEMS))]
        tree = Tree(rules={c + 1: Rule(Aggregation.WEIGHTED_MEAN)},
                    weights={c + 1: Decimal(1)}, parents={},
                    items={i: (c + 1, Decimal(100), Decimal(1)) for i in items})  # fmt: skip
        for user in students[c]:
            points = {i: Decimal(rng.randint(3000, 10000)) / 100 for i in items}
            for item, value in points.items():
                grades.append((len(grades) + 1, item, user, value, teacher_of[c]))
            total = learner_total(tree, c + 1, points)
            percent = total.percent
            results.append((len(results) + 1, c + 1, user,
                            None if total.points is None else total.points.quantize(POINTS_STEP),
                            total.max_points.quantize(POINTS_STEP),
                            None if percent is None else percent.quantize(PERCENT_STEP),
                            percent is not None and percent >= PASS_PERCENT))  # fmt: skip
    with load.bulk("grades", "grade_changes", "course_results"):
        load.copy(Grade, ["id", "item_id", "user_id", "points", "updated_by_id", "released_at",
                          "updated_at", "version"],
                  ((*g, now, now, 2) for g in grades))  # fmt: skip
        load.copy(GradeChange, ["id", "grade_id", "kind", "to_points", "changed_by_id",
                                "changed_at"],
                  ((g[0], g[0], ChangeKind.SOURCE.value, g[3], g[4], now)
                   for g in grades))  # fmt: skip
        load.copy(CourseResult, ["id", "course_id", "user_id", "points", "max_points",
                                 "percent", "passed", "computed_at"],
                  ((*r, now) for r in results))  # fmt: skip


def _webinars(load: Loader, now: Any) -> None:
    """20 weekly webinars per course from tomorrow, each with its sitting (as at L)."""
    start = now.replace(minute=0, second=0) + timedelta(days=1)
    sessions = [(c * WEBINARS_PER_COURSE + n + 1, c + 1, n) for c in range(COURSES)
                for n in range(WEBINARS_PER_COURSE)]  # fmt: skip
    length = timedelta(minutes=90)
    load.copy(WebinarSession, ["id", "course_id", "title", "starts_at", "ends_at", "time_zone",
                               "provider", "room_name"],
              ((i, c, f"Webinar {n + 1}", start + timedelta(days=7 * n),
                start + timedelta(days=7 * n) + length, "Europe/Paris", "jitsi",
                f"agora-bench-{c}-{n}") for i, c, n in sessions))  # fmt: skip
    load.copy(Sitting, ["id", "session_id", "starts_at", "ends_at"],
              ((i, i, start + timedelta(days=7 * n), start + timedelta(days=7 * n) + length)
               for i, _, n in sessions))  # fmt: skip
