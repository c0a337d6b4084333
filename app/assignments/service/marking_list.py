"""The markers' list: every learner (or group) of an assignment with their latest attempt, how
late it came, its marking state and grade. A fixed number of queries whatever the class size;
names give way to "Participant N" while an anonymous assignment hides them."""

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.accounts.models import User
from app.assignments import policy
from app.assignments.marking_schemas import SubmissionState
from app.assignments.models import (
    Assignment,
    Extension,
    GroupOverride,
    Marking,
    MarkingState,
    Submission,
    SubmissionStatus,
)
from app.assignments.service.anonymity import hides_identities, participant_numbers
from app.assignments.service.dates import Dates, lateness
from app.assignments.service.settings import AssignmentAccess, assignment_by_id
from app.core.actors import Actor, require
from app.core.errors import NotFound
from app.core.i18n import N_
from app.enrolment.models import Group, GroupingGroup, GroupMember
from app.grades.models import ScaleLevel
from app.membership.models import CourseRole, Enrolment, EnrolmentStatus

NO_SUBMISSION = N_("No such submission.")
STATUS: dict[SubmissionStatus, SubmissionState] = {
    SubmissionStatus.DRAFT: "draft",
    SubmissionStatus.SUBMITTED: "submitted",
    SubmissionStatus.REOPENED: "reopened",
}


@dataclass(frozen=True)
class Row:
    user_id: int | None  # None for a group's row, and while names are hidden
    participant: int | None
    group_id: int | None
    name: str  # the learner's, the group's, or "" for a participant (shown as "Participant N")
    submission: Submission | None
    marking: Marking | None
    late_seconds: int | None
    grade_label: str | None

    @property
    def status(self) -> SubmissionState:
        return STATUS[self.submission.status] if self.submission else "none"

    @property
    def marking_state(self) -> MarkingState:
        return self.marking.state if self.marking else MarkingState.NOT_MARKED

    @property
    def final_points(self) -> Decimal | None:
        return self.marking.final_points if self.marking else None


@dataclass(frozen=True)
class SubmissionList:
    access: AssignmentAccess
    rows: list[Row]
    hidden: bool
    groups: list[Group]
    group_id: int | None


def submission_access(
    session: Session, actor: Actor, submission_id: int
) -> tuple[AssignmentAccess, Submission]:
    """An attempt and its assignment, for those who mark it; to anyone else it does not exist."""
    submission = session.get(Submission, submission_id)
    if submission is None:
        raise NotFound(NO_SUBMISSION)
    access = assignment_by_id(session, actor, submission.assignment_id)
    require(policy.can_mark(actor, access.roles), NotFound, NO_SUBMISSION)
    return access, submission


def marker_access(session: Session, actor: Actor, assignment_id: int) -> AssignmentAccess:
    access = assignment_by_id(session, actor, assignment_id)
    require(policy.can_mark(actor, access.roles))
    return access


def course_groups(session: Session, assignment: Assignment) -> list[Group]:
    """The groups that submit (the grouping's, when the assignment names one)."""
    query = select(Group).where(Group.course_id == assignment.course_id).order_by(Group.name)
    if assignment.grouping_id is not None:
        query = query.join(GroupingGroup, GroupingGroup.group_id == Group.id).where(
            GroupingGroup.grouping_id == assignment.grouping_id
        )
    return list(session.scalars(query))


def learners(session: Session, assignment: Assignment, group_id: int | None) -> list[User]:
    query = (
        select(User)
        .join(Enrolment, Enrolment.user_id == User.id)
        .where(
            Enrolment.course_id == assignment.course_id,
            Enrolment.role == CourseRole.STUDENT,
            Enrolment.status == EnrolmentStatus.ACTIVE,
        )
        .order_by(User.display_name, User.id)
    )
    if group_id is not None:
        query = query.join(GroupMember, GroupMember.user_id == User.id).where(
            GroupMember.group_id == group_id
        )
    return list(session.scalars(query))


