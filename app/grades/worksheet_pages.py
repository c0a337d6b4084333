"""Importing an offline marking worksheet: upload, a preview of every change and refused
line, then apply (all or nothing). The worksheet's text travels in the preview's form, so
applying reads it again under the same rules."""

from typing import Annotated

from fastapi import File, Form, Request, UploadFile
from fastapi.responses import Response

from app.accounts.deps import CurrentUser, PortalActor, page_router
from app.core.db import SessionDep
from app.core.forms import attempt_form
from app.core.web import render, see_other
from app.courses.service.courses import find_course
from app.grades.service import worksheets

router = page_router()
WorksheetText = Annotated[str, Form(max_length=worksheets.MAX_WORKSHEET_BYTES)]


def _page(
    request: Request,
    session: SessionDep,
    actor: PortalActor,
    code: str,
    plan: worksheets.Plan | None = None,
    error: str | None = None,
    status: int = 200,
) -> Response:
    course = plan.course if plan else find_course(session, actor, code).course
    context = {"course": course, "plan": plan, "error": error}
    return render(request, "grades/grader_import.html", context, status)


@router.get("/courses/{code}/grades/import")
def import_form(
    request: Request, session: SessionDep, actor: PortalActor, _user: CurrentUser, code: str
) -> Response:
    course = worksheets.importing_course(session, actor, code)
    return render(request, "grades/grader_import.html", {"course": course, "plan": None})


@router.post("/courses/{code}/grades/import")
async def preview_import(
    request: Request,
    session: SessionDep,
    actor: PortalActor,
    _user: CurrentUser,
    code: str,
    file: Annotated[UploadFile, File()],
) -> Response:
    """Nothing is written yet: the preview lists the changes and the refused lines."""
    data = await file.read(worksheets.MAX_WORKSHEET_BYTES + 1)
    with attempt_form(request, session) as attempt:
        plan = worksheets.preview_worksheet(session, actor, code, worksheets.worksheet_text(data))
    if attempt.refused:
        return _page(request, session, actor, code, error=attempt.message, status=400)
    return _page(request, session, actor, code, plan, status=400 if plan.problems else 200)


@router.post("/courses/{code}/grades/import/apply")
def apply_import(
    request: Request,
    session: SessionDep,
    actor: PortalActor,
    _user: CurrentUser,
    code: str,
    worksheet: WorksheetText = "",
    release: Annotated[str, Form(max_length=8)] = "",
) -> Response:
    with attempt_form(request, session) as attempt:
        worksheets.import_worksheet(session, actor, code, worksheet, release=bool(release))
    if attempt.refused:
        plan = worksheets.preview_worksheet(session, actor, code, worksheet)
        return _page(request, session, actor, code, plan, attempt.message, status=400)
    return see_other(f"/courses/{code}/grades?imported=1")
