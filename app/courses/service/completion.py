"""Completion: recorded once per person and module, course progress, course completion, and
an event trail for reporting."""

import logging
import sqlite3
from collections.abc import Hashable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Select, func, select
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import Session, selectinload

from app.core.actors import Actor, require
from app.core.db import sqlite_writes_expected, utcnow, wrote_in_transaction
from app.core.errors import Invalid
from app.core.events import publish
from app.core.i18n import N_
from app.courses import policy
from app.courses.events import CourseCompleted, ModuleCompleted
from app.courses.models import (
    CompletionEvent,
    CompletionRule,
    Course,
    CourseCompletion,
    Module,
    ModuleCompletion,
    ModuleKind,
    Section,
    Status,
)
from app.courses.schemas import ModuleState, Progress, SectionOutline
from app.courses.service.access import module_locks, module_prerequisites
from app.courses.service.content import ModuleAccess, read_module
from app.courses.service.courses import CourseAccess, find_course

log = logging.getLogger("agora.completion")


class NotManuallyCompletable(Invalid):
    code = "not_manually_completable"
    title = N_("This module is completed by its own rule, not by marking it done.")


def completed_module_ids(session: Session, user_id: int | None, course_id: int) -> set[int]:
    if user_id is None:
        return set()
    return set(
        session.scalars(
            select(ModuleCompletion.module_id).where(
                ModuleCompletion.user_id == user_id, ModuleCompletion.course_id == course_id
            )
        )
    )


def _record(session: Session, user_id: int, module: Module, event: str) -> bool:
    """Insert the completion unless it exists; True when this call recorded it, and only
    then are `ModuleCompleted` (and `CourseCompleted` for the last one) published. Two
    requests racing both try the insert; the unique key lets exactly one win."""
    session.add(
        CompletionEvent(
            user_id=user_id, course_id=module.course_id, module_id=module.id, kind=event
        )
    )
    if session.scalar(
        select(ModuleCompletion.id).where(
            ModuleCompletion.user_id == user_id, ModuleCompletion.module_id == module.id
        )
    ):
        return False
    try:
        with session.begin_nested():
            session.add(
                ModuleCompletion(user_id=user_id, module_id=module.id, course_id=module.course_id)
            )
    except IntegrityError:
        return False
    session.add(
        CompletionEvent(
            user_id=user_id, course_id=module.course_id, module_id=module.id, kind="completed"
        )
    )
    publish(session, ModuleCompleted(user_id, module.course_id, module.id, how=event))
    _complete_course_if_done(session, user_id, module.course_id)
    return True


def _complete_course_if_done(session: Session, user_id: int, course_id: int) -> None:
    if progress(session, user_id, course_id).course_completed is False:
        return
    try:
        with session.begin_nested():
            session.add(CourseCompletion(user_id=user_id, course_id=course_id))
    except IntegrityError:
        return
    session.add(CompletionEvent(user_id=user_id, course_id=course_id, kind="course_completed"))
    publish(session, CourseCompleted(user_id, course_id))


def record_view(session: Session, actor: Actor, access: ModuleAccess) -> bool:
    """Opening a module completed by viewing completes it (an event in the trail); once it
    is complete, reading it again writes nothing. True when the module is complete."""
    if access.module.id in access.completed:
        return True
    if access.course.preview:  # a preview as a student records nothing
        return False
    if actor.user_id is None or not policy.tracks_completion(actor, access.course.roles):
        return False
    if access.module.completion_rule is not CompletionRule.VIEWED:
        return False
    if session.get_bind().dialect.name == "sqlite" and not sqlite_writes_expected.get():
        return _record_view_on_sqlite(session, actor.user_id, access.module)
    with session.begin_nested():
        _record(session, actor.user_id, access.module, "viewed")
    return True


