"""What the privacy pages show: a person's own privacy page, and an officer's view of a person
(their waiting request, whether they were erased, whether the officer may erase them)."""

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.accounts.models import User
from app.core.actors import Actor
from app.membership.policy import in_reached_institution
from app.privacy import policy
from app.privacy.models import ErasureRequest
from app.privacy.service import access
from app.privacy.service.requests import carried_out, pending_of

FOUND_AT_MOST = 20


@dataclass(frozen=True)
class MyPrivacy:
    person: User
    waiting: ErasureRequest | None


def mine(session: Session, actor: Actor) -> MyPrivacy:
    if not policy.takes_part(actor) or actor.user_id is None:
        raise access.NoSuchPerson()
    return MyPrivacy(session.get_one(User, actor.user_id), pending_of(session, actor.user_id))


@dataclass(frozen=True)
class PersonView:
    person: User
    waiting: ErasureRequest | None
    erased: ErasureRequest | None
    may_erase: bool


def person(session: Session, actor: Actor, person_id: int) -> PersonView:
    """A person in the officer's reach, for their privacy page."""
    found = access.person_for(session, actor, person_id, access.officers_person(actor))
    grant = access.holds_grant(session, actor)
    may_erase = policy.can_erase(actor, grant, found.id, found.institution_id, found.platform_role)
    erased = carried_out(session, found.id)
    return PersonView(found, pending_of(session, found.id), erased, may_erase and not erased)


def find(session: Session, actor: Actor, text: str) -> Sequence[User]:
    """People in the officer's reach whose address or name contains `text` (20 at most)."""
    access.require_officer(session, actor)
    pattern = f"%{text.strip().lower()}%"
    return session.scalars(
        select(User)
        .where(
            in_reached_institution(actor, User.institution_id),
            func.lower(User.email).like(pattern) | func.lower(User.display_name).like(pattern),
        )
        .order_by(User.display_name, User.id)
        .limit(FOUND_AT_MOST)
    ).all()
