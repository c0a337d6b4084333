"""The offline marking worksheet: its CSV download, and its upload back (a preview of what
would change, then applied as a whole, or not at all when a line is refused)."""

from typing import Annotated

from fastapi import File, Form, Request, UploadFile
from fastapi.responses import Response
from sqlalchemy.orm import Session

from app.accounts.deps import CurrentUser, PortalActor, SettingsDep, page_router
from app.assignments.service import worksheet
from app.assignments.service.marking_list import marker_access
from app.core.actors import Actor
from app.core.db import SessionDep
from app.core.downloads import attachment_headers
from app.core.errors import Invalid
from app.core.forms import attempt_form
from app.core.inputs import Id
from app.core.web import render, see_other
from app.courses.models import Course

router = page_router()
MAX_SHEET = 2_000_000  # characters


def _page(
    request: Request, session: Session, actor: Actor, assignment_id: int,
    outcome: worksheet.Outcome | None = None, text: str = "", error: str = "",
) -> Response:  # fmt: skip
    access = marker_access(session, actor, assignment_id)
    problems = outcome.problems if outcome else []
    context = {
        "assignment": access.assignment, "module": access.module,
        "course": session.get_one(Course, access.assignment.course_id),
        "outcome": outcome, "text": text, "error": error, "problems": problems,
    }  # fmt: skip
    return render(request, "assignments/worksheet.html", context, 400 if error else 200)


@router.get("/assignments/{assignment_id}/worksheet.csv")
def download_worksheet(
    session: SessionDep, actor: PortalActor, _user: CurrentUser, assignment_id: Id
) -> Response:
    text, name = worksheet.export_worksheet(session, actor, assignment_id)
    return Response(text, media_type="text/csv; charset=utf-8", headers=attachment_headers(name))


@router.get("/assignments/{assignment_id}/worksheet")
def worksheet_page(
    request: Request, session: SessionDep, actor: PortalActor, _user: CurrentUser,
    assignment_id: Id,
) -> Response:  # fmt: skip
    return _page(request, session, actor, assignment_id)


@router.post("/assignments/{assignment_id}/worksheet")
def preview_worksheet(
    request: Request, session: SessionDep, actor: PortalActor, settings: SettingsDep,
    _user: CurrentUser, assignment_id: Id, file: Annotated[UploadFile, File()],
) -> Response:  # fmt: skip
    text = file.file.read(MAX_SHEET + 1).decode("utf-8", errors="replace")
    with attempt_form(request, session) as attempt:
        if len(text) > MAX_SHEET:
            raise Invalid(worksheet.TOO_LONG, field="file")
        outcome = worksheet.upload_worksheet(
            session, actor, settings, assignment_id, text, apply=False
        )
    if attempt.refused:
        return _page(request, session, actor, assignment_id, error=attempt.message)
    return _page(request, session, actor, assignment_id, outcome, text)


@router.post("/assignments/{assignment_id}/worksheet/apply")
def apply_worksheet(
    request: Request, session: SessionDep, actor: PortalActor, settings: SettingsDep,
    _user: CurrentUser, assignment_id: Id,
    text: Annotated[str, Form(max_length=MAX_SHEET)],
) -> Response:  # fmt: skip
    with attempt_form(request, session) as attempt:
        outcome = worksheet.upload_worksheet(
            session, actor, settings, assignment_id, text, apply=True
        )
    if isinstance(attempt.error, worksheet.WorksheetRefused):
        refused = worksheet.Outcome(problems=attempt.error.problems)
        return _page(request, session, actor, assignment_id, refused, text, attempt.message)
    if attempt.refused:
        return _page(request, session, actor, assignment_id, error=attempt.message)
    return see_other(f"/assignments/{assignment_id}/submissions?applied={len(outcome.changes)}")
