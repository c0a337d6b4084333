"""Whose dates are whose: a learner's extension beats their group's override, which beats the
assignment's own dates; lateness and the declared late penalty are pure functions of them."""

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.accounts.models import User
from app.assignments import policy
from app.assignments.models import Assignment, Extension, GroupOverride
from app.assignments.schemas import ExtensionCreate, GroupOverrideCreate
from app.assignments.service.settings import assignment_by_id
from app.core.actors import Actor, require
from app.core.errors import Conflict, Invalid, NotFound
from app.core.i18n import N_
from app.enrolment.models import Group, GroupMember
from app.membership.models import CourseRole, Enrolment, EnrolmentStatus

DAY = timedelta(days=1)


@dataclass(frozen=True)
class Dates:
    opens_at: datetime | None
    due_at: datetime | None
    cutoff_at: datetime | None
    extended: bool = False  # the learner's own extension applies


def effective_dates(
    session: Session, assignment: Assignment, *, user_id: int | None = None,
    group_id: int | None = None,
) -> Dates:  # fmt: skip
    """The dates that hold for a learner (and the group they submit with): their extension's
    due date and cut-off, else their group's override, else the assignment's."""
    dates = Dates(assignment.opens_at, assignment.due_at, assignment.cutoff_at)
    groups = [group_id] if group_id is not None else _groups_of(session, assignment, user_id)
    if groups:
        override = session.scalars(
            select(GroupOverride)
            .where(GroupOverride.assignment_id == assignment.id, GroupOverride.group_id.in_(groups))
            .order_by(GroupOverride.id)
        ).first()
        if override is not None:
            dates = Dates(
                override.opens_at or dates.opens_at,
                override.due_at or dates.due_at,
                override.cutoff_at or dates.cutoff_at,
            )
    if user_id is not None:
        extension = session.scalar(
            select(Extension).where(
                Extension.assignment_id == assignment.id, Extension.user_id == user_id
            )
        )
        if extension is not None:
            cutoff = extension.cutoff_at
            if cutoff is None and dates.cutoff_at is not None:
                cutoff = max(extension.due_at, dates.cutoff_at)
            dates = Dates(dates.opens_at, extension.due_at, cutoff, extended=True)
    return dates


def _groups_of(session: Session, assignment: Assignment, user_id: int | None) -> list[int]:
    if user_id is None:
        return []
    return list(
        session.scalars(
            select(GroupMember.group_id)
            .join(Group, Group.id == GroupMember.group_id)
            .where(GroupMember.user_id == user_id, Group.course_id == assignment.course_id)
        )
    )


def lateness(dates: Dates, submitted_at: datetime) -> timedelta:
    """How late a submission is after its due date (nothing if on time or with no due date)."""
    if dates.due_at is None or submitted_at <= dates.due_at:
        return timedelta(0)
    return submitted_at - dates.due_at


def late_penalty_points(assignment: Assignment, late_by: timedelta) -> Decimal:
    """The declared penalty: percent-per-day of the maximum for each day or part of a day
    late, capped at cap-percent of the maximum; nothing without a declared penalty."""
    per_day = assignment.late_penalty_percent_per_day
    if not per_day or late_by <= timedelta(0):
        return Decimal(0)
    days = math.ceil(late_by / DAY)
    percent = per_day * days
    if assignment.late_penalty_cap_percent is not None:
        percent = min(percent, assignment.late_penalty_cap_percent)
    points = Decimal(assignment.max_points) * min(percent, Decimal(100)) / 100
    return points.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def _configurable(session: Session, actor: Actor, assignment_id: int) -> Assignment:
    access = assignment_by_id(session, actor, assignment_id)
    require(policy.can_configure(actor, access.roles))
    return access.assignment


def _check_order(opens: datetime | None, due: datetime | None, cutoff: datetime | None) -> None:
    if opens is not None and due is not None and due < opens:
        raise Invalid(N_("The due date must come after the opening."), field="due_at")
    if due is not None and cutoff is not None and cutoff < due:
        raise Invalid(N_("The cut-off must come after the due date."), field="cutoff_at")


