"""What a marking shows: to its markers, everything needed to mark (the attempt, the scale or
criteria, the declared penalty, the group's members); to a learner, only a released marking
(grade, penalty, chosen levels, feedback and files)."""

from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from app.accounts.models import User
from app.assignments.marking_models import Criterion, CriterionLevel, CriterionMark, Rubric
from app.assignments.models import (
    Assignment,
    Marking,
    MarkingFile,
    MemberGradeOverride,
    Submission,
    SubmissionFile,
)
from app.assignments.service import rubrics
from app.assignments.service.anonymity import hides_identities, participant_numbers
from app.assignments.service.marking import Penalty, declared_penalty, target
from app.assignments.service.release import learners_of
from app.assignments.service.settings import AssignmentAccess
from app.core.actors import Actor
from app.enrolment.models import Group
from app.grades.models import ScaleLevel


@dataclass(frozen=True)
class Member:
    user_id: int
    name: str  # "" while names are hidden
    participant: int | None
    override: MemberGradeOverride | None


@dataclass(frozen=True)
class MarkingView:
    access: AssignmentAccess
    submission: Submission
    marking: Marking | None
    name: str  # the learner's or group's; "" for a hidden participant
    participant: int | None
    hidden: bool
    rubric: Rubric | None
    choices: dict[int, CriterionMark]
    levels: list[ScaleLevel]
    penalty: Penalty
    files: list[MarkingFile]
    submitted_files: list[SubmissionFile]
    members: list[Member]

    @property
    def assignment(self) -> Assignment:
        return self.access.assignment

    @property
    def version(self) -> int:
        return self.marking.version if self.marking else 0


def _files(session: Session, marking: Marking | None) -> list[MarkingFile]:
    if marking is None:
        return []
    return list(
        session.scalars(
            select(MarkingFile)
            .where(MarkingFile.marking_id == marking.id)
            .options(selectinload(MarkingFile.content))
            .order_by(MarkingFile.name)
        )
    )


def _levels(session: Session, assignment: Assignment) -> list[ScaleLevel]:
    if assignment.scale_id is None:
        return []
    return list(
        session.scalars(
            select(ScaleLevel)
            .where(ScaleLevel.scale_id == assignment.scale_id)
            .order_by(ScaleLevel.position)
        )
    )


def _members(
    session: Session, assignment: Assignment, submission: Submission, marking: Marking | None
) -> list[Member]:
    if submission.group_id is None:
        return []
    ids = learners_of(session, submission)
    names = dict(session.execute(select(User.id, User.display_name).where(User.id.in_(ids))).all())
    hidden = hides_identities(assignment)
    numbers = participant_numbers(session, assignment, ids) if hidden else {}
    overrides: dict[int, MemberGradeOverride] = {}
    if marking is not None:
        overrides = {
            o.user_id: o
            for o in session.scalars(
                select(MemberGradeOverride).where(MemberGradeOverride.marking_id == marking.id)
            )
        }
    return [
        Member(i, "" if hidden else names.get(i, ""), numbers.get(i), overrides.get(i)) for i in ids
    ]


def _owner(
    session: Session, assignment: Assignment, submission: Submission
) -> tuple[str, int | None]:
    if submission.group_id is not None:
        return session.get_one(Group, submission.group_id).name, None
    assert submission.user_id is not None
    if hides_identities(assignment):
        return "", participant_numbers(session, assignment, [submission.user_id])[
            submission.user_id
        ]
    return session.get_one(User, submission.user_id).display_name, None


def marking_view(session: Session, actor: Actor, submission_id: int) -> MarkingView:
    """The attempt and its marking as its markers see it."""
    found = target(session, actor, submission_id)
    assignment, submission = found.assignment, found.submission
    name, participant = _owner(session, assignment, submission)
    submitted = list(
        session.scalars(
            select(SubmissionFile)
            .where(SubmissionFile.submission_id == submission.id)
            .options(selectinload(SubmissionFile.content))
            .order_by(SubmissionFile.position)
        )
    )
    return MarkingView(
        access=found.access, submission=submission, marking=found.marking, name=name,
        participant=participant, hidden=hides_identities(assignment),
        rubric=rubrics.rubric_of(session, assignment.id),
        choices=rubrics.choices_of(session, found.marking.id) if found.marking else {},
        levels=_levels(session, assignment),
        penalty=declared_penalty(session, assignment, submission),
        files=_files(session, found.marking), submitted_files=submitted,
        members=_members(session, assignment, submission, found.marking),
    )  # fmt: skip


@dataclass(frozen=True)
class CriterionFeedback:
    description: str
    level: CriterionLevel | None
    points: Decimal | None
    max_points: Decimal | None
    comment: str


@dataclass(frozen=True)
class Feedback:
    """A released marking as its learners read it (see `templates/assignments/_feedback.html`)."""

    marking: Marking
    max_points: Decimal
    level_label: str | None
    late_by: timedelta
    criteria: list[CriterionFeedback]
    files: list[MarkingFile]


def _criteria(
    session: Session, assignment: Assignment, marking: Marking
) -> list[CriterionFeedback]:
    rubric = rubrics.rubric_of(session, assignment.id)
    if rubric is None:
        return []
    chosen = rubrics.choices_of(session, marking.id)
    result = []
    for criterion in rubric.criteria:
        mark = chosen.get(criterion.id)
        level = _level(criterion, mark)
        result.append(
            CriterionFeedback(
                criterion.description, level,
                level.points if level else (mark.points if mark else None),
                criterion.max_points, mark.comment if mark else "",
            )
        )  # fmt: skip
    return result


def _level(criterion: Criterion, mark: CriterionMark | None) -> CriterionLevel | None:
    if mark is None or mark.level_id is None:
        return None
    return next((lv for lv in criterion.levels if lv.id == mark.level_id), None)


def feedback_of(session: Session, marking: Marking | None) -> Feedback | None:
    """The learner's view of a marking: nothing at all until it is released."""
    if marking is None or marking.released_at is None:
        return None
    assignment = session.get_one(Assignment, marking.assignment_id)
    submission = session.get_one(Submission, marking.submission_id)
    level = session.get(ScaleLevel, marking.scale_level_id) if marking.scale_level_id else None
    return Feedback(
        marking=marking, max_points=assignment.max_points,
        level_label=level.label if level else None,
        late_by=declared_penalty(session, assignment, submission).late_by,
        criteria=_criteria(session, assignment, marking), files=_files(session, marking),
    )  # fmt: skip
