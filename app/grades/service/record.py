"""How the assignments and quizzes that own grade items write into the gradebook. Callers have
already asked their own policy; these functions check only the gradebook's own rules (a locked
item changes no more)."""

from datetime import datetime
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.accounts.audit import acting_user, audit
from app.core.actors import Actor
from app.core.db import utcnow
from app.core.errors import Conflict
from app.core.events import publish
from app.grades.events import GradeRecorded, GradeReleased
from app.grades.models import ChangeKind, Grade, GradeChange, GradeItem, ItemSource
from app.grades.service import results

# How the audit trail names each kind of change of a grade.
GRADE_ACTIONS = {
    ChangeKind.SOURCE: "grade.record",  # written by its assignment, quiz, attendance or tool
    ChangeKind.OVERRIDE: "grade.override",
    ChangeKind.IMPORT: "grade.import",
    ChangeKind.RELEASE: "grade.release",
}


class ItemLocked(Conflict):
    code = "grade_item_locked"


def ensure_item(
    session: Session,
    *,
    course_id: int,
    source: ItemSource,
    source_id: int,
    title: str,
    max_points: Decimal,
    pass_points: Decimal | None = None,
    module_id: int | None = None,
    scale_id: int | None = None,
) -> GradeItem:
    """The grade item of an assignment or quiz, created on first use and kept in step with
    its owner's title, maximum, pass mark and scale afterwards."""
    item = session.scalar(
        select(GradeItem).where(GradeItem.source == source, GradeItem.source_id == source_id)
    )
    if item is None:
        item = GradeItem(course_id=course_id, source=source, source_id=source_id)
        session.add(item)
    rescaled = item.id is not None and item.max_points != max_points
    item.title = title
    item.max_points = max_points
    item.pass_points = pass_points
    item.module_id = module_id
    item.scale_id = scale_id
    session.flush()
    if rescaled:  # every learner's total moves with a new maximum
        results.recompute(session, item.course_id)
    return item


def record_grade(
    session: Session,
    item: GradeItem,
    user_id: int,
    points: Decimal | None,
    *,
    by_user_id: int | None,
    release: bool,
    feedback_html: str | None = None,
    reason: str = "",
    kind: ChangeKind = ChangeKind.SOURCE,
) -> Grade:
    """Write the source's grade of a learner; a change of points is kept in the history.
    Releasing makes it visible to the learner (subject to the item's hidden-until date).
    An override set by a teacher stays in force over what the source writes."""
    if item.locked_at is not None:
        raise ItemLocked("The grade item is locked after deliberation.")
    grade = session.scalar(
        select(Grade).where(Grade.item_id == item.id, Grade.user_id == user_id).with_for_update()
    )
    now = utcnow()
    if grade is None:
        grade = Grade(item_id=item.id, user_id=user_id, points=None, version=1)
        session.add(grade)
        session.flush()
    if grade.points != points:
        audit(
            session, acting_user(session, by_user_id), GRADE_ACTIONS[kind], f"grade:{grade.id}",
            reason, person_id=user_id, from_value=grade.points, to_value=points,
        )  # fmt: skip
        session.add(
            GradeChange(
                grade_id=grade.id,
                kind=kind,
                from_points=grade.points,
                to_points=points,
                reason=reason,
                changed_by_id=by_user_id,
                changed_at=now,
            )
        )
        grade.points = points
        grade.version += 1
    if feedback_html is not None:
        grade.feedback_html = feedback_html
    newly_released = release and grade.released_at is None
    if newly_released:
        grade.released_at = now
        audit_release(session, acting_user(session, by_user_id), grade)
    grade.updated_at = now
    grade.updated_by_id = by_user_id
    session.flush()
    publish(session, GradeRecorded(course_id=item.course_id, item_id=item.id, user_id=user_id))
    if newly_released:
        publish(session, GradeReleased(course_id=item.course_id, item_id=item.id, user_id=user_id))
    return grade


def audit_release(session: Session, actor: Actor, grade: Grade) -> None:
    """A grade the learner may now see (subject to its item's hidden-until date)."""
    audit(
        session, actor, "grade.release", f"grade:{grade.id}", person_id=grade.user_id,
        from_value="unreleased", to_value="released",
    )  # fmt: skip


def visible_to_learner(grade: Grade, item: GradeItem, now: datetime) -> bool:
    """A learner sees a grade once it is released and the item's hidden-until date is past."""
    if grade.released_at is None:
        return False
    return item.hidden_until is None or item.hidden_until <= now
