"""Course results: each learner's course total from their **released** grades (what the
learner is shown), kept in `course_results` and recomputed whenever a grade is recorded or the
gradebook's set-up changes. A change of a learner's result publishes `CourseResultComputed`."""

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.core.db import utcnow
from app.core.events import publish
from app.grades.events import CourseResultComputed
from app.grades.models import CourseResult, Grade, GradeCategory, GradeItem
from app.grades.service.aggregation import Rule, Total, Tree, learner_total
from app.membership.models import CourseRole, Enrolment, EnrolmentStatus

PERCENT_STEP = Decimal("0.001")
POINTS_STEP = Decimal("0.01")
MAX_PERCENT = Decimal("999.999")


@dataclass(frozen=True)
class Shape:
    """A course's gradebook as the aggregation needs it, read in two queries."""

    root: GradeCategory
    tree: Tree


def root_category(session: Session, course_id: int) -> GradeCategory:
    """The course's root category (its total and course-wide settings), created on first use."""
    root = session.scalar(
        select(GradeCategory)
        .where(GradeCategory.course_id == course_id, GradeCategory.parent_id.is_(None))
        .order_by(GradeCategory.id)
        .limit(1)
    )
    if root is None:
        root = GradeCategory(course_id=course_id, parent_id=None, title="")
        session.add(root)
        session.flush()
    return root


def shape_of(session: Session, course_id: int) -> Shape:
    root = root_category(session, course_id)
    categories = session.scalars(
        select(GradeCategory).where(GradeCategory.course_id == course_id)
    ).all()
    items = session.scalars(select(GradeItem).where(GradeItem.course_id == course_id)).all()
    known = {c.id for c in categories}
    tree = Tree(
        rules={c.id: Rule(c.aggregation, c.drop_lowest, c.exclude_empty) for c in categories},
        weights={c.id: c.weight for c in categories},
        # A second parentless category (two first uses racing) counts inside the root.
        parents={c.id: c.parent_id or root.id for c in categories if c.id != root.id},
        items={
            i.id: (i.category_id if i.category_id in known else root.id, i.max_points, i.weight)
            for i in items
        },
    )
    return Shape(root, tree)


def learner_ids(session: Session, course_id: int) -> list[int]:
    """The course's learners: its active students."""
    return list(
        session.scalars(
            select(Enrolment.user_id)
            .where(
                Enrolment.course_id == course_id,
                Enrolment.role == CourseRole.STUDENT,
                Enrolment.status == EnrolmentStatus.ACTIVE,
            )
            .order_by(Enrolment.user_id)
        )
    )


def released_points(
    session: Session, course_id: int, user_ids: Sequence[int]
) -> dict[int, dict[int, Decimal | None]]:
    """Each learner's final points per item, released grades only."""
    rows = session.execute(
        select(Grade.user_id, Grade.item_id, Grade.points, Grade.override_points)
        .join(GradeItem, GradeItem.id == Grade.item_id)
        .where(
            GradeItem.course_id == course_id,
            Grade.user_id.in_(user_ids),
            Grade.released_at.is_not(None),
        )
    ).all()
    found: dict[int, dict[int, Decimal | None]] = {user_id: {} for user_id in user_ids}
    for user_id, item_id, points, override in rows:
        found[user_id][item_id] = override if override is not None else points
    return found


def _passed(total: Total, pass_percent: Decimal | None) -> bool | None:
    if pass_percent is None:
        return None
    percent = total.percent
    return percent is not None and percent >= pass_percent


def _bounded(percent: Decimal | None) -> Decimal | None:
    """Overrides may exceed an item's maximum; the stored percentage stays within its column."""
    return None if percent is None else min(percent, MAX_PERCENT)


def _quantized(value: Decimal | None, step: Decimal) -> Decimal | None:
    return None if value is None else value.quantize(step)


def recompute(session: Session, course_id: int, user_ids: Sequence[int] | None = None) -> None:
    """Recompute the results of these learners (all of the course's by default) in a fixed
    number of queries, publishing `CourseResultComputed` for each result that changed."""
    users = learner_ids(session, course_id) if user_ids is None else list(user_ids)
    if not users:
        return
    shape = shape_of(session, course_id)
    points = released_points(session, course_id, users)
    existing = {
        r.user_id: r
        for r in session.scalars(
            select(CourseResult).where(
                CourseResult.course_id == course_id, CourseResult.user_id.in_(users)
            )
        )
    }
    for user_id in users:
        total = learner_total(shape.tree, shape.root.id, points[user_id])
        _store(session, course_id, user_id, total, shape.root.pass_percent, existing.get(user_id))
    session.flush()


def _store(
    session: Session,
    course_id: int,
    user_id: int,
    total: Total,
    pass_percent: Decimal | None,
    result: CourseResult | None,
) -> None:
    values = (
        _quantized(total.points, POINTS_STEP),
        _quantized(total.max_points, POINTS_STEP),
        _quantized(_bounded(total.percent), PERCENT_STEP),
        _passed(total, pass_percent),
    )
    if (
        result is not None
        and (
            result.points,
            result.max_points,
            result.percent,
            result.passed,
        )
        == values
    ):
        return
    if result is None:
        result = CourseResult(course_id=course_id, user_id=user_id)
        session.add(result)
    result.points, result.max_points, result.percent, result.passed = values
    result.computed_at = utcnow()
    session.flush()
    publish(
        session,
        CourseResultComputed(
            course_id=course_id, user_id=user_id, percent=values[2], passed=values[3]
        ),
    )
