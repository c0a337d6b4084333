"""Managers' pages for programmes (list, create, publish) and for creating a course.
Rules are the service's; these parse forms and render."""

from typing import Annotated

from fastapi import Form, Request
from fastapi.responses import Response

from app.accounts.deps import CurrentUser, PortalActor, page_router
from app.accounts.service import list_institutions
from app.core.db import SessionDep
from app.core.forms import attempt_form
from app.core.web import render, see_other
from app.courses.models import ProgrammeKind, SelfEnrolment
from app.courses.schemas import CourseCreate, ProgrammeCreate
from app.courses.service import courses, programmes

router = page_router("/admin")
FormText = Annotated[str, Form(max_length=5000)]


def _words(text: str) -> list[str]:
    return [word for word in text.replace(",", " ").split() if word]


def _programmes_page(
    request: Request,
    session: SessionDep,
    actor: PortalActor,
    form: dict[str, object] | None = None,
    errors: dict[str, str] | None = None,
) -> Response:
    context = {
        "programmes": programmes.programmes_to_manage(session, actor),
        "institutions": list_institutions(session, actor),
        "kinds": [kind.value for kind in ProgrammeKind],
        "form": form or {"kind": ProgrammeKind.MASTER.value, "languages": "en"},
        "errors": errors or {},
    }
    return render(request, "courses/admin_programmes.html", context, 400 if errors else 200)


@router.get("/programmes")
def programme_list(
    request: Request, session: SessionDep, actor: PortalActor, _user: CurrentUser
) -> Response:
    return _programmes_page(request, session, actor)


@router.post("/programmes")
def create_programme(
    request: Request,
    session: SessionDep,
    actor: PortalActor,
    _user: CurrentUser,
    code: FormText = "",
    title: FormText = "",
    kind: FormText = "",
    eqf_level: FormText = "",
    ects: FormText = "0",
    languages: FormText = "en",
    institutions: Annotated[list[str] | None, Form()] = None,
    course_codes: FormText = "",
) -> Response:
    form: dict[str, object] = {
        "code": code, "title": title, "kind": kind, "eqf_level": eqf_level, "ects": ects,
        "languages": languages, "institutions": institutions or [], "course_codes": course_codes,
    }  # fmt: skip
    typed = {
        **form,
        "eqf_level": eqf_level or None,
        "languages": _words(languages),
        "courses": [{"code": c, "position": i} for i, c in enumerate(_words(course_codes))],
    }
    del typed["course_codes"]
    with attempt_form(request, session) as attempt:
        programmes.create_programme(session, actor, ProgrammeCreate.model_validate(typed))
    if attempt.refused:
        errors = attempt.errors
        if "courses" in errors:
            errors["course_codes"] = errors.pop("courses")
        return _programmes_page(request, session, actor, form, errors)
    return see_other("/admin/programmes?created=1")


@router.post("/programmes/{code}/publish")
def publish_programme(
    request: Request, session: SessionDep, actor: PortalActor, _user: CurrentUser, code: str
) -> Response:
    with attempt_form(request, session) as attempt:
        programmes.publish_programme(session, actor, code)
    if attempt.refused:
        return _programmes_page(request, session, actor, errors={"publish": attempt.message})
    return see_other("/admin/programmes?published=1")


def _course_form(
    request: Request,
    session: SessionDep,
    actor: PortalActor,
    form: dict[str, object] | None = None,
    errors: dict[str, str] | None = None,
) -> Response:
    courses.check_may_create_course(actor)
    context = {
        "institutions": list_institutions(session, actor),
        "modes": [mode.value for mode in SelfEnrolment],
        "form": form or {"language": "en", "self_enrolment": SelfEnrolment.CLOSED.value},
        "errors": errors or {},
    }
    return render(request, "courses/admin_new_course.html", context, 400 if errors else 200)


@router.get("/courses/new")
def new_course(
    request: Request, session: SessionDep, actor: PortalActor, _user: CurrentUser
) -> Response:
    return _course_form(request, session, actor)


@router.post("/courses/new")
def create_course(
    request: Request,
    session: SessionDep,
    actor: PortalActor,
    _user: CurrentUser,
    code: FormText = "",
    title: FormText = "",
    summary: FormText = "",
    language: FormText = "en",
    ects: FormText = "0",
    workload_hours: FormText = "0",
    institution_code: FormText = "",
    self_enrolment: FormText = "closed",
    starts_on: FormText = "",
    ends_on: FormText = "",
) -> Response:
    form: dict[str, object] = {
        "code": code, "title": title, "summary": summary, "language": language, "ects": ects,
        "workload_hours": workload_hours, "institution_code": institution_code,
        "self_enrolment": self_enrolment, "starts_on": starts_on, "ends_on": ends_on,
    }  # fmt: skip
    typed = {name: (value or None) for name, value in form.items()}
    typed["summary"] = summary
    with attempt_form(request, session) as attempt:
        course = courses.create_course(session, actor, CourseCreate.model_validate(typed))
    if attempt.refused:
        return _course_form(request, session, actor, form, attempt.errors)
    return see_other(f"/courses/{course.code}/edit?created=1")