def latest_attempts(session: Session, assignment: Assignment) -> dict[tuple[str, int], Submission]:
    """Each learner's or group's newest attempt, keyed ("user", id) or ("group", id)."""
    latest: dict[tuple[str, int], Submission] = {}
    for submission in session.scalars(
        select(Submission)
        .where(Submission.assignment_id == assignment.id)
        .order_by(Submission.attempt)
    ):
        owner = submission.group_id or submission.user_id or 0
        latest[("group" if submission.group_id else "user", owner)] = submission
    return latest


class DueDates:
    """Everyone's due date at once (extensions beat group overrides, which beat the
    assignment's), in three queries, as `dates.effective_dates` gives it for one learner."""

    def __init__(self, session: Session, assignment: Assignment) -> None:
        self.assignment = assignment
        self.extensions = dict(
            session.execute(
                select(Extension.user_id, Extension.due_at).where(
                    Extension.assignment_id == assignment.id
                )
            ).all()
        )  # fmt: skip
        self.overrides = [
            (o.group_id, o.due_at)
            for o in session.scalars(
                select(GroupOverride)
                .where(GroupOverride.assignment_id == assignment.id)
                .order_by(GroupOverride.id)
            )
        ]
        self.groups_of: dict[int, set[int]] = defaultdict(set)
        if self.overrides:
            rows = session.execute(
                select(GroupMember.user_id, GroupMember.group_id).where(
                    GroupMember.group_id.in_([g for g, _ in self.overrides])
                )
            )
            for user_id, group_id in rows:
                self.groups_of[user_id].add(group_id)

    def due(self, user_id: int | None, group_id: int | None) -> datetime | None:
        if user_id is not None and user_id in self.extensions:
            return self.extensions[user_id]
        groups = {group_id} if group_id is not None else self.groups_of.get(user_id or 0, set())
        for group, due_at in self.overrides:
            if group in groups:
                return due_at or self.assignment.due_at
        return self.assignment.due_at


def late_seconds(due: DueDates, submission: Submission | None) -> int | None:
    if submission is None or submission.submitted_at is None:
        return None
    late = lateness(
        Dates(None, due.due(submission.user_id, submission.group_id), None), submission.submitted_at
    )
    return int(late.total_seconds()) or None


def _markings(session: Session, submissions: list[Submission]) -> dict[int, Marking]:
    if not submissions:
        return {}
    rows = session.scalars(
        select(Marking).where(Marking.submission_id.in_([s.id for s in submissions]))
    )
    return {m.submission_id: m for m in rows}


def _labels(session: Session, assignment: Assignment) -> dict[int, str]:
    if assignment.scale_id is None:
        return {}
    rows = session.execute(
        select(ScaleLevel.id, ScaleLevel.label).where(ScaleLevel.scale_id == assignment.scale_id)
    )
    return dict(rows.all())


def submission_list(
    session: Session, actor: Actor, assignment_id: int, *, group_id: int | None = None
) -> SubmissionList:
    """Every learner or group of the assignment for those who mark it, filtered by a group."""
    access = marker_access(session, actor, assignment_id)
    assignment = access.assignment
    groups = course_groups(session, assignment)
    latest = latest_attempts(session, assignment)
    markings = _markings(session, list(latest.values()))
    labels = _labels(session, assignment)
    due = DueDates(session, assignment)
    hidden = hides_identities(assignment)

    def row(user: User | None, group: Group | None, participant: int | None) -> Row:
        key = ("group", group.id) if group else ("user", user.id if user else 0)
        submission = latest.get(key)
        marking = markings.get(submission.id) if submission else None
        level = marking.scale_level_id if marking else None
        return Row(
            user_id=user.id if user and not hidden else None, participant=participant,
            group_id=group.id if group else None,
            name=group.name if group else ("" if hidden or user is None else user.display_name),
            submission=submission, marking=marking, late_seconds=late_seconds(due, submission),
            grade_label=labels.get(level) if level else None,
        )  # fmt: skip

    if assignment.group_submission:
        rows = [row(None, g, None) for g in groups if group_id is None or g.id == group_id]
    else:
        people = learners(session, assignment, group_id)
        numbers = participant_numbers(session, assignment, [p.id for p in people]) if hidden else {}
        rows = [row(p, None, numbers.get(p.id)) for p in people]
        if hidden:
            rows.sort(key=lambda r: r.participant or 0)
    return SubmissionList(access, rows, hidden, groups, group_id)
