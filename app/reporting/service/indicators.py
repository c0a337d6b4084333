"""The indicators: what each counts, from which date, as events (a learner counted on a
day, with an amount), so that a period, a term or a breakdown is only a filter or a grouping
of the same events."""

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from app.core.i18n import N_
from app.reporting.models import Indicator
from app.reporting.service.facts import Facts, Learner

ONE = Decimal(1)

DEFINITIONS: dict[Indicator, str] = {
    Indicator.ENROLLED: N_(
        "Learners with a student enrolment in a course of the programme (pending requests "
        "not counted), each counted once, on the day they were first enrolled."
    ),
    Indicator.COMPLETED: N_(
        "Learners who completed every mandatory course of the programme, counted on the day "
        "they completed the last one."
    ),
    Indicator.PROFESSIONALS_TRAINED: N_(
        "Learners recorded as working professionals or civil servants who completed at least "
        "one course of the programme, counted on their first completion."
    ),
    Indicator.REFUGEE_SHARE: N_(
        "Refugee learners as a share of the learners enrolled (refugee status as recorded in "
        "learner profiles). Shown only when both the refugees and the others are at least the "
        "threshold."
    ),
    Indicator.CREDITS_AWARDED: N_(
        "ECTS credits in force in the learners' credit ledger for the programme's courses "
        "(corrections counted, revoked credits not), on the day they were awarded."
    ),
    Indicator.CONTACT_HOURS: N_(
        "Hours of the seminars and webinars held in the programme's courses (cancelled "
        "sessions not counted), on the day each part was held."
    ),
    Indicator.SCHOLARSHIPS: N_(
        "Learners holding a scholarship from the project's funder (any funder, when the project "
        "names none), on the day they were first enrolled with it."
    ),
}
NAMES: dict[Indicator, str] = {
    Indicator.ENROLLED: N_("Learners enrolled"),
    Indicator.COMPLETED: N_("Learners who completed the programme"),
    Indicator.PROFESSIONALS_TRAINED: N_("Professionals trained"),
    Indicator.REFUGEE_SHARE: N_("Share of refugee learners"),
    Indicator.CREDITS_AWARDED: N_("ECTS credits awarded"),
    Indicator.CONTACT_HOURS: N_("Contact hours"),
    Indicator.SCHOLARSHIPS: N_("Scholarships"),
}
SHARES = frozenset({Indicator.REFUGEE_SHARE})
# Contact hours count sessions, not people: nothing about a person can be read from them.
NOT_ABOUT_PEOPLE = frozenset({Indicator.CONTACT_HOURS})
NARROWED_TO_PEOPLE = frozenset(Indicator) - NOT_ABOUT_PEOPLE


@dataclass(frozen=True)
class Scope:
    """What a target narrows to: one programme, learners of one country or institution."""

    programme_id: int | None = None
    country: str | None = None
    institution_id: int | None = None


@dataclass(frozen=True)
class Event:
    learner: Learner | None  # None for what is not about a person (an hour held)
    day: date
    amount: Decimal


def _programmes(facts: Facts, scope: Scope) -> Iterable[int]:
    return facts.programmes if scope.programme_id is None else (scope.programme_id,)


def _in_scope(learner: Learner, scope: Scope) -> bool:
    return (scope.country is None or learner.country == scope.country) and (
        scope.institution_id is None or learner.institution_id == scope.institution_id
    )


def _learners(facts: Facts, scope: Scope) -> Iterator[Learner]:
    return (learner for learner in facts.learners.values() if _in_scope(learner, scope))


def _first(days: Iterable[date]) -> date | None:
    return min(days, default=None)


def _enrolled(facts: Facts, scope: Scope) -> Iterator[Event]:
    wanted = set(_programmes(facts, scope))
    for learner in _learners(facts, scope):
        day = _first(d for p, d in learner.enrolled.items() if p in wanted)
        if day is not None:
            yield Event(learner, day, ONE)


def _completed(facts: Facts, scope: Scope) -> Iterator[Event]:
    for learner in _learners(facts, scope):
        days = [
            max(learner.completions[course] for course in facts.programmes[programme][1])
            for programme in _programmes(facts, scope)
            if programme in learner.enrolled
            and facts.programmes.get(programme)
            and all(course in learner.completions for course in facts.programmes[programme][1])
        ]
        if days:
            yield Event(learner, min(days), ONE)


def _courses_of(facts: Facts, learner: Learner, scope: Scope) -> set[int]:
    return {
        course
        for programme in _programmes(facts, scope)
        if programme in learner.enrolled
        for course in facts.programmes.get(programme, ((), ()))[0]
    }


def _professionals(facts: Facts, scope: Scope) -> Iterator[Event]:
    for learner in _learners(facts, scope):
        if not learner.professional:
            continue
        courses = _courses_of(facts, learner, scope)
        day = _first(d for course, d in learner.completions.items() if course in courses)
        if day is not None:
            yield Event(learner, day, ONE)


def _credits(facts: Facts, scope: Scope) -> Iterator[Event]:
    for learner in _learners(facts, scope):
        courses = _courses_of(facts, learner, scope)
        for course, day, credits in learner.credits:
            if course in courses:
                yield Event(learner, day, credits)


def _hours(facts: Facts, scope: Scope) -> Iterator[Event]:
    courses = {c for p in _programmes(facts, scope) for c in facts.programmes.get(p, ((), ()))[0]}
    return (Event(None, held.day, held.hours) for held in facts.held if held.course_id in courses)


def _scholarships(facts: Facts, scope: Scope) -> Iterator[Event]:
    wanted = set(_programmes(facts, scope))
    for learner in _learners(facts, scope):
        day = _first(d for p, d in learner.scholarship.items() if p in wanted)
        if day is not None:
            yield Event(learner, day, ONE)


EVENTS: dict[Indicator, Callable[[Facts, Scope], Iterable[Event]]] = {
    Indicator.ENROLLED: _enrolled,
    Indicator.COMPLETED: _completed,
    Indicator.PROFESSIONALS_TRAINED: _professionals,
    # A share is built on the learners enrolled; which of them are refugees is read from each.
    Indicator.REFUGEE_SHARE: _enrolled,
    Indicator.CREDITS_AWARDED: _credits,
    Indicator.CONTACT_HOURS: _hours,
    Indicator.SCHOLARSHIPS: _scholarships,
}


def events(facts: Facts, indicator: Indicator, scope: Scope) -> list[Event]:
    """Computed once per kind of event and scope for a gathering of facts: targets and
    breakdowns asking the same share them."""
    key = (EVENTS[indicator], scope)
    found: list[Event] | None = facts.memo.get(key)
    if found is None:
        found = facts.memo[key] = _computed(facts, indicator, scope)
    return found


def _computed(facts: Facts, indicator: Indicator, scope: Scope) -> list[Event]:
    """A country or an institution only filters the learners: their events are read from the
    programme's, computed once."""
    if scope.country is None and scope.institution_id is None:
        return list(EVENTS[indicator](facts, scope))
    wider = events(facts, indicator, Scope(scope.programme_id))
    return [e for e in wider if e.learner is None or _in_scope(e.learner, scope)]


def between(found: Iterable[Event], start: date, end: date) -> list[Event]:
    return [event for event in found if start <= event.day <= end]
