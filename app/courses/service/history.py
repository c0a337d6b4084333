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
