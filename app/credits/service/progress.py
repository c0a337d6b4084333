"""A learner's progress toward a programme, computed from the ledger and the programme's rules,
never stored: what is earned (each course once, whatever its source), what compensation
validates, what is missing per semester, the electives chosen, the contact hours, and whether
every rule of the award is met (eligibility)."""

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.accounts.models import User
from app.core.actors import SYSTEM, Actor, require
from app.core.errors import NotFound
from app.core.i18n import N_
from app.courses.models import Programme
from app.credits import policy
from app.credits.models import CreditEntry, EntrySource
from app.credits.service import ledger, rules
from app.credits.service.rules import RuleSet
from app.enrolment.models import ProgrammeEnrolment
from app.grades.models import CourseResult
from app.webinars.service.hours import attended_hours

EARNED = "earned"
COMPENSATED = "compensated"
MISSING = "missing"
# Units from elsewhere count toward a programme's total only when recognised or transferred.
COUNTED_SOURCES = frozenset({EntrySource.RECOGNITION, EntrySource.TRANSFER})
TENTH = Decimal("0.1")

CREDITS_SHORT = N_("%(earned)s of %(required)s credits earned.")
MANDATORY_MISSING = N_("The mandatory course %(code)s is not earned yet.")
ELECTIVES_SHORT = N_("Elective group %(code)s: %(earned)s of %(minimum)s credits earned.")
HOURS_SHORT = N_("%(attended)s of %(required)s contact hours attended.")


@dataclass(frozen=True)
class PlanView:
    """What a learning plan adds to progress; None means no plan yet."""

    semesters: Mapping[int, int]  # course_id -> semester the learner plans it in
    electives: frozenset[int]  # course ids of the chosen electives


@dataclass(frozen=True)
class CourseStanding:
    """One course of the programme for one learner."""

    course_id: int
    code: str
    title: str
    semester: int
    credits: Decimal
    mandatory: bool
    elective_group: str | None
    status: str  # "earned" | "compensated" | "missing"
    entry: CreditEntry | None  # the ledger entry in force that credits it
    planned_semester: int | None


@dataclass(frozen=True)
class ElectiveStanding:
    """One elective group for one learner: its minimum and what its courses earned."""

    code: str
    title: str
    min_credits: Decimal
    earned: Decimal
    chosen: tuple[int, ...]  # course ids chosen in the plan, earned or compensated


@dataclass(frozen=True)
class Progress:
    """A learner's standing toward a programme, as computed now (never stored)."""

    programme: Programme
    user_id: int
    required: Decimal
    earned: Decimal  # each course or unit counted once
    courses: tuple[CourseStanding, ...]
    electives: tuple[ElectiveStanding, ...]
    hours_required: Decimal | None
    hours_attended: Decimal | None
    # Credits in force outside the programme's courses (recognised units, transfers) that count.
    other_entries: tuple[CreditEntry, ...]
    eligible: bool
    unmet: tuple[str, ...]  # msgids of the rules not met yet, values in `unmet_values`
    unmet_values: tuple[Mapping[str, str], ...] = field(default=())
    semesters: int = 1  # how many semesters the programme lasts
    has_plan: bool = False

    def to_take(self) -> dict[int, list[CourseStanding]]:
        """Semester -> the missing courses still to take there (the planned semester first,
        else the programme's): the mandatory ones, the ones the plan places or chooses, and,
        without a plan, every missing course outside an elective group."""
        chosen = {course_id for group in self.electives for course_id in group.chosen}
        result: dict[int, list[CourseStanding]] = {}
        for standing in self.courses:
            if standing.status != MISSING:
                continue
            in_plan = standing.planned_semester is not None or standing.course_id in chosen
            by_default = not self.has_plan and standing.elective_group is None
            if standing.mandatory or in_plan or by_default:
                semester = standing.planned_semester or standing.semester
                result.setdefault(semester, []).append(standing)
        return dict(sorted(result.items()))

    def reasons(self, gettext: Callable[[str], str]) -> list[str]:
        """The unmet rules as sentences in the reader's language."""
        return [
            gettext(msgid) % dict(values)
            for msgid, values in zip(self.unmet, self.unmet_values, strict=True)
        ]


