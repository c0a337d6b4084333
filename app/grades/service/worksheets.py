"""Importing an offline marking worksheet: a CSV file with the learners' email addresses and
one column per manual grade item (headed by the item's title or id). It is previewed first;
applying it writes every change or, if any line is refused, nothing at all."""

import csv
import io
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from functools import cache

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.accounts.models import User
from app.core.actors import Actor, require
from app.core.db import utcnow
from app.core.errors import Forbidden, Invalid, NotFound
from app.core.events import publish
from app.core.i18n import N_, SUPPORTED_LOCALES, translations_for
from app.courses.models import Course
from app.courses.service.courses import find_course
from app.grades import policy
from app.grades.events import GradeReleased
from app.grades.models import ChangeKind, Grade, GradeItem, ItemSource
from app.grades.service.grader import learners_of_course, ordered_items
from app.grades.service.overrides import keep_change
from app.grades.service.record import audit_release

MAX_WORKSHEET_BYTES = 1024 * 1024


@cache
def _headers() -> tuple[frozenset[str], frozenset[str]]:
    """The e-mail column's names, and the grader table's own CSV columns that carry no grade
    (so an export can be filled in), in every language of the interface."""
    names = [translations_for(locale).gettext for locale in SUPPORTED_LOCALES]
    email = frozenset({"email", *(gettext("Email").casefold() for gettext in names)})
    ignored = frozenset(
        {"", *(gettext(h).casefold() for gettext in names for h in ("Name", "Course total"))}
    )
    return email, ignored


def _is_email(name: str) -> bool:
    return name.casefold() in _headers()[0]


class WorksheetRefused(Invalid):
    code = "worksheet_refused"
    title = N_("Some lines of the worksheet are refused; nothing was imported.")


@dataclass(frozen=True)
class Problem:
    """A refused line (1 is the header): a message with its values."""

    line: int
    message: str
    values: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Change:
    line: int
    learner: User
    item: GradeItem
    before: Decimal | None
    after: Decimal


@dataclass(frozen=True)
class Plan:
    course: Course
    columns: list[GradeItem]
    changes: list[Change]
    problems: list[Problem]
    text: str


def worksheet_text(data: bytes) -> str:
    """The uploaded file as text: at most 1 MB of UTF-8 (with or without a byte-order mark)."""
    if len(data) > MAX_WORKSHEET_BYTES:
        raise Invalid(N_("The worksheet is larger than 1 MB."), field="file")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise Invalid(N_("Save the worksheet as UTF-8 CSV."), field="file") from exc
    if "\x00" in text:
        raise Invalid(N_("Save the worksheet as UTF-8 CSV."), field="file")
    return text


def importing_course(session: Session, actor: Actor, code: str) -> Course:
    """The course whose worksheets the actor may import: those who grade it."""
    course = find_course(session, actor, code)
    require(policy.can_see_grader_table(actor, course.roles), NotFound, N_("No such course."))
    require(policy.can_import_worksheet(actor, course.roles), Forbidden)
    return course.course


def preview_worksheet(session: Session, actor: Actor, code: str, text: str) -> Plan:
    """What importing the worksheet would change, and the lines it would refuse."""
    course = importing_course(session, actor, code)
    return _plan(session, actor, course, text.removeprefix("\ufeff"))


def import_worksheet(
    session: Session, actor: Actor, code: str, text: str, *, release: bool
) -> Plan:
    """Write every change of the worksheet (kept in each grade's history as an import), or
    nothing if any line is refused; `release` lets the learners see the imported grades."""
    plan = preview_worksheet(session, actor, code, text)
    if plan.problems:
        raise WorksheetRefused()
    if not plan.changes:
        raise Invalid(N_("The worksheet changes no grade."), field="file")
    grades = _grades_for_update(session, plan.changes)
    now = utcnow()
    for change in plan.changes:
        grade = grades.get((change.item.id, change.learner.id))
        if grade is None:
            grade = Grade(item_id=change.item.id, user_id=change.learner.id, version=0)
            session.add(grade)
            session.flush()
        grade.points = change.after
        # Released before the change is kept, whose recompute counts released grades only.
        releasing = release and grade.released_at is None
        if releasing:
            grade.released_at = now
            audit_release(session, actor, grade)
        keep_change(
            session, actor, change.item, grade, ChangeKind.IMPORT, change.before, change.after, ""
        )
        if releasing:
            publish(session, GradeReleased(course_id=plan.course.id, item_id=change.item.id,
                                           user_id=change.learner.id))  # fmt: skip
    return plan


def _grades_for_update(session: Session, changes: list[Change]) -> dict[tuple[int, int], Grade]:
    found = session.scalars(
        select(Grade)
        .where(
            Grade.item_id.in_({c.item.id for c in changes}),
            Grade.user_id.in_({c.learner.id for c in changes}),
        )
        .with_for_update()
    )
    return {(g.item_id, g.user_id): g for g in found}


