"""Users, institutions, API clients and the audit log."""

import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, Subquery, case, func, select
from sqlalchemy.orm import InstrumentedAttribute, Session

from app.accounts import policy, usage
from app.accounts.audit import audit as audit  # the trail's writer, where callers find it
from app.accounts.audit import plain
from app.accounts.models import ApiClient, ApiClientUsage, Institution, User
from app.accounts.schemas import (
    ApiClientCreate,
    ApiClientUpdate,
    InstitutionCreate,
    InstitutionUpdate,
    ProfileUpdate,
    UserAdminUpdate,
    UserCreate,
)
from app.core.actors import Actor, require
from app.core.config import Settings
from app.core.db import utcnow
from app.core.errors import Conflict, Invalid, NotFound
from app.core.i18n import N_, SUPPORTED_LOCALES
from app.core.pagination import paginate
from app.core.security import hash_password, verify_password
from app.membership.policy import in_reached_institution


class EmailTaken(Conflict):
    code = "email_taken"
    title = N_("An account with this e-mail address already exists.")


class InstitutionCodeTaken(Conflict):
    code = "institution_code_taken"
    title = N_("An institution with this code already exists.")


class RoleNeedsInstitution(Invalid):
    code = "role_needs_institution"
    title = N_("An institution manager must belong to an institution.")


class WrongPassword(Invalid):
    code = "wrong_password"
    title = N_("The current password is not correct.")


def normalise_email(email: str) -> str:
    return email.strip().lower()


# --- users -------------------------------------------------------------------------------


def find_user_by_email(session: Session, email: str) -> User | None:
    return session.scalar(select(User).where(User.email == normalise_email(email)))


def get_user(session: Session, actor: Actor, user_id: int) -> User:
    user = session.get(User, user_id)
    if user is None or not policy.can_read_user(actor, user):
        raise NotFound(N_("No such user."))
    return user


def list_users(
    session: Session, actor: Actor, *, search: str | None, cursor: str | None, limit: int
) -> tuple[Sequence[User], str | None]:
    require(policy.can_list_users(actor))
    stmt = select(User).where(in_reached_institution(actor, User.institution_id))
    if search:
        pattern = f"%{search.lower()}%"
        stmt = stmt.where(User.email.like(pattern) | func.lower(User.display_name).like(pattern))
    return paginate(session, stmt, User.id, cursor, limit)


def create_user(session: Session, actor: Actor, data: UserCreate, *, is_demo: bool = False) -> User:
    """Managers create ordinary accounts; only admins create staff accounts. An institution
    manager's new accounts belong to their institution."""
    require(policy.can_create_user(actor, data.platform_role))
    institution_id = _institution_id(session, data.institution_code)
    if data.institution_code is None and actor.is_institution_manager:
        institution_id = actor.institution_id
    require(policy.can_move_user_to(actor, institution_id))
    if not policy.may_hold_role(data.platform_role, institution_id):
        raise RoleNeedsInstitution(field="institution_code")
    if find_user_by_email(session, data.email) is not None:
        raise EmailTaken(field="email")
    user = User(
        email=normalise_email(data.email),
        display_name=data.display_name,
        password_hash=hash_password(data.password) if data.password else None,
        preferred_language=data.preferred_language,
        time_zone=data.time_zone,
        country=data.country,
        institution_id=institution_id,
        platform_role=data.platform_role,
        is_demo=is_demo,
    )
    session.add(user)
    session.flush()
    audit(
        session, actor, "user.create", f"user:{user.id}", f"role={user.platform_role}",
        person_id=user.id, to_value=user.platform_role,
    )  # fmt: skip
    return user


def update_profile(session: Session, actor: Actor, data: ProfileUpdate) -> User:
    """A user edits their own name, language, zone and country; nothing else."""
    user = _self(session, actor)
    for name, value in data.model_dump(exclude_unset=True).items():
        if value is not None:
            setattr(user, name, value)
    return user


def choose_language(session: Session, actor: Actor, language: str) -> str:
    """The language to show: a supported one, else English; a signed-in person's profile
    remembers it."""
    chosen = language if language in SUPPORTED_LOCALES else "en"
    if actor.user_id is not None:
        update_profile(session, actor, ProfileUpdate(preferred_language=chosen))
    return chosen


