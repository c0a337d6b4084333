"""Credits from passed course results. A released passing result of a course with ECTS credits
writes one AWARD entry, once: a later failing result never removes it (capitalisation) and a
re-computed passing result of a course already credited writes nothing. Programmes never get
an entry of their own, so a course inside a programme is counted once.

The grade is written as awarded on the course's national scale (`national_grade`) with its
band in the ECTS grading table of its reference group, looked up by `table_key`."""

from dataclasses import replace
from decimal import ROUND_FLOOR, ROUND_HALF_UP, Decimal

from sqlalchemy import exists, select
from sqlalchemy.orm import Session, aliased, selectinload

from app.accounts.models import Institution
from app.core.actors import SYSTEM
from app.core.db import utcnow
from app.courses.models import Course
from app.credits.models import CreditEntry, EntryKind, EntrySource, GradingTable
from app.credits.service import ledger
from app.credits.service.ledger import AwardedGrade, Unit
from app.grades.models import GradeCategory, Scale
from app.grades.service.display import level_for
from app.grades.service.scales import scale_by_code

HUNDRED = Decimal(100)
HALF = Decimal("0.5")
CENT = Decimal("0.01")
# The grading scheme of a grade given as the percentage itself, when no scale applies.
PERCENT_SCHEME = "percent"


def _plain(value: Decimal) -> str:
    """A number as a grade reads: 14.5, 14, 72.25 (no trailing zeros, no exponent)."""
    return f"{value.normalize():f}"


def national_grade(scale: Scale | None, percent: Decimal) -> AwardedGrade:
    """A percentage as awarded on a national scale: points out of a numeric scale rounded to
    the nearest half point ("14.5" on fr-20) — or, on a numeric scale graded by level (ru-5),
    the level's number ("4") —, the level reached on a scale of labels (its label and value),
    or the percentage itself without a scale. `scale.levels` must be loaded."""
    bounded = min(max(percent, Decimal(0)), HUNDRED)
    if scale is None:
        value = bounded.quantize(CENT, rounding=ROUND_HALF_UP)
        return AwardedGrade(_plain(value), value, PERCENT_SCHEME, percent)
    if scale.out_of is not None and _graded_by_level(scale):
        reached = level_for(scale.levels, bounded)
        if reached is not None:
            return AwardedGrade(_plain(reached.value), reached.value, scale.code, percent)
    if scale.out_of is not None:
        points = bounded * scale.out_of / HUNDRED
        halves = (points / HALF).quantize(Decimal(1), rounding=ROUND_HALF_UP) * HALF
        return AwardedGrade(_plain(halves), halves, scale.code, percent)
    level = level_for(scale.levels, bounded)
    if level is None:
        return AwardedGrade(None, None, scale.code, percent)
    return AwardedGrade(level.label, level.value, scale.code, percent)


def _graded_by_level(scale: Scale) -> bool:
    """A numeric scale whose levels are consecutive whole numbers (the Russian 2 to 5) gives
    only those grades: 72 % is a 4 there, not 3.5 points out of 5."""
    values = [level.value for level in scale.levels]
    return bool(values) and all(
        v == v.to_integral_value() and (i == 0 or v == values[i - 1] + 1)
        for i, v in enumerate(values)
    )


def table_key(scale: Scale | None, grade: AwardedGrade) -> str | None:
    """The grade as a row of an ECTS grading table names it: whole points (floor) on a numeric
    scale or for a percentage ("14" for 14.5/20), the level's label on a scale of labels."""
    if scale is not None and scale.out_of is None:
        return grade.grade
    if grade.value is None:
        return None
    return _plain(grade.value.quantize(Decimal(1), rounding=ROUND_FLOOR))


