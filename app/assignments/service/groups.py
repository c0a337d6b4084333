"""Which group a learner submits with: for a group submission, the one group they belong to
among the assignment's grouping (or among the course's groups when it names none)."""

from sqlalchemy import Select, exists, select
from sqlalchemy.orm import Session

from app.accounts.models import User
from app.assignments.models import Assignment
from app.core.errors import Conflict
from app.core.i18n import N_
from app.enrolment.models import Group, GroupingGroup, GroupMember


class NoGroup(Conflict):
    code = "no_group"
    title = N_(
        "You are in no group for this assignment, so you cannot submit: ask your teacher to "
        "place you in a group."
    )


class SeveralGroups(NoGroup):
    title = N_(
        "You are in more than one group for this assignment, so it is not clear whose work "
        "this is: ask your teacher to leave you in one group only."
    )


def eligible_groups(assignment: Assignment) -> Select[int]:
    """The ids of the groups that submit: the grouping's, or all the course's."""
    if assignment.grouping_id is not None:
        return select(GroupingGroup.group_id).where(
            GroupingGroup.grouping_id == assignment.grouping_id
        )
    return select(Group.id).where(Group.course_id == assignment.course_id)


def group_of(session: Session, assignment: Assignment, user_id: int) -> Group:
    """The learner's one group for this assignment; NoGroup with none or more than one."""
    found = session.scalars(
        select(Group)
        .join(GroupMember, GroupMember.group_id == Group.id)
        .where(GroupMember.user_id == user_id, Group.id.in_(eligible_groups(assignment)))
        .order_by(Group.id)
    ).all()
    if not found:
        raise NoGroup()
    if len(found) > 1:
        raise SeveralGroups()
    return found[0]


def members_of(session: Session, group_id: int) -> list[User]:
    """The group's members, by name."""
    return list(
        session.scalars(
            select(User)
            .join(GroupMember, GroupMember.user_id == User.id)
            .where(GroupMember.group_id == group_id)
            .order_by(User.display_name, User.id)
        )
    )


def is_member(session: Session, group_id: int, user_id: int) -> bool:
    return bool(
        session.scalar(
            select(exists().where(GroupMember.group_id == group_id, GroupMember.user_id == user_id))
        )
    )