def change_password(session: Session, actor: Actor, current: str, new: str) -> User:
    user = _self(session, actor)
    if not verify_password(user.password_hash, current):
        raise WrongPassword(field="current_password")
    user.password_hash = hash_password(new)
    return user


def administer_user(session: Session, actor: Actor, user_id: int, data: UserAdminUpdate) -> User:
    user = get_user(session, actor, user_id)
    changes = data.model_dump(exclude_unset=True)
    if changes.get("platform_role") == user.platform_role:
        del changes["platform_role"]  # the current role sent again (edit forms do) is no change
    require(policy.can_administer_user(actor, user, changes.get("platform_role")))
    institution_id = user.institution_id
    if "institution_code" in changes:
        institution_id = _institution_id(session, changes.pop("institution_code"))
        require(policy.can_move_user_to(actor, institution_id))
    if not policy.may_hold_role(changes.get("platform_role") or user.platform_role, institution_id):
        raise RoleNeedsInstitution(field="institution_code")
    before = _administered(user)
    user.institution_id = institution_id
    for name, value in changes.items():
        if value is not None:
            setattr(user, name, value)
    after = _administered(user)
    moved = [name for name in after if before[name] != after[name]]
    audit(
        session, actor, "user.update", f"user:{user.id}", repr(sorted(changes)),
        person_id=user.id, from_value=_fields(before, moved), to_value=_fields(after, moved),
    )  # fmt: skip
    return user


def _administered(user: User) -> dict[str, object]:
    """What `administer_user` may change, as the trail shows it (roles first)."""
    return {
        "platform_role": user.platform_role,
        "is_active": user.is_active,
        "institution_id": user.institution_id,
        "display_name": user.display_name,
    }


def _fields(values: dict[str, object], names: list[str]) -> str | None:
    """`platform_role=user; is_active=True` for the fields named, None for none."""
    return "; ".join(f"{name}={plain(values[name])}" for name in names) or None


def _self(session: Session, actor: Actor) -> User:
    user = session.get(User, actor.user_id) if actor.user_id is not None else None
    if user is None:
        raise NotFound(N_("No such user."))
    return user


def _institution_id(session: Session, code: str | None) -> int | None:
    if code is None:
        return None
    return find_institution(session, code, field="institution_code").id


# --- institutions --------------------------------------------------------------------------


def find_institution(session: Session, code: str, *, field: str = "code") -> Institution:
    institution = session.scalar(select(Institution).where(Institution.code == code.upper()))
    if institution is None:
        raise Invalid(f"No institution has the code {code!r}.", field=field)
    return institution


def list_institutions(session: Session, actor: Actor) -> Sequence[Institution]:
    return session.scalars(policy.visible_institutions(actor).order_by(Institution.code)).all()


def get_institution(session: Session, actor: Actor, institution_id: int) -> Institution:
    institution = session.get(Institution, institution_id)
    if institution is None or not policy.can_read_institution(actor, institution):
        raise NotFound(N_("No such institution."))
    return institution


def require_institution_manager(actor: Actor) -> None:
    require(policy.can_manage_institutions(actor))


def create_institution(session: Session, actor: Actor, data: InstitutionCreate) -> Institution:
    require_institution_manager(actor)
    code = data.code.upper()
    if session.scalar(select(Institution.id).where(Institution.code == code)) is not None:
        raise InstitutionCodeTaken(field="code")
    institution = Institution(
        code=code, name=data.name, country=data.country, grading_scale=data.grading_scale
    )
    session.add(institution)
    session.flush()
    return institution


def update_institution(
    session: Session, actor: Actor, institution_id: int, data: InstitutionUpdate
) -> Institution:
    institution = get_institution(session, actor, institution_id)
    require(policy.can_edit_institution(actor, institution))
    for name, value in data.model_dump(exclude_unset=True).items():
        if value is not None:
            setattr(institution, name, value)
    return institution


# --- API clients ---------------------------------------------------------------------------


