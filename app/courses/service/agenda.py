"""What a student's dashboard shows beyond progress: the next module to open in each course
and the dates coming up (courses starting or ending, modules opening or closing)."""

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.core.db import utcnow
from app.courses.models import Module, ModuleCompletion, Section, Status
from app.courses.schemas import Progress
from app.courses.service.completion import progress_of
from app.courses.service.courses import MyCourse
from app.membership.models import CourseRole

HORIZON = timedelta(days=45)


@dataclass(frozen=True)
class NextStep:
    module_id: int
    title: str


@dataclass(frozen=True)
class DateAhead:
    at: datetime
    course_code: str
    course_title: str
    what: str  # course_starts, course_ends, module_opens, module_closes, or a session kind
    title: str = ""
    all_day: bool = False
    url: str = ""

    @property
    def day(self) -> date:
        return self.at.date()


def _midnight(day: date) -> datetime:
    return datetime.combine(day, time(), UTC)


def _as_utc(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


@dataclass(frozen=True)
class Agenda:
    next_steps: dict[int, NextStep]
    dates_ahead: list[DateAhead]
    progress: dict[int, Progress]  # in the courses studied, from the same two queries


def agenda(session: Session, user_id: int, mine: list[MyCourse]) -> Agenda:
    """For the courses a person studies: the first required module they have not completed,
    the dates ahead within HORIZON, soonest first, and their progress (as
    `completion.progress_by_course` counts it). Two queries whatever the number."""
    studied = {m.course.id: m.course for m in mine if m.role is CourseRole.STUDENT}
    now = utcnow()
    ahead = [
        DateAhead(_midnight(day), course.code, course.title, what, all_day=True)
        for course in studied.values()
        for what, day in (("course_starts", course.starts_on), ("course_ends", course.ends_on))
        if day and now - timedelta(days=1) < _midnight(day) <= now + HORIZON
    ]
    if not studied:
        return Agenda({}, ahead, {})
    modules = session.execute(
        select(
            Module.id, Module.course_id, Module.title, Module.required,
            Module.available_from, Module.available_until,
        )
        .join(Section, Section.id == Module.section_id)
        .where(
            Module.course_id.in_(studied),
            Module.status == Status.PUBLISHED,
            Module.hidden.is_(False),  # hidden content is no step and no date of students'
            Section.course_id.in_(studied),  # sections by course, not all scanned
            Section.hidden.is_(False),
        )
        .order_by(Section.position, Module.position)
    ).all()  # fmt: skip
    done = set(
        session.scalars(
            select(ModuleCompletion.module_id).where(
                ModuleCompletion.user_id == user_id, ModuleCompletion.course_id.in_(studied)
            )
        )
    )
    next_steps: dict[int, NextStep] = {}
    counts = dict.fromkeys(studied, (0, 0))
    for module_id, course_id, title, required, opens, closes in modules:
        if required:
            total, completed = counts[course_id]
            counts[course_id] = (total + 1, completed + (module_id in done))
        if required and module_id not in done and course_id not in next_steps:
            next_steps[course_id] = NextStep(module_id, title)
        course = studied[course_id]
        for what, moment in (("module_opens", opens), ("module_closes", closes)):
            if moment and now < _as_utc(moment) <= now + HORIZON:
                url = f"/courses/{course.code}/modules/{module_id}"
                ahead.append(
                    DateAhead(_as_utc(moment), course.code, course.title, what, title, url=url)
                )
    progress = {course_id: progress_of(*count) for course_id, count in counts.items()}
    return Agenda(next_steps, sorted(ahead, key=lambda item: item.at), progress)