def _results(session: Session, user_id: int, course_ids: set[int]) -> dict[int, Decimal]:
    if not course_ids:
        return {}
    rows = session.execute(
        select(CourseResult.course_id, CourseResult.percent).where(
            CourseResult.user_id == user_id, CourseResult.course_id.in_(course_ids)
        )
    )
    return {course_id: percent for course_id, percent in rows if percent is not None}


def compensated_courses(
    ruleset: RuleSet, by_course: Mapping[int, CreditEntry], results: Mapping[int, Decimal]
) -> set[int]:
    """Courses not earned that a compensation unit validates: the learner has a result for
    each course of the unit not credited without a percentage, and the credit-weighted average
    of those percentages reaches the unit's threshold."""
    ects = {link.course_id: link.course.ects for link in ruleset.courses}
    validated: set[int] = set()
    for unit in ruleset.units:
        weighted, weights, complete = Decimal(0), Decimal(0), True
        for link in unit.courses:
            entry = by_course.get(link.course_id)
            percent = entry.percent if entry is not None else None
            if percent is None:
                percent = results.get(link.course_id)
            if percent is None:
                complete = complete and entry is not None
                continue
            weight = ects.get(link.course_id, Decimal(0))
            weighted += percent * weight
            weights += weight
        if complete and weights > 0 and weighted / weights >= unit.threshold_percent:
            validated |= {
                link.course_id
                for link in unit.courses
                if link.course_id not in by_course and link.course_id in results
            }
    return validated


def _standings(
    ruleset: RuleSet,
    by_course: Mapping[int, CreditEntry],
    compensated: set[int],
    plan: PlanView | None,
) -> tuple[CourseStanding, ...]:
    group_of = ruleset.group_of
    standings = []
    for link in ruleset.courses:
        entry = by_course.get(link.course_id)
        status = EARNED if entry else COMPENSATED if link.course_id in compensated else MISSING
        group = group_of.get(link.course_id)
        standings.append(
            CourseStanding(
                course_id=link.course_id,
                code=link.course.code,
                title=link.course.title,
                semester=link.semester,
                credits=entry.credits if entry else link.course.ects,
                mandatory=ruleset.is_mandatory(link),
                elective_group=group.code if group else None,
                status=status,
                entry=entry,
                planned_semester=plan.semesters.get(link.course_id) if plan else None,
            )
        )
    return tuple(standings)


def _electives(
    ruleset: RuleSet, standings: Sequence[CourseStanding], plan: PlanView | None
) -> tuple[ElectiveStanding, ...]:
    by_id = {s.course_id: s for s in standings}
    chosen_in_plan = plan.electives if plan else frozenset()
    result = []
    for group in ruleset.groups:
        members = [by_id[link.course_id] for link in group.courses if link.course_id in by_id]
        members.sort(key=lambda s: (s.semester, s.code))
        done = [s for s in members if s.status != MISSING]
        chosen = [s.course_id for s in members if s in done or s.course_id in chosen_in_plan]
        earned = sum((s.credits for s in done), Decimal(0))
        result.append(
            ElectiveStanding(group.code, group.title, group.min_credits, earned, tuple(chosen))
        )
    return tuple(result)


def _number(value: Decimal | None) -> str:
    """A credit or hour count without trailing zeros: 10.0 -> "10", 12.50 -> "12.5"."""
    return f"{(value or Decimal(0)).normalize():f}"


def _unmet(
    required: Decimal,
    earned: Decimal,
    standings: Sequence[CourseStanding],
    electives: Sequence[ElectiveStanding],
    hours: tuple[Decimal | None, Decimal | None],
) -> list[tuple[str, dict[str, str]]]:
    unmet: list[tuple[str, dict[str, str]]] = []
    if earned < required:
        unmet.append((CREDITS_SHORT, {"earned": _number(earned), "required": _number(required)}))
    for s in standings:
        if s.mandatory and s.status == MISSING:
            unmet.append((MANDATORY_MISSING, {"code": s.code}))
    for group in electives:
        if group.earned < group.min_credits:
            values = {"code": group.code, "earned": _number(group.earned)}
            unmet.append((ELECTIVES_SHORT, values | {"minimum": _number(group.min_credits)}))
    hours_required, hours_attended = hours
    if hours_required is not None and (hours_attended or Decimal(0)) < hours_required:
        values = {"attended": _number(hours_attended), "required": _number(hours_required)}
        unmet.append((HOURS_SHORT, values))
    return unmet


