"""Helpers the course pages share: a course or the sign-in page, and serving a module's stored
files (through the one download helper of `app.core`)."""

from fastapi import Request
from fastapi.responses import Response, StreamingResponse
from sqlalchemy.orm import Session

from app.core.actors import Actor
from app.core.downloads import stored_file_response
from app.core.errors import NotFound
from app.core.storage import Storage
from app.core.web import see_other
from app.courses.models import ModuleFile
from app.courses.service import courses


def course_or_sign_in(
    session: Session, actor: Actor, request: Request, code: str
) -> courses.CourseAccess | Response:
    """The course by its code; an anonymous visitor of a hidden course is sent to sign in."""
    try:
        return courses.find_course(session, actor, code)
    except NotFound:
        if actor.is_anonymous:
            return see_other(f"/login?next={request.url.path}")
        raise


def download_response(storage: Storage, attached: ModuleFile) -> StreamingResponse:
    stored = attached.content
    return stored_file_response(
        storage, stored.sha256, attached.name, stored.media_type, stored.size
    )
