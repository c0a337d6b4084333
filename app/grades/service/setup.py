"""Setting up a course's gradebook: nested categories with their aggregation, manual and
attendance items, pass marks, display, hidden-until dates and locks. Every change that can move
a total recomputes the course's results."""

from dataclasses import dataclass

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from app.core.actors import Actor, require
from app.core.db import utcnow
from app.core.errors import Conflict, Invalid, NotFound
from app.core.i18n import N_
from app.courses.models import Course
from app.courses.service.courses import get_course
from app.grades import policy
from app.grades.models import Display, GradeCategory, GradeItem, ItemSource, Scale
from app.grades.service import attendance, results
from app.grades.service.record import ItemLocked
from app.grades.setup_schemas import CategoryCreate, CategoryUpdate, CourseSettingsUpdate
from app.membership.models import CourseRole
from app.membership.service import course_roles

LOCKED = N_("The grade item is locked after deliberation.")


class ItemOwned(Conflict):
    code = "grade_item_owned"


class RootCategory(Conflict):
    code = "grade_category_root"


@dataclass(frozen=True)
class Gradebook:
    course: Course
    root: GradeCategory
    categories: list[GradeCategory]  # the root first, then by position
    items: list[GradeItem]

    @property
    def display(self) -> Display:
        return self.root.display or Display.POINTS


def roles_in(session: Session, actor: Actor, course_id: int) -> frozenset[CourseRole]:
    """The actor's roles in a course it may see (404 when missing, hidden or out of reach)."""
    if actor.is_partner_client:  # a partner system reads grades of courses in its reach
        if session.get(Course, course_id) is None:
            raise NotFound(N_("No such course."))
        return course_roles(session, actor, course_id)
    roles = get_course(session, actor, course_id).roles
    require(policy.knows_gradebook(actor, roles), NotFound, N_("No such course."))
    return roles


def managed_root(session: Session, actor: Actor, course_id: int) -> GradeCategory:
    """The root category of a course the actor may set up; 409 once the course is locked."""
    require(policy.can_manage_gradebook(actor, roles_in(session, actor, course_id)))
    root = results.root_category(session, course_id)
    if root.locked_at is not None:
        raise ItemLocked(LOCKED)
    return root


def gradebook(session: Session, actor: Actor, course_id: int) -> Gradebook:
    """The course's categories and items, for those who read the course's grades."""
    require(policy.can_read_course_grades(actor, roles_in(session, actor, course_id)))
    course = session.get_one(Course, course_id)
    root = results.root_category(session, course_id)
    categories = session.scalars(
        select(GradeCategory)
        .where(GradeCategory.course_id == course_id)
        .order_by(GradeCategory.parent_id.is_not(None), GradeCategory.position, GradeCategory.id)
    ).all()
    items = session.scalars(
        select(GradeItem)
        .where(GradeItem.course_id == course_id)
        .order_by(GradeItem.position, GradeItem.id)
    ).all()
    return Gradebook(course, root, list(categories), list(items))


def _category_of_course(session: Session, course_id: int, category_id: int) -> GradeCategory:
    category = session.get(GradeCategory, category_id)
    if category is None or category.course_id != course_id:
        raise Invalid(N_("No such category in this course."), field="parent_id")
    return category


def _descends_from(session: Session, category: GradeCategory, ancestor_id: int) -> bool:
    current: GradeCategory | None = category
    while current is not None:
        if current.id == ancestor_id:
            return True
        current = session.get(GradeCategory, current.parent_id) if current.parent_id else None
    return False


def create_category(
    session: Session, actor: Actor, course_id: int, data: CategoryCreate
) -> GradeCategory:
    """A category under the root (or under `parent_id`, a category of the same course)."""
    root = managed_root(session, actor, course_id)
    parent = (
        root if data.parent_id is None else _category_of_course(session, course_id, data.parent_id)
    )
    category = GradeCategory(
        course_id=course_id,
        parent_id=parent.id,
        title=data.title,
        aggregation=data.aggregation,
        weight=data.weight,
        drop_lowest=data.drop_lowest,
        exclude_empty=data.exclude_empty,
    )
    session.add(category)
    session.flush()
    results.recompute(session, course_id)
    return category


