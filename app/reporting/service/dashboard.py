"""A project's dashboard: each target against its figure (met, on track, behind or late),
each indicator per term, per country and per institution since the project began, and, for
those allowed, per course and per cohort. Built from one gathering of facts (a fixed number
of statements); every figure about people passes through the suppression of `cells`."""

from collections import defaultdict
from collections.abc import Hashable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.accounts.models import Institution
from app.core.actors import Actor
from app.core.config import Settings
from app.courses.models import Course
from app.enrolment.models import Cohort, CohortMember
from app.membership.models import CourseRole, Enrolment
from app.reporting.models import Indicator, ReportTarget
from app.reporting.service import projects
from app.reporting.service.cells import Cell, Tally, cells, single, tally
from app.reporting.service.facts import Facts, gather, project_courses
from app.reporting.service.indicators import NOT_ABOUT_PEOPLE, Event, Scope, between, events
from app.reporting.service.projects import Opened

ALWAYS_SHOWN = (Indicator.ENROLLED, Indicator.COMPLETED)


class Progress(StrEnum):
    MET = "met"
    ON_TRACK = "on_track"
    BEHIND = "behind"  # not due yet, below the share of the target its elapsed time asks
    LATE = "late"  # due, not met
    NOT_SHOWN = "not_shown"  # its figure is suppressed: so is how far it is


@dataclass(frozen=True)
class Term:
    """An academic semester: September to January (1), February to August (2)."""

    year: int  # the academic year's first calendar year: 2026 for 2026-27
    number: int
    starts_on: date
    ends_on: date

    @property
    def code(self) -> str:
        return f"{self.year}-{str(self.year + 1)[-2:]}/S{self.number}"


@dataclass(frozen=True)
class TargetProgress:
    target: ReportTarget
    figure: Cell
    progress: Progress
    expected: Decimal  # what the elapsed share of the period asks for by today


@dataclass(frozen=True)
class IndicatorReport:
    indicator: Indicator
    total: Cell
    by_term: list[Cell]
    by_country: list[Cell]
    by_institution: list[Cell]


@dataclass(frozen=True)
class DrillRow:
    key: int
    name: str
    enrolled: Cell
    completed: Cell


@dataclass(frozen=True)
class Dashboard:
    opened: Opened
    institution_id: int | None  # the only institution whose learners are counted, if one
    as_of: date
    threshold: int
    targets: list[TargetProgress]
    indicators: list[IndicatorReport]
    terms: dict[str, Term]
    institutions: dict[int, str]
    courses: list[DrillRow] | None  # None: not for this reader
    cohorts: list[DrillRow] | None


def term_of(day: date) -> Term:
    if day.month >= 9:
        return Term(day.year, 1, date(day.year, 9, 1), date(day.year + 1, 1, 31))
    if day.month == 1:
        return Term(day.year - 1, 1, date(day.year - 1, 9, 1), date(day.year, 1, 31))
    return Term(day.year - 1, 2, date(day.year, 2, 1), date(day.year, 8, 31))


def terms_between(start: date, end: date) -> list[Term]:
    found = [term_of(start)]
    while found[-1].ends_on < end:
        found.append(term_of(date.fromordinal(found[-1].ends_on.toordinal() + 1)))
    return found


def _progress(target: ReportTarget, figure: Cell, today: date) -> tuple[Progress, Decimal]:
    span = (target.due_on - target.counts_from).days or 1
    elapsed = min(max((today - target.counts_from).days, 0), span)
    expected = (target.value * elapsed / span).quantize(Decimal("0.1"), ROUND_HALF_UP)
    if figure.value is None:
        return Progress.NOT_SHOWN, expected
    if figure.value >= target.value:
        return Progress.MET, expected
    if today > target.due_on:
        return Progress.LATE, expected
    return (Progress.ON_TRACK if figure.value >= expected else Progress.BEHIND), expected


def _target_progress(
    facts: Facts, target: ReportTarget, today: date, threshold: int
) -> TargetProgress:
    scope = Scope(target.programme_id, target.country, target.institution_id)
    counted = between(
        events(facts, target.indicator, scope), target.counts_from, min(today, target.due_on)
    )
    figure = single(target.indicator, tally(counted), threshold)
    progress, expected = _progress(target, figure, today)
    return TargetProgress(target, figure, progress, expected)


def _grouped(found: Iterable[Event], by: str) -> dict[Hashable, Tally]:
    groups: dict[Hashable, list[Event]] = defaultdict(list)
    for event in found:
        groups[_key(event, by)].append(event)
    return {k: tally(v) for k, v in groups.items()}


def _key(event: Event, by: str) -> Hashable:
    if by == "term":
        return term_of(event.day).code
    learner = event.learner
    if learner is None:
        return None
    return learner.country if by == "country" else learner.institution_id


