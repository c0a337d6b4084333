"""Lists of applications, a page at a time in a constant number of queries: the learner's
own, those a person sits on as a jury member, and those a registrar keeps."""

from collections.abc import Sequence
from enum import StrEnum

from sqlalchemy import Select, or_, select
from sqlalchemy.orm import Session, selectinload

from app.accounts.models import User
from app.core.actors import Actor, require
from app.core.errors import Forbidden
from app.core.pagination import paginate
from app.courses.models import programme_institutions
from app.credits import policy
from app.credits.recognition_models import (
    ApplicationStatus,
    RecognitionApplication,
    RecognitionJuryMember,
)
from app.membership.policy import in_reached_institution


class Listing(StrEnum):
    MINE = "mine"
    JURY = "jury"
    REGISTRAR = "registrar"


def _base() -> Select[RecognitionApplication]:
    return select(RecognitionApplication).options(
        selectinload(RecognitionApplication.learner),
        selectinload(RecognitionApplication.programme),
        selectinload(RecognitionApplication.requests),
    )


def _registrar_filter(
    actor: Actor, stmt: Select[RecognitionApplication]
) -> Select[RecognitionApplication]:
    """The SQL form of the registrar's reach in `policy.sees_recognition_application`."""
    if not actor.is_confined:
        return stmt
    awarded = select(programme_institutions.c.programme_id).where(
        in_reached_institution(actor, programme_institutions.c.institution_id)
    )
    learners = select(User.id).where(in_reached_institution(actor, User.institution_id))
    return stmt.where(
        or_(
            RecognitionApplication.programme_id.in_(awarded),
            RecognitionApplication.user_id.in_(learners),
        )
    )


def applications(
    session: Session, actor: Actor, listing: Listing, cursor: str | None, limit: int,
    status: ApplicationStatus | None = None,
) -> tuple[Sequence[RecognitionApplication], str | None]:  # fmt: skip
    """One page of the applications of `listing`, oldest first, and the next page's cursor."""
    require(policy.reads_recognition(actor), Forbidden)
    stmt = _base()
    if listing is Listing.MINE:
        stmt = stmt.where(RecognitionApplication.user_id == actor.user_id)
    else:
        stmt = stmt.where(RecognitionApplication.submitted_at.is_not(None))
    if listing is Listing.JURY:
        sits = select(RecognitionJuryMember.application_id).where(
            RecognitionJuryMember.user_id == actor.user_id
        )
        stmt = stmt.where(RecognitionApplication.id.in_(sits))
    if listing is Listing.REGISTRAR:
        require(policy.lists_recognition_as_registrar(actor), Forbidden)
        stmt = _registrar_filter(actor, stmt)
    if status is not None:
        stmt = stmt.where(RecognitionApplication.status == status)
    return paginate(session, stmt, RecognitionApplication.id, cursor, limit)


def sits_on_a_jury(session: Session, user_id: int | None) -> bool:
    """Whether the person is a member of any recognition jury (their pages link the jury's)."""
    if user_id is None:
        return False
    found = session.scalar(
        select(RecognitionJuryMember.id).where(RecognitionJuryMember.user_id == user_id).limit(1)
    )
    return found is not None
