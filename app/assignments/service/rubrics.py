"""Rubrics (criteria with levels and points) and marking guides (criteria with a maximum and a
comment each): defined by those who configure the assignment, editable until a marking uses
them, and turned into a grade the way Moodle does."""

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy import exists, select
from sqlalchemy.orm import Session, selectinload

from app.assignments import policy
from app.assignments.marking_models import Criterion, CriterionLevel, CriterionMark, Rubric
from app.assignments.marking_schemas import RubricUpdate
from app.assignments.models import Assignment, GradingMethod
from app.assignments.service.settings import assignment_by_id
from app.core.actors import Actor, require
from app.core.db import utcnow
from app.core.errors import Conflict, Invalid, NotFound
from app.core.i18n import N_

CENT = Decimal("0.01")


class RubricInUse(Conflict):
    code = "rubric_in_use"
    title = N_("A marking already uses these criteria: they can no longer be changed.")


class NotGradedByCriteria(Conflict):
    code = "not_graded_by_criteria"
    title = N_("This assignment is not graded with a rubric or a marking guide.")


@dataclass(frozen=True)
class Choice:
    """A marker's choice on one criterion: a rubric's level, or a guide's points."""

    level_id: int | None = None
    points: Decimal | None = None
    comment: str = ""


def rubric_of(session: Session, assignment_id: int) -> Rubric | None:
    return session.scalar(
        select(Rubric)
        .where(Rubric.assignment_id == assignment_id)
        .options(selectinload(Rubric.criteria).selectinload(Criterion.levels))
    )


def in_use(session: Session, rubric: Rubric) -> bool:
    return bool(
        session.scalar(
            select(
                exists()
                .where(CriterionMark.criterion_id == Criterion.id)
                .where(Criterion.rubric_id == rubric.id)
            )
        )
    )


def read_rubric(
    session: Session, actor: Actor, assignment_id: int
) -> tuple[Assignment, Rubric | None]:
    """The criteria, for the assignment's staff and managers."""
    access = assignment_by_id(session, actor, assignment_id)
    require(policy.can_read_settings(actor, access.roles))
    return access.assignment, rubric_of(session, assignment_id)


def _check(assignment: Assignment, data: RubricUpdate) -> None:
    if assignment.grading_method is GradingMethod.SIMPLE:
        raise NotGradedByCriteria()
    for criterion in data.criteria:
        if assignment.grading_method is GradingMethod.RUBRIC and len(criterion.levels) < 2:
            raise Invalid(N_("Give every criterion at least two levels."), field="criteria")
        if assignment.grading_method is GradingMethod.GUIDE and criterion.max_points is None:
            raise Invalid(N_("Give every criterion its maximum of points."), field="criteria")
    if assignment.grading_method is GradingMethod.RUBRIC:
        low = sum((min(lv.points for lv in c.levels) for c in data.criteria), Decimal(0))
        high = sum((max(lv.points for lv in c.levels) for c in data.criteria), Decimal(0))
        floor = Decimal(0) if data.lock_zero_points else low
        if high <= floor:
            raise Invalid(N_("The best levels must be worth more points than the lowest."),
                          field="criteria")  # fmt: skip


def define_rubric(session: Session, actor: Actor, assignment_id: int, data: RubricUpdate) -> Rubric:
    """Replace the criteria (and levels) as a whole, as long as no marking has used them."""
    access = assignment_by_id(session, actor, assignment_id)
    require(policy.can_define_rubric(actor, access.roles))
    _check(access.assignment, data)
    rubric = rubric_of(session, assignment_id)
    if rubric is None:
        rubric = Rubric(assignment_id=assignment_id, criteria=[])
        session.add(rubric)
    elif in_use(session, rubric):
        raise RubricInUse()
    rubric.lock_zero_points = data.lock_zero_points
    rubric.updated_at = utcnow()
    rubric.criteria.clear()
    session.flush()
    for position, criterion in enumerate(data.criteria):
        levels = [
            CriterionLevel(position=i, points=level.points, definition=level.definition)
            for i, level in enumerate(criterion.levels)
        ]
        max_points = criterion.max_points
        if access.assignment.grading_method is GradingMethod.RUBRIC:
            levels.sort(key=lambda lv: lv.points)
            for i, level in enumerate(levels):
                level.position = i
            max_points = None
        else:
            levels = []
        rubric.criteria.append(
            Criterion(position=position, description=criterion.description,
                      max_points=max_points, levels=levels)
        )  # fmt: skip
    session.flush()
    return rubric


