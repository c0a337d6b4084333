"""Reading a learner's ledger: what is in force with its total, the whole history page by
page, and the registrars' search for learners. Each read asks the credits policy first; a
learner outside the reader's reach does not exist for them."""

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.accounts.models import User
from app.core.actors import Actor, require
from app.core.errors import NotFound
from app.core.i18n import N_
from app.core.pagination import paginate
from app.credits import policy
from app.credits.models import CreditEntry
from app.credits.service import ledger
from app.membership.policy import in_reached_institution

SEARCH_LIMIT = 20


@dataclass(frozen=True)
class Standing:
    """A learner's entries in force and the credits they add up to."""

    learner: User
    entries: list[CreditEntry]
    total: Decimal


def known_learner(session: Session, actor: Actor, user_id: int) -> User:
    """The learner, if the actor may know their credits exist (404 otherwise)."""
    learner = session.get(User, user_id)
    if learner is None or not policy.knows_learner(actor, learner.id, learner.institution_id):
        raise NotFound(N_("No such learner."))
    return learner


def readable_learner(session: Session, actor: Actor, user_id: int) -> User:
    """The learner whose credits the actor may read (404 unknown, 403 known but not allowed)."""
    learner = known_learner(session, actor, user_id)
    require(policy.can_read_credits(actor, learner.id, learner.institution_id))
    return learner


def standing(session: Session, actor: Actor, user_id: int) -> Standing:
    """The learner's entries in force (each course or unit once) and their total credits."""
    learner = readable_learner(session, actor, user_id)
    entries = ledger.in_force(session, [learner.id])[learner.id]
    return Standing(learner, entries, sum((e.credits for e in entries), Decimal(0)))


def history_page(
    session: Session, actor: Actor, user_id: int, cursor: str | None, limit: int
) -> tuple[Sequence[CreditEntry], str | None]:
    """Every entry of the learner's ledger, oldest first (awards, corrections, revocations),
    a page at a time."""
    learner = readable_learner(session, actor, user_id)
    stmt = select(CreditEntry).where(CreditEntry.user_id == learner.id)
    return paginate(session, stmt, CreditEntry.id, cursor, limit)


def superseded_ids(session: Session, entry_ids: Sequence[int]) -> set[int]:
    """Which of these entries a later entry corrects or revokes (one query)."""
    if not entry_ids:
        return set()
    return set(
        session.scalars(
            select(CreditEntry.supersedes_id).where(CreditEntry.supersedes_id.in_(entry_ids))
        )
    )


def authors(session: Session, entries: Sequence[CreditEntry]) -> dict[int, User]:
    """The people who wrote these entries, by id (one query)."""
    ids = {e.by_user_id for e in entries if e.by_user_id is not None}
    if not ids:
        return {}
    return {u.id: u for u in session.scalars(select(User).where(User.id.in_(ids)))}


def search_learners(session: Session, actor: Actor, search: str) -> Sequence[User]:
    """People within the registrar's reach whose email or name contains the text (at most
    twenty, by name)."""
    require(policy.keeps_credit_records(actor))
    stmt = select(User).where(in_reached_institution(actor, User.institution_id))
    if search:
        pattern = f"%{search.lower()}%"
        stmt = stmt.where(
            func.lower(User.email).like(pattern) | func.lower(User.display_name).like(pattern)
        )
    return session.scalars(stmt.order_by(User.display_name, User.id).limit(SEARCH_LIMIT)).all()
