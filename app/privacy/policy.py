"""Who may read and erase personal data. The only place such rules live.

Everyone signed in exports their own data and asks for their own erasure. Other people's data
is exported, and people erased, only by **privacy officers**: managers holding the grant, which
platform admins give and withdraw. An officer who is an institution manager acts on their
institution's people only; an officer erases staff accounts only if they are an admin; nobody
erases themselves. Partner systems take no part. Managers and admins without the grant may
not export others' data nor erase anyone."""

from app.core.actors import Actor, PlatformRole, Scope
from app.membership.policy import reaches_person


def takes_part(actor: Actor) -> bool:
    """A person (not a partner system, not a visitor)."""
    return actor.user_id is not None and not actor.is_partner_client


def is_officer(actor: Actor, holds_grant: bool) -> bool:
    return takes_part(actor) and actor.is_manager and holds_grant


def can_read_requests(actor: Actor, holds_grant: bool) -> bool:
    return is_officer(actor, holds_grant)


def can_act_for(actor: Actor, holds_grant: bool, person_institution_id: int | None) -> bool:
    """An officer, for a person in their reach: reads their data, opens their erasure page."""
    return (
        is_officer(actor, holds_grant)
        and actor.has_scope(Scope.USERS_READ)
        and reaches_person(actor, person_institution_id)
    )


def can_export_for(
    actor: Actor, holds_grant: bool, person_id: int, person_institution_id: int | None
) -> bool:
    """One's own data, or an officer's for a person in their reach."""
    if takes_part(actor) and actor.user_id == person_id:
        return True
    return can_act_for(actor, holds_grant, person_institution_id)


def can_erase(
    actor: Actor,
    holds_grant: bool,
    person_id: int,
    person_institution_id: int | None,
    person_role: PlatformRole,
) -> bool:
    """An officer, on someone else in their reach; staff accounts only by an admin officer."""
    if not is_officer(actor, holds_grant) or actor.user_id == person_id:
        return False
    if person_role is not PlatformRole.USER and not actor.is_admin:
        return False
    return actor.has_scope(Scope.USERS_WRITE) and reaches_person(actor, person_institution_id)


def can_manage_officers(actor: Actor) -> bool:
    """Platform admins grant and withdraw the right."""
    return actor.is_admin and not actor.is_partner_client


def may_be_officer(role: PlatformRole) -> bool:
    """The grant is a manager's: admins, managers and institution managers."""
    return role is not PlatformRole.USER


def sees_privacy_page(actor: Actor) -> bool:
    """Every manager reads who the officers are; officers work there; admins name them."""
    return takes_part(actor) and actor.is_manager
