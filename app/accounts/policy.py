"""Who may do what with accounts, institutions and API clients. The only place such rules live.

Coordinators (admins and managers) act on every institution's accounts; institution managers
and partner clients only on their own institution's (`reaches_person`), the rest being hidden."""

from typing import Any

from sqlalchemy import ColumnElement, Select, SQLColumnExpression, false, or_, select

from app.accounts.models import ApiClient, Institution, User
from app.core.actors import Actor, PlatformRole, Scope
from app.membership.policy import in_reached_institution, reaches_person


def can_list_users(actor: Actor) -> bool:
    """Managers list people (institution managers: their institution's, filtered in SQL)."""
    return actor.is_manager and actor.has_scope(Scope.USERS_READ)


def can_read_user(actor: Actor, user: User) -> bool:
    if actor.user_id == user.id:
        return True
    if not reaches_person(actor, user.institution_id):
        return False
    if actor.is_partner_client:
        return actor.has_scope(Scope.USERS_READ)
    return can_list_users(actor)


def can_create_user(actor: Actor, role: PlatformRole) -> bool:
    """Managers create ordinary accounts (institution managers: in their institution, see
    `can_move_user_to`); only admins create staff accounts."""
    if not actor.has_scope(Scope.USERS_WRITE):
        return False
    if role is PlatformRole.USER:
        return actor.is_manager
    return actor.is_admin


def can_administer_user(actor: Actor, user: User, new_role: PlatformRole | None) -> bool:
    """Managers edit ordinary users; only admins touch staff accounts or grant roles."""
    if not actor.has_scope(Scope.USERS_WRITE) or (actor.user_id == user.id and new_role):
        return False
    if actor.is_admin:
        return True
    staff = user.platform_role != PlatformRole.USER
    return actor.is_manager and not staff and new_role in (None, PlatformRole.USER)


def can_move_user_to(actor: Actor, institution_id: int | None) -> bool:
    """An institution manager keeps the people they create or edit in their own institution."""
    return reaches_person(actor, institution_id)


def may_hold_role(role: PlatformRole, institution_id: int | None) -> bool:
    """An institution manager manages an institution, so belongs to one."""
    return role is not PlatformRole.INSTITUTION_MANAGER or institution_id is not None


def can_manage_institutions(actor: Actor) -> bool:
    """Creating institutions is the coordinators'."""
    return actor.is_coordinator and not actor.is_partner_client


def can_edit_institution(actor: Actor, institution: Institution) -> bool:
    """Coordinators edit any institution; an institution manager their own."""
    if actor.is_partner_client:
        return False
    return actor.is_coordinator or (
        actor.is_institution_manager and actor.institution_id == institution.id
    )


def can_read_institution(actor: Actor, institution: Institution) -> bool:
    if actor.is_partner_client:
        return actor.institution_id == institution.id
    return not actor.is_anonymous


def visible_institutions(actor: Actor) -> Select[Institution]:
    """What `can_read_institution` allows, as a query: a partner system its own institution,
    signed-in people every institution (to choose one), visitors none."""
    stmt = select(Institution)
    if actor.is_partner_client:
        return stmt.where(Institution.id == actor.institution_id)
    return stmt.where(false()) if actor.is_anonymous else stmt


def can_manage_api_clients(actor: Actor) -> bool:
    """Only people (never another client) create or revoke partner credentials."""
    return actor.is_manager and not actor.is_partner_client


def can_create_api_client_for(actor: Actor, institution: Institution) -> bool:
    """Institution managers create credentials for their own institution only."""
    return can_manage_api_clients(actor) and reaches_person(actor, institution.id)


def can_see_api_client(actor: Actor, client: ApiClient) -> bool:
    return can_manage_api_clients(actor) and reaches_person(actor, client.institution_id)


def can_revoke_api_client(actor: Actor, client: ApiClient) -> bool:
    return can_see_api_client(actor, client) and client.revoked_at is None


def sees_institutions_page(user: User) -> bool:
    """The institutions page is the coordinators' (see `can_manage_institutions`)."""
    return user.platform_role in (PlatformRole.ADMIN, PlatformRole.MANAGER)


def sees_administration(user: User) -> bool:
    """Staff (admins, managers, institution managers) are offered the administration pages;
    each page still asks its own rule."""
    return user.platform_role != PlatformRole.USER


def can_read_audit_trail(actor: Actor) -> bool:
    """The trail is the managers' (coordinators: all of it; institution managers: their
    institution's, see `audit_entries_in_reach`); never a partner system's."""
    return actor.is_manager and not actor.is_partner_client


def audit_entries_in_reach(
    actor: Actor,
    acting_institution_id: SQLColumnExpression[Any],
    person_institution_id: SQLColumnExpression[Any],
) -> ColumnElement[bool]:
    """An institution manager reads the entries of actors acting for their institution and
    those about its people; a coordinator every entry."""
    return or_(
        in_reached_institution(actor, acting_institution_id),
        in_reached_institution(actor, person_institution_id),
    )


def can_see_audited_person(actor: Actor, institution_id: int | None) -> bool:
    """An entry's actor or person is named only to readers who reach them: an institution
    manager reads an outside actor's entry about their own people without the outsider's name."""
    return reaches_person(actor, institution_id)