def compute(
    session: Session,
    user_id: int,
    programme: Programme,
    *,
    plan: PlanView | None = None,
    entries: Sequence[CreditEntry] | None = None,
) -> Progress:
    """A learner's progress toward a programme (no policy: for other services). `entries` are
    the learner's entries in force when the caller has them already. A fixed number of queries
    whatever the programme's size."""
    [progress] = compute_many(
        session,
        user_id,
        [programme],
        plans=None if plan is None else {programme.id: plan},
        entries=entries,
    )
    return progress


def compute_many(
    session: Session,
    user_id: int,
    programmes: Sequence[Programme],
    *,
    plans: Mapping[int, PlanView] | None = None,
    entries: Sequence[CreditEntry] | None = None,
) -> list[Progress]:
    """A learner's progress toward several programmes (plans by programme id), in the same
    queries as one, plus the attended hours of each programme that requires contact hours."""
    rulesets = rules.load_many(session, programmes)
    if entries is None:
        entries = ledger.in_force(session, [user_id])[user_id]
    unit_courses = {
        link.course_id for ruleset in rulesets.values() for u in ruleset.units for link in u.courses
    }
    results = _results(session, user_id, unit_courses)
    return [
        _progress(session, user_id, rulesets[p.id], (plans or {}).get(p.id), entries, results)
        for p in programmes
    ]


def _progress(
    session: Session,
    user_id: int,
    ruleset: RuleSet,
    plan: PlanView | None,
    entries: Sequence[CreditEntry],
    results: Mapping[int, Decimal],
) -> Progress:
    programme = ruleset.programme
    programme_ids = {link.course_id for link in ruleset.courses}
    by_course = {e.course_id: e for e in entries if e.course_id in programme_ids}
    others = tuple(e for e in entries if e.course_id is None and e.source in COUNTED_SOURCES)
    compensated = compensated_courses(ruleset, by_course, results)
    standings = _standings(ruleset, by_course, compensated, plan)
    electives = _electives(ruleset, standings, plan)
    earned = sum((s.credits for s in standings if s.status != MISSING), Decimal(0))
    earned += sum((e.credits for e in others), Decimal(0))
    earned = earned.quantize(TENTH)  # as credits are stored, whatever the entries' precision
    hours_required = programme.attendance_hours_required
    hours_attended = None
    if hours_required is not None:
        hours_attended = attended_hours(session, SYSTEM, user_id, programme.code).hours
    unmet = _unmet(programme.ects, earned, standings, electives, (hours_required, hours_attended))
    return Progress(
        programme=programme,
        user_id=user_id,
        required=programme.ects,
        earned=earned,
        courses=standings,
        electives=electives,
        hours_required=hours_required,
        hours_attended=hours_attended,
        other_entries=others,
        eligible=not unmet,
        unmet=tuple(msgid for msgid, _values in unmet),
        unmet_values=tuple(values for _msgid, values in unmet),
        semesters=ruleset.semesters,
        has_plan=plan is not None,
    )


def _require_learner(session: Session, actor: Actor, user_id: int) -> None:
    institution = session.execute(select(User.institution_id).where(User.id == user_id)).first()
    known = institution is not None and policy.knows_learner(actor, user_id, institution[0])
    require(known, NotFound, N_("No such user."))
    assert institution is not None
    require(policy.can_read_credits(actor, user_id, institution[0]))


def _programme(session: Session, code: str) -> Programme:
    programme = session.scalar(select(Programme).where(Programme.code == code))
    if programme is None:
        raise NotFound(N_("No such programme."))
    return programme


def for_learner(session: Session, actor: Actor, user_id: int, programme_code: str) -> Progress:
    """A learner's progress, for the learner, registrars and partner systems within reach."""
    _require_learner(session, actor, user_id)
    return compute(session, user_id, _programme(session, programme_code))


def enrolled_programmes(session: Session, user_id: int) -> list[Programme]:
    """The programmes a learner is enrolled in, by code."""
    return list(
        session.scalars(
            select(Programme)
            .join(ProgrammeEnrolment, ProgrammeEnrolment.programme_id == Programme.id)
            .where(ProgrammeEnrolment.user_id == user_id)
            .order_by(Programme.code)
        )
    )


def for_learner_programmes(session: Session, actor: Actor, user_id: int) -> list[Progress]:
    """A learner's progress in every programme they are enrolled in (same readers)."""
    _require_learner(session, actor, user_id)
    return compute_many(session, user_id, enrolled_programmes(session, user_id))