def _record_view_on_sqlite(session: Session, user_id: int, module: Module) -> bool:
    """A read-only request (GET) on SQLite began with a read transaction, which cannot
    become a writer once another request has written since. It wrote nothing, so it ends
    here; the view is recorded in a short write transaction (`BEGIN IMMEDIATE` waits for
    the lock) committed at once, and the request reads on afterwards. Only a lock still
    taken after the busy timeout skips the view (the next one records it)."""
    if wrote_in_transaction(session):  # not read-only after all: write in its transaction
        with session.begin_nested():
            _record(session, user_id, module, "viewed")
        return True
    session.commit()  # the read transaction: nothing to save, only its snapshot to drop
    writing = sqlite_writes_expected.set(True)
    try:
        _record(session, user_id, module, "viewed")
        session.commit()
    except OperationalError as error:
        session.rollback()
        if not _sqlite_busy(error):
            raise
        log.warning("view of module %s not recorded: database busy", module.id)
        return False
    finally:
        sqlite_writes_expected.reset(writing)
    return True


def _sqlite_busy(error: OperationalError) -> bool:
    """SQLite's write lock stayed taken past the busy timeout; nothing else qualifies."""
    return isinstance(error.orig, sqlite3.OperationalError) and "database is locked" in str(
        error.orig
    )


def mark_done(
    session: Session, actor: Actor, module_id: int, course_code: str | None = None
) -> ModuleAccess:
    """A student marks a module done. Doing it twice changes nothing. With `course_code` (the
    course's page), a module of another course is not found."""
    within = find_course(session, actor, course_code) if course_code is not None else None
    access = read_module(session, actor, module_id, within=within)
    require(policy.tracks_completion(actor, access.course.roles))
    if access.module.completion_rule not in (CompletionRule.MANUAL, CompletionRule.VIEWED):
        raise NotManuallyCompletable(field="module")
    assert actor.user_id is not None
    _record(session, actor.user_id, access.module, "marked_done")
    return access


def record_outcome(session: Session, user_id: int, module: Module, outcome: CompletionRule) -> bool:
    """For the services that own assignments, quizzes and forums: a submission, a pass or a
    post completes a module whose rule asks for it."""
    if outcome not in (CompletionRule.SUBMITTED, CompletionRule.PASSED, CompletionRule.POSTED):
        raise Invalid("Only submitted, passed or posted can be recorded.", field="outcome")
    if _hidden(session, module):
        return False
    satisfied = module.completion_rule is outcome or (
        module.completion_rule is CompletionRule.SUBMITTED and outcome is CompletionRule.PASSED
    )
    if not satisfied:
        session.add(
            CompletionEvent(
                user_id=user_id, course_id=module.course_id, module_id=module.id, kind=outcome.value
            )
        )
        return False
    return _record(session, user_id, module, outcome.value)


def complete_by_attendance(session: Session, user_id: int, module: Module) -> bool:
    """A webinar or seminar module is complete once the person's attendance counts."""
    if _hidden(session, module):
        return False
    return _record(session, user_id, module, "attended")


def _hidden(session: Session, module: Module) -> bool:
    """Hidden content (the module or its section) cannot be completed."""
    return module.hidden or bool(
        session.scalar(select(Section.hidden).where(Section.id == module.section_id))
    )


def progress(session: Session, user_id: int, course_id: int) -> Progress:
    """Percent of required, published modules complete; the course is complete at 100%."""
    return progress_of_people(session, course_id, [user_id])[user_id]


@dataclass(frozen=True)
class ModuleShape:
    """What the outline needs of a module: plain data, safe to keep between requests."""

    id: int
    key: str
    kind: ModuleKind
    title: str
    required: bool
    status: Status
    is_open: bool
    available_from: datetime | None
    available_until: datetime | None
    hidden: bool = False
    # (language, title) of each of its translations, for outlines in the reader's language.
    translated_titles: tuple[tuple[str, str], ...] = ()

    def title_in(self, language: str | None) -> tuple[str, str | None]:
        """The title in `language` and that language, if translated; else its own title."""
        for code, title in self.translated_titles:
            if code == language:
                return title, code
        return self.title, None


@dataclass(frozen=True)
class SectionShape:
    id: int
    position: int
    title: str
    summary: str
    modules: tuple[ModuleShape, ...]
    hidden: bool = False