def _by(
    indicator: Indicator,
    found: list[Event],
    by: str,
    threshold: int,
    order: Sequence[Hashable] = (),
) -> list[Cell]:
    tallies = _grouped(found, by)
    for key in order:
        tallies.setdefault(key, tally(()))
    shown = cells(indicator, tallies, threshold)
    position = {key: index for index, key in enumerate(order)}
    return sorted(shown, key=lambda c: (position.get(c.key, len(position)), str(c.key)))


def _indicator(
    facts: Facts, indicator: Indicator, since: date, today: date, terms: list[Term], threshold: int
) -> IndicatorReport:
    """Sessions held belong to no country or institution: their hours are given per term."""
    found = between(events(facts, indicator, Scope()), since, today)
    about_people = indicator not in NOT_ABOUT_PEOPLE
    return IndicatorReport(
        indicator,
        single(indicator, tally(found), threshold),
        _by(indicator, found, "term", threshold, [t.code for t in terms]),
        _by(indicator, found, "country", threshold) if about_people else [],
        _by(indicator, found, "institution", threshold) if about_people else [],
    )


def _shown_indicators(targets: Sequence[ReportTarget]) -> list[Indicator]:
    wanted = set(ALWAYS_SHOWN) | {t.indicator for t in targets}
    return [indicator for indicator in Indicator if indicator in wanted]


def _drill(
    names: dict[int, str], members: dict[int, set[int]], completed: dict[int, set[int]],
    threshold: int,
) -> list[DrillRow]:  # fmt: skip
    """Learners and completions per course or cohort, each column suppressed on its own."""

    def counts(people: dict[int, set[int]]) -> dict[Hashable, Cell]:
        tallies: dict[Hashable, Tally] = {
            k: Tally(len(people.get(k, ())), Decimal(len(people.get(k, ()))), 0) for k in names
        }
        return {c.key: c for c in cells(Indicator.ENROLLED, tallies, threshold)}

    enrolled, done = counts(members), counts(completed)
    return [DrillRow(k, name, enrolled[k], done[k]) for k, name in names.items()]


def _courses(session: Session, facts: Facts, threshold: int) -> list[DrillRow]:
    ids = {c for courses, _ in facts.programmes.values() for c in courses}
    names = dict(
        session.execute(
            select(Course.id, Course.code).where(Course.id.in_(ids)).order_by(Course.code)
        ).all()
    )
    members: dict[int, set[int]] = defaultdict(set)
    completed: dict[int, set[int]] = defaultdict(set)
    for learner in facts.learners.values():
        for course in learner.courses:
            members[course].add(learner.user_id)
        for course in learner.completions:
            if course in learner.courses:
                completed[course].add(learner.user_id)
    return _drill(names, members, completed, threshold)


def _cohorts(session: Session, project_id: int, facts: Facts, threshold: int) -> list[DrillRow]:
    students = select(Enrolment.user_id).where(
        Enrolment.course_id.in_(project_courses(project_id)), Enrolment.role == CourseRole.STUDENT
    )
    rows = session.execute(
        select(Cohort.id, Cohort.code, CohortMember.user_id)
        .join(CohortMember, CohortMember.cohort_id == Cohort.id)
        .where(CohortMember.user_id.in_(students))
        .order_by(Cohort.code)
    )
    names: dict[int, str] = {}
    members: dict[int, set[int]] = defaultdict(set)
    completed: dict[int, set[int]] = defaultdict(set)
    finished = {e.learner.user_id for e in events(facts, Indicator.COMPLETED, Scope()) if e.learner}
    for cohort_id, code, user_id in rows:
        if user_id not in facts.learners:
            continue  # another institution's, for a reader confined to one
        names[cohort_id] = code
        members[cohort_id].add(user_id)
        if user_id in finished:
            completed[cohort_id].add(user_id)
    return _drill(names, members, completed, threshold)


def dashboard(
    session: Session, settings: Settings, actor: Actor, code: str, now: datetime,
    institution: str | None = None,
) -> Dashboard:  # fmt: skip
    """`institution` (a code) narrows the dashboard to that institution's learners and the
    targets narrowed to it; an institution manager's is always their own."""
    opened = projects.open_project(session, actor, code)
    project, reach = opened.project, opened.access
    narrowed = reach.institution_id or projects.institution_id_of(session, institution)
    today = min(now.date(), project.ends_on or now.date())
    threshold = settings.report_min_cell_size
    facts = gather(session, project, now, narrowed)
    targets = [
        t for t in projects.targets(session, project.id)
        if narrowed is None or t.institution_id == narrowed
    ]  # fmt: skip
    terms = terms_between(project.starts_on, max(today, project.starts_on))
    return Dashboard(
        opened, narrowed, today, threshold,
        [_target_progress(facts, t, today, threshold) for t in targets],
        [
            _indicator(facts, i, project.starts_on, today, terms, threshold)
            for i in _shown_indicators(targets)
        ],
        {t.code: t for t in terms},
        dict(session.execute(select(Institution.id, Institution.name)).all()),
        _courses(session, facts, threshold) if reach.drill_down else None,
        _cohorts(session, project.id, facts, threshold) if reach.drill_down else None,
    )  # fmt: skip
