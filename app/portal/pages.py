"""Pages that compose several domains: the home page (for a signed-in user, the dashboard)
and the course page (the course, the reader's enrolment or the self-enrolment form, and the
webinars ahead). What each reader gets is `app.portal.service`'s to decide."""

from fastapi import Request
from fastapi.responses import Response

from app.accounts.deps import PortalActor, page_router
from app.core.db import SessionDep
from app.core.web import render, request_locale
from app.courses.service.visibility import Landing
from app.courses.web import course_or_sign_in, outline_renderer, reader
from app.enrolment.service import SELF_ENROLMENT_REFUSALS
from app.portal import service

router = page_router()


@router.get("/")
def home(request: Request, session: SessionDep, actor: PortalActor) -> Response:
    dashboard = service.dashboard(session, actor)
    return render(request, "portal/home.html", vars(dashboard))


@router.get("/courses/{code}")
def course_page(request: Request, session: SessionDep, actor: PortalActor, code: str) -> Response:
    access = course_or_sign_in(session, actor, request, code)
    if isinstance(access, Response):
        return access
    refusal = SELF_ENROLMENT_REFUSALS.get(request.query_params.get("enrol_error", ""))
    if isinstance(access, Landing):  # a closed course: what it is and how to join it
        landing = service.course_landing(session, actor, access)
        context = {
            **vars(landing),
            "course": access.course,
            "enrolled": False,
            "can_edit": False,
            "enrol_refusal": refusal,
            "signed_in": not actor.is_anonymous,
        }
        return render(request, "courses/landing.html", context)
    actor, access = reader(request, actor, access)  # a staff member's preview as a student
    locale = request_locale(request)
    overview = service.course_overview(session, actor, access, locale)
    memo = overview.outline_memo
    context = {
        **vars(overview),
        "course": access.course,
        "enrol_refusal": refusal,
        "signed_in": not actor.is_anonymous,
        "outline": outline_renderer(
            None if memo is None else memo.setdefault((locale, access.preview), {})
        ),
    }
    return render(request, "courses/course.html", context)
