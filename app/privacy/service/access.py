"""Finding the person a request is about, as the policy allows: someone the caller may not
know of is not found; someone they know of but may not act on is forbidden."""

from collections.abc import Callable

from sqlalchemy import exists, select
from sqlalchemy.orm import Session

from app.accounts import policy as account_policy
from app.accounts.models import User
from app.core.actors import Actor
from app.core.errors import Forbidden, NotFound
from app.core.i18n import N_
from app.privacy import policy
from app.privacy.models import PrivacyOfficer


class NoSuchPerson(NotFound):
    code = "no_such_person"
    title = N_("No such person.")


class NotPrivacyOfficer(Forbidden):
    code = "not_a_privacy_officer"
    title = N_("Only a privacy officer who may act for this person can do this.")


class CannotEraseYourself(Forbidden):
    code = "cannot_erase_yourself"
    title = N_("Another privacy officer must carry out your own erasure.")


def holds_grant(session: Session, actor: Actor) -> bool:
    """Whether the caller holds the privacy officer's grant."""
    if actor.user_id is None or actor.is_partner_client:
        return False
    held = select(exists().where(PrivacyOfficer.user_id == actor.user_id))
    return bool(session.scalar(held))


def require_officer(session: Session, actor: Actor) -> None:
    if not policy.is_officer(actor, holds_grant(session, actor)):
        raise NotPrivacyOfficer()


Allowed = Callable[[bool, User], bool]


def person_for(session: Session, actor: Actor, person_id: int, allowed: Allowed) -> User:
    """The person, if `allowed(holds_grant, person)`; else 403 for who may know of them,
    404 for anyone else."""
    person = session.get(User, person_id)
    if person is None:
        raise NoSuchPerson()
    if allowed(holds_grant(session, actor), person):
        return person
    if actor.user_id == person.id:
        raise CannotEraseYourself()
    if account_policy.can_read_user(actor, person):
        raise NotPrivacyOfficer()
    raise NoSuchPerson()


def exportable(actor: Actor) -> Allowed:
    def allowed(grant: bool, person: User) -> bool:
        return policy.can_export_for(actor, grant, person.id, person.institution_id)

    return allowed


def officers_person(actor: Actor) -> Allowed:
    def allowed(grant: bool, person: User) -> bool:
        return policy.can_act_for(actor, grant, person.institution_id)

    return allowed


def erasable(actor: Actor) -> Allowed:
    def allowed(grant: bool, person: User) -> bool:
        return policy.can_erase(
            actor, grant, person.id, person.institution_id, person.platform_role
        )

    return allowed
