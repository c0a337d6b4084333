"""A learner's submission over the API: the draft's text and files, the final submit, the
files as attachments, and reopening an attempt for those who mark."""

from typing import Annotated

from fastapi import APIRouter, File, UploadFile
from fastapi.responses import StreamingResponse

from app.accounts.deps import SettingsDep, SignedInApiActor
from app.assignments.schemas import (
    ConfirmationRead,
    DatesRead,
    SubmissionFileRead,
    SubmissionRead,
    SubmissionText,
    SubmitRequest,
)
from app.assignments.service import submission_files, submissions, submitting
from app.assignments.service.submissions import DONE, SubmissionView
from app.core.db import SessionDep
from app.core.downloads import stored_file_response
from app.core.errors import NotFound
from app.core.i18n import N_
from app.core.inputs import Id
from app.core.routes import DeferredRoute
from app.core.storage import storage_for

router = APIRouter(tags=["assignments"], route_class=DeferredRoute)


def submission_read(view: SubmissionView) -> SubmissionRead:
    current = view.current
    if current is None:
        raise NotFound(N_("Nothing is submitted or drafted yet."))
    members = view.owner.members if view.owner else []
    return SubmissionRead(
        id=current.id, assignment_id=current.assignment_id, user_id=current.user_id,
        group_id=current.group_id, attempt=current.attempt, status=current.status,
        text_markdown=current.text_markdown, text_html=current.text_html,
        submitted_at=current.submitted_at, late=view.late,
        counts_as_submitted=current.status in DONE,
        files=[
            SubmissionFileRead(
                name=f.name, size=f.content.size, media_type=f.content.media_type,
                url=f"/api/v1/submissions/{current.id}/files/{f.name}",
            )
            for f in current.files
        ],
        confirmations=[
            ConfirmationRead(user_id=m.id, confirmed_at=view.confirmed.get(m.id)) for m in members
        ],
        dates=DatesRead(
            opens_at=view.dates.opens_at, due_at=view.dates.due_at,
            cutoff_at=view.dates.cutoff_at, extended=view.dates.extended,
        ),
    )  # fmt: skip


@router.get("/assignments/{assignment_id}/submission", response_model=SubmissionRead)
def read_submission(
    assignment_id: Id, session: SessionDep, actor: SignedInApiActor
) -> SubmissionRead:
    """Your current attempt (your group's, for a group submission) with the dates that hold
    for you; 404 before you have drafted anything, 409 `no_group` when a group submission
    finds you in no group (or in several). Students of the course."""
    view = submissions.learner_view(session, actor, assignment_id)
    if view.problem is not None:
        raise view.problem
    return submission_read(view)


@router.put("/assignments/{assignment_id}/submission", response_model=SubmissionRead)
def save_text(
    assignment_id: Id, data: SubmissionText, session: SessionDep, actor: SignedInApiActor
) -> SubmissionRead:
    """Save the draft's online text (Markdown, sanitised; within the word limit). Refused
    (409 `assignment_closed`) before the opening and after your cut-off, and once submitted
    (409 `submission_read_only`)."""
    return submission_read(submissions.save_text(session, actor, assignment_id, data.text))


@router.post("/assignments/{assignment_id}/submission/files", response_model=SubmissionRead)
def add_file(
    assignment_id: Id,
    session: SessionDep,
    actor: SignedInApiActor,
    settings: SettingsDep,
    file: Annotated[UploadFile, File()],
) -> SubmissionRead:
    """Add a file to the draft (multipart; size-limited, its type read from its content and
    checked against the accepted types, at most the assignment's number of files). A file of
    the same name is replaced."""
    view = submission_files.add_file(
        session, actor, settings, assignment_id, file.file, file.filename or "file"
    )
    return submission_read(view)


@router.delete(
    "/assignments/{assignment_id}/submission/files/{name}", response_model=SubmissionRead
)
def remove_file(
    assignment_id: Id, name: str, session: SessionDep, actor: SignedInApiActor
) -> SubmissionRead:
    """Remove a file from the draft."""
    return submission_read(submission_files.remove_file(session, actor, assignment_id, name))


@router.post("/assignments/{assignment_id}/submission/submit", response_model=SubmissionRead)
def submit(
    assignment_id: Id,
    data: SubmitRequest,
    session: SessionDep,
    actor: SignedInApiActor,
    settings: SettingsDep,
) -> SubmissionRead:
    """Hand the draft in (`honour_statement: true` when the assignment asks for it). Late
    between your due date and cut-off (`late: true`); refused after the cut-off (409
    `assignment_closed`, nothing written). When every member of a group must confirm, this
    is your confirmation; the group's attempt is submitted with the last one."""
    view = submitting.submit(session, actor, settings, assignment_id, honour=data.honour_statement)
    return submission_read(view)


@router.post("/submissions/{submission_id}/reopen", response_model=SubmissionRead)
def reopen(submission_id: Id, session: SessionDep, actor: SignedInApiActor) -> SubmissionRead:
    """Reopen a learner's latest submitted attempt (manual resubmission; teachers, tutors and
    managers): a new draft attempt copies its text and files, the reopened one is kept.
    409 `attempts_exhausted` past the attempts limit."""
    return submission_read(submissions.reopen(session, actor, submission_id))


@router.get("/submissions/{submission_id}/files/{name}", response_class=StreamingResponse)
def submission_file(
    submission_id: Id, name: str, session: SessionDep, actor: SignedInApiActor,
    settings: SettingsDep,
) -> StreamingResponse:  # fmt: skip
    """A submitted file, as an attachment: for its learner, its group's members and those
    who mark it."""
    found = submission_files.submission_file(session, actor, submission_id, name)
    content = found.content
    return stored_file_response(
        storage_for(settings), content.sha256, found.name, content.media_type, content.size
    )
