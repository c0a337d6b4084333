"""Helpers the course pages share: a course, its landing page or the sign-in page, who reads
it (a staff member's preview as a student), the outline's HTML kept per course version, and
serving a module's stored files (through the one download helper of `app.core`)."""

from collections.abc import Callable, Hashable, Sequence
from typing import Any

from fastapi import Request
from fastapi.responses import Response, StreamingResponse
from markupsafe import Markup
from sqlalchemy.orm import Session

from app.core.actors import Actor
from app.core.downloads import stored_file_response
from app.core.errors import NotFound
from app.core.storage import Storage
from app.core.web import see_other
from app.courses.models import ModuleFile
from app.courses.schemas import SectionOutline
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


def outline_renderer(memo: dict[Hashable, Any] | None) -> Callable[..., Markup]:
    """`outline(sections, module_sessions, section_head, module_item)` in the course page: the
    outline is the same for every reader of a course version but for each module's tick, so
    each section's head and each module in both states are rendered once and kept in `memo`
    (its owner drops it with the version); a locked module, or one showing its sessions, is
    rendered for its reader. Without a memo everything is rendered. The loop is here rather
    than in the template: a Jinja loop calling a helper per module cost a tenth of the page."""

    def kept(key: Hashable, macro: Callable[..., str], *args: Any) -> str:
        if memo is None:
            return macro(*args)
        found = memo.get(key)
        if found is None:
            found = memo[key] = str(macro(*args))
        return str(found)

    def outline(
        sections: Sequence[SectionOutline],
        module_sessions: dict[int, list[Any]],
        section_head: Callable[..., str],
        module_item: Callable[..., str],
    ) -> Markup:
        parts: list[str] = []
        for section in sections:
            parts.append(kept(("section", section.id), section_head, section))
            for module in section.modules:
                if module.locked or module.id in module_sessions:
                    parts.append(module_item(module, module_sessions.get(module.id, [])))
                else:
                    key = ("module", module.id, module.completed)
                    parts.append(kept(key, module_item, module, []))
            parts.append("  </ul>\n</section>\n")
        return Markup("".join(parts))

    return outline