def create_api_client(
    session: Session, actor: Actor, data: ApiClientCreate
) -> tuple[ApiClient, str]:
    """A partner credential; the secret is returned once and only its hash is kept."""
    require(policy.can_manage_api_clients(actor))
    institution = find_institution(session, data.institution_code, field="institution_code")
    require(policy.can_create_api_client_for(actor, institution))
    secret = secrets.token_urlsafe(32)
    client = ApiClient(
        client_id=f"agc_{secrets.token_hex(8)}",
        secret_hash=hash_password(secret),
        name=data.name,
        institution_id=institution.id,
        scopes=sorted({str(scope) for scope in data.scopes}),
        created_by_id=actor.user_id,
        rate_limit_per_minute=data.rate_limit_per_minute,
    )
    session.add(client)
    session.flush()
    audit(session, actor, "api_client.create", f"api_client:{client.id}", " ".join(client.scopes))
    return client, secret


def list_api_clients(session: Session, actor: Actor) -> Sequence[ApiClient]:
    require(policy.can_manage_api_clients(actor))
    return session.scalars(
        select(ApiClient)
        .where(in_reached_institution(actor, ApiClient.institution_id))
        .order_by(ApiClient.id)
    ).all()


@dataclass(frozen=True)
class ClientUsage:
    client: ApiClient
    requests_per_minute: int
    requests_last_24h: int
    errors_last_24h: int
    requests_last_30d: int
    last_seen_at: datetime | None


def api_client_usage(session: Session, actor: Actor, settings: Settings) -> list[ClientUsage]:
    """Each client the manager may list (`list_api_clients`), with its requests and errors of
    the last 24 hours, its requests of the last 30 days and the end of its newest minute: one
    query whatever the number of clients."""
    require(policy.can_manage_api_clients(actor))
    now = utcnow()
    figures = _usage_figures(now - timedelta(hours=24), now - timedelta(days=30))
    rows = session.execute(
        select(ApiClient, figures.c.day, figures.c.day_errors, figures.c.month, figures.c.newest)
        .outerjoin(figures, figures.c.api_client_id == ApiClient.id)
        .where(in_reached_institution(actor, ApiClient.institution_id))
        .order_by(ApiClient.id)
    ).all()
    return [
        ClientUsage(
            client=client,
            requests_per_minute=usage.limit_for(settings, client.rate_limit_per_minute),
            requests_last_24h=day or 0,
            errors_last_24h=day_errors or 0,
            requests_last_30d=month or 0,
            last_seen_at=newest + usage.WINDOW if newest is not None else None,
        )
        for client, day, day_errors, month, newest in rows
    ]


def _usage_figures(day_ago: datetime, month_ago: datetime) -> Subquery:
    kept = ApiClientUsage

    def since(start: datetime, counted: InstrumentedAttribute[int]) -> ColumnElement[int]:
        return func.sum(case((kept.window_start >= start, counted), else_=0))

    return (
        select(
            kept.api_client_id,
            since(day_ago, kept.requests).label("day"),
            since(day_ago, kept.errors).label("day_errors"),
            since(month_ago, kept.requests).label("month"),
            func.max(kept.window_start).label("newest"),
        )
        .group_by(kept.api_client_id)
        .subquery()
    )


def update_api_client(
    session: Session, actor: Actor, client_id: int, data: ApiClientUpdate
) -> ApiClient:
    """Change a live client's own rate limit (null: back to the platform's default)."""
    require(policy.can_manage_api_clients(actor))
    client = session.get(ApiClient, client_id)
    if client is None or not policy.can_see_api_client(actor, client):
        raise NotFound(N_("No such API client."))
    require(policy.can_revoke_api_client(actor, client), Conflict, "The client is revoked.")
    if "rate_limit_per_minute" in data.model_fields_set:
        before = client.rate_limit_per_minute
        client.rate_limit_per_minute = data.rate_limit_per_minute
        detail = f"rate_limit_per_minute {before} -> {client.rate_limit_per_minute}"
        audit(session, actor, "api_client.update", f"api_client:{client.id}", detail)
    return client


def revoke_api_client(session: Session, actor: Actor, client_id: int) -> ApiClient:
    require(policy.can_manage_api_clients(actor))
    client = session.get(ApiClient, client_id)
    if client is None or not policy.can_see_api_client(actor, client):
        raise NotFound(N_("No such API client."))
    require(policy.can_revoke_api_client(actor, client), Conflict, "Already revoked.")
    client.revoked_at = utcnow()
    audit(session, actor, "api_client.revoke", f"api_client:{client.id}")
    return client
