"""An assignment's jury: who reaches it (course markers, managers, the jury's own members),
its members and chair, and which members mark which submission."""

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import delete, exists, select
from sqlalchemy.orm import Session, selectinload

from app.accounts.models import User
from app.assignments import policy
from app.assignments.jury_models import JuryAllocation, JuryMark, JuryMember
from app.assignments.models import Assignment, Submission, SubmissionStatus
from app.core.actors import Actor, require
from app.core.errors import Conflict, Invalid, NotFound
from app.core.i18n import N_
from app.membership.models import CourseRole
from app.membership.service import course_roles

NO_JURY = N_("No such jury.")
NO_SUBMISSION = N_("No such submission.")


class MemberHasMarked(Conflict):
    code = "jury_member_has_marked"
    title = N_("This member has already marked: their mark would be lost.")


class NotAMember(Invalid):
    code = "not_a_jury_member"
    title = N_("Choose members of this assignment's jury.")


@dataclass(frozen=True)
class JuryAccess:
    assignment: Assignment
    roles: frozenset[CourseRole]
    member: JuryMember | None  # the actor's own membership
    # The course's markers, managers and the chair reach every submission of the jury.
    sees_all: bool

    @property
    def is_chair(self) -> bool:
        return self.member is not None and self.member.is_chair


@dataclass(frozen=True)
class SubmissionJury:
    """A submission as the jury sees it, with the members who mark it."""

    access: JuryAccess
    submission: Submission
    markers: list[JuryMember]
    jury: Sequence[JuryMember]  # every member, for their names

    @property
    def allocated(self) -> bool:
        """Whether the actor is one of its markers."""
        member = self.access.member
        return member is not None and any(m.id == member.id for m in self.markers)


def _member(session: Session, assignment_id: int, user_id: int | None) -> JuryMember | None:
    if user_id is None:
        return None
    return session.scalar(
        select(JuryMember).where(
            JuryMember.assignment_id == assignment_id, JuryMember.user_id == user_id
        )
    )


def jury_access(session: Session, actor: Actor, assignment_id: int) -> JuryAccess:
    """The jury of an assignment for those who may read it; to anyone else it does not exist."""
    assignment = session.get(Assignment, assignment_id)
    if assignment is None or not assignment.jury:
        raise NotFound(NO_JURY)
    roles = course_roles(session, actor, assignment.course_id)
    member = _member(session, assignment.id, actor.user_id)
    require(policy.can_read_jury(actor, roles, is_member=member is not None), NotFound, NO_JURY)
    sees_all = policy.can_mark(actor, roles) or (member is not None and member.is_chair)
    return JuryAccess(assignment, roles, member, sees_all)


def managed_jury(session: Session, actor: Actor, assignment_id: int) -> JuryAccess:
    """The jury for those who choose its members; others who read it are refused."""
    access = jury_access(session, actor, assignment_id)
    require(policy.can_manage_jury(actor, access.roles))
    return access


def members(session: Session, assignment_id: int) -> Sequence[JuryMember]:
    """The jury, chair first, then by name."""
    return session.scalars(
        select(JuryMember)
        .join(JuryMember.user)
        .options(selectinload(JuryMember.user))
        .where(JuryMember.assignment_id == assignment_id)
        .order_by(JuryMember.is_chair.desc(), User.display_name, JuryMember.id)
    ).all()


def list_members(session: Session, actor: Actor, assignment_id: int) -> Sequence[JuryMember]:
    """The members of the jury, for whoever reaches it."""
    return members(session, jury_access(session, actor, assignment_id).assignment.id)


def markers_of(
    session: Session, jury: Sequence[JuryMember], submission_ids: Sequence[int]
) -> dict[int, list[JuryMember]]:
    """Who marks each submission: its chosen members, or the whole jury when none is chosen."""
    chosen: dict[int, set[int]] = {sid: set() for sid in submission_ids}
    rows = session.execute(
        select(JuryAllocation.submission_id, JuryAllocation.member_id).where(
            JuryAllocation.submission_id.in_(submission_ids)
        )
    )
    for submission_id, member_id in rows:
        chosen[submission_id].add(member_id)
    return {
        sid: [m for m in jury if m.id in ids] if ids else list(jury) for sid, ids in chosen.items()
    }


def jury_submissions(session: Session, assignment_id: int) -> Sequence[Submission]:
    """The current attempts of the assignment (a reopened one is superseded)."""
    return session.scalars(
        select(Submission)
        .where(
            Submission.assignment_id == assignment_id,
            Submission.status != SubmissionStatus.REOPENED,
        )
        .order_by(Submission.id)
    ).all()