def copy_rubric(
    session: Session, actor: Actor, assignment_id: int, from_assignment_id: int
) -> Rubric:
    """Take another assignment's criteria, of the same course and the same grading method."""
    access = assignment_by_id(session, actor, assignment_id)
    require(policy.can_define_rubric(actor, access.roles))
    source = session.get(Assignment, from_assignment_id)
    original = rubric_of(session, from_assignment_id) if source else None
    if source is None or original is None or source.course_id != access.assignment.course_id:
        raise NotFound(N_("No such rubric in this course."))
    if source.grading_method is not access.assignment.grading_method:
        raise Invalid(N_("That assignment is graded another way."), field="from_assignment_id")
    return define_rubric(session, actor, assignment_id, as_update(original))


def as_update(rubric: Rubric) -> RubricUpdate:
    return RubricUpdate.model_validate(
        {
            "lock_zero_points": rubric.lock_zero_points,
            "criteria": [
                {
                    "description": c.description,
                    "max_points": c.max_points,
                    "levels": [
                        {"points": lv.points, "definition": lv.definition} for lv in c.levels
                    ],
                }
                for c in rubric.criteria
            ],
        }
    )


def _rubric_grade(rubric: Rubric, choices: Mapping[int, Choice], max_points: Decimal) -> Decimal:
    """Moodle's rubric: (chosen − minimum) / (maximum − minimum) × the assignment's maximum,
    the minimum counting as zero when zero points are locked."""
    chosen = Decimal(0)
    for criterion in rubric.criteria:
        level = next(
            (lv for lv in criterion.levels if lv.id == choices[criterion.id].level_id), None
        )
        if level is None:
            raise Invalid(N_("Choose a level for every criterion."), field="criteria")
        chosen += level.points
    high = sum((max(lv.points for lv in c.levels) for c in rubric.criteria), Decimal(0))
    low = sum((min(lv.points for lv in c.levels) for c in rubric.criteria), Decimal(0))
    floor = Decimal(0) if rubric.lock_zero_points else low
    share = max(Decimal(0), chosen - floor) / (high - floor)
    return (share * max_points).quantize(CENT, ROUND_HALF_UP)


def _guide_grade(rubric: Rubric, choices: Mapping[int, Choice], max_points: Decimal) -> Decimal:
    """A marking guide: the points given on each criterion (each within its maximum), scaled
    to the assignment's maximum."""
    given = Decimal(0)
    for criterion in rubric.criteria:
        points = choices[criterion.id].points
        limit = criterion.max_points or Decimal(0)
        if points is None or not Decimal(0) <= points <= limit:
            raise Invalid(N_("Give each criterion points between 0 and its maximum."),
                          field="criteria")  # fmt: skip
        given += points
    total = sum((c.max_points or Decimal(0) for c in rubric.criteria), Decimal(0))
    return (given / total * max_points).quantize(CENT, ROUND_HALF_UP)


def grade_from_choices(
    assignment: Assignment, rubric: Rubric | None, choices: Mapping[int, Choice]
) -> Decimal:
    """The grade the choices give; every criterion needs a choice, and no other criterion."""
    if rubric is None or not rubric.criteria:
        raise Invalid(N_("Define the criteria before marking with them."), field="criteria")
    if set(choices) != {c.id for c in rubric.criteria}:
        raise Invalid(N_("Choose a level for every criterion."), field="criteria")
    if assignment.grading_method is GradingMethod.RUBRIC:
        return _rubric_grade(rubric, choices, assignment.max_points)
    return _guide_grade(rubric, choices, assignment.max_points)


def keep_choices(session: Session, marking_id: int, choices: Mapping[int, Choice]) -> None:
    """The marking's choices, replacing those it had."""
    for old in session.scalars(select(CriterionMark).where(CriterionMark.marking_id == marking_id)):
        session.delete(old)
    session.flush()
    session.add_all(
        CriterionMark(marking_id=marking_id, criterion_id=criterion_id, level_id=c.level_id,
                      points=c.points, comment=c.comment)
        for criterion_id, c in choices.items()
    )  # fmt: skip
    session.flush()


def choices_of(session: Session, marking_id: int) -> dict[int, CriterionMark]:
    rows = session.scalars(select(CriterionMark).where(CriterionMark.marking_id == marking_id))
    return {row.criterion_id: row for row in rows}
