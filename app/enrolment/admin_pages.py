"""Managers' cohort pages: intakes, their members (one by one or from a CSV list with a
per-row report) and the courses they are enrolled in."""

from typing import Annotated

from fastapi import File, Form, Request, UploadFile
from fastapi.responses import Response

from app.accounts.deps import CurrentUser, PortalActor, SettingsDep, page_router
from app.accounts.service import list_institutions
from app.core.db import SessionDep
from app.core.errors import NotFound
from app.core.forms import attempt_form
from app.core.i18n import N_
from app.core.inputs import Id
from app.core.web import render, see_other
from app.courses.service.courses import find_course
from app.enrolment import bulk, cohorts, intakes

router = page_router("/admin/cohorts")
FormText = Annotated[str, Form(max_length=320)]


def _list_page(
    request: Request,
    session: SessionDep,
    actor: PortalActor,
    form: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
) -> Response:
    context = {
        "cohorts": cohorts.list_cohorts(session, actor),
        "form": form or {},
        "errors": errors or {},
    }
    return render(request, "enrolment/admin_cohorts.html", context, 400 if errors else 200)


@router.get("")
def cohort_list(
    request: Request, session: SessionDep, actor: PortalActor, _user: CurrentUser
) -> Response:
    return _list_page(request, session, actor)


@router.post("")
def create_cohort(
    request: Request,
    session: SessionDep,
    actor: PortalActor,
    _user: CurrentUser,
    code: FormText = "",
    name: FormText = "",
) -> Response:
    form = {"code": code.strip(), "name": name.strip()}
    errors = {k: N_("This field is required.") for k, v in form.items() if not v}
    if errors:
        return _list_page(request, session, actor, form, errors)
    with attempt_form(request, session) as attempt:
        cohort = cohorts.create_cohort(session, actor, form["code"], form["name"])
    if attempt.refused:
        return _list_page(request, session, actor, form, attempt.errors)
    return see_other(f"/admin/cohorts/{cohort.id}")


def _cohort_page(
    request: Request,
    session: SessionDep,
    actor: PortalActor,
    cohort_id: Id,
    *,
    form: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
) -> Response:
    context = {
        "cohort": cohorts.get_cohort(session, actor, cohort_id),
        "members": cohorts.members(session, actor, cohort_id),
        "courses": cohorts.linked_courses(session, actor, cohort_id),
        "institutions": list_institutions(session, actor),
        "form": form or {},
        "errors": errors or {},
    }
    return render(request, "enrolment/admin_cohort.html", context, 400 if errors else 200)


@router.get("/{cohort_id}")
def cohort_page(
    request: Request, session: SessionDep, actor: PortalActor, _user: CurrentUser, cohort_id: Id
) -> Response:
    return _cohort_page(request, session, actor, cohort_id)


@router.post("/{cohort_id}/members")
def add_member(
    request: Request,
    session: SessionDep,
    actor: PortalActor,
    _user: CurrentUser,
    cohort_id: Id,
    email: FormText = "",
) -> Response:
    with attempt_form(request, session) as attempt:
        cohorts.add_member_by_email(session, actor, cohort_id, email)
    if attempt.refused:
        form = {"email": email}
        return _cohort_page(request, session, actor, cohort_id, form=form, errors=attempt.errors)
    return see_other(f"/admin/cohorts/{cohort_id}")


@router.post("/{cohort_id}/members/{user_id}/remove")
def remove_member(
    session: SessionDep, actor: PortalActor, _user: CurrentUser, cohort_id: Id, user_id: Id
) -> Response:
    cohorts.remove_member(session, actor, cohort_id, user_id)
    return see_other(f"/admin/cohorts/{cohort_id}")


@router.post("/{cohort_id}/courses")
def link_course(
    request: Request,
    session: SessionDep,
    actor: PortalActor,
    _user: CurrentUser,
    cohort_id: Id,
    course_code: FormText = "",
) -> Response:
    try:
        course = find_course(session, actor, course_code.strip()).course
    except NotFound:
        error = {"course_code": N_("No course has this code.")}
        form = {"course_code": course_code}
        return _cohort_page(request, session, actor, cohort_id, form=form, errors=error)
    cohorts.link_course(session, actor, cohort_id, course.id)
    return see_other(f"/admin/cohorts/{cohort_id}")


@router.post("/{cohort_id}/csv")
async def upload_members(
    request: Request,
    session: SessionDep,
    actor: PortalActor,
    _user: CurrentUser,
    cohort_id: Id,
    settings: SettingsDep,
    file: Annotated[UploadFile, File()],
    institution_code: FormText = "",
) -> Response:
    """The institution is chosen explicitly (no default); the kept report is shown next."""
    data = await file.read(bulk.MAX_CSV_BYTES + 1)
    if not institution_code.strip():
        errors = {"institution_code": bulk.ChooseInstitution.title}
        return _cohort_page(request, session, actor, cohort_id, errors=errors)
    with attempt_form(request, session) as attempt:
        rows = bulk.rows_from_upload(data, file.filename)
        intake = bulk.bulk_add_to_cohort(
            session, actor, cohort_id, rows, institution_code.strip(), settings=settings
        )
    if attempt.refused:
        form = {"institution_code": institution_code.strip()}
        return _cohort_page(request, session, actor, cohort_id, form=form, errors=attempt.errors)
    return see_other(f"/intakes/{intake.run.id}")


@router.get("/{cohort_id}/intakes")
def cohort_intakes(
    request: Request, session: SessionDep, actor: PortalActor, _user: CurrentUser, cohort_id: Id
) -> Response:
    cohort, runs = intakes.runs_of_cohort(session, actor, cohort_id)
    return render(request, "enrolment/intakes.html", {"cohort": cohort, "runs": runs})
