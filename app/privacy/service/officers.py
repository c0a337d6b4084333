"""The privacy officers: managers holding the grant to export others' data and erase people,
named and withdrawn by platform admins."""

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.accounts.models import User
from app.accounts.service import audit, find_user_by_email
from app.core.actors import Actor, require
from app.core.errors import Invalid, NotFound
from app.core.i18n import N_
from app.privacy import policy
from app.privacy.models import PrivacyOfficer
from app.privacy.schemas import PrivacyOfficerRead
from app.privacy.service.access import NoSuchPerson


class NotAManager(Invalid):
    code = "privacy_officer_not_a_manager"
    title = N_("Only an admin, a manager or an institution manager can be a privacy officer.")


class NotAnOfficer(NotFound):
    code = "not_a_privacy_officer_yet"
    title = N_("This person is not a privacy officer.")


def officers(session: Session, actor: Actor) -> list[PrivacyOfficerRead]:
    """Who holds the grant: shown to every manager, so they know whom to ask."""
    require(policy.sees_privacy_page(actor))
    rows = session.execute(
        select(PrivacyOfficer, User)
        .join(User, User.id == PrivacyOfficer.user_id)
        .order_by(User.display_name, User.id)
    ).all()
    return [_read(officer, user) for officer, user in rows]


def grant(session: Session, actor: Actor, user_id: int) -> PrivacyOfficerRead:
    """Make a manager a privacy officer (admins only); granting again changes nothing."""
    require(policy.can_manage_officers(actor))
    user = session.get(User, user_id)
    if user is None:
        raise NoSuchPerson()
    if not policy.may_be_officer(user.platform_role) or not user.is_active:
        raise NotAManager(field="user_id")
    officer = _grant_of(session, user.id)
    if officer is None:
        officer = PrivacyOfficer(user_id=user.id, granted_by_id=actor.user_id)
        try:
            with session.begin_nested():
                session.add(officer)
        except IntegrityError:  # granted at the same moment by another admin
            found = _grant_of(session, user.id)
            assert found is not None
            return _read(found, user)
        audit(session, actor, "privacy.officer.grant", f"user:{user.id}")
    return _read(officer, user)


def grant_by_email(session: Session, actor: Actor, email: str) -> PrivacyOfficerRead:
    require(policy.can_manage_officers(actor))
    user = find_user_by_email(session, email)
    if user is None:
        raise Invalid(N_("No account has this e-mail address."), field="email")
    try:
        return grant(session, actor, user.id)
    except NotAManager as refused:
        raise NotAManager(field="email") from refused


def withdraw(session: Session, actor: Actor, user_id: int) -> None:
    """Take the grant back (admins only)."""
    require(policy.can_manage_officers(actor))
    officer = _grant_of(session, user_id)
    if officer is None:
        raise NotAnOfficer()
    session.delete(officer)
    session.flush()
    audit(session, actor, "privacy.officer.withdraw", f"user:{user_id}")


def _grant_of(session: Session, user_id: int) -> PrivacyOfficer | None:
    return session.scalar(select(PrivacyOfficer).where(PrivacyOfficer.user_id == user_id))


def _read(officer: PrivacyOfficer, user: User) -> PrivacyOfficerRead:
    return PrivacyOfficerRead(
        user_id=user.id,
        display_name=user.display_name,
        email=user.email,
        institution_id=user.institution_id,
        granted_by_id=officer.granted_by_id,
        granted_at=officer.granted_at,
    )
