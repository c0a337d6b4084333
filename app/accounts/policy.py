"""Who may do what with accounts, institutions and API clients. The only place such rules live."""

from app.accounts.models import ApiClient, Institution, User
from app.core.actors import Actor, PlatformRole, Scope


def can_list_users(actor: Actor) -> bool:
    return actor.is_manager and actor.has_scope(Scope.USERS_READ)


def can_read_user(actor: Actor, user: User) -> bool:
    if actor.user_id == user.id:
        return True
    if actor.api_client_id is not None:
        # A partner system sees its own institution's people only.
        return actor.has_scope(Scope.USERS_READ) and user.institution_id == actor.institution_id
    return can_list_users(actor)


def can_create_user(actor: Actor, role: PlatformRole) -> bool:
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


def can_manage_institutions(actor: Actor) -> bool:
    return actor.is_manager and actor.api_client_id is None


def can_read_institution(actor: Actor, institution: Institution) -> bool:
    if actor.api_client_id is not None:
        return actor.institution_id == institution.id
    return not actor.is_anonymous


def can_manage_api_clients(actor: Actor) -> bool:
    """Only people (never another client) create or revoke partner credentials."""
    return actor.is_manager and actor.api_client_id is None


def can_revoke_api_client(actor: Actor, client: ApiClient) -> bool:
    return can_manage_api_clients(actor) and client.revoked_at is None
