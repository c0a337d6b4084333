"""A learner's submission page: their dates in their zone, the draft's text and files, the
final submit (or a group member's confirmation), every attempt, and the released feedback.
Files are served as attachments; markers reopen an attempt from here too."""

from typing import Annotated

from fastapi import File, Form, Request, UploadFile
from fastapi.responses import Response, StreamingResponse

from app.accounts.deps import CurrentUser, PortalActor, SettingsDep, page_router
from app.assignments.schemas import SubmissionText
from app.assignments.service import submission_files, submissions, submitting
from app.assignments.service.marking_view import feedback_of
from app.assignments.service.submissions import DONE, SubmissionView
from app.core.db import SessionDep
from app.core.downloads import stored_file_response
from app.core.forms import attempt_form
from app.core.inputs import Id
from app.core.storage import storage_for
from app.core.web import render, see_other
from app.courses.models import Course

router = page_router()
FormFlag = Annotated[bool, Form()]


def _page(
    request: Request, session: SessionDep, view: SubmissionView,
    text: str | None = None, errors: dict[str, str] | None = None,
) -> Response:  # fmt: skip
    current = view.current
    context = {
        "view": view,
        "assignment": view.access.assignment,
        "module": view.access.module,
        "course": session.get_one(Course, view.access.module.course_id),
        "current": current,
        "submitted": current is not None and current.status in DONE,
        "text": text if text is not None else (current.text_markdown if current else ""),
        "errors": errors or {},
        "marking": feedback_of(session, view.marking),
    }
    return render(request, "assignments/submission.html", context, 400 if errors else 200)


def _refused(
    request: Request, session: SessionDep, actor: PortalActor, assignment_id: int,
    errors: dict[str, str], text: str | None = None,
) -> Response:  # fmt: skip
    view = submissions.learner_view(session, actor, assignment_id)
    return _page(request, session, view, text, errors)


def _back(assignment_id: int, done: str) -> Response:
    return see_other(f"/assignments/{assignment_id}/submission?{done}=1")


@router.get("/assignments/{assignment_id}/submission")
def submission_page(
    request: Request, session: SessionDep, actor: PortalActor, _user: CurrentUser,
    assignment_id: Id,
) -> Response:  # fmt: skip
    return _page(request, session, submissions.learner_view(session, actor, assignment_id))


@router.post("/assignments/{assignment_id}/submission/text")
def save_text(
    request: Request, session: SessionDep, actor: PortalActor, _user: CurrentUser,
    assignment_id: Id, text: Annotated[str, Form(max_length=100000)] = "",
) -> Response:  # fmt: skip
    with attempt_form(request, session) as attempt:
        data = SubmissionText(text=text)
        submissions.save_text(session, actor, assignment_id, data.text)
    if attempt.refused:
        return _refused(request, session, actor, assignment_id, attempt.errors, text)
    return _back(assignment_id, "saved")


@router.post("/assignments/{assignment_id}/submission/files")
def add_file(
    request: Request, session: SessionDep, actor: PortalActor, settings: SettingsDep,
    _user: CurrentUser, assignment_id: Id, file: Annotated[UploadFile, File()],
) -> Response:  # fmt: skip
    with attempt_form(request, session) as attempt:
        submission_files.add_file(
            session, actor, settings, assignment_id, file.file, file.filename or "file"
        )
    if attempt.refused:
        return _refused(request, session, actor, assignment_id, attempt.errors)
    return _back(assignment_id, "uploaded")


@router.post("/assignments/{assignment_id}/submission/files/{name}/delete")
def remove_file(
    request: Request, session: SessionDep, actor: PortalActor, _user: CurrentUser,
    assignment_id: Id, name: str,
) -> Response:  # fmt: skip
    with attempt_form(request, session) as attempt:
        submission_files.remove_file(session, actor, assignment_id, name)
    if attempt.refused:
        return _refused(request, session, actor, assignment_id, attempt.errors)
    return _back(assignment_id, "removed")


@router.post("/assignments/{assignment_id}/submission/submit")
def submit(
    request: Request, session: SessionDep, actor: PortalActor, settings: SettingsDep,
    _user: CurrentUser, assignment_id: Id, honour_statement: FormFlag = False,
) -> Response:  # fmt: skip
    with attempt_form(request, session) as attempt:
        submitting.submit(session, actor, settings, assignment_id, honour=honour_statement)
    if attempt.refused:
        return _refused(request, session, actor, assignment_id, attempt.errors)
    return _back(assignment_id, "submitted")


@router.get("/submissions/{submission_id}/files/{name}")
def submission_file(
    session: SessionDep, actor: PortalActor, settings: SettingsDep, _user: CurrentUser,
    submission_id: Id, name: str,
) -> StreamingResponse:  # fmt: skip
    found = submission_files.submission_file(session, actor, submission_id, name)
    content = found.content
    return stored_file_response(
        storage_for(settings), content.sha256, found.name, content.media_type, content.size
    )


@router.post("/submissions/{submission_id}/reopen")
def reopen(
    session: SessionDep, actor: PortalActor, _user: CurrentUser, submission_id: Id
) -> Response:
    view = submissions.reopen(session, actor, submission_id)
    return see_other(f"/assignments/{view.access.assignment.id}/submissions?reopened=1")
