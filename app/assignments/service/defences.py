"""The defence slot of a submission (of a group, for a collective project): a time set in the
organiser's zone and stored in UTC, its duration and place, or one of the course's webinar
sessions. It shows to the submission's learners, the jury and the course's staff."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from app.assignments import policy
from app.assignments.jury_models import Defence, JuryMember
from app.assignments.jury_schemas import DefenceInput
from app.assignments.models import Assignment, Submission, SubmissionStatus
from app.assignments.service.jury import NO_SUBMISSION, managed_jury
from app.assignments.service.release import learners_of
from app.core.actors import Actor, require
from app.core.db import utcnow
from app.core.errors import Invalid, NotFound
from app.core.i18n import N_
from app.enrolment.models import GroupMember
from app.membership.service import course_roles
from app.webinars.models import WebinarSession
from app.webinars.timezones import to_utc

DEFAULT_MINUTES = 30


@dataclass(frozen=True)
class DefenceSlot:
    defence: Defence
    webinar: WebinarSession | None

    @property
    def ends_at(self) -> datetime:
        return self.defence.starts_at + timedelta(minutes=self.defence.duration_minutes)


def defence_for(session: Session, submission: Submission) -> Defence | None:
    """The submission's defence slot, if one is set (callers have checked who reads it)."""
    return session.scalar(select(Defence).where(Defence.submission_id == submission.id))


def _slot(session: Session, defence: Defence | None) -> DefenceSlot | None:
    if defence is None:
        return None
    webinar = (
        session.get(WebinarSession, defence.webinar_session_id)
        if (defence.webinar_session_id)
        else None
    )
    return DefenceSlot(defence, webinar)


def _current(session: Session, submission_id: int) -> Submission:
    submission = session.get(Submission, submission_id)
    if submission is None or submission.status is SubmissionStatus.REOPENED:
        raise NotFound(NO_SUBMISSION)
    return submission


def get_defence(session: Session, actor: Actor, submission_id: int) -> DefenceSlot | None:
    """The defence slot of a submission for its learners, the jury and the course's staff."""
    submission = _current(session, submission_id)
    assignment = session.get_one(Assignment, submission.assignment_id)
    roles = course_roles(session, actor, assignment.course_id)
    is_member = (
        actor.user_id is not None
        and session.scalar(
            select(JuryMember.id).where(
                JuryMember.assignment_id == assignment.id, JuryMember.user_id == actor.user_id
            )
        )
        is not None
    )
    is_owner = actor.user_id in learners_of(session, submission)
    allowed = assignment.jury and policy.can_see_defence(
        actor, roles, is_owner=is_owner, is_member=is_member
    )
    require(allowed, NotFound, NO_SUBMISSION)
    return _slot(session, defence_for(session, submission))


def set_defence(
    session: Session, actor: Actor, submission_id: int, data: DefenceInput
) -> DefenceSlot:
    """Set (or move) the defence: a time without an offset is read in `time_zone`; with a
    webinar session of the course, its start and length are the defence's unless given."""
    submission = _current(session, submission_id)
    access = managed_jury(session, actor, submission.assignment_id)
    webinar = None
    if data.webinar_session_id is not None:
        webinar = session.get(WebinarSession, data.webinar_session_id)
        if webinar is None or webinar.course_id != access.assignment.course_id:
            raise Invalid(N_("Choose a session of this course."), field="webinar_session_id")
    starts_at = _instant(data, webinar)
    minutes = data.duration_minutes or _length(webinar)
    defence = defence_for(session, submission) or Defence(submission_id=submission.id)
    session.add(defence)
    defence.starts_at = starts_at
    defence.duration_minutes = minutes
    defence.time_zone = data.time_zone if data.starts_at or webinar is None else webinar.time_zone
    defence.place = data.place or (webinar.location or "" if webinar else "")
    defence.webinar_session_id = webinar.id if webinar else None
    defence.updated_by_id = actor.user_id
    defence.updated_at = utcnow()
    session.flush()
    return DefenceSlot(defence, webinar)


def _instant(data: DefenceInput, webinar: WebinarSession | None) -> datetime:
    if data.starts_at is None:
        assert webinar is not None
        return webinar.starts_at
    if data.starts_at.tzinfo is None:
        return to_utc(data.starts_at, data.time_zone)
    return data.starts_at


def _length(webinar: WebinarSession | None) -> int:
    if webinar is None:
        return DEFAULT_MINUTES
    minutes = int((webinar.ends_at - webinar.starts_at).total_seconds() // 60)
    return max(5, min(minutes, 600))


def my_defences(session: Session, actor: Actor, assignment: Assignment) -> list[DefenceSlot]:
    """A learner's own defence slots for an assignment (theirs, or their group's)."""
    if actor.user_id is None or not assignment.jury:
        return []
    groups = select(GroupMember.group_id).where(GroupMember.user_id == actor.user_id)
    found = session.scalars(
        select(Defence)
        .join(Submission, Submission.id == Defence.submission_id)
        .where(
            Submission.assignment_id == assignment.id,
            Submission.status != SubmissionStatus.REOPENED,
            or_(Submission.user_id == actor.user_id, Submission.group_id.in_(groups)),
        )
        .order_by(Defence.starts_at)
    ).all()
    return [slot for slot in (_slot(session, d) for d in found) if slot is not None]
