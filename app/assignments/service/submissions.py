"""A learner's (or a group's) submission: the draft they write and upload to, the final
submit within the dates that hold for them, and the attempts a reopening adds. Every attempt
is kept as it was; a submitted attempt is read only."""

from dataclasses import dataclass, field
from datetime import datetime
from functools import cache

from sqlalchemy import ColumnElement, and_, func, select
from sqlalchemy.orm import Session, selectinload
from sqlalchemy.orm.interfaces import LoaderOption

from app.accounts.models import User
from app.assignments import policy
from app.assignments.models import (
    Assignment,
    Marking,
    Resubmission,
    Submission,
    SubmissionConfirmation,
    SubmissionFile,
    SubmissionStatus,
)
from app.assignments.service import groups
from app.assignments.service.dates import Dates, effective_dates, lateness
from app.assignments.service.settings import AssignmentAccess, assignment_by_id
from app.core.actors import Actor, require
from app.core.db import utcnow
from app.core.errors import Conflict, Invalid, NotFound
from app.core.i18n import N_
from app.core.markdown import render_markdown
from app.enrolment.models import Group

NO_SUBMISSION = N_("No such submission.")
DONE = (SubmissionStatus.SUBMITTED, SubmissionStatus.REOPENED)


# Made on first use: making a loader option configures every mapper, work for the first query.
@cache
def with_files() -> LoaderOption:
    return selectinload(Submission.files).selectinload(SubmissionFile.content)


class AssignmentClosed(Conflict):
    code = "assignment_closed"
    title = N_("This assignment is not open for submissions.")


class ReadOnly(Conflict):
    code = "submission_read_only"
    title = N_("This attempt is submitted and can no longer change.")


class NoReopen(Conflict):
    code = "reopen_refused"
    title = N_("This attempt cannot be reopened.")


class AttemptsExhausted(NoReopen):
    code = "attempts_exhausted"
    title = N_("The learner has used every attempt this assignment allows.")


@dataclass(frozen=True)
class Owner:
    """Whose work it is: one learner's, or a group's (with its members)."""

    user_id: int | None
    group: Group | None = None
    members: list[User] = field(default_factory=list)


@dataclass(frozen=True)
class SubmissionView:
    access: AssignmentAccess
    owner: Owner | None
    dates: Dates
    attempts: list[Submission]  # newest first; the first is the current one
    confirmed: dict[int, datetime]  # the current attempt's confirmations by member
    marking: Marking | None  # the newest released marking, never an unreleased one
    problem: groups.NoGroup | None = None  # why this learner cannot submit

    @property
    def current(self) -> Submission | None:
        return self.attempts[0] if self.attempts else None

    @property
    def late(self) -> bool:
        current = self.current
        if current is None or current.submitted_at is None:
            return False
        return bool(lateness(self.dates, current.submitted_at))

    @property
    def is_open(self) -> bool:
        return is_open(self.dates, utcnow())


def is_open(dates: Dates, now: datetime) -> bool:
    """Submissions are taken from the opening to the cut-off (late after the due date)."""
    if dates.opens_at is not None and now < dates.opens_at:
        return False
    return dates.cutoff_at is None or now <= dates.cutoff_at


def _owner_filter(assignment: Assignment, owner: Owner) -> ColumnElement[bool]:
    mine = (
        Submission.group_id == owner.group.id
        if owner.group is not None
        else Submission.user_id == owner.user_id
    )
    return and_(Submission.assignment_id == assignment.id, mine)


def owner_of(session: Session, assignment: Assignment, user_id: int) -> Owner:
    """The learner, or their group for a group submission (NoGroup if they have none)."""
    if not assignment.group_submission:
        return Owner(user_id)
    group = groups.group_of(session, assignment, user_id)
    return Owner(None, group, groups.members_of(session, group.id))


def attempts_of(session: Session, assignment: Assignment, owner: Owner) -> list[Submission]:
    return list(
        session.scalars(
            select(Submission)
            .where(_owner_filter(assignment, owner))
            .options(with_files())
            .order_by(Submission.attempt.desc())
            .execution_options(populate_existing=True)
        )
    )


def _confirmations(session: Session, submission: Submission | None) -> dict[int, datetime]:
    if submission is None:
        return {}
    rows = session.execute(
        select(SubmissionConfirmation.user_id, SubmissionConfirmation.confirmed_at).where(
            SubmissionConfirmation.submission_id == submission.id
        )
    )
    return dict(rows.all())


def _released_marking(session: Session, attempts: list[Submission]) -> Marking | None:
    if not attempts:
        return None
    return session.scalars(
        select(Marking)
        .where(
            Marking.submission_id.in_([a.id for a in attempts]),
            Marking.released_at.is_not(None),
        )
        .order_by(Marking.released_at.desc())
    ).first()


def _learner(session: Session, actor: Actor, assignment_id: int) -> AssignmentAccess:
    access = assignment_by_id(session, actor, assignment_id)
    require(policy.can_submit(actor, access.roles))
    return access


def learner_view(session: Session, actor: Actor, assignment_id: int) -> SubmissionView:
    """The reader's own submission (their group's, for a group submission) with every attempt,
    their dates and the released feedback; `problem` says why they cannot submit."""
    access = _learner(session, actor, assignment_id)
    assignment = access.assignment
    assert actor.user_id is not None
    try:
        owner = owner_of(session, assignment, actor.user_id)
    except groups.NoGroup as problem:
        dates = effective_dates(session, assignment, user_id=actor.user_id)
        return SubmissionView(access, None, dates, [], {}, None, problem)
    return view_of(session, access, owner, actor.user_id)