@dataclass(frozen=True)
class CourseShape:
    sections: tuple[SectionShape, ...]
    prerequisites: dict[int, list[int]]
    titles: dict[int, str]
    # Modules in a hidden section: hidden from students whatever their own flag.
    in_hidden_section: frozenset[int] = frozenset()
    # What the pages derive from this version of the structure and keep with it (the
    # rendered outline), so that it goes when the version does.
    memo: dict[Hashable, Any] = field(default_factory=dict, compare=False, repr=False)

    @property
    def students_prerequisites(self) -> dict[int, list[int]]:
        """The prerequisites that lock students: a module they cannot see (a draft, hidden,
        or in a hidden section) cannot be completed, so it locks nothing."""
        unseen = self.in_hidden_section | {
            m.id
            for s in self.sections
            for m in s.modules
            if m.hidden or m.status is not Status.PUBLISHED
        }
        return {
            module_id: [r for r in required if r not in unseen]
            for module_id, required in self.prerequisites.items()
        }


# Course structures are read on every course page and change rarely: kept per process, keyed
# by the course's identity and version, which every committed change of its content raises
# (`touch`, atomically). Only a structure read in a committed state is kept, so no structure
# that a rollback undoes, or that a concurrent writer changed meanwhile, gets a version's key.
_SHAPES: dict[tuple[int, datetime, int], CourseShape] = {}
MAX_SHAPES = 1000


def clear_course_shapes() -> None:
    _SHAPES.clear()


def kept_shape_memo(course: Course) -> dict[Hashable, Any] | None:
    """The memo of the kept structure of the course as it is now, or None when it is not
    kept (a structure read in a transaction that wrote): then nothing may be kept."""
    shape = _SHAPES.get((course.id, course.created_at, course.version))
    return None if shape is None else shape.memo


def _read_in_committed_state(session: Session, course: Course) -> bool:
    """Nothing written by this transaction, and the version unchanged since the structure
    was read (PostgreSQL's statements each see the latest commits)."""
    if wrote_in_transaction(session):
        return False
    return session.scalar(select(Course.version).where(Course.id == course.id)) == course.version


def course_shape(session: Session, course: Course) -> CourseShape:
    key = (course.id, course.created_at, course.version)
    cached = _SHAPES.get(key)
    if cached is not None:
        return cached
    sections = session.scalars(
        select(Section)
        .where(Section.course_id == course.id)
        .options(selectinload(Section.modules).selectinload(Module.translations))
        .order_by(Section.position)
    ).all()
    shape = CourseShape(
        sections=tuple(
            SectionShape(
                s.id, s.position, s.title, s.summary,
                tuple(
                    ModuleShape(m.id, m.key, m.kind, m.title, m.required, m.status, m.is_open,
                                m.available_from, m.available_until, m.hidden,
                                tuple((t.language, t.title) for t in m.translations))
                    for m in s.modules
                ),
                s.hidden,
            )
            for s in sections
        ),
        prerequisites=module_prerequisites(session, course.id),
        titles={m.id: m.title for s in sections for m in s.modules},
        in_hidden_section=frozenset(m.id for s in sections if s.hidden for m in s.modules),
    )  # fmt: skip
    if _read_in_committed_state(session, course):
        if len(_SHAPES) >= MAX_SHAPES:
            _SHAPES.clear()
        _SHAPES[key] = shape
    return shape


