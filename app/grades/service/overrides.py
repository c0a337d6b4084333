"""A teacher's grade in the grader table: overriding a computed grade (or entering a manual
item's grade) with a reason, removing an override, and every change kept in the history. A
writer who read an older version of the grade is refused and nothing is written."""

from dataclasses import dataclass, replace
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.accounts.audit import audit
from app.accounts.models import User
from app.core.actors import Actor, require
from app.core.db import utcnow
from app.core.errors import Conflict, Forbidden, Invalid, NotFound
from app.core.events import publish
from app.core.i18n import N_
from app.courses.models import Course
from app.grades import policy
from app.grades.events import GradeRecorded, GradeReleased
from app.grades.grader_schemas import GradeOverride, OverrideRemoval
from app.grades.models import ChangeKind, Grade, GradeChange, GradeItem, ItemSource
from app.grades.service.grader import learner_in_sight
from app.grades.service.record import GRADE_ACTIONS, ItemLocked, audit_release
from app.membership.service import course_roles

CENTS = Decimal("0.01")


class GradeEditedMeanwhile(Conflict):
    code = "grade_edited_meanwhile"
    title = N_("Someone changed this grade meanwhile; reload it and make your change again.")


class NoOverride(Conflict):
    code = "no_override"
    title = N_("This grade has no override to remove.")


class PointsOutOfRange(Invalid):
    code = "points_out_of_range"
    title = N_("The points must lie between 0 and the item's maximum.")


@dataclass(frozen=True)
class GradeSlot:
    """A learner's place in an item: the grade if there is one yet."""

    course: Course
    item: GradeItem
    learner: User
    grade: Grade | None
    can_edit: bool

    @property
    def computed(self) -> bool:
        """Items of an assignment, a quiz or attendance are computed; an edit overrides."""
        return self.item.source is not ItemSource.MANUAL


def slot_of_grade(session: Session, actor: Actor, grade_id: int) -> GradeSlot:
    """A grade the reader may see in the grader table; otherwise NotFound."""
    grade = session.get(Grade, grade_id)
    if grade is None:
        raise NotFound(N_("No such grade."))
    return _slot(session, actor, grade.item_id, grade.user_id, grade)


def slot_of_learner(
    session: Session, actor: Actor, item_id: int, user_id: int, code: str | None = None
) -> GradeSlot:
    """A learner's place in an item (of the course `code`, when given), graded or not."""
    grade = session.scalar(select(Grade).where(Grade.item_id == item_id, Grade.user_id == user_id))
    slot = _slot(session, actor, item_id, user_id, grade)
    if code is not None and slot.course.code != code:
        raise NotFound(N_("No such grade item."))
    return slot


def _slot(
    session: Session, actor: Actor, item_id: int, user_id: int, grade: Grade | None
) -> GradeSlot:
    item = session.get(GradeItem, item_id)
    if item is None:
        raise NotFound(N_("No such grade item."))
    roles = course_roles(session, actor, item.course_id)
    require(policy.can_see_grader_table(actor, roles), NotFound, N_("No such grade."))
    learner = learner_in_sight(session, actor, item.course_id, user_id)
    course = session.get_one(Course, item.course_id)
    return GradeSlot(course, item, learner, grade, policy.can_grade(actor, roles))


def override_grade(
    session: Session, actor: Actor, grade_id: int, change: GradeOverride
) -> GradeSlot:
    """Set a grade by its id, from the version the writer read."""
    return _write(session, actor, slot_of_grade(session, actor, grade_id), change)


def override_learner_grade(
    session: Session,
    actor: Actor,
    item_id: int,
    user_id: int,
    change: GradeOverride,
    code: str | None = None,
) -> GradeSlot:
    """Set a learner's grade for an item, creating it if the learner has none yet (version 0)."""
    return _write(session, actor, slot_of_learner(session, actor, item_id, user_id, code), change)


