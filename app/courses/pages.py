"""Catalogue and module pages (the course page, which also shows enrolment and webinars, is
the portal's). Rules live in the service; these parse and render."""

from typing import Annotated
from urllib.parse import quote

from fastapi import Query, Request
from fastapi.responses import Response, StreamingResponse

from app.accounts.deps import CurrentUser, PortalActor, SettingsDep, page_router
from app.core.db import SessionDep
from app.core.errors import NotFound
from app.core.i18n import N_
from app.core.inputs import Id
from app.core.storage import storage_for
from app.core.web import render, request_locale, see_other
from app.courses import extensions, policy
from app.courses.models import ModuleKind
from app.courses.service import completion, content, courses, programmes, translations
from app.courses.service.content import ModuleLocked, embed_url
from app.courses.service.neighbours import neighbours
from app.courses.service.visibility import Landing
from app.courses.web import course_or_sign_in, download_response, reader

router = page_router()


@router.get("/catalogue")
def catalogue(
    request: Request,
    session: SessionDep,
    actor: PortalActor,
    q: Annotated[str | None, Query(max_length=200)] = None,
    language: Annotated[str | None, Query(max_length=8)] = None,
    programme: Annotated[str | None, Query(max_length=32)] = None,
    open: bool = False,
    cursor: str | None = None,
) -> Response:
    found, next_cursor = courses.catalogue(
        session,
        actor,
        text=q,
        language=language or None,
        programme=programme or None,
        open_only=open,
        cursor=cursor,
    )
    context = {
        "courses": found,
        "next_cursor": next_cursor,
        "q": q or "",
        "language": language or "",
        "programme": programme or "",
        "open": open,
        "programmes": programmes.list_programmes(session, actor),
    }
    return render(request, "courses/catalogue.html", context)


@router.get("/courses/{code}/modules/{module_id}")
def module_page(
    request: Request,
    session: SessionDep,
    actor: PortalActor,
    code: str,
    module_id: Id,
    content_language: Annotated[str | None, Query(alias="content", max_length=8)] = None,
) -> Response:
    access = course_or_sign_in(session, actor, request, code)
    if isinstance(access, Response):
        return access
    if isinstance(access, Landing):  # not in a closed course: its landing page says how
        if actor.is_anonymous:
            return see_other(f"/courses/{code}")
        raise NotFound(N_("No such module."))
    actor, access = reader(request, actor, access)  # a staff member's preview as a student
    try:
        reading = translations.read_module_version(
            session,
            actor,
            module_id,
            interface=request_locale(request),
            requested=content_language,
            within=access,
        )
    except ModuleLocked as locked:
        context = {"course": access.course, "reasons": locked.reasons, "previewing": access.preview}
        return render(request, "courses/locked.html", context, status=403)
    module = reading.access.module
    context = {
        "course": access.course,
        "module": module,
        "version": reading.version,
        "languages": reading.languages,
        "done": reading.done,
        "around": neighbours(
            session, actor, reading.access, done=reading.done, language=request_locale(request)
        ),
        "tracks": policy.tracks_completion(actor, access.roles),
        "can_edit": policy.can_edit_course(actor, access.roles),
        "staff": policy.sees_drafts(actor, access.roles),
        "previewing": access.preview,
        "embed": embed_url(module.url) if module.kind is ModuleKind.VIDEO and module.url else None,
        # What higher domains add (a seminar's place, days and hours): app/courses/extensions.py
        **extensions.extras_for(session, actor, access.roles, module),
    }
    return render(request, "courses/module.html", context)


@router.post("/courses/{code}/modules/{module_id}/done")
def mark_done(
    session: SessionDep,
    actor: PortalActor,
    _user: CurrentUser,
    code: str,
    module_id: Id,
    content_language: Annotated[str | None, Query(alias="content", max_length=8)] = None,
) -> Response:
    completion.mark_done(session, actor, module_id, course_code=code)
    # Back to the version the reader chose (`content` is only ever a language code here).
    chosen = f"&content={quote(content_language)}" if content_language else ""
    return see_other(f"/courses/{code}/modules/{module_id}?done=1{chosen}")


@router.get("/modules/{module_id}/files/{name}")
def download(
    session: SessionDep, actor: PortalActor, settings: SettingsDep, module_id: Id, name: str
) -> StreamingResponse:
    attached = content.module_file(session, actor, module_id, name)
    return download_response(storage_for(settings), attached)
