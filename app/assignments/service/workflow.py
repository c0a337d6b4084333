"""The marking workflow and release. With the workflow, a marking goes not marked → in marking
→ ready for review → ready for release → released, each step taken by the roles the policy
allows; without it, a marker releases when saving. Nothing reaches a learner before release:
then the gradebook (after the reveal, for an anonymous assignment), the feedback, and an
e-mail to each learner in their language."""

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.accounts.models import User
from app.assignments import policy
from app.assignments.marking_schemas import WorkflowMove
from app.assignments.models import Assignment, Marking, MarkingState, Submission
from app.assignments.service.anonymity import hides_identities
from app.assignments.service.marking_list import marker_access, submission_access
from app.assignments.service.release import learners_of, release_marking
from app.assignments.service.submissions import next_attempt
from app.core.actors import Actor, require
from app.core.config import Settings
from app.core.db import utcnow
from app.core.errors import Conflict
from app.core.i18n import N_, translations_for
from app.core.mail import send_after_commit
from app.courses.models import Course, Module
from app.grades.models import ScaleLevel

SUBJECT = N_("Your feedback on %(title)s is ready")
BODY = N_("Your grade and feedback on %(title)s have been released. Read them at %(url)s")


class EditedMeanwhile(Conflict):
    code = "marking_edited_meanwhile"
    title = N_("Someone saved this marking after you opened it; reload it and mark again.")


class NothingToRelease(Conflict):
    code = "nothing_to_release"
    title = N_("Give a grade before releasing the marking.")


class NoWorkflow(Conflict):
    code = "no_marking_workflow"
    title = N_("This assignment does not use the marking workflow.")


class NotMarked(Conflict):
    code = "not_marked"
    title = N_("This attempt has not been marked yet.")


def check_version(marking: Marking | None, version: int) -> None:
    """The writer read `version` (0: no marking yet); a newer one means someone saved since."""
    if (marking.version if marking else 0) != version:
        raise EditedMeanwhile()


def _fails(session: Session, assignment: Assignment, marking: Marking) -> bool:
    if marking.scale_level_id is not None:
        level = session.get(ScaleLevel, marking.scale_level_id)
        return level is not None and not level.passing
    final = marking.final_points
    return (
        assignment.pass_points is not None and final is not None and final < assignment.pass_points
    )


def push_to_gradebook(session: Session, assignment: Assignment, marking: Marking) -> None:
    """A released marking changed: the learners' grades follow (not while names are hidden)."""
    if hides_identities(assignment):
        return
    when, by = marking.released_at, marking.released_by_id
    release_marking(session, assignment, marking, by_user_id=by)
    marking.released_at = when


def notify(
    session: Session, settings: Settings, assignment: Assignment, submission: Submission
) -> None:
    """Each learner of the attempt is told, in their own language, where to read it."""
    module = session.get_one(Module, assignment.module_id)
    code = session.scalar(select(Course.code).where(Course.id == assignment.course_id))
    url = f"{settings.base_url}/courses/{code}/modules/{module.id}"
    people = session.scalars(
        select(User).where(User.id.in_(learners_of(session, submission))).order_by(User.id)
    )
    for person in people:
        gettext = translations_for(person.preferred_language or "en").gettext
        values = {"title": module.title, "url": url}
        send_after_commit(session, settings, person.email, gettext(SUBJECT) % values,
                          gettext(BODY) % values)  # fmt: skip


def release(
    session: Session, settings: Settings, assignment: Assignment, marking: Marking, by: Actor
) -> None:
    """Callers checked `can_release` (or a marker's "release now" without the workflow)."""
    if marking.points is None:
        raise NothingToRelease()
    submission = session.get_one(Submission, marking.submission_id)
    if hides_identities(assignment):
        marking.state = MarkingState.RELEASED
        marking.released_at = utcnow()
        marking.released_by_id = by.user_id
    else:
        release_marking(session, assignment, marking, by_user_id=by.user_id)
    marking.version += 1
    marking.updated_at = utcnow()
    notify(session, settings, assignment, submission)
    if _fails(session, assignment, marking):
        next_attempt(session, submission)
    session.flush()


def move_marking(
    session: Session, actor: Actor, settings: Settings, submission_id: int, data: WorkflowMove
) -> Marking:
    """One step of the workflow, for the roles the policy allows at that step."""
    access, submission = submission_access(session, actor, submission_id)
    assignment = access.assignment
    marking = session.scalar(
        select(Marking).where(Marking.submission_id == submission.id).with_for_update()
    )
    if not assignment.marking_workflow:
        raise NoWorkflow()
    if marking is None:
        raise NotMarked()
    check_version(marking, data.version)
    require(policy.can_move_marking(actor, access.roles, marking.state, data.state))
    if data.state is MarkingState.RELEASED:
        release(session, settings, assignment, marking, actor)
    else:
        marking.state = data.state
        marking.version += 1
        marking.updated_at = utcnow()
    session.flush()
    return marking


def release_ready(session: Session, actor: Actor, settings: Settings, assignment_id: int) -> int:
    """Release at once every marking ready for release (with the workflow), or every graded
    marking not yet released (without it); how many were released."""
    access = marker_access(session, actor, assignment_id)
    require(policy.can_release(actor, access.roles))
    assignment = access.assignment
    waiting = (
        Marking.state == MarkingState.READY_FOR_RELEASE
        if assignment.marking_workflow
        else (Marking.state != MarkingState.RELEASED) & Marking.points.is_not(None)
    )
    markings = list(
        session.scalars(
            select(Marking)
            .where(Marking.assignment_id == assignment.id, waiting)
            .order_by(Marking.id)
        )
    )
    for marking in markings:
        release(session, settings, assignment, marking, actor)
    return len(markings)
