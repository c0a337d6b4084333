"""What the jury's pages show: the members, the submissions the reader reaches with who marks
them, how many marks are in, their defence slots and the jury's decisions; the course staff
who may join; a submission's files for its markers. A constant number of queries."""

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from app.accounts.models import User
from app.assignments import policy
from app.assignments.jury_models import Defence, JuryDecision, JuryMark, JuryMember
from app.assignments.models import Submission, SubmissionFile
from app.assignments.service import jury
from app.core.actors import Actor
from app.core.errors import NotFound
from app.core.i18n import N_
from app.courses.models import ContentFile, Module
from app.enrolment.models import Group
from app.grades.models import ScaleLevel
from app.membership.models import CourseRole, Enrolment, EnrolmentStatus
from app.webinars.models import WebinarSession


@dataclass(frozen=True)
class Row:
    submission: Submission
    label: str  # the group's name, or the learner's
    markers: list[JuryMember]
    marked: int
    defence: Defence | None
    decision: JuryDecision | None


@dataclass(frozen=True)
class Overview:
    access: jury.JuryAccess
    title: str
    members: Sequence[JuryMember]
    rows: list[Row]
    candidates: Sequence[User]  # teachers and tutors of the course not yet on the jury
    webinars: Sequence[WebinarSession]


def overview(session: Session, actor: Actor, assignment_id: int) -> Overview:
    """The jury's page for whoever reaches it (an external examiner: their submissions)."""
    access = jury.jury_access(session, actor, assignment_id)
    assignment = access.assignment
    members = jury.members(session, assignment.id)
    submissions, markers = jury.visible_submissions(session, access)
    ids = [s.id for s in submissions]
    title = session.scalar(select(Module.title).where(Module.id == assignment.module_id)) or ""
    manages = policy.can_manage_jury(actor, access.roles)
    return Overview(
        access=access,
        title=title,
        members=members,
        rows=_rows(session, submissions, markers, ids),
        candidates=_candidates(session, assignment.course_id, members) if manages else [],
        webinars=_webinars(session, assignment.course_id) if manages else [],
    )


def _rows(
    session: Session,
    submissions: Sequence[Submission],
    markers: dict[int, list[JuryMember]],
    ids: list[int],
) -> list[Row]:
    labels = _labels(session, submissions)
    marks: dict[int, set[int]] = {sid: set() for sid in ids}
    for sid, member_id in session.execute(
        select(JuryMark.submission_id, JuryMark.member_id).where(JuryMark.submission_id.in_(ids))
    ):
        marks[sid].add(member_id)
    defences = {
        d.submission_id: d
        for d in session.scalars(select(Defence).where(Defence.submission_id.in_(ids)))
    }
    decisions = {
        d.submission_id: d
        for d in session.scalars(select(JuryDecision).where(JuryDecision.submission_id.in_(ids)))
    }
    return [
        Row(
            submission=s,
            label=labels.get(s.id, ""),
            markers=markers[s.id],
            marked=sum(1 for m in markers[s.id] if m.id in marks[s.id]),
            defence=defences.get(s.id),
            decision=decisions.get(s.id),
        )
        for s in submissions
    ]


def _labels(session: Session, submissions: Sequence[Submission]) -> dict[int, str]:
    group_ids = {s.group_id for s in submissions if s.group_id is not None}
    user_ids = {s.user_id for s in submissions if s.user_id is not None}
    groups = session.execute(select(Group.id, Group.name).where(Group.id.in_(group_ids)))
    users = session.execute(select(User.id, User.display_name).where(User.id.in_(user_ids)))
    names: dict[tuple[str, int | None], str] = {("group", gid): name for gid, name in groups}
    names |= {("user", uid): name for uid, name in users}
    return {
        s.id: names.get(("group", s.group_id) if s.group_id else ("user", s.user_id), "")
        for s in submissions
    }


def _candidates(session: Session, course_id: int, members: Sequence[JuryMember]) -> Sequence[User]:
    taken = {m.user_id for m in members}
    found = session.scalars(
        select(User)
        .join(Enrolment, Enrolment.user_id == User.id)
        .where(
            Enrolment.course_id == course_id,
            Enrolment.status == EnrolmentStatus.ACTIVE,
            Enrolment.role.in_((CourseRole.TEACHER, CourseRole.TUTOR)),
        )
        .order_by(User.display_name, User.id)
    ).all()
    return [u for u in found if u.id not in taken]


def _webinars(session: Session, course_id: int) -> Sequence[WebinarSession]:
    return session.scalars(
        select(WebinarSession)
        .where(WebinarSession.course_id == course_id)
        .order_by(WebinarSession.starts_at)
    ).all()


def submission_files(session: Session, submission_id: int) -> Sequence[SubmissionFile]:
    return session.scalars(
        select(SubmissionFile)
        .options(selectinload(SubmissionFile.content))
        .where(SubmissionFile.submission_id == submission_id)
        .order_by(SubmissionFile.position, SubmissionFile.id)
    ).all()


def jury_file(
    session: Session, actor: Actor, submission_id: int, file_id: int
) -> tuple[SubmissionFile, ContentFile]:
    """A file of a submission, for those who reach it through the jury."""
    jury.submission_jury(session, actor, submission_id)
    found = session.get(SubmissionFile, file_id)
    if found is None or found.submission_id != submission_id:
        raise NotFound(N_("No such file."))
    return found, session.get_one(ContentFile, found.content_file_id)


def submission_label(session: Session, submission: Submission) -> str:
    return _labels(session, [submission]).get(submission.id, "")


def scale_levels(session: Session, scale_id: int | None) -> list[ScaleLevel]:
    """The levels of the assignment's scale, lowest first (none when graded in points)."""
    if scale_id is None:
        return []
    return list(
        session.scalars(
            select(ScaleLevel).where(ScaleLevel.scale_id == scale_id).order_by(ScaleLevel.position)
        )
    )
