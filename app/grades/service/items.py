"""The teacher's own grade items (manual and attendance), and the settings every item has:
category, weight, pass mark, display, hidden-until date and lock."""

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.accounts.audit import audit, audit_all, entry_of
from app.core.actors import Actor, require
from app.core.db import utcnow
from app.core.errors import Invalid, NotFound
from app.core.i18n import N_
from app.grades import policy
from app.grades.models import Grade, GradeCategory, GradeItem, ItemSource
from app.grades.service import attendance, results
from app.grades.service.record import ItemLocked
from app.grades.service.setup import LOCKED, ItemOwned, check_scale, managed_root
from app.grades.setup_schemas import ItemCreate, ItemUpdate

OWN_SOURCES = (ItemSource.MANUAL, ItemSource.ATTENDANCE)


def _category_id(session: Session, course_id: int, category_id: int | None) -> int:
    if category_id is None:
        return results.root_category(session, course_id).id
    category = session.get(GradeCategory, category_id)
    if category is None or category.course_id != course_id:
        raise Invalid(N_("No such category in this course."), field="category_id")
    return category.id


def _check_pass(max_points: Any, pass_points: Any) -> None:
    if pass_points is not None and pass_points > max_points:
        raise Invalid(N_("The pass mark cannot exceed the maximum."), field="pass_points")


def create_item(session: Session, actor: Actor, course_id: int, data: ItemCreate) -> GradeItem:
    """A manual item, or an attendance item graded at once from the learners' hours."""
    managed_root(session, actor, course_id)
    if data.source not in OWN_SOURCES:
        raise Invalid(N_("Only manual and attendance items are added here."), field="source")
    check_scale(session, actor, data.scale_id)
    _check_pass(data.max_points, data.pass_points)
    position = session.scalar(
        select(func.coalesce(func.max(GradeItem.position), 0)).where(
            GradeItem.course_id == course_id
        )
    )
    item = GradeItem(
        course_id=course_id,
        category_id=_category_id(session, course_id, data.category_id),
        source=data.source,
        source_id=None,
        title=data.title,
        max_points=data.max_points,
        pass_points=data.pass_points,
        weight=data.weight,
        display=data.display,
        scale_id=data.scale_id,
        hidden_until=data.hidden_until,
        position=(position or 0) + 1,
    )
    session.add(item)
    session.flush()
    if item.source is ItemSource.ATTENDANCE:
        attendance.grade_attendance(session, item, actor.user_id)
    results.recompute(session, course_id)
    return item


def editable_item(session: Session, actor: Actor, item_id: int) -> GradeItem:
    item = session.get(GradeItem, item_id)
    if item is None:
        raise NotFound(N_("No such grade item."))
    managed_root(session, actor, item.course_id)
    return item


def update_item(session: Session, actor: Actor, item_id: int, data: ItemUpdate) -> GradeItem:
    """Change an item's settings; a locked item refuses every change (409) but `locked:
    false` from a manager. The maximum of an assignment's or quiz's item is its owner's."""
    item = editable_item(session, actor, item_id)
    fields = data.model_dump(exclude_unset=True)
    locked = fields.pop("locked", None)
    if item.locked_at is not None:
        if locked is not False or fields:
            raise ItemLocked(LOCKED)
        require(policy.can_unlock(actor))
        item.locked_at = None
        session.flush()
        return item
    if item.source not in OWN_SOURCES and ({"max_points", "pass_points"} & fields.keys()):
        raise ItemOwned(N_("This item's maximum and pass mark are set by its activity."))
    if "category_id" in fields:
        fields["category_id"] = _category_id(session, item.course_id, fields["category_id"])
    check_scale(session, actor, fields.get("scale_id"))
    _check_pass(
        fields.get("max_points", item.max_points), fields.get("pass_points", item.pass_points)
    )
    if "hidden_until" in fields and fields["hidden_until"] != item.hidden_until:
        audit(
            session, actor, "grade_item.hide", f"grade_item:{item.id}",
            from_value=item.hidden_until, to_value=fields["hidden_until"],
        )  # fmt: skip
    for name, value in fields.items():
        setattr(item, name, value)
    if locked:
        item.locked_at = utcnow()
    session.flush()
    results.recompute(session, item.course_id)
    return item


def delete_item(session: Session, actor: Actor, item_id: int) -> None:
    """Remove a manual or attendance item with its grades; an assignment's or quiz's item
    goes with its activity only (409)."""
    item = editable_item(session, actor, item_id)
    if item.locked_at is not None:
        raise ItemLocked(LOCKED)
    if item.source not in OWN_SOURCES:
        raise ItemOwned(N_("This item belongs to an assignment or a quiz."))
    course_id = item.course_id
    _audit_deleted_grades(session, actor, item)
    session.delete(item)
    session.flush()
    results.recompute(session, course_id)


def _audit_deleted_grades(session: Session, actor: Actor, item: GradeItem) -> None:
    """Each grade the item takes with it, from its final points to none: one query."""
    grades = session.execute(
        select(Grade.id, Grade.user_id, Grade.points, Grade.override_points).where(
            Grade.item_id == item.id
        )
    )
    entries = []
    for grade_id, user_id, points, override in grades:
        final = override if override is not None else points
        subject, about = f"grade:{grade_id}", f"grade_item:{item.id}"
        entries.append(
            entry_of(actor, "grade.delete", subject, about, person_id=user_id, from_value=final)
        )
    audit_all(session, entries)
