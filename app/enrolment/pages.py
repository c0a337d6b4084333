"""Bulk enrolment from a partner's CSV file, in the portal, with the per-row report."""

from typing import Annotated

from fastapi import File, Form, Request, UploadFile
from fastapi.responses import Response

from app.accounts.deps import CurrentUser, PortalActor, page_router
from app.accounts.service import list_institutions
from app.core.db import SessionDep
from app.core.errors import Invalid
from app.core.web import render
from app.courses.service.courses import find_course
from app.enrolment import bulk

router = page_router()
MAX_CSV_BYTES = 2 * 1024 * 1024


def _page(
    request: Request, session: SessionDep, actor: PortalActor, code: str, **context: object
) -> Response:
    course = find_course(session, actor, code).course
    return render(
        request,
        "enrolment/bulk.html",
        {"course": course, "institutions": list_institutions(session, actor), **context},
        status=400 if context.get("error") else 200,
    )


@router.get("/courses/{code}/bulk-enrol")
def bulk_form(
    request: Request, session: SessionDep, actor: PortalActor, _user: CurrentUser, code: str
) -> Response:
    return _page(request, session, actor, code)


@router.post("/courses/{code}/bulk-enrol")
async def bulk_upload(
    request: Request,
    session: SessionDep,
    actor: PortalActor,
    _user: CurrentUser,
    code: str,
    file: Annotated[UploadFile, File()],
    institution_code: Annotated[str, Form()] = "",
) -> Response:
    data = await file.read(MAX_CSV_BYTES + 1)
    try:
        if len(data) > MAX_CSV_BYTES:
            raise Invalid("The CSV file is larger than 2 MB.", field="file")
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise Invalid("Save the file as UTF-8 CSV.", field="file") from exc
        course = find_course(session, actor, code).course
        report = bulk.bulk_enrol(
            session, actor, course.id, bulk.rows_from_csv(text), institution_code or None
        )
    except Invalid as error:
        return _page(request, session, actor, code, error=error.detail)
    return _page(request, session, actor, code, report=report)