def grant_extension(
    session: Session, actor: Actor, assignment_id: int, data: ExtensionCreate
) -> Extension:
    """Teachers give one learner of the course a new due date (and cut-off), with a reason;
    granting again replaces the learner's extension."""
    assignment = _configurable(session, actor, assignment_id)
    learner = session.scalar(
        select(Enrolment.id).where(
            Enrolment.course_id == assignment.course_id,
            Enrolment.user_id == data.user_id,
            Enrolment.role == CourseRole.STUDENT,
            Enrolment.status == EnrolmentStatus.ACTIVE,
        )
    )
    if learner is None:
        raise Invalid(N_("This person is not a learner of the course."), field="user_id")
    _check_order(None, data.due_at, data.cutoff_at)
    extension = session.scalar(
        select(Extension).where(
            Extension.assignment_id == assignment.id, Extension.user_id == data.user_id
        )
    )
    if extension is None:
        extension = Extension(assignment_id=assignment.id, user_id=data.user_id)
        session.add(extension)
    extension.due_at = data.due_at
    extension.cutoff_at = data.cutoff_at
    extension.reason = data.reason
    extension.granted_by_id = actor.user_id
    session.flush()
    return extension


def remove_extension(session: Session, actor: Actor, assignment_id: int, extension_id: int) -> None:
    assignment = _configurable(session, actor, assignment_id)
    extension = session.get(Extension, extension_id)
    if extension is None or extension.assignment_id != assignment.id:
        raise NotFound(N_("No such extension."))
    session.delete(extension)
    session.flush()


class OverrideExists(Conflict):
    code = "override_exists"
    title = N_("This group already has its own dates; remove them first.")


def set_group_override(
    session: Session, actor: Actor, assignment_id: int, data: GroupOverrideCreate
) -> GroupOverride:
    """Teachers give one of the course's groups other dates (each left empty keeps the
    assignment's); one override per group."""
    assignment = _configurable(session, actor, assignment_id)
    group = session.get(Group, data.group_id)
    if group is None or group.course_id != assignment.course_id:
        raise Invalid(N_("No such group in this course."), field="group_id")
    if data.opens_at is None and data.due_at is None and data.cutoff_at is None:
        raise Invalid(N_("Give at least one date."), field="due_at")
    _check_order(
        data.opens_at or assignment.opens_at,
        data.due_at or assignment.due_at,
        data.cutoff_at or assignment.cutoff_at,
    )
    taken = session.scalar(
        select(GroupOverride.id).where(
            GroupOverride.assignment_id == assignment.id, GroupOverride.group_id == group.id
        )
    )
    if taken is not None:
        raise OverrideExists(field="group_id")
    override = GroupOverride(
        assignment_id=assignment.id, group_id=group.id, opens_at=data.opens_at,
        due_at=data.due_at, cutoff_at=data.cutoff_at, created_by_id=actor.user_id,
    )  # fmt: skip
    session.add(override)
    session.flush()
    return override


def remove_group_override(
    session: Session, actor: Actor, assignment_id: int, override_id: int
) -> None:
    assignment = _configurable(session, actor, assignment_id)
    override = session.get(GroupOverride, override_id)
    if override is None or override.assignment_id != assignment.id:
        raise NotFound(N_("No such group override."))
    session.delete(override)
    session.flush()


@dataclass(frozen=True)
class DateChanges:
    extensions: Sequence[tuple[Extension, str]]  # with the learner's name
    overrides: Sequence[tuple[GroupOverride, str]]  # with the group's name


def date_changes(session: Session, actor: Actor, assignment_id: int) -> DateChanges:
    """The extensions and group overrides of an assignment, for its staff (two queries)."""
    access = assignment_by_id(session, actor, assignment_id)
    require(policy.can_read_settings(actor, access.roles))
    extensions = session.execute(
        select(Extension, User.display_name)
        .join(User, User.id == Extension.user_id)
        .where(Extension.assignment_id == assignment_id)
        .order_by(User.display_name, Extension.id)
    )
    overrides = session.execute(
        select(GroupOverride, Group.name)
        .join(Group, Group.id == GroupOverride.group_id)
        .where(GroupOverride.assignment_id == assignment_id)
        .order_by(Group.name, GroupOverride.id)
    )
    return DateChanges([(e, name) for e, name in extensions], [(o, name) for o, name in overrides])