def with_table_position(
    session: Session, unit: Unit, scale: Scale | None, grade: AwardedGrade
) -> AwardedGrade:
    """The grade with its band in the table in force for the unit's reference group: the newest
    table of the awarding institution for that ISCED field, EQF level and scale, and its row
    for the grade. Unchanged when there is no such table or row."""
    key = table_key(scale, grade)
    if key is None or unit.isced_code is None or unit.eqf_level is None or not grade.scale_code:
        return grade
    owner = (
        GradingTable.owner_institution_id.is_(None)
        if unit.institution_id is None
        else GradingTable.owner_institution_id == unit.institution_id
    )
    table = session.scalar(
        select(GradingTable)
        .where(
            owner,
            GradingTable.isced_code == unit.isced_code,
            GradingTable.eqf_level == unit.eqf_level,
            GradingTable.scale_code == grade.scale_code,
        )
        .options(selectinload(GradingTable.rows))
        .order_by(GradingTable.created_at.desc(), GradingTable.id.desc())
        .limit(1)
    )
    if table is None:
        return grade
    better = Decimal(0)
    for row in table.rows:
        if row.grade == key:
            return replace(
                grade, grading_table_id=table.id, band_from=better, band_to=row.cumulative
            )
        better = row.cumulative
    return grade


def course_scale(session: Session, course: Course) -> Scale | None:
    """The scale a course's grades are awarded on: the gradebook's scale of the course total,
    else the awarding institution's scale when it names one, else none (the percentage)."""
    scale_id = session.scalar(
        select(GradeCategory.scale_id)
        .where(GradeCategory.course_id == course.id, GradeCategory.parent_id.is_(None))
        .order_by(GradeCategory.id)
        .limit(1)
    )
    if scale_id is not None:
        return session.scalar(
            select(Scale).where(Scale.id == scale_id).options(selectinload(Scale.levels))
        )
    if course.institution_id is None:
        return None
    code = session.scalar(
        select(Institution.grading_scale).where(Institution.id == course.institution_id)
    )
    return scale_by_code(session, code) if code else None


def entry_in_force(session: Session, user_id: int, course_id: int) -> CreditEntry | None:
    """The learner's credits for the course (from any source) that nothing has superseded."""
    later = aliased(CreditEntry)
    return session.scalar(
        select(CreditEntry)
        .where(
            CreditEntry.user_id == user_id,
            CreditEntry.course_id == course_id,
            CreditEntry.kind != EntryKind.REVOCATION,
            ~exists().where(later.supersedes_id == CreditEntry.id),
        )
        .order_by(CreditEntry.id)
        .limit(1)
    )


def has_entry_in_force(session: Session, user_id: int, course_id: int) -> bool:
    """Whether the learner holds credits for the course that nothing has superseded."""
    return entry_in_force(session, user_id, course_id) is not None


def course_unit(course: Course) -> Unit:
    """What a course's credits are for, copied from the course as it is now."""
    return Unit(
        code=course.code,
        title=course.title,
        credits=course.ects,
        course_id=course.id,
        institution_id=course.institution_id,
        isced_code=course.isced_code,
        eqf_level=course.eqf_level,
    )


def award_course_result(
    session: Session, course_id: int, user_id: int, percent: Decimal | None, passed: bool | None
) -> CreditEntry | None:
    """Credit a passed course once: the course's ECTS, its grade on its national scale and
    table position. Nothing for a failing result, a course without credits, or a course the
    learner already holds credits for."""
    if passed is not True or percent is None:
        return None
    course = session.get(Course, course_id)
    if course is None or course.ects <= 0:
        return None
    held = entry_in_force(session, user_id, course_id)
    if held is not None and not _partly_recognised(held, course):
        return None
    unit = course_unit(course)
    scale = course_scale(session, course)
    grade = with_table_position(session, unit, scale, national_grade(scale, percent))
    return ledger.append(
        session,
        SYSTEM,
        unit,
        grade,
        user_id=user_id,
        source=EntrySource.COURSE_RESULT,
        source_id=course_id,
        on=utcnow().date(),
        kind=EntryKind.AWARD if held is None else EntryKind.CORRECTION,
        supersedes=held,
        reason="" if held is None else "Course passed after a partial recognition.",
    )


def _partly_recognised(held: CreditEntry, course: Course) -> bool:
    """A partial recognition grants fewer credits than the course; passing the rest of the
    course later earns the whole of it, replacing the partial entry."""
    return held.source is EntrySource.RECOGNITION and held.credits < course.ects
