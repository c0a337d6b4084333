"""Helpers the course pages share: a course, its landing page or the sign-in page, who reads
it (a staff member's preview as a student), and serving a module's stored
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
from app.courses.service import courses, visibility


def course_or_sign_in(
    session: Session, actor: Actor, request: Request, code: str
) -> courses.CourseAccess | visibility.Landing | Response:
    """The course by its code; for someone who may not read it, its landing page when it has
    one (a published closed course), else an anonymous visitor is sent to sign in."""
    try:
        return courses.find_course(session, actor, code)
    except NotFound:
        landing = visibility.landing(session, actor, code)
        if landing is not None:
            return landing
        if actor.is_anonymous:
            return see_other(f"/login?next={request.url.path}")
        raise


PREVIEW_QUERY = "preview=student"


def reader(
    request: Request, actor: Actor, access: courses.CourseAccess
) -> tuple[Actor, courses.CourseAccess]:
    """Who reads the page: with `?preview=student`, staff read it as a student with no
    progress would (the service derives that reader; anyone else stays themselves)."""
    if request.query_params.get("preview") != "student":
        return actor, access
    return courses.preview_as_student(actor, access)


def download_response(storage: Storage, attached: ModuleFile) -> StreamingResponse:
    stored = attached.content
    return stored_file_response(
        storage, stored.sha256, attached.name, stored.media_type, stored.size
    )
