"""The files of a submission: added to and removed from the draft (size-limited, type checked
against the assignment's accepted types) and served to its learners and markers only."""

from typing import IO

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.assignments import policy
from app.assignments.models import Assignment, Submission, SubmissionFile
from app.assignments.service import groups
from app.assignments.service.settings import assignment_by_id
from app.assignments.service.submissions import (
    NO_SUBMISSION,
    Owner,
    SubmissionView,
    changed,
    draft_of,
    view_of,
    with_files,
)
from app.core.actors import Actor, require
from app.core.config import Settings
from app.core.errors import Invalid, NotFound
from app.core.i18n import N_
from app.courses.service.content import store_upload


def _accepts(assignment: Assignment, media_type: str) -> bool:
    if not assignment.accepted_types:
        return True
    family = media_type.split("/", 1)[0] + "/*"
    return media_type in assignment.accepted_types or family in assignment.accepted_types


def add_file(
    session: Session, actor: Actor, settings: Settings, assignment_id: int,
    stream: IO[bytes], name: str,
) -> SubmissionView:  # fmt: skip
    """Add a file to the draft (size-limited, its type read from its bytes and checked against
    the accepted types); a file of the same name is replaced."""
    view, draft = draft_of(session, actor, assignment_id)
    assignment = view.access.assignment
    if not assignment.file_submissions:
        raise Invalid(N_("This assignment takes no files."), field="file")
    content, file_name = store_upload(session, settings, stream, name)
    if not _accepts(assignment, content.media_type):
        raise Invalid(N_("This type of file is not accepted here."), field="file")
    existing = next((f for f in draft.files if f.name == file_name), None)
    if existing is not None:
        existing.content = content
    elif len(draft.files) >= assignment.max_files:
        raise Invalid(N_("No more files may be added: remove one first."), field="file")
    else:
        position = max((f.position for f in draft.files), default=-1) + 1
        draft.files.append(SubmissionFile(name=file_name, content=content, position=position))
    changed(session, draft)
    return view_of(session, view.access, view.owner or Owner(actor.user_id), actor.user_id)


def remove_file(session: Session, actor: Actor, assignment_id: int, name: str) -> SubmissionView:
    """Remove a file from the draft."""
    view, draft = draft_of(session, actor, assignment_id)
    found = next((f for f in draft.files if f.name == name), None)
    if found is None:
        raise NotFound(N_("No such file."))
    draft.files.remove(found)
    changed(session, draft)
    return view_of(session, view.access, view.owner or Owner(actor.user_id), actor.user_id)


def submission_file(
    session: Session, actor: Actor, submission_id: int, name: str
) -> SubmissionFile:
    """A file of a submission, for its learner, its group's members and its markers only."""
    submission = session.scalar(
        select(Submission).where(Submission.id == submission_id).options(with_files())
    )
    if submission is None:
        raise NotFound(NO_SUBMISSION)
    access = assignment_by_id(session, actor, submission.assignment_id)
    owner = actor.user_id is not None and (
        submission.user_id == actor.user_id
        or (
            submission.group_id is not None
            and groups.is_member(session, submission.group_id, actor.user_id)
        )
    )
    require(
        policy.can_view_submission(actor, access.roles, is_owner=owner), NotFound, NO_SUBMISSION
    )
    found = next((f for f in submission.files if f.name == name), None)
    if found is None:
        raise NotFound(N_("No such file."))
    return found
