"""Adding a jury member: a teacher or tutor of the course, or an external examiner, whose
account is found by e-mail or made and invited (a set-password link, as intakes send); the
jury is their only way into the course. Members are told by mail, in their language."""

from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.accounts import auth
from app.accounts.models import User
from app.accounts.service import audit, find_user_by_email, normalise_email
from app.assignments.jury_models import JuryMember
from app.assignments.jury_schemas import JuryMemberCreate
from app.assignments.models import Assignment
from app.assignments.service import jury
from app.core.actors import Actor
from app.core.config import Settings
from app.core.errors import Conflict, Invalid
from app.core.i18n import N_, translations_for
from app.core.mail import send_after_commit
from app.courses.models import Module
from app.membership.models import CourseRole, Enrolment, EnrolmentStatus

MARKERS = (CourseRole.TEACHER, CourseRole.TUTOR)
ADDED_SUBJECT = N_("You are a member of the jury of %(title)s")
ADDED_BODY = N_(
    'Hello %(name)s,\n\n%(by)s has made you a member of the jury of "%(title)s" on Agora. '
    "The submissions you mark are listed on the jury's page:\n\n%(link)s\n\n"
    "Your mark stays yours: you see the other members' marks once you have entered your own."
)
ALLOCATED_SUBJECT = N_("Submissions to mark for the jury of %(title)s")
ALLOCATED_ONE = (
    "Hello %(name)s,\n\nYou have been chosen to mark %(count)s submission for the jury of "
    '"%(title)s". It is listed on the jury\'s page:\n\n%(link)s'
)
ALLOCATED_MANY = (
    "Hello %(name)s,\n\nYou have been chosen to mark %(count)s submissions for the jury of "
    '"%(title)s". They are listed on the jury\'s page:\n\n%(link)s'
)


class AlreadyMember(Conflict):
    code = "already_jury_member"
    title = N_("This person is already a member of the jury.")


class LearnerNotExaminer(Invalid):
    code = "learner_not_examiner"
    title = N_("A learner of the course cannot sit on its jury.")


class NotCourseMarker(Invalid):
    code = "not_course_marker"
    title = N_("Choose a teacher or tutor of the course, or give an examiner's e-mail.")


def add_member(
    session: Session, actor: Actor, settings: Settings, assignment_id: int, data: JuryMemberCreate
) -> JuryMember:
    """Add a member; a new external examiner's account is made and invited. Naming a chair
    makes the previous chair an ordinary member."""
    access = jury.managed_jury(session, actor, assignment_id)
    course_id = access.assignment.course_id
    if data.user_id is not None:
        user = session.get(User, data.user_id)
        if user is None or not _marks_in_course(session, course_id, user.id):
            raise NotCourseMarker(field="user_id")
    else:
        user = _examiner(session, actor, settings, data)
    if _learns_in_course(session, course_id, user.id):
        raise LearnerNotExaminer(field="email" if data.email else "user_id")
    if session.scalar(
        select(JuryMember.id).where(
            JuryMember.assignment_id == access.assignment.id, JuryMember.user_id == user.id
        )
    ):
        raise AlreadyMember(field="email" if data.email else "user_id")
    member = JuryMember(
        assignment_id=access.assignment.id,
        user_id=user.id,
        external=not _marks_in_course(session, course_id, user.id),
        added_by_id=actor.user_id,
        user=user,
    )
    session.add(member)
    session.flush()
    if data.chair:
        jury.set_chair(session, actor, access.assignment.id, member.id)
    by = session.get(User, actor.user_id) if actor.user_id else None
    by_name = by.display_name if by else "Agora"
    _tell(session, settings, member, ADDED_SUBJECT, ADDED_BODY, by=by_name)
    return member


def _marks_in_course(session: Session, course_id: int, user_id: int) -> bool:
    return (
        session.scalar(
            select(Enrolment.id).where(
                Enrolment.course_id == course_id,
                Enrolment.user_id == user_id,
                Enrolment.status == EnrolmentStatus.ACTIVE,
                Enrolment.role.in_(MARKERS),
            )
        )
        is not None
    )


def _learns_in_course(session: Session, course_id: int, user_id: int) -> bool:
    return (
        session.scalar(
            select(Enrolment.id).where(
                Enrolment.course_id == course_id,
                Enrolment.user_id == user_id,
                Enrolment.role == CourseRole.STUDENT,
            )
        )
        is not None
    )


def _examiner(session: Session, actor: Actor, settings: Settings, data: JuryMemberCreate) -> User:
    """The account of this e-mail, or a new one that is invited to choose a password."""
    assert data.email is not None
    found = find_user_by_email(session, data.email)
    if found is not None:
        return found
    name = data.display_name.strip()
    if not name:
        raise Invalid(N_("Give the examiner's name."), field="display_name")
    user = User(
        email=normalise_email(data.email),
        display_name=name,
        preferred_language=data.preferred_language,
    )
    session.add(user)
    session.flush()
    audit(session, actor, "user.create", f"user:{user.id}", "jury examiner")
    auth.invite(session, settings, user)  # mailed once the transaction commits
    return user


def tell_allocated(
    session: Session, settings: Settings, members: Iterable[JuryMember], counts: dict[int, int]
) -> None:
    """Tell members newly chosen to mark how many submissions are theirs."""
    for member in members:
        _tell(session, settings, member, ALLOCATED_SUBJECT, None, count=counts.get(member.id, 0))


def _tell(
    session: Session,
    settings: Settings,
    member: JuryMember,
    subject: str,
    body: str | None,
    **values: object,
) -> None:
    """Mail a member in their language (`body` None: the allocation's, counted)."""
    user = session.get_one(User, member.user_id)
    assignment = session.get_one(Assignment, member.assignment_id)
    title = session.scalar(select(Module.title).where(Module.id == assignment.module_id)) or ""
    translations = translations_for(user.preferred_language)
    link = f"{settings.base_url.rstrip('/')}/assignments/{assignment.id}/jury"
    values = {"name": user.display_name, "title": title, "link": link, **values}
    if body is None:
        count = int(str(values["count"]))
        text = translations.ngettext(ALLOCATED_ONE, ALLOCATED_MANY, count)
    else:
        text = translations.gettext(body)
    send_after_commit(
        session, settings, user.email, translations.gettext(subject) % values, text % values
    )


def allocate(
    session: Session,
    actor: Actor,
    settings: Settings,
    assignment_id: int,
    submission_ids: list[int],
    member_ids: list[int],
) -> jury.Allocation:
    """Choose who marks these submissions (`jury.allocate`) and tell the members newly chosen."""
    allocation = jury.allocate(session, actor, assignment_id, submission_ids, member_ids)
    counts: dict[int, int] = {}
    for markers in allocation.markers.values():
        for member in markers:
            counts[member.id] = counts.get(member.id, 0) + 1
    tell_allocated(session, settings, allocation.newly_chosen, counts)
    return allocation