def _plan(session: Session, actor: Actor, course: Course, text: str) -> Plan:
    try:
        records = list(csv.reader(io.StringIO(text)))
    except csv.Error as exc:
        raise Invalid(N_("Save the worksheet as UTF-8 CSV."), field="file") from exc
    header = [_unquoted(name) for name in (records[0] if records else [])]
    problems: list[Problem] = []
    email_at = next((i for i, name in enumerate(header) if _is_email(name)), None)
    if email_at is None:
        problems.append(Problem(1, N_("The first line must name an “email” column.")))
    columns = _columns(ordered_items(session, course.id), header, problems)
    learners = {u.email.lower(): u for u in learners_of_course(session, actor, course.id)}
    sheet = _Sheet(columns, _current_points(session, columns, learners), problems)
    seen: set[str] = set()
    for line, record in enumerate(records[1:], 2):
        if email_at is None or not any(value.strip() for value in record):
            continue
        email = _unquoted(record[email_at] if email_at < len(record) else "").lower()
        learner = learners.get(email)
        if learner is None or email in seen:
            message = N_("%(email)s is not a learner of the course you grade, or comes twice.")
            problems.append(Problem(line, message, {"email": email}))
            continue
        seen.add(email)
        sheet.read_line(line, learner, record)
    manual = [item for item in columns.values() if item.source is ItemSource.MANUAL]
    return Plan(course, manual, sheet.changes, problems, text)


@dataclass
class _Sheet:
    """Reads the lines of a worksheet into changes and problems."""

    columns: dict[int, GradeItem]
    current: dict[tuple[int, int], Decimal | None]  # the final points now, by (item, learner)
    problems: list[Problem]
    changes: list[Change] = field(default_factory=list)

    def read_line(self, line: int, learner: User, record: list[str]) -> None:
        for index, item in self.columns.items():
            value = record[index].strip() if index < len(record) else ""
            if value:
                self._read_cell(line, learner, item, value)

    def _read_cell(self, line: int, learner: User, item: GradeItem, value: str) -> None:
        points = _points(value, item)
        before = self.current.get((item.id, learner.id))
        name = {"name": item.title}
        if points is None:
            message = N_("%(value)s is not a number of points between 0 and %(max)s.")
            self.problems.append(Problem(line, message, {"value": value, "max": _plain(item)}))
        elif points == before:
            return  # unchanged, as in the grader table's own CSV
        elif item.source is not ItemSource.MANUAL:
            message = N_("“%(name)s” is graded in its own activity, not by a worksheet.")
            self.problems.append(Problem(line, message, name))
        elif item.locked_at is not None:
            self.problems.append(Problem(line, N_("“%(name)s” is locked."), name))
        else:
            self.changes.append(Change(line, learner, item, before, points))


def _plain(item: GradeItem) -> str:
    return f"{item.max_points.normalize():f}"


def _columns(
    items: list[GradeItem], header: list[str], problems: list[Problem]
) -> dict[int, GradeItem]:
    """Each grade column's item, by its position; an unknown or repeated column is refused."""
    by_name = {item.title.casefold(): item for item in items} | {str(i.id): i for i in items}
    columns: dict[int, GradeItem] = {}
    for index, name in enumerate(header):
        if _is_email(name) or name.casefold() in _headers()[1]:
            continue
        item = by_name.get(name.casefold())
        if item is None:
            problems.append(Problem(1, N_("No grade item is called “%(name)s”."), {"name": name}))
        elif item in columns.values():
            problems.append(Problem(1, N_("“%(name)s” comes twice."), {"name": name}))
        else:
            columns[index] = item
    return columns


def _current_points(
    session: Session, columns: dict[int, GradeItem], learners: dict[str, User]
) -> dict[tuple[int, int], Decimal | None]:
    if not columns or not learners:
        return {}
    rows = session.execute(
        select(Grade.item_id, Grade.user_id, Grade.points, Grade.override_points).where(
            Grade.item_id.in_([i.id for i in columns.values()]),
            Grade.user_id.in_([u.id for u in learners.values()]),
        )
    )
    return {(item, user): override if override is not None else points
            for item, user, points, override in rows}  # fmt: skip


def _points(value: str, item: GradeItem) -> Decimal | None:
    try:
        points = Decimal(value.replace(",", "."))
    except InvalidOperation:
        return None
    if not points.is_finite() or not 0 <= points <= item.max_points:
        return None
    return points.quantize(Decimal("0.01"))


def _unquoted(value: str) -> str:
    """A cell as typed: our own exports prefix a formula-like cell with an apostrophe."""
    text = value.strip()
    return text[1:] if text.startswith("'") else text
