"""The history of a course's edits: every service that changes a course or its content
records one entry, in the same transaction as the change (so a refused change leaves none)."""

from sqlalchemy.orm import Session

from app.core.actors import Actor
from app.courses.models import Course, CourseEdit


def record_edit(session: Session, actor: Actor, course: Course, action: str, subject: str) -> None:
    """`action` is a stable code such as `module.updated`; `subject` names what changed (a
    module's or section's title), as it read at the time."""
    session.add(
        CourseEdit(
            course_id=course.id,
            actor_user_id=actor.user_id,
            actor_client_id=actor.api_client_id,
            action=action,
            subject=subject[:300],
            version=course.version,
        )
    )


def record_visibility(
    session: Session,
    actor: Actor,
    course: Course,
    noun: str,
    subject: str,
    hidden: tuple[bool, bool],
    published: tuple[bool, bool] = (True, True),
) -> None:
    """Record what a change did to who sees a module or section (`noun`): hidden or shown
    (`hidden` is the flag before and after), a draft published or a module made a draft
    again (`published` likewise)."""
    was_hidden, is_hidden = hidden
    if was_hidden != is_hidden:
        record_edit(session, actor, course, f"{noun}.{'hidden' if is_hidden else 'shown'}", subject)
    if published[0] != published[1]:
        action = "published" if published[1] else "unpublished"  # back to a draft
        record_edit(session, actor, course, f"{noun}.{action}", subject)


# Fields whose change `record_visibility` records (hide, show, publish) and placement.
_VISIBILITY_FIELDS = frozenset({"hidden", "status"})
_PLACEMENT_FIELDS = frozenset({"position", "section_id"})


def record_update(
    session: Session, actor: Actor, course: Course, noun: str, subject: str, fields: set[str]
) -> None:
    """Record an update of a module or section (`noun`) from the fields it was given:
    `….updated` when its content or settings changed, `….moved` when it was only moved;
    nothing for a change of visibility alone (`record_visibility` records that)."""
    if fields - _VISIBILITY_FIELDS - _PLACEMENT_FIELDS:
        record_edit(session, actor, course, f"{noun}.updated", subject)
    elif fields & _PLACEMENT_FIELDS:
        record_edit(session, actor, course, f"{noun}.moved", subject)
