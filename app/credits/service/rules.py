"""A programme's credit rules: its courses, semesters, mandatory courses (its own flags and the
awarding institutions' transversal courses), elective groups and compensation units, read in a
fixed number of queries and replaced as a whole by a registrar."""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from functools import cached_property

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload, selectinload

from app.core.actors import Actor, require
from app.core.errors import Invalid
from app.core.i18n import N_
from app.courses.models import MandatoryCourse, Programme, ProgrammeCourse, programme_institutions
from app.courses.service.programmes import get_programme
from app.credits import policy
from app.credits.progress_schemas import CompensationUnitWrite, ElectiveGroupWrite, RulesWrite
from app.credits.rules_models import (
    CompensationUnit,
    CompensationUnitCourse,
    ElectiveGroup,
    ElectiveGroupCourse,
    ProgrammeRules,
)


@dataclass(frozen=True)
class RuleSet:
    """Everything progress needs to know about a programme, loaded once."""

    programme: Programme
    semesters: int
    courses: tuple[ProgrammeCourse, ...]  # with `.course` loaded, in semester and position order
    transversal_codes: frozenset[str]  # the awarding institutions' mandatory course codes
    groups: tuple[ElectiveGroup, ...]  # with `.courses` loaded
    units: tuple[CompensationUnit, ...]  # with `.courses` loaded

    @cached_property
    def group_of(self) -> Mapping[int, ElectiveGroup]:
        """The elective group of each course in one."""
        return {link.course_id: group for group in self.groups for link in group.courses}

    def is_mandatory(self, link: ProgrammeCourse) -> bool:
        """An institution's transversal course is always mandatory; otherwise the programme's
        flag, except that a course in an elective group is elective."""
        if link.course.code in self.transversal_codes:
            return True
        return link.mandatory and link.course_id not in self.group_of


def _transversal_codes(session: Session, ids: list[int]) -> dict[int, set[str]]:
    """The mandatory course codes of each programme's awarding institutions."""
    rows = session.execute(
        select(programme_institutions.c.programme_id, MandatoryCourse.course_code)
        .join(
            programme_institutions,
            programme_institutions.c.institution_id == MandatoryCourse.institution_id,
        )
        .where(programme_institutions.c.programme_id.in_(ids))
    )
    found: dict[int, set[str]] = {programme_id: set() for programme_id in ids}
    for programme_id, code in rows:
        found[programme_id].add(code)
    return found


def load(session: Session, programme: Programme) -> RuleSet:
    """A programme's rules (no policy: callers check); five queries whatever its size."""
    return load_many(session, [programme])[programme.id]


def load_many(session: Session, programmes: Sequence[Programme]) -> dict[int, RuleSet]:
    """Several programmes' rules by programme id, in the same five queries."""
    ids = [programme.id for programme in programmes]
    if not ids:
        return {}
    courses = session.scalars(
        select(ProgrammeCourse)
        .where(ProgrammeCourse.programme_id.in_(ids))
        .options(joinedload(ProgrammeCourse.course))
        .order_by(ProgrammeCourse.semester, ProgrammeCourse.position, ProgrammeCourse.id)
    ).all()
    semesters: dict[int, int] = {
        row.programme_id: row.semesters
        for row in session.execute(
            select(ProgrammeRules.programme_id, ProgrammeRules.semesters).where(
                ProgrammeRules.programme_id.in_(ids)
            )
        )
    }
    groups = session.scalars(
        select(ElectiveGroup)
        .where(ElectiveGroup.programme_id.in_(ids))
        .options(selectinload(ElectiveGroup.courses))
        .order_by(ElectiveGroup.code)
    ).all()
    units = session.scalars(
        select(CompensationUnit)
        .where(CompensationUnit.programme_id.in_(ids))
        .options(selectinload(CompensationUnit.courses))
        .order_by(CompensationUnit.code)
    ).all()
    transversal = _transversal_codes(session, ids)
    result = {}
    for programme in programmes:
        own = tuple(c for c in courses if c.programme_id == programme.id)
        result[programme.id] = RuleSet(
            programme=programme,
            semesters=semesters.get(programme.id) or max((c.semester for c in own), default=1),
            courses=own,
            transversal_codes=frozenset(transversal[programme.id]),
            groups=tuple(g for g in groups if g.programme_id == programme.id),
            units=tuple(u for u in units if u.programme_id == programme.id),
        )
    return result


SAME_CODE = {
    "elective_groups": N_("Two elective groups have the same code."),
    "compensation_units": N_("Two compensation units have the same code."),
}
COURSE_TWICE = {
    "elective_groups": N_("The course %(code)s is in two elective groups."),
    "compensation_units": N_("The course %(code)s is in two compensation units."),
}