def editable_category(session: Session, actor: Actor, category_id: int) -> GradeCategory:
    category = session.get(GradeCategory, category_id)
    if category is None:
        raise NotFound(N_("No such category."))
    managed_root(session, actor, category.course_id)
    return category


def update_category(
    session: Session, actor: Actor, category_id: int, data: CategoryUpdate
) -> GradeCategory:
    """Change a category; moving it under one of its own sub-categories is refused."""
    category = editable_category(session, actor, category_id)
    fields = data.model_dump(exclude_unset=True)
    if "parent_id" in fields:
        if category.parent_id is None:
            raise RootCategory(N_("The course category has no parent."), field="parent_id")
        parent_id = fields.pop("parent_id") or results.root_category(session, category.course_id).id
        parent = _category_of_course(session, category.course_id, parent_id)
        if _descends_from(session, parent, category.id):
            raise Invalid(N_("A category cannot sit inside itself."), field="parent_id")
        category.parent_id = parent.id
    for name, value in fields.items():
        setattr(category, name, value)
    session.flush()
    results.recompute(session, category.course_id)
    return category


def delete_category(session: Session, actor: Actor, category_id: int) -> None:
    """Remove a category; its items and sub-categories move to its parent."""
    category = editable_category(session, actor, category_id)
    if category.parent_id is None:
        raise RootCategory(N_("The course category cannot be removed."))
    for item in session.scalars(select(GradeItem).where(GradeItem.category_id == category.id)):
        item.category_id = category.parent_id
    for child in session.scalars(
        select(GradeCategory).where(GradeCategory.parent_id == category.id)
    ):
        child.parent_id = category.parent_id
    session.flush()
    session.delete(category)
    session.flush()
    results.recompute(session, category.course_id)


def check_scale(session: Session, actor: Actor, scale_id: int | None) -> None:
    if scale_id is None:
        return
    scale = session.get(Scale, scale_id)
    if scale is None or not policy.scale_visible(actor, scale.institution_id):
        raise Invalid(N_("No such scale."), field="scale_id")


def update_course_settings(
    session: Session, actor: Actor, course_id: int, data: CourseSettingsUpdate
) -> GradeCategory:
    """The course total's pass mark, display, scale and aggregation; `locked: true` locks the
    course and every item after the jury deliberates, `locked: false` (managers only) reopens
    it."""
    roles = roles_in(session, actor, course_id)
    require(policy.can_manage_gradebook(actor, roles))
    root = results.root_category(session, course_id)
    fields = data.model_dump(exclude_unset=True)
    locked = fields.pop("locked", None)
    if root.locked_at is not None and not (locked is False and not fields):
        raise ItemLocked(LOCKED)
    check_scale(session, actor, fields.get("scale_id"))
    for name, value in fields.items():
        setattr(root, name, value)
    if locked is not None:
        _lock_course(session, actor, root, locked)
    session.flush()
    results.recompute(session, course_id)
    return root


def _lock_course(session: Session, actor: Actor, root: GradeCategory, locked: bool) -> None:
    if not locked:
        require(policy.can_unlock(actor))
        if root.locked_at is not None:  # the items the course lock locked open with it
            session.execute(
                update(GradeItem)
                .where(GradeItem.course_id == root.course_id, GradeItem.locked_at == root.locked_at)
                .values(locked_at=None)
            )
        root.locked_at = None
        return
    now = utcnow()
    root.locked_at = root.locked_at or now
    for item in session.scalars(select(GradeItem).where(GradeItem.course_id == root.course_id)):
        item.locked_at = item.locked_at or now


def refresh_attendance_items(session: Session, actor: Actor, course_id: int) -> int:
    """Grade every attendance item of the course from the learners' attended hours now."""
    managed_root(session, actor, course_id)
    refreshed = 0
    for item in session.scalars(
        select(GradeItem).where(
            GradeItem.course_id == course_id, GradeItem.source == ItemSource.ATTENDANCE
        )
    ):
        if item.locked_at is None:
            attendance.grade_attendance(session, item, actor.user_id)
            refreshed += 1
    return refreshed


def require_in_course(
    session: Session, kind: type[GradeItem | GradeCategory], object_id: int, course_id: int
) -> None:
    """404 unless the item or category belongs to this course (pages address it by course)."""
    found = session.scalar(select(kind.course_id).where(kind.id == object_id))
    if found != course_id:
        raise NotFound(N_("No such grade item."))
