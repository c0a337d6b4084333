"""What the gradebook set-up page shows: the course's categories and items, the course
total's settings and the scales to choose from, for those who set the gradebook up."""

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy.orm import Session

from app.core.actors import Actor, require
from app.core.errors import NotFound
from app.core.i18n import N_
from app.courses.service.courses import find_course
from app.grades import policy
from app.grades.models import Scale
from app.grades.service import scales, setup


@dataclass(frozen=True)
class SetupView:
    book: setup.Gradebook
    scales: Sequence[Scale]
    may_unlock: bool


def setup_view(session: Session, actor: Actor, code: str) -> SetupView:
    """The set-up of a course the actor takes part in or manages (404 otherwise) and may set
    up (403 otherwise)."""
    access = find_course(session, actor, code)
    require(policy.knows_gradebook(actor, access.roles), NotFound, N_("No such course."))
    require(policy.can_manage_gradebook(actor, access.roles))
    book = setup.gradebook(session, actor, access.course.id)
    return SetupView(book, scales.list_scales(session, actor), policy.can_unlock(actor))


def course_id_for(session: Session, actor: Actor, code: str) -> int:
    """The id of a course the actor may see, by code (404 otherwise)."""
    return find_course(session, actor, code).course.id