def visible_submissions(
    session: Session, access: JuryAccess
) -> tuple[Sequence[Submission], dict[int, list[JuryMember]]]:
    """The submissions the actor reaches through the jury: all of them for the course's markers
    and managers, only those allocated to them for the other members (external examiners)."""
    jury = members(session, access.assignment.id)
    found = jury_submissions(session, access.assignment.id)
    markers = markers_of(session, jury, [s.id for s in found])
    if access.sees_all:
        return found, markers
    mine = access.member.id if access.member else -1
    kept = [s for s in found if any(m.id == mine for m in markers[s.id])]
    return kept, markers


def submission_jury(session: Session, actor: Actor, submission_id: int) -> SubmissionJury:
    """A submission through its assignment's jury; out of the actor's reach, it does not
    exist (an external examiner reaches only the submissions allocated to them)."""
    submission = session.get(Submission, submission_id)
    if submission is None or submission.status is SubmissionStatus.REOPENED:
        raise NotFound(NO_SUBMISSION)
    try:
        access = jury_access(session, actor, submission.assignment_id)
    except NotFound:
        raise NotFound(NO_SUBMISSION) from None
    jury = members(session, access.assignment.id)
    markers = markers_of(session, jury, [submission.id])[submission.id]
    found = SubmissionJury(access, submission, markers, jury)
    if not (access.sees_all or found.allocated):
        raise NotFound(NO_SUBMISSION)
    return found


def set_chair(session: Session, actor: Actor, assignment_id: int, member_id: int) -> JuryMember:
    """A jury has one chair: naming one makes the previous chair an ordinary member."""
    access = managed_jury(session, actor, assignment_id)
    chosen = _member_by_id(session, access, member_id)
    for member in members(session, access.assignment.id):
        member.is_chair = member.id == chosen.id
    session.flush()
    return chosen


def _member_by_id(session: Session, access: JuryAccess, member_id: int) -> JuryMember:
    member = session.get(JuryMember, member_id)
    if member is None or member.assignment_id != access.assignment.id:
        raise NotFound(N_("No such jury member."))
    return member


def remove_member(session: Session, actor: Actor, assignment_id: int, member_id: int) -> None:
    """A member leaves the jury while they have marked nothing; an external examiner then no
    longer reaches the assignment."""
    access = managed_jury(session, actor, assignment_id)
    member = _member_by_id(session, access, member_id)
    if session.scalar(select(exists().where(JuryMark.member_id == member.id))):
        raise MemberHasMarked()
    session.execute(delete(JuryAllocation).where(JuryAllocation.member_id == member.id))
    session.delete(member)
    session.flush()


@dataclass(frozen=True)
class Allocation:
    markers: dict[int, list[JuryMember]]  # by submission
    newly_chosen: list[JuryMember]  # members who mark a submission they did not before


def allocate(
    session: Session,
    actor: Actor,
    assignment_id: int,
    submission_ids: Sequence[int],
    member_ids: Sequence[int],
) -> Allocation:
    """Choose who marks the given submissions: the chosen members, or the whole jury when none
    is chosen."""
    access = managed_jury(session, actor, assignment_id)
    jury = members(session, access.assignment.id)
    by_id = {m.id: m for m in jury}
    if any(member_id not in by_id for member_id in member_ids):
        raise NotAMember(field="member_ids")
    current = {s.id for s in jury_submissions(session, access.assignment.id)}
    if not submission_ids or any(sid not in current for sid in submission_ids):
        raise Invalid(N_("Choose submissions of this assignment."), field="submission_ids")
    chosen = sorted(set(submission_ids))
    before = markers_of(session, jury, chosen)
    session.execute(delete(JuryAllocation).where(JuryAllocation.submission_id.in_(chosen)))
    session.add_all(
        JuryAllocation(submission_id=sid, member_id=mid)
        for sid in chosen
        for mid in sorted(set(member_ids))
    )
    session.flush()
    after = markers_of(session, jury, chosen)
    return Allocation(after, _newly_chosen(before, after))


def _newly_chosen(
    before: dict[int, list[JuryMember]], after: dict[int, list[JuryMember]]
) -> list[JuryMember]:
    seen: dict[int, JuryMember] = {}
    for sid, now in after.items():
        had = {m.id for m in before[sid]}
        seen.update({m.id: m for m in now if m.id not in had})
    return list(seen.values())
