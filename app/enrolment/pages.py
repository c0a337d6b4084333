"""Enrolment pages: self-enrolment, the participants list with progress and the "enrol a
user" form, bulk enrolment from a partner's CSV file, the kept intakes with their per-row
reports (and CSV downloads), and the course's groups (project teams)."""

from typing import Annotated

from fastapi import File, Form, Request, UploadFile
from fastapi.responses import Response

from app.accounts.deps import CurrentUser, PortalActor, SettingsDep, page_router
from app.accounts.service import list_institutions
from app.core.db import SessionDep
from app.core.downloads import attachment_headers
from app.core.errors import Conflict, Forbidden, Invalid
from app.core.forms import attempt_form
from app.core.i18n import N_
from app.core.inputs import Id
from app.core.web import render, request_locale, see_other
from app.courses.service import completion
from app.courses.service.courses import find_course
from app.courses.service.visibility import find_listed_course
from app.enrolment import bulk, cohorts, intakes, policy, service
from app.membership.models import CourseRole, EnrolmentStatus

router = page_router()


def _page(
    request: Request, session: SessionDep, actor: PortalActor, code: str, **context: object
) -> Response:
    course = find_course(session, actor, code).course
    bulk.check_may_bulk_enrol(session, actor, course.id)
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
    settings: SettingsDep,
    actor: PortalActor,
    _user: CurrentUser,
    code: str,
    file: Annotated[UploadFile, File()],
    institution_code: Annotated[str, Form(max_length=32)] = "",
) -> Response:
    """The institution is chosen explicitly (no default); the kept report is shown next."""
    data = await file.read(bulk.MAX_CSV_BYTES + 1)
    chosen = institution_code.strip()
    if not chosen:
        errors = {"institution_code": bulk.ChooseInstitution.title}
        return _page(request, session, actor, code, error=errors["institution_code"], errors=errors)
    with attempt_form(request, session) as attempt:
        course = find_course(session, actor, code).course
        rows = bulk.rows_from_upload(data, file.filename)
        intake = bulk.bulk_enrol(session, actor, course.id, rows, chosen, settings=settings)
    if attempt.refused:
        return _page(
            request,
            session,
            actor,
            code,
            error=attempt.message,
            errors=attempt.errors,
            chosen=chosen,
        )
    return see_other(f"/intakes/{intake.run.id}")


@router.get("/courses/{code}/intakes")
def course_intakes(
    request: Request, session: SessionDep, actor: PortalActor, _user: CurrentUser, code: str
) -> Response:
    course, runs = intakes.runs_of_course(session, actor, code)
    return render(request, "enrolment/intakes.html", {"course": course, "runs": runs})


@router.get("/intakes/{run_id}")
def intake_report(
    request: Request, session: SessionDep, actor: PortalActor, _user: CurrentUser, run_id: Id
) -> Response:
    report = intakes.get_report(session, actor, run_id)
    context = {"report": report, "reason_of": intakes.reader(request_locale(request))}
    return render(request, "enrolment/intake.html", context)


@router.get("/intakes/{run_id}/report.csv")
def intake_report_csv(
    request: Request, session: SessionDep, actor: PortalActor, _user: CurrentUser, run_id: Id
) -> Response:
    text, name = intakes.report_csv(session, actor, run_id, request_locale(request))
    return Response(text, media_type="text/csv; charset=utf-8", headers=attachment_headers(name))


@router.post("/intakes/{run_id}/rows/{row_id}/invitation")
def resend_invitation(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    actor: PortalActor,
    _user: CurrentUser,
    run_id: Id,
    row_id: Id,
) -> Response:
    """Send the person of a report's row a new invitation (the earlier link stops working)."""
    with attempt_form(request, session) as attempt:
        intakes.resend_invitation(session, actor, settings, run_id, row_id)
    if attempt.refused:
        return see_other(f"/intakes/{run_id}?invitation_error={attempt.code}")
    return see_other(f"/intakes/{run_id}?invited={row_id}")


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
    people = service.visible_participants(session, actor, access.course.id)
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
    with attempt_form(request, session) as attempt:
        cohorts.create_group(session, actor, course.id, name)
    if attempt.refused:
        return _groups(request, session, actor, code, attempt.message)
    return see_other(f"/courses/{code}/groups")


@router.post("/courses/{code}/groups/{group_id}/members")
def change_member(
    request: Request,
    session: SessionDep,
    actor: PortalActor,
    _user: CurrentUser,
    code: str,
    group_id: Id,
    user_id: Annotated[Id, Form()],
    action: Annotated[str, Form()] = "add",
) -> Response:
    with attempt_form(request, session) as attempt:
        cohorts.set_group_member(session, actor, group_id, user_id, member=action == "add")
    if attempt.refused:
        return _groups(request, session, actor, code, attempt.message)
    return see_other(f"/courses/{code}/groups")


@router.post("/courses/{code}/enrol")
def enrol_myself(
    request: Request,
    session: SessionDep,
    actor: PortalActor,
    _user: CurrentUser,
    code: str,
    key: Annotated[str, Form(max_length=200)] = "",
) -> Response:
    course = find_listed_course(session, actor, code).course
    with attempt_form(request, session, (Conflict, Forbidden, Invalid)) as attempt:
        service.self_enrol(session, actor, course.id, key or None)
    if attempt.refused:
        return see_other(f"/courses/{code}?enrol_error={attempt.code}")
    return see_other(f"/courses/{code}?enrolled=1")


def _participants(
    request: Request,
    session: SessionDep,
    actor: PortalActor,
    code: str,
    form: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
) -> Response:
    access = find_course(session, actor, code)
    people = service.participants(session, actor, access.course.id)
    progress = completion.progress_of_people(
        session, access.course.id, [user.id for _, user in people]
    )
    context = {
        "course": access.course,
        "people": people,
        "progress": progress,
        "can_enrol": policy.can_enrol_others(actor, access.roles),
        "roles": list(CourseRole),
        "statuses": list(EnrolmentStatus),
        "form": form or {"role": CourseRole.STUDENT.value},
        "errors": errors or {},
    }
    return render(request, "enrolment/participants.html", context, 400 if errors else 200)


@router.get("/courses/{code}/participants")
def participants_page(
    request: Request, session: SessionDep, actor: PortalActor, _user: CurrentUser, code: str
) -> Response:
    return _participants(request, session, actor, code)


@router.post("/courses/{code}/participants")
def enrol_participant(
    request: Request,
    session: SessionDep,
    actor: PortalActor,
    _user: CurrentUser,
    code: str,
    email: Annotated[str, Form(max_length=320)] = "",
    role: Annotated[str, Form(max_length=20)] = CourseRole.STUDENT.value,
) -> Response:
    course = find_course(session, actor, code).course
    form = {"email": email, "role": role}
    if role not in CourseRole.__members__.values():
        return _participants(request, session, actor, code, form, {"role": N_("Choose a role.")})
    with attempt_form(request, session) as attempt:
        service.enrol_by_email(session, actor, course.id, email.strip(), CourseRole(role))
    if attempt.refused:
        return _participants(request, session, actor, code, form, {"email": attempt.message})
    return see_other(f"/courses/{code}/participants?enrolled=1")


@router.post("/courses/{code}/enrolments/{enrolment_id}/status")
def change_enrolment_status(
    session: SessionDep,
    actor: PortalActor,
    _user: CurrentUser,
    code: str,
    enrolment_id: Id,
    status: Annotated[EnrolmentStatus, Form()],
) -> Response:
    service.change_status(session, actor, enrolment_id, status, "changed in the portal")
    return see_other(f"/courses/{code}/participants")