def _write(session: Session, actor: Actor, slot: GradeSlot, change: GradeOverride) -> GradeSlot:
    require(slot.can_edit, Forbidden)
    if change.points > slot.item.max_points:
        raise PointsOutOfRange(field="points")
    grade = _locked_for_writing(session, slot, change.version)
    points = change.points.quantize(CENTS)
    if slot.computed:
        before = grade.final_points
        grade.override_points = points
        grade.override_reason = change.reason
    else:
        before = grade.points
        grade.points = points
    # Released before the change is kept: keeping it recomputes the course result, which
    # counts released grades only (and the credits follow the result).
    releasing = change.release and not slot.computed and grade.released_at is None
    if releasing:
        grade.released_at = utcnow()
        audit_release(session, actor, grade)
    keep_change(
        session, actor, slot.item, grade, ChangeKind.OVERRIDE, before, points, change.reason
    )
    if releasing:
        publish(session, GradeReleased(slot.item.course_id, slot.item.id, grade.user_id))
    return replace(slot, grade=grade)


def remove_override(
    session: Session, actor: Actor, grade_id: int, removal: OverrideRemoval
) -> GradeSlot:
    """The computed grade counts again; the removal and its reason are kept."""
    slot = slot_of_grade(session, actor, grade_id)
    require(slot.can_edit, Forbidden)
    grade = _locked_for_writing(session, slot, removal.version)
    if grade.override_points is None:
        raise NoOverride()
    before = grade.override_points
    grade.override_points = None
    grade.override_reason = None
    keep_change(
        session, actor, slot.item, grade, ChangeKind.OVERRIDE, before, grade.points, removal.reason
    )
    return replace(slot, grade=grade)


def _locked_for_writing(session: Session, slot: GradeSlot, version: int) -> Grade:
    """The grade row, locked, if the writer read its current version (0: none yet)."""
    if slot.item.locked_at is not None:
        raise ItemLocked(N_("The grade item is locked after deliberation."))
    grade = session.scalar(
        select(Grade)
        .where(Grade.item_id == slot.item.id, Grade.user_id == slot.learner.id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    if (grade.version if grade is not None else 0) != version:
        raise GradeEditedMeanwhile()
    if grade is None:
        grade = Grade(item_id=slot.item.id, user_id=slot.learner.id, points=None, version=0)
        session.add(grade)
        session.flush()
    return grade


def keep_change(
    session: Session,
    actor: Actor,
    item: GradeItem,
    grade: Grade,
    kind: ChangeKind,
    before: Decimal | None,
    after: Decimal | None,
    reason: str,
) -> None:
    """Keep the change in the grade's history and the audit trail, and move its version on.
    A manual item's grade is set, not overridden."""
    now = utcnow()
    manual = kind is ChangeKind.OVERRIDE and item.source is ItemSource.MANUAL
    audit(
        session, actor, "grade.set" if manual else GRADE_ACTIONS[kind], f"grade:{grade.id}",
        reason, person_id=grade.user_id, from_value=before, to_value=after,
    )  # fmt: skip
    session.add(
        GradeChange(
            grade_id=grade.id,
            kind=kind,
            from_points=before,
            to_points=after,
            reason=reason,
            changed_by_id=actor.user_id,
            changed_at=now,
        )
    )
    grade.version += 1
    grade.updated_at = now
    grade.updated_by_id = actor.user_id
    session.flush()
    publish(session, GradeRecorded(item.course_id, item.id, grade.user_id))


@dataclass(frozen=True)
class GradeHistory:
    slot: GradeSlot
    changes: list[tuple[GradeChange, User | None]]


def grade_history(session: Session, actor: Actor, grade_id: int) -> GradeHistory:
    """Every change of a grade, oldest first: who, when, from, to and why."""
    slot = slot_of_grade(session, actor, grade_id)
    rows = session.execute(
        select(GradeChange, User)
        .outerjoin(User, User.id == GradeChange.changed_by_id)
        .where(GradeChange.grade_id == grade_id)
        .order_by(GradeChange.changed_at, GradeChange.id)
    ).all()
    return GradeHistory(slot, [(change, user) for change, user in rows])
