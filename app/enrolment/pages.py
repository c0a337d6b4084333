"""Enrolment pages: bulk enrolment from a partner's CSV file with its per-row report, and the
course's groups (project teams)."""

from typing import Annotated

from fastapi import File, Form, Request, UploadFile
from fastapi.responses import Response

from app.accounts.deps import CurrentUser, PortalActor, page_router
from app.accounts.service import list_institutions
from app.core.db import SessionDep
from app.core.errors import Conflict, Invalid
from app.core.i18n import N_
from app.core.web import render, see_other
from app.courses.service.courses import find_course
from app.enrolment import bulk, cohorts, policy, service

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


@router.get("/courses/{code}/groups")
def groups_page(
    request: Request, session: SessionDep, actor: PortalActor, _user: CurrentUser, code: str
) -> Response:
    return _groups(request, session, actor, code)


def _groups(
    request: Request, session: SessionDep, actor: PortalActor, code: str, error: str | None = None
) -> Response:
    access = find_course(session, actor, code)
    roles = access.roles
    can_manage = policy.can_manage_groups(actor, roles)
    people = (
        {user.id: user for _, user in service.participants(session, actor, access.course.id)}
        if policy.can_see_participants(actor, roles)
        else {}
    )
    context = {
        "course": access.course,
        "groups": cohorts.groups_of(session, actor, access.course.id),
        "people": people,
        "names": cohorts.group_member_names(session, actor, access.course.id),
        "can_manage": can_manage,
        "error": error,
    }
    return render(request, "enrolment/groups.html", context, status=400 if error else 200)


@router.post("/courses/{code}/groups")
def create_group(
    request: Request,
    session: SessionDep,
    actor: PortalActor,
    _user: CurrentUser,
    code: str,
    name: Annotated[str, Form(max_length=200)] = "",
) -> Response:
    course = find_course(session, actor, code).course
    if not name.strip():
        return _groups(request, session, actor, code, N_("Give the group a name."))
    try:
        cohorts.create_group(session, actor, course.id, name.strip())
    except (Conflict, Invalid) as error:
        return _groups(request, session, actor, code, error.detail)
    return see_other(f"/courses/{code}/groups")


@router.post("/courses/{code}/groups/{group_id}/members")
def change_member(
    request: Request,
    session: SessionDep,
    actor: PortalActor,
    _user: CurrentUser,
    code: str,
    group_id: int,
    user_id: Annotated[int, Form()],
    action: Annotated[str, Form()] = "add",
) -> Response:
    try:
        cohorts.set_group_member(session, actor, group_id, user_id, member=action == "add")
    except Invalid as error:
        return _groups(request, session, actor, code, error.detail)
    return see_other(f"/courses/{code}/groups")
