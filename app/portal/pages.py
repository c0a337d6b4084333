"""Pages that compose several domains: the home page and, for a signed-in user, the dashboard."""

from fastapi import Request
from fastapi.responses import Response

from app.accounts.deps import PortalActor, page_router
from app.core.db import SessionDep
from app.core.web import render
from app.courses.service import agenda, completion, courses
from app.webinars import service as webinars

router = page_router()


@router.get("/")
def home(request: Request, session: SessionDep, actor: PortalActor) -> Response:
    mine = courses.my_courses(session, actor)
    progress = (
        completion.progress_by_course(session, actor.user_id, [m.course.id for m in mine])
        if actor.user_id is not None
        else {}
    )
    next_steps, dates_ahead = (
        agenda.agenda(session, actor.user_id, mine) if actor.user_id is not None else ({}, [])
    )
    if actor.user_id is not None:
        dates_ahead = sorted(
            [*dates_ahead, *webinars.dates_ahead(session, actor.user_id)], key=lambda d: d.at
        )
    context = {
        "my_courses": mine,
        "progress": progress,
        "next_steps": next_steps,
        "dates_ahead": dates_ahead,
    }
    return render(request, "portal/home.html", context)