def outline(
    session: Session,
    actor: Actor,
    access: CourseAccess,
    language: str | None = None,
    *,
    completed: set[int] | None = None,
) -> tuple[list[SectionOutline], Progress | None]:
    """Sections and modules as this reader sees them: drafts and hidden content left out for
    students (shown to staff with their state), each module with its completion tick and, if
    locked, why (prerequisites lock the course's students only). A hidden section is left
    out with its modules. One query when the course's structure is cached (the reader's
    completions), five when it is not. Module titles are in `language` (the reader's) where
    the module is translated into it."""
    staff = policy.sees_drafts(actor, access.roles)
    shape = course_shape(session, access.course)
    if completed is None:  # else already read by the caller (the module page)
        completed = completed_module_ids(session, actor.user_id, access.course.id)
    prerequisites = shape.students_prerequisites if policy.prerequisites_lock(access.roles) else {}
    now = utcnow()  # one moment for every module's dates
    titles = shape.titles
    visible = policy.module_viewer(actor, access.course, access.roles, preview=access.preview)
    result = []
    for section in shape.sections:
        if section.hidden and not staff:
            continue
        states = []
        for module in section.modules:
            if not visible(module):
                continue
            locks = [] if staff else module_locks(module, prerequisites, completed, titles, now)
            title, title_language = module.title_in(language)  # the reader's, where translated
            states.append(
                ModuleState(
                    id=module.id,
                    key=module.key,
                    kind=module.kind,
                    title=title,
                    language=title_language,
                    required=module.required,
                    completed=module.id in completed,
                    locked=bool(locks),
                    lock_reasons=[lock.describe() for lock in locks],
                    locks=locks,
                    status=module.status,
                    hidden=module.hidden,
                )
            )
        result.append(
            SectionOutline(
                id=section.id,
                position=section.position,
                title=section.title,
                summary=section.summary,
                modules=states,
                hidden=section.hidden,
            )
        )
    # A preview shows the progress of a student who has done nothing yet.
    tracked = access.preview or (
        policy.tracks_completion(actor, access.roles) and actor.user_id is not None
    )
    return result, _shape_progress(shape, completed) if tracked else None


def _shape_progress(shape: CourseShape, completed: set[int]) -> Progress:
    required = {
        m.id
        for s in shape.sections
        if not s.hidden
        for m in s.modules
        if m.required and m.status is Status.PUBLISHED and not m.hidden
    }
    return progress_of(len(required), len(required & completed))


def progress_of(total: int, done: int) -> Progress:
    """Progress from the required modules that count and how many of them are completed."""
    return Progress(
        completed_required=done,
        total_required=total,
        percent=100 if total == 0 else int(done * 100 / total),
        course_completed=total > 0 and done == total,
    )


def _counting(course_ids: list[int]) -> list[ColumnElement[bool]]:
    """Required modules that count: published, not hidden, not in a hidden section. The
    sections are chosen by course too (a module's section is of its course) so that they are
    read by course, not all scanned (11,000 at size XL)."""
    return [
        Module.course_id.in_(course_ids),
        Module.required.is_(True),
        Module.status == Status.PUBLISHED,
        Module.hidden.is_(False),
        Section.course_id.in_(course_ids),
        Section.hidden.is_(False),
    ]


def _required_in(course_ids: list[int]) -> Select[int]:
    return (
        select(Module.id)
        .join(Section, Section.id == Module.section_id)
        .where(*_counting(course_ids))
    )


def progress_by_course(
    session: Session, user_id: int, course_ids: list[int]
) -> dict[int, Progress]:
    """Progress in several courses at once, in one query whatever their number: each
    course's required modules, and how many of them the person completed (once each)."""
    done_by_them = (ModuleCompletion.module_id == Module.id) & (ModuleCompletion.user_id == user_id)
    counts = {
        course_id: (total, done)
        for course_id, total, done in session.execute(
            select(Module.course_id, func.count(), func.count(ModuleCompletion.module_id))
            .join(Section, Section.id == Module.section_id)
            .outerjoin(ModuleCompletion, done_by_them)
            .where(*_counting(course_ids))
            .group_by(Module.course_id)
        )
    }
    return {c: progress_of(*counts.get(c, (0, 0))) for c in course_ids}


def progress_of_people(
    session: Session, course_id: int, user_ids: list[int]
) -> dict[int, Progress]:
    """Each participant's progress in one course, in two queries whatever their number."""
    total = session.scalar(select(func.count()).select_from(_required_in([course_id]).subquery()))
    done = dict(
        session.execute(
            select(ModuleCompletion.user_id, func.count())
            .where(
                ModuleCompletion.user_id.in_(user_ids),
                ModuleCompletion.module_id.in_(_required_in([course_id])),
            )
            .group_by(ModuleCompletion.user_id)
        ).all()
    )
    return {u: progress_of(total or 0, done.get(u, 0)) for u in user_ids}