class RuleInvalid(Invalid):
    """A rule that breaks a constraint; `msgid` and `values` let a page translate it."""

    code = "programme_rule_invalid"
    title = N_("These programme rules are not valid.")

    def __init__(self, msgid: str, *, field: str, **values: str) -> None:
        self.msgid = msgid
        self.values = values
        super().__init__(msgid % values if values else msgid, field=field)


def get_rules(session: Session, actor: Actor, code: str) -> RuleSet:
    """A programme's rules, for those who read credits."""
    require(policy.can_read_programme_rules(actor))
    return load(session, get_programme(session, actor, code))


def editable_rules(session: Session, actor: Actor, code: str) -> RuleSet:
    """A programme's rules, for the registrars who may change them."""
    programme = get_programme(session, actor, code)
    awarding = [institution.id for institution in programme.institutions]
    require(policy.can_edit_programme_rules(actor, awarding))
    return load(session, programme)


def replace_rules(session: Session, actor: Actor, code: str, data: RulesWrite) -> RuleSet:
    """Replace a programme's semesters, elective groups and compensation units at once (a
    registrar of an awarding institution); nothing changes when one rule is invalid."""
    current = editable_rules(session, actor, code)
    by_code = {link.course.code: link for link in current.courses}
    _check(current, by_code, data)
    programme_id = current.programme.id
    rules = session.scalar(
        select(ProgrammeRules).where(ProgrammeRules.programme_id == programme_id)
    )
    if rules is None:
        session.add(ProgrammeRules(programme_id=programme_id, semesters=data.semesters))
    else:
        rules.semesters = data.semesters
    for old in (*current.groups, *current.units):
        session.delete(old)
    session.flush()
    for group in data.elective_groups:
        session.add(
            ElectiveGroup(
                programme_id=programme_id,
                code=group.code,
                title=group.title,
                semester=group.semester,
                min_credits=group.min_credits,
                courses=[
                    ElectiveGroupCourse(course_id=by_code[c].course_id) for c in group.courses
                ],
            )
        )
    for unit in data.compensation_units:
        session.add(
            CompensationUnit(
                programme_id=programme_id,
                code=unit.code,
                title=unit.title,
                semester=unit.semester,
                threshold_percent=unit.threshold_percent,
                courses=[
                    CompensationUnitCourse(course_id=by_code[c].course_id) for c in unit.courses
                ],
            )
        )
    session.flush()
    return load(session, current.programme)


def _check(current: RuleSet, by_code: Mapping[str, ProgrammeCourse], data: RulesWrite) -> None:
    last = max((link.semester for link in current.courses), default=1)
    if data.semesters < last:
        raise RuleInvalid(
            N_("A course of the programme is in a semester after the last one."), field="semesters"
        )
    _check_sets("elective_groups", by_code, data.semesters, data.elective_groups)
    _check_sets("compensation_units", by_code, data.semesters, data.compensation_units)
    for index, group in enumerate(data.elective_groups):
        where = f"elective_groups.{index}"
        if any(c in current.transversal_codes for c in group.courses):
            raise RuleInvalid(
                N_("An awarding institution's mandatory course cannot be elective."),
                field=f"{where}.courses",
            )
        total = sum((by_code[c].course.ects for c in set(group.courses)), Decimal(0))
        if group.min_credits > total:
            raise RuleInvalid(
                N_("The minimum credits exceed the credits of the group's courses."),
                field=f"{where}.min_credits",
            )


def _check_sets(
    name: str,
    by_code: Mapping[str, ProgrammeCourse],
    semesters: int,
    sets: Sequence[ElectiveGroupWrite | CompensationUnitWrite],
) -> None:
    """Elective groups (or compensation units): distinct codes, within the programme's
    semesters, made of the programme's courses (of their semester when they have one), a
    course in at most one of them."""
    seen_codes: set[str] = set()
    seen_courses: set[str] = set()
    for index, item in enumerate(sets):
        where = f"{name}.{index}"
        if item.code in seen_codes:
            raise RuleInvalid(SAME_CODE[name], field=f"{where}.code")
        seen_codes.add(item.code)
        if item.semester is not None and item.semester > semesters:
            raise RuleInvalid(
                N_("The semester is after the programme's last one."), field=f"{where}.semester"
            )
        for course in item.courses:
            link = by_code.get(course)
            if link is None:
                raise RuleInvalid(
                    N_("The course %(code)s is not in the programme."),
                    field=f"{where}.courses",
                    code=course,
                )
            if item.semester is not None and link.semester != item.semester:
                raise RuleInvalid(
                    N_("The course %(code)s is in another semester."),
                    field=f"{where}.courses",
                    code=course,
                )
            if course in seen_courses:
                raise RuleInvalid(
                    COURSE_TWICE[name],
                    field=f"{where}.courses",
                    code=course,
                )
            seen_courses.add(course)
