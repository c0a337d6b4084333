"""The grader table: every learner the reader may see against the course's grade items, in
category order, with the course total. A constant number of queries whatever the class size."""

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.accounts.models import User
from app.core.actors import Actor, require
from app.core.errors import NotFound
from app.core.i18n import N_, negotiate, translations_for
from app.core.spreadsheets import csv_text
from app.courses.models import Course
from app.courses.service.courses import CourseAccess, find_course, get_course
from app.enrolment.models import Group, GroupMember
from app.grades import policy
from app.grades.models import Grade, GradeCategory, GradeItem
from app.grades.service import results
from app.grades.service.aggregation import Total, learner_total
from app.membership.models import CourseRole, Enrolment, EnrolmentStatus


@dataclass(frozen=True)
class GraderRow:
    learner: User
    grades: dict[int, Grade]  # by item id; an item with no grade yet is absent
    total: Total  # the course total from every grade, released or not

    def points(self, item_id: int) -> Decimal | None:
        grade = self.grades.get(item_id)
        return grade.final_points if grade is not None else None


@dataclass(frozen=True)
class GraderTable:
    course: Course
    items: list[GradeItem]
    rows: list[GraderRow]
    groups: list[Group]  # the groups the reader may filter by
    group_id: int | None
    can_edit: bool


def grader_table(
    session: Session, actor: Actor, code: str, group_id: int | None = None
) -> GraderTable:
    """Staff of the course and managers see it; a grader in groups sees their groups only."""
    return _table(session, actor, find_course(session, actor, code), group_id)


def grader_table_by_id(
    session: Session, actor: Actor, course_id: int, group_id: int | None = None
) -> GraderTable:
    return _table(session, actor, get_course(session, actor, course_id), group_id)


def _table(
    session: Session, actor: Actor, access: CourseAccess, group_id: int | None
) -> GraderTable:
    require(policy.can_see_grader_table(actor, access.roles), NotFound, N_("No such course."))
    course = access.course
    groups = groups_in_sight(session, actor, course.id)
    if group_id is not None and group_id not in {g.id for g in groups}:
        raise NotFound(N_("No such group."))
    learners = learners_of_course(session, actor, course.id, group_id)
    items = ordered_items(session, course.id)
    grades = _grades(session, [item.id for item in items], [user.id for user in learners])
    shape = results.shape_of(session, course.id)
    rows = []
    for user in learners:
        own = grades.get(user.id, {})
        points = {item_id: grade.final_points for item_id, grade in own.items()}
        rows.append(GraderRow(user, own, learner_total(shape.tree, shape.root.id, points)))
    return GraderTable(course, items, rows, groups, group_id, policy.can_grade(actor, access.roles))


def learners_of_course(
    session: Session, actor: Actor, course_id: int, group_id: int | None = None
) -> list[User]:
    """The course's active students the reader may see, by name (one query)."""
    query = (
        select(User)
        .join(Enrolment, Enrolment.user_id == User.id)
        .where(
            Enrolment.course_id == course_id,
            Enrolment.role == CourseRole.STUDENT,
            Enrolment.status == EnrolmentStatus.ACTIVE,
            policy.learners_in_sight(actor, course_id, User.id),
        )
        .order_by(User.display_name, User.id)
    )
    if group_id is not None:
        members = select(GroupMember.user_id).where(GroupMember.group_id == group_id)
        query = query.where(User.id.in_(members))
    return list(session.scalars(query))


def learner_in_sight(session: Session, actor: Actor, course_id: int, user_id: int) -> User:
    """One learner of the course within the reader's sight; otherwise NotFound."""
    user = session.scalar(
        select(User)
        .join(Enrolment, Enrolment.user_id == User.id)
        .where(
            User.id == user_id,
            Enrolment.course_id == course_id,
            Enrolment.role == CourseRole.STUDENT,
            policy.learners_in_sight(actor, course_id, User.id),
        )
    )
    if user is None:
        raise NotFound(N_("No such learner."))
    return user


def groups_in_sight(session: Session, actor: Actor, course_id: int) -> list[Group]:
    """The reader's own groups of the course if they belong to any, otherwise all of them."""
    groups = list(
        session.scalars(select(Group).where(Group.course_id == course_id).order_by(Group.name))
    )
    if actor.is_manager or actor.user_id is None:
        return groups
    own = set(
        session.scalars(
            select(GroupMember.group_id).where(
                GroupMember.user_id == actor.user_id,
                GroupMember.group_id.in_([g.id for g in groups]),
            )
        )
    )
    return [g for g in groups if g.id in own] if own else groups


def ordered_items(session: Session, course_id: int) -> list[GradeItem]:
    """The course's items, category by category (depth first, by position), then by position."""
    categories = session.scalars(
        select(GradeCategory)
        .where(GradeCategory.course_id == course_id)
        .order_by(GradeCategory.position, GradeCategory.id)
    ).all()
    items = session.scalars(
        select(GradeItem)
        .where(GradeItem.course_id == course_id)
        .order_by(GradeItem.position, GradeItem.id)
    ).all()
    rank = _category_rank(categories)
    return sorted(items, key=lambda i: rank.get(i.category_id, -1) if i.category_id else -1)


def _category_rank(categories: Sequence[GradeCategory]) -> dict[int | None, int]:
    children: dict[int | None, list[GradeCategory]] = {}
    for category in categories:
        children.setdefault(category.parent_id, []).append(category)
    rank: dict[int | None, int] = {}
    stack = list(reversed(children.get(None, [])))
    while stack:
        category = stack.pop()
        rank[category.id] = len(rank)
        stack.extend(reversed(children.get(category.id, [])))
    return rank


def _grades(
    session: Session, item_ids: list[int], user_ids: list[int]
) -> dict[int, dict[int, Grade]]:
    if not item_ids or not user_ids:
        return {}
    found: dict[int, dict[int, Grade]] = {}
    for grade in session.scalars(
        select(Grade).where(Grade.item_id.in_(item_ids), Grade.user_id.in_(user_ids))
    ):
        found.setdefault(grade.user_id, {})[grade.item_id] = grade
    return found


def grader_csv(
    session: Session, actor: Actor, code: str, group_id: int | None, locale: str
) -> tuple[str, str]:
    """The grader table as CSV (the same learners, items and totals), and its file name; a
    cell a spreadsheet would run as a formula is kept as text."""
    return table_csv(grader_table(session, actor, code, group_id), locale)


def table_csv(table: GraderTable, locale: str) -> tuple[str, str]:
    gettext = translations_for(negotiate(locale, None)).gettext
    header = [
        gettext("Name"),
        gettext("Email"),
        *(item.title for item in table.items),
        gettext("Course total"),
    ]
    rows = (
        [
            row.learner.display_name,
            row.learner.email,
            *(_cell(row.points(item.id)) for item in table.items),
            _cell(row.total.points),
        ]
        for row in table.rows
    )
    return csv_text(header, rows), f"grades-{table.course.code}.csv"


def _cell(points: Decimal | None) -> str:
    return "" if points is None else f"{points.quantize(Decimal('0.01')).normalize():f}"