def view_of(
    session: Session, access: AssignmentAccess, owner: Owner, user_id: int | None
) -> SubmissionView:
    assignment = access.assignment
    group_id = owner.group.id if owner.group else None
    dates = effective_dates(session, assignment, user_id=user_id, group_id=group_id)
    attempts = attempts_of(session, assignment, owner)
    confirmed = _confirmations(session, attempts[0] if attempts else None)
    return SubmissionView(
        access, owner, dates, attempts, confirmed, _released_marking(session, attempts)
    )


def draft_of(
    session: Session, actor: Actor, assignment_id: int
) -> tuple[SubmissionView, Submission]:
    """The draft the reader may change now: the current attempt, created as attempt 1 when
    there is none; refused outside the dates and once submitted."""
    view = learner_view(session, actor, assignment_id)
    if view.problem is not None:
        raise view.problem
    if not view.is_open:
        raise AssignmentClosed()
    current = view.current
    if current is None:
        owner = view.owner
        assert owner is not None
        current = Submission(
            assignment_id=view.access.assignment.id,
            user_id=owner.user_id,
            group_id=owner.group.id if owner.group else None,
            files=[],
        )
        session.add(current)
        session.flush()
        view = SubmissionView(
            view.access, owner, view.dates, [current], {}, view.marking, view.problem
        )
    if current.status is not SubmissionStatus.DRAFT:
        raise ReadOnly()
    return view, current


def changed(session: Session, submission: Submission) -> None:
    """A changed draft needs every member's confirmation again."""
    submission.updated_at = utcnow()
    for confirmation in session.scalars(
        select(SubmissionConfirmation).where(SubmissionConfirmation.submission_id == submission.id)
    ):
        session.delete(confirmation)
    session.flush()


def word_count(text: str) -> int:
    return len(text.split())


def save_text(session: Session, actor: Actor, assignment_id: int, text: str) -> SubmissionView:
    """Save the draft's online text (Markdown, within the word limit)."""
    view, draft = draft_of(session, actor, assignment_id)
    assignment = view.access.assignment
    if not assignment.online_text:
        raise Invalid(N_("This assignment takes no online text."), field="text")
    if assignment.word_limit is not None and word_count(text) > assignment.word_limit:
        raise Invalid(N_("The text is longer than the word limit allows."), field="text")
    draft.text_markdown = text
    draft.text_html = render_markdown(text)
    changed(session, draft)
    return view_of(session, view.access, view.owner or Owner(actor.user_id), actor.user_id)


def _new_attempt(session: Session, previous: Submission) -> Submission:
    """The next attempt, starting from a copy of the previous one's text and files."""
    previous.status = SubmissionStatus.REOPENED
    previous.updated_at = utcnow()
    attempt = Submission(
        assignment_id=previous.assignment_id, user_id=previous.user_id,
        group_id=previous.group_id, attempt=previous.attempt + 1,
        text_markdown=previous.text_markdown, text_html=previous.text_html,
        files=[
            SubmissionFile(content_file_id=f.content_file_id, name=f.name, position=f.position)
            for f in previous.files
        ],
    )  # fmt: skip
    session.add(attempt)
    session.flush()
    return attempt


def _reopenable(session: Session, submission: Submission) -> bool:
    """Only the latest attempt, and only once submitted."""
    same_owner = (
        Submission.group_id == submission.group_id
        if submission.group_id is not None
        else Submission.user_id == submission.user_id
    )
    latest = session.scalar(
        select(func.max(Submission.attempt)).where(
            Submission.assignment_id == submission.assignment_id, same_owner
        )
    )
    return submission.status is SubmissionStatus.SUBMITTED and latest == submission.attempt


def _within_limit(assignment: Assignment, submission: Submission) -> bool:
    return assignment.max_attempts is None or submission.attempt < assignment.max_attempts


def owner_of_submission(session: Session, submission: Submission) -> Owner:
    if submission.group_id is None:
        return Owner(submission.user_id)
    group = session.get_one(Group, submission.group_id)
    return Owner(None, group, groups.members_of(session, group.id))


def reopen(session: Session, actor: Actor, submission_id: int) -> SubmissionView:
    """Those who mark reopen a learner's submitted attempt (manual resubmission): a new draft
    attempt copies its text and files; the reopened one is kept as it was."""
    submission = session.scalar(
        select(Submission).where(Submission.id == submission_id).options(with_files())
    )
    if submission is None:
        raise NotFound(NO_SUBMISSION)
    access = assignment_by_id(session, actor, submission.assignment_id)
    require(policy.can_reopen(actor, access.roles), NotFound, NO_SUBMISSION)
    assignment = access.assignment
    if assignment.resubmission is Resubmission.NONE:
        raise NoReopen(N_("This assignment allows no resubmission."))
    if not _reopenable(session, submission):
        raise NoReopen(N_("Only the latest submitted attempt can be reopened."))
    if not _within_limit(assignment, submission):
        raise AttemptsExhausted()
    _new_attempt(session, submission)
    owner = owner_of_submission(session, submission)
    return view_of(session, access, owner, submission.user_id)


def next_attempt(session: Session, submission: Submission) -> Submission | None:
    """For a released grade that fails an `until_pass` assignment: the next attempt, within
    the attempts limit; None when no other attempt is due. Callers checked their policy."""
    assignment = session.get_one(Assignment, submission.assignment_id)
    if assignment.resubmission is not Resubmission.UNTIL_PASS:
        return None
    loaded = session.scalar(
        select(Submission).where(Submission.id == submission.id).options(with_files())
    )
    assert loaded is not None
    if not _reopenable(session, loaded) or not _within_limit(assignment, loaded):
        return None
    return _new_attempt(session, loaded)
