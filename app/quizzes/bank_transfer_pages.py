"""Importing questions into the bank from a file (upload, a preview of what will be made,
then apply; a refused file writes nothing) and exporting them as an attachment."""

import base64
import binascii
from typing import Annotated, Literal

from fastapi import File, Form, Query, Request, UploadFile
from fastapi.responses import Response
from sqlalchemy.orm import Session

from app.accounts.deps import CurrentUser, PortalActor, page_router
from app.core.actors import Actor
from app.core.db import SessionDep
from app.core.forms import attempt_form
from app.core.inputs import Id
from app.core.web import render, see_other
from app.quizzes.bank_api import attachment
from app.quizzes.service import transfer
from app.quizzes.service.bank_access import bank_by_code
from app.quizzes.service.transfer import ImportOutcome

router = page_router()
# The file travels back with the preview, base64 in a hidden field: 4/3 of the size limit.
Carried = Annotated[str, Form(max_length=transfer.MAX_IMPORT_BYTES * 4 // 3 + 8)]


def _page(
    request: Request,
    session: Session,
    actor: Actor,
    code: str,
    outcome: ImportOutcome | None = None,
    carried: str = "",
    fmt: str = "auto",
    errors: dict[str, str] | None = None,
) -> Response:
    found = bank_by_code(session, actor, code, write=True)
    context = {
        "course": found.course, "outcome": outcome, "carried": carried, "format": fmt,
        "errors": errors or {},
    }  # fmt: skip
    return render(request, "quizzes/bank_import.html", context, 400 if errors else 200)


@router.get("/courses/{code}/questions/import")
def import_form(
    request: Request, session: SessionDep, actor: PortalActor, _user: CurrentUser, code: str
) -> Response:
    return _page(request, session, actor, code)


def _data(file: UploadFile | None, carried: str) -> tuple[bytes, str]:
    if file is not None and file.filename:
        return file.file.read(transfer.MAX_IMPORT_BYTES + 1), file.filename
    try:
        return base64.b64decode(carried.encode(), validate=True), ""
    except (binascii.Error, ValueError):
        return b"", ""


@router.post("/courses/{code}/questions/import")
def import_questions(
    request: Request,
    session: SessionDep,
    actor: PortalActor,
    _user: CurrentUser,
    code: str,
    file: Annotated[UploadFile | None, File()] = None,
    carried: Carried = "",
    format: Annotated[Literal["auto", "xml", "gift"], Form()] = "auto",
    apply: Annotated[str, Form(max_length=1)] = "",
) -> Response:
    found = bank_by_code(session, actor, code, write=True)
    data, name = _data(file, carried)
    fmt = transfer.guess_format(name, data) if format == "auto" else format
    with attempt_form(request, session) as attempt:
        outcome = transfer.import_questions(
            session, actor, found.course.id, data, fmt, apply=apply == "1"
        )
    if attempt.refused:
        return _page(request, session, actor, code, fmt=format, errors=attempt.errors)
    if outcome.applied:
        return see_other(f"/courses/{code}/questions")
    kept = base64.b64encode(data).decode()
    return _page(request, session, actor, code, outcome, kept, fmt)


@router.get("/courses/{code}/questions/export")
def export_questions(
    session: SessionDep,
    actor: PortalActor,
    _user: CurrentUser,
    code: str,
    format: Annotated[Literal["xml", "gift"], Query()] = "xml",
    category: Annotated[Id | None, Query()] = None,
) -> Response:
    found = bank_by_code(session, actor, code)
    name, media_type, text = transfer.export_questions(
        session, actor, found.course.id, format, category
    )
    return attachment(name, media_type, text)
